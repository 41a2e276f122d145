//! Side-by-side benchmark of kubeclient against kube-rs (`kube` 5 + `k8s-openapi` 0.29, v1_35),
//! in one process and one run:
//!
//! 1. per-request overhead: 1,000 sequential small GETs of one ConfigMap from the in-process test
//!    server (plain HTTP on loopback, no auth, no client-side rate limiting), interleaved rounds;
//! 2. decode throughput: one 10,000-pod list body with realistic pods (~9-10 KB each) decoded
//!    from the same bytes by both type sets;
//! 3. memory: heap held by the decoded list and the peak while decoding, from a counting global
//!    allocator: requested bytes (`heap_per_pod_bytes`), and the blocks' usable sizes, which
//!    count the allocator's size rounding as Go's `HeapAlloc` counts its size classes
//!    (`heap_per_pod_held_bytes`, the like-for-like number against client-go);
//! 4. against the same server seeded with the fixture pods (`cluster.rs`): whole lists (JSON and
//!    protobuf, one request and pages of 500), a pod informer (sync time and heap per object,
//!    with and without a transform dropping managedFields) and watch throughput.
//!
//! `PEERS_PROFILE=json|pb` only decodes the fixture list in a loop (for perf or callgrind);
//! `PEERS_ONLY=decode|get|list|watch|informer` runs only those cases (informer: ours, in rounds).
//!
//! `CARGO_TARGET_DIR=target/peers cargo run --release --manifest-path bench/peers/Cargo.toml`
//!
//! With `CLIENT_GO_PEER` naming the client-go peer (`bench/peers/client-go`), client-go runs the
//! same cases on the same server and bytes; `bash bench/compare.sh` builds it and runs all three
//! several times. Every run ends with one machine-readable line per metric:
//! `metric <name> | kubeclient <v> | kube-rs <v> | client-go <v> | unit <u> | better <lower|higher>`.
//!
//! Memory is heap bytes requested through the global allocator while the decoded list is held
//! (including the `Vec<Pod>` growth slack, the same for both since both `Pod`s are the same
//! size); the counting itself costs both peers a few atomic operations (and a usable-size lookup)
//! per allocation.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod client_go;
mod cluster;

// ---------------------------------------------------------------------------------------------
// Counting allocator: current and peak live bytes, and the number of allocations.

struct Counting;

pub(crate) static CURRENT: AtomicUsize = AtomicUsize::new(0);
/// Live bytes as the allocator holds them: each block's usable size (`malloc_usable_size`,
/// `mi_usable_size`), so size rounding is counted, as Go's `HeapAlloc` counts size classes.
/// Counted only while `HELD_ON` (see `held_per_pod`); read as a wrapping difference.
static HELD: AtomicUsize = AtomicUsize::new(0);
static HELD_ON: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

thread_local! {
    /// Set on a thread while it times a decode (see `measure`): its allocations go straight to
    /// the allocator, uncounted, as client-go's decode pays for no counting either.
    static UNCOUNTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Set while the sequential GETs are timed (see `get_overhead`): no thread counts. The client,
/// the in-process server and their connections all allocate on several threads there, and the
/// counters' atomics, shared across cores, cost each GET time that client-go does not pay.
static PAUSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `PAUSED` for as long as it lives, however the timed code ends.
struct Paused;

impl Paused {
    fn start() -> Paused {
        PAUSED.store(true, Relaxed);
        Paused
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        PAUSED.store(false, Relaxed);
    }
}

/// Whether this thread's allocations are counted now.
fn counted() -> bool {
    !PAUSED.load(Relaxed) && !UNCOUNTED.try_with(std::cell::Cell::get).unwrap_or(false)
}
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

/// Allocation sizes seen while `RECORD` is on (`PEERS_PROFILE=sizes`): count per exact size,
/// the last bucket holding everything larger.
static RECORD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static SIZES: [AtomicUsize; 8193] = [const { AtomicUsize::new(0) }; 8193];

fn add(n: usize) {
    if RECORD.load(Relaxed) {
        SIZES[n.min(8192)].fetch_add(1, Relaxed);
    }
    let now = CURRENT.fetch_add(n, Relaxed) + n;
    // `fetch_max` is a locked compare-and-swap even when nothing changes; most allocations do
    // not raise the peak, so look first (what the GETs and lists pay for counting).
    if now > PEAK.load(Relaxed) {
        PEAK.fetch_max(now, Relaxed);
    }
}

/// The allocator under the counting: glibc's (`System`), or mimalloc with
/// `PEERS_ALLOCATOR=mimalloc`. Chosen at the first allocation (read with `getenv`, which does not
/// allocate), before any thread starts, and never changed, so every block is freed by the
/// allocator that gave it. Both Rust peers run on the same one; client-go has Go's.
static BASE: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);
const SYSTEM: u8 = 1;
const MIMALLOC: u8 = 2;

fn base() -> u8 {
    let b = BASE.load(Relaxed);
    if b != 0 {
        return b;
    }
    // SAFETY: getenv with a NUL-terminated name; the result is read before anything can set
    // the environment (no thread exists yet at the first allocation).
    let chosen = unsafe {
        let v = libc::getenv(c"PEERS_ALLOCATOR".as_ptr());
        if !v.is_null() && std::ffi::CStr::from_ptr(v).to_bytes() == b"mimalloc" {
            MIMALLOC
        } else {
            SYSTEM
        }
    };
    BASE.store(chosen, Relaxed);
    chosen
}

pub(crate) fn allocator_name() -> &'static str {
    if base() == MIMALLOC {
        "mimalloc"
    } else {
        "glibc"
    }
}

/// The usable size of a live block of the allocator in use.
///
/// # Safety
/// `p` must be a live block of that allocator.
unsafe fn usable(p: *mut u8) -> usize {
    if base() == MIMALLOC {
        mimalloc::MiMalloc.usable_size(p)
    } else {
        libc::malloc_usable_size(p.cast())
    }
}

/// Counts a new block `p` (null: none) of layout `l`, when this thread's allocations count.
///
/// # Safety
/// `p` must be null or a live block of the allocator in use.
unsafe fn allocated(p: *mut u8, l: Layout) {
    if !p.is_null() && counted() {
        add(l.size());
        if HELD_ON.load(Relaxed) {
            HELD.fetch_add(usable(p), Relaxed);
        }
        ALLOCS.fetch_add(1, Relaxed);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = if base() == MIMALLOC {
            mimalloc::MiMalloc.alloc(l)
        } else {
            System.alloc(l)
        };
        allocated(p, l);
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = if base() == MIMALLOC {
            mimalloc::MiMalloc.alloc_zeroed(l)
        } else {
            System.alloc_zeroed(l)
        };
        allocated(p, l);
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        let counted = counted();
        if counted && HELD_ON.load(Relaxed) {
            HELD.fetch_sub(usable(p), Relaxed);
        }
        if base() == MIMALLOC {
            mimalloc::MiMalloc.dealloc(p, l)
        } else {
            System.dealloc(p, l)
        }
        if counted {
            CURRENT.fetch_sub(l.size(), Relaxed);
        }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let counted = counted();
        let held = counted && HELD_ON.load(Relaxed);
        let old = if held { usable(p) } else { 0 };
        let q = if base() == MIMALLOC {
            mimalloc::MiMalloc.realloc(p, l, new)
        } else {
            System.realloc(p, l, new)
        };
        if !q.is_null() && counted {
            if held {
                HELD.fetch_sub(old, Relaxed);
                HELD.fetch_add(usable(q), Relaxed);
            }
            if new >= l.size() {
                add(new - l.size());
            } else {
                CURRENT.fetch_sub(l.size() - new, Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

// ---------------------------------------------------------------------------------------------

const NS: &str = "default";
const CM_NAME: &str = "bench-config";
const GETS: usize = 1_000;
const GET_ROUNDS: usize = 9;
const PODS: usize = 10_000;
const DECODE_RUNS: usize = 9;

pub(crate) fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `PEERS_PEAK_RSS=kubeclient|kube-rs`: the child process of `peak_rss`.
    if let Ok(peer) = std::env::var("PEERS_PEAK_RSS") {
        return peak_rss_child(&peer);
    }
    // `PEERS_PROFILE=json|pb`: only decode the fixture list in a loop, for perf/callgrind.
    if let Ok(format) = std::env::var("PEERS_PROFILE") {
        if format == "sizes" {
            allocation_sizes();
            return Ok(());
        }
        return profile_decode(&format);
    }
    // `PEERS_ONLY`: one group of cases alone, for quick checks.
    match std::env::var("PEERS_ONLY").as_deref() {
        Err(_) => {}
        // The decode and memory cases (all three peers).
        Ok("decode") => return decode_and_memory().map(drop),
        // The sequential GETs (all three peers).
        Ok("get") => return get_overhead(&bench_server().await?).await.map(drop),
        // The list cases (all three peers).
        Ok("list") => return list_only().await,
        // The watch case, the Rust peers in rounds (see `watch_rounds`).
        Ok("watch") => return watch_only().await,
        // Our informer, without and with the transform, in rounds.
        Ok("informer") => return informer_only().await,
        Ok(other) => {
            return Err(
                format!("PEERS_ONLY={other}: want decode, get, list, watch or informer").into(),
            )
        }
    }
    println!(
        "peers benchmark: kubeclient (Kubernetes {}) vs kube 5 + k8s-openapi 0.29 (v1_35)",
        kubeclient::KUBERNETES_VERSION,
    );
    println!(
        "machine: {} logical CPUs available to this process; Rust peers allocate with {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        allocator_name()
    );

    // One server for every case and peer; its watch history holds the seeded MODIFIED events.
    let server = bench_server().await?;
    let (get, go_get) = get_overhead(&server).await?;
    let (dec, go_dec) = decode_and_memory()?;
    let cl = cluster_cases(&server).await?;

    println!();
    println!("== summary (same process, same run) ==");
    println!(
        "{:<44} {:>14} {:>14} {:>10}",
        "metric", "kubeclient", "kube-rs", "ratio"
    );
    println!(
        "{:<44} {:>14.1} {:>14.1} {:>9.2}x",
        "1,000 sequential GETs, median ms (lower=better)",
        get.0,
        get.1,
        get.1 / get.0
    );
    let us = |ms_per_run: f64| ms_per_run * 1e3 / GETS as f64;
    println!(
        "{:<44} {:>14.1} {:>14.1} {:>9.2}x",
        "  = µs per GET",
        us(get.0),
        us(get.1),
        get.1 / get.0
    );
    println!(
        "{:<44} {:>14.1} {:>14.1} {:>9.2}x",
        "decode MB/s, median, glibc defaults",
        dec.k_mbps,
        dec.o_mbps,
        dec.k_mbps / dec.o_mbps
    );
    println!(
        "{:<44} {:>14.1} {:>14.1} {:>9.2}x",
        "decode MB/s, median, warm heap (no trim)",
        dec.k_warm,
        dec.o_warm,
        dec.k_warm / dec.o_warm
    );
    println!(
        "{:<44} {:>14.0} {:>14.0} {:>9.2}x",
        "heap retained per pod, bytes (lower=better)",
        dec.k_per_pod,
        dec.o_per_pod,
        dec.o_per_pod / dec.k_per_pod
    );
    println!(
        "{:<44} {:>14.1} {:>14.1} {:>9.2}x",
        "peak heap during decode, MiB (excl. input)",
        dec.k_peak_mib,
        dec.o_peak_mib,
        dec.o_peak_mib / dec.k_peak_mib
    );
    println!(
        "{:<44} {:>14.1} {:>14.1} {:>9.2}x",
        "allocations per pod",
        dec.k_allocs,
        dec.o_allocs,
        dec.o_allocs / dec.k_allocs
    );
    println!("ratio column: kube-rs / kubeclient for times, bytes and allocations; kubeclient / kube-rs for MB/s (>1 = kubeclient better)");
    println!(
        "input body: {:.1} MB ({} bytes, {:.0} bytes per pod)",
        dec.input_len as f64 / 1e6,
        dec.input_len,
        dec.input_len as f64 / PODS as f64
    );

    // Machine-readable lines (bench/compare.sh reads them): `-` where a peer has no such case
    // or this run did not measure it.
    let go = |m: &client_go::Metrics, k: &str| m.get(k).copied();
    let line = |name: &str,
                ours: Option<f64>,
                kube: Option<f64>,
                cgo: Option<f64>,
                unit: &str,
                better: &str| {
        let v = |x: Option<f64>| x.map_or("-".to_owned(), |x| format!("{x:.2}"));
        println!(
            "metric {name} | kubeclient {} | kube-rs {} | client-go {} | unit {unit} | better {better}",
            v(ours),
            v(kube),
            v(cgo)
        );
    };
    line(
        "get_seq_us",
        Some(us(get.0)),
        Some(us(get.1)),
        go(&go_get, "get_seq_us"),
        "us",
        "lower",
    );
    line(
        "decode_json_mbps",
        Some(dec.k_mbps),
        Some(dec.o_mbps),
        go(&go_dec, "decode_json_mbps"),
        "MB/s",
        "higher",
    );
    line(
        "decode_json_warm_mbps",
        Some(dec.k_warm),
        Some(dec.o_warm),
        go(&go_dec, "decode_json_mbps"),
        "MB/s",
        "higher",
    );
    line(
        "decode_pb_mbps",
        Some(dec.k_pb_mbps),
        None,
        go(&go_dec, "decode_pb_mbps"),
        "MB/s",
        "higher",
    );
    line(
        "decode_pb_warm_mbps",
        Some(dec.k_pb_warm),
        None,
        go(&go_dec, "decode_pb_mbps"),
        "MB/s",
        "higher",
    );
    // The same rates in pods per second: JSON and protobuf bodies differ in size, so this is the
    // unit in which the two formats compare.
    let pods_per_s =
        |mbps: Option<f64>, len: usize| mbps.map(|r| r * 1e6 / (len as f64 / PODS as f64));
    line(
        "decode_json_pods_per_s",
        pods_per_s(Some(dec.k_mbps), dec.input_len),
        pods_per_s(Some(dec.o_mbps), dec.input_len),
        pods_per_s(go(&go_dec, "decode_json_mbps"), dec.input_len),
        "pods/s",
        "higher",
    );
    line(
        "decode_pb_pods_per_s",
        pods_per_s(Some(dec.k_pb_mbps), dec.pb_len),
        None,
        pods_per_s(go(&go_dec, "decode_pb_mbps"), dec.pb_len),
        "pods/s",
        "higher",
    );
    // Protobuf lists only when the server answers protobuf (`-` otherwise).
    for name in [
        "list_json_ms",
        "list_json_paged_ms",
        "list_pb_ms",
        "list_pb_paged_ms",
    ] {
        line(
            name,
            cl.lists.0.get(name).copied(),
            cl.lists.1.get(name).copied(),
            go(&cl.lists.2, name),
            "ms",
            "lower",
        );
    }
    line(
        "heap_per_pod_bytes",
        Some(dec.k_per_pod),
        Some(dec.o_per_pod),
        go(&go_dec, "heap_per_pod_bytes"),
        "bytes",
        "lower",
    );
    // Go's HeapAlloc already counts size classes, so its number is the same on this line.
    line(
        "heap_per_pod_held_bytes",
        Some(dec.k_held_per_pod),
        Some(dec.o_held_per_pod),
        go(&go_dec, "heap_per_pod_bytes"),
        "bytes",
        "lower",
    );
    line(
        "allocs_per_pod",
        Some(dec.k_allocs),
        Some(dec.o_allocs),
        go(&go_dec, "allocs_per_pod"),
        "allocs",
        "lower",
    );
    line(
        "peak_rss_mib",
        dec.k_rss_mib,
        dec.o_rss_mib,
        go(&go_dec, "peak_rss_mib"),
        "MiB",
        "lower",
    );
    let [plain, transformed] = &cl.informers;
    line(
        "informer_sync_ms",
        Some(plain.0.sync_ms),
        Some(plain.1.sync_ms),
        go(&plain.2, "informer_sync_ms"),
        "ms",
        "lower",
    );
    line(
        "informer_sync_transformed_ms",
        Some(transformed.0.sync_ms),
        Some(transformed.1.sync_ms),
        go(&transformed.2, "informer_sync_transformed_ms"),
        "ms",
        "lower",
    );
    line(
        "informer_bytes_per_obj",
        Some(plain.0.bytes_per_obj),
        Some(plain.1.bytes_per_obj),
        go(&plain.2, "informer_bytes_per_obj"),
        "bytes",
        "lower",
    );
    line(
        "informer_bytes_per_obj_transformed",
        Some(transformed.0.bytes_per_obj),
        Some(transformed.1.bytes_per_obj),
        go(&transformed.2, "informer_bytes_per_obj_transformed"),
        "bytes",
        "lower",
    );
    line(
        "watch_events_per_s",
        Some(cl.watch.0),
        Some(cl.watch.1),
        go(&cl.watch.2, "watch_events_per_s"),
        "events/s",
        "higher",
    );
    Ok(())
}

/// Prints the allocations of one pod's decode by size, and where the bytes of one pod are.
fn allocation_sizes() {
    let json = serde_json::to_vec(&pod(1, &fields_v1_spec())).unwrap();
    if let Some(path) = std::env::var_os("PEERS_POD_JSON") {
        // The same pod for another tool (a Go heap profile of client-go's decode of it).
        std::fs::write(&path, &json).unwrap();
    }
    // `PEERS_SIZES_FORMAT=pb`: the same pod decoded from our protobuf encoding of it.
    let pb = std::env::var("PEERS_SIZES_FORMAT").is_ok_and(|f| f == "pb");
    let body = if pb {
        let p: kubeclient::api::core::v1::Pod = serde_json::from_slice(&json).unwrap();
        kubeclient::runtime::proto::encode_object(&p, "v1", "Pod").unwrap()
    } else {
        json
    };
    RECORD.store(true, Relaxed);
    let p: kubeclient::api::core::v1::Pod = if pb {
        kubeclient::runtime::proto::decode_object(&body, "Pod").unwrap()
    } else {
        serde_json::from_slice(&body).unwrap()
    };
    RECORD.store(false, Relaxed);
    let mut rows: Vec<(usize, usize)> = (0..SIZES.len())
        .map(|n| (n, SIZES[n].load(Relaxed)))
        .filter(|r| r.1 > 0)
        .collect();
    rows.sort_by_key(|&(n, c)| std::cmp::Reverse(n * c));
    let format = if pb { "protobuf" } else { "JSON" };
    println!("one pod's {format} decode, allocations by size (size B: count, bytes):");
    for (n, c) in rows {
        println!("  {n:>5}: {c:>4} {:>6}", n * c);
    }
    drop(p);
    use kubeclient::api::core::v1 as k;
    use std::mem::size_of;
    println!(
        "sizes: ObjectMeta {}, ManagedFieldsEntry {}, PodSpec {}, PodStatus {}, Container {}, \
         ContainerStatus {}, Volume {}, EnvVar {}, Probe {}, ContainerPort {}, PodCondition {}",
        size_of::<kubeclient::meta::v1::ObjectMeta>(),
        size_of::<kubeclient::meta::v1::ManagedFieldsEntry>(),
        size_of::<k::PodSpec>(),
        size_of::<k::PodStatus>(),
        size_of::<k::Container>(),
        size_of::<k::ContainerStatus>(),
        size_of::<k::Volume>(),
        size_of::<k::EnvVar>(),
        size_of::<k::Probe>(),
        size_of::<k::ContainerPort>(),
        size_of::<k::PodCondition>(),
    );
    diag();
}

/// Decodes the fixture list (`json`, or `pb` in our own protobuf encoding) `PEERS_PROFILE_RUNS`
/// times (default 20) and nothing else, so a profiler sees only the decode.
fn profile_decode(format: &str) -> Result<(), Box<dyn std::error::Error>> {
    type Ours = kubeclient::meta::v1::List<kubeclient::api::core::v1::Pod>;
    let runs: usize = std::env::var("PEERS_PROFILE_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    let json = pod_list_body(PODS);
    let body = match format {
        "json" => json,
        "pb" => {
            let list: Ours = serde_json::from_slice(&json)?;
            kubeclient::runtime::proto::encode_object(&list, "v1", "PodList")?
        }
        other => return Err(format!("PEERS_PROFILE={other}: json or pb").into()),
    };
    let decode = |b: &[u8]| -> Result<Ours, Box<dyn std::error::Error>> {
        Ok(if format == "json" {
            kubeclient::runtime::rest::decode_json(b)?
        } else {
            kubeclient::runtime::proto::decode_object(b, "PodList")?
        })
    };
    let one = measure(&body, decode, |l| {
        assert_eq!(l.as_ref().map(|l| l.items.len()).ok(), Some(PODS))
    });
    println!(
        "{format}: one decode holds {:.0} B/pod in {:.1} allocations/pod",
        one.retained as f64 / PODS as f64,
        one.allocs as f64 / PODS as f64
    );
    // Timed as the full benchmark times it: the decode, not the drop of the list after it.
    let mut rates: Vec<f64> = (0..runs)
        .map(|_| {
            let s = measure(&body, decode, |l| {
                assert_eq!(l.as_ref().map(|l| l.items.len()).ok(), Some(PODS))
            });
            body.len() as f64 / 1e6 / s.secs
        })
        .collect();
    println!(
        "{format}: {runs} decodes of {:.1} MB, median {:.1} MB/s ({})",
        body.len() as f64 / 1e6,
        median(&mut rates),
        allocator_name()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 4-6. Lists, informers and watch against the seeded server.

/// Watch rounds of the two Rust peers: the median of three each, after one discarded round
/// (the first watch over the history is slower whoever makes it), taking turns going first.
async fn watch_rounds(
    server: &kubeclient_testserver::TestServer,
    seeded: &cluster::Seeded,
) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for round in 0..4 {
        let (o, t) = if round % 2 == 0 {
            let o = cluster::watch_ours(server, seeded).await?;
            (o, cluster::watch_kube_rs(server, seeded).await?)
        } else {
            let t = cluster::watch_kube_rs(server, seeded).await?;
            (cluster::watch_ours(server, seeded).await?, t)
        };
        println!("watch round {round}: kubeclient {o:.0} | kube-rs {t:.0} events/s");
        if round > 0 {
            ours.push(o);
            theirs.push(t);
        }
    }
    Ok((median(&mut ours), median(&mut theirs)))
}

/// The benchmark's test server: plain HTTP, with a watch history that holds every pod's events.
async fn bench_server() -> Result<kubeclient_testserver::TestServer, Box<dyn std::error::Error>> {
    Ok(kubeclient_testserver::TestServer::builder()
        .plain_http()
        .history_window(PODS + 1_000)
        .start()
        .await?)
}

/// `PEERS_ONLY=watch`: seed the server, then only the watch rounds.
async fn watch_only() -> Result<(), Box<dyn std::error::Error>> {
    let server = bench_server().await?;
    let seeded = cluster::seed(&server, PODS).await?;
    let (ours, theirs) = watch_rounds(&server, &seeded).await?;
    println!("watch events/s, median: kubeclient {ours:.0} | kube-rs {theirs:.0}");
    Ok(())
}

/// `PEERS_ONLY=list`: seed the server, then only the list cases.
async fn list_only() -> Result<(), Box<dyn std::error::Error>> {
    let server = bench_server().await?;
    let seeded = cluster::seed(&server, PODS).await?;
    let protobuf = cluster::serves_protobuf(&server);
    cluster::lists(&server, &seeded, protobuf).await?;
    Ok(())
}

/// `PEERS_ONLY=informer`: seed the server, then our informer without and with the transform,
/// in rounds (each must see the previous one's store freed: see `cluster::informer_ours`).
async fn informer_only() -> Result<(), Box<dyn std::error::Error>> {
    let server = bench_server().await?;
    let seeded = cluster::seed(&server, PODS).await?;
    for round in 0..4 {
        for transform in [false, true] {
            let s = cluster::informer_ours(&server, &seeded, transform).await?;
            println!("round {round} transform {transform}: {s:?}");
        }
    }
    Ok(())
}

type InformerRow = (
    cluster::InformerSample,
    cluster::InformerSample,
    client_go::Metrics,
);

struct ClusterResults {
    lists: (cluster::Lists, cluster::Lists, client_go::Metrics),
    /// Without and with the transform: kubeclient, kube-rs, client-go.
    informers: [InformerRow; 2],
    watch: (f64, f64, client_go::Metrics),
}

async fn cluster_cases(
    server: &kubeclient_testserver::TestServer,
) -> Result<ClusterResults, Box<dyn std::error::Error>> {
    println!();
    println!("== lists, informers and watch: {PODS} pods in one test server ==");
    let seeded = cluster::seed(server, PODS).await?;
    let protobuf = cluster::serves_protobuf(server);
    if !protobuf {
        println!("the server answers pod lists in JSON only: no protobuf list case");
    }
    let lists = cluster::lists(server, &seeded, protobuf).await?;
    let mut informers = Vec::new();
    for transform in [false, true] {
        let ours = cluster::informer_ours(server, &seeded, transform).await?;
        let theirs = cluster::informer_kube_rs(server, &seeded, transform).await?;
        let go = cluster::informer_client_go(server, &seeded, transform)?;
        println!(
            "informer{}: kubeclient {ours:?} | kube-rs {theirs:?} | client-go {go:?}",
            if transform {
                " (managedFields dropped)"
            } else {
                ""
            }
        );
        informers.push((ours, theirs, go));
    }
    let (w_ours, w_theirs) = watch_rounds(server, &seeded).await?;
    let w_go = cluster::watch_client_go(server, &seeded)?;
    println!("watch events/s: kubeclient {w_ours:.0} | kube-rs {w_theirs:.0} | client-go {w_go:?}");
    let informers: [InformerRow; 2] = informers
        .try_into()
        .map_err(|_| "two informer rows expected")?;
    Ok(ClusterResults {
        lists,
        informers,
        watch: (w_ours, w_theirs, w_go),
    })
}

// ---------------------------------------------------------------------------------------------
// 1. Per-request overhead.

async fn get_overhead(
    server: &kubeclient_testserver::TestServer,
) -> Result<((f64, f64), client_go::Metrics), Box<dyn std::error::Error>> {
    use k8s_openapi::api::core::v1::ConfigMap as KConfigMap;
    use kubeclient::api::core::v1::ConfigMap;
    use kubeclient::meta::v1::{CreateOptions, GetOptions, ObjectMeta};

    println!();
    println!("== per-request overhead: {GETS} sequential GETs of one ConfigMap, {} (plain HTTP, loopback, in-process server) ==", server.base_url());

    let mut config = server.config();
    config.qps = -1.0;
    let cs = kubeclient::Clientset::new(config)?;
    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some(CM_NAME.into()),
            labels: Some([("app".into(), "bench".into())].into()),
            ..Default::default()
        },
        data: Some(
            [
                ("key".into(), "value".into()),
                ("mode".into(), "fast".into()),
            ]
            .into(),
        ),
        ..Default::default()
    };
    cs.core_v1()
        .config_maps(NS)
        .create(&cm, &CreateOptions::default())
        .await?;
    let ours = cs.core_v1().config_maps(NS);

    let kconfig = kube::Config::new(server.base_url().parse()?);
    let kclient = kube::Client::try_from(kconfig)?;
    let theirs: kube::Api<KConfigMap> = kube::Api::namespaced(kclient, NS);

    // Both decode the same object: check before timing.
    let a = ours.get(CM_NAME, &GetOptions::default()).await?;
    let b = theirs.get(CM_NAME).await?;
    assert_eq!(a.data.as_ref().map(|d| d.len()), Some(2));
    assert_eq!(b.data.as_ref().map(|d| d.len()), Some(2));
    assert_eq!(
        a.metadata.resource_version.as_deref(),
        b.metadata.resource_version.as_deref()
    );

    // Warm-up (connection pool, allocator, caches).
    for _ in 0..200 {
        ours.get(CM_NAME, &GetOptions::default()).await?;
        theirs.get(CM_NAME).await?;
    }

    let opts = GetOptions::default();
    let (mut t_ours, mut t_theirs) = (Vec::new(), Vec::new());
    // Uncounted while timed. The clients and connections live on across the pause, and after
    // the warm-up a GET frees what it allocates, so the counters stay matched but for a few
    // buffers that grow: a constant offset no later measurement (a difference) sees.
    let paused = Paused::start();
    for round in 0..GET_ROUNDS {
        // Alternate which peer goes first in a round.
        for first in [round % 2 == 0, round % 2 != 0] {
            if first {
                let t = Instant::now();
                for _ in 0..GETS {
                    std::hint::black_box(ours.get(CM_NAME, &opts).await?);
                }
                t_ours.push(ms(t.elapsed()));
            } else {
                let t = Instant::now();
                for _ in 0..GETS {
                    std::hint::black_box(theirs.get(CM_NAME).await?);
                }
                t_theirs.push(ms(t.elapsed()));
            }
        }
    }
    drop(paused);
    let fmt = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!("kubeclient rounds (ms per {GETS}): {}", fmt(&t_ours));
    println!("kube-rs    rounds (ms per {GETS}): {}", fmt(&t_theirs));
    let (mo, mt) = (median(&mut t_ours), median(&mut t_theirs));
    // client-go on the same server and ConfigMap, right after (its own warm-up and rounds).
    let rounds = GET_ROUNDS.to_string();
    let go = client_go::run(&[
        "get",
        "--server",
        server.base_url(),
        "--namespace",
        NS,
        "--name",
        CM_NAME,
        "--rounds",
        &rounds,
    ])?;
    if let Some(us) = go.get("get_seq_us") {
        println!("client-go : median {us:.1} µs/GET");
    }
    println!(
        "kubeclient: median {mo:.1} ms per {GETS} = {:.1} µs/GET | kube-rs: median {mt:.1} ms per {GETS} = {:.1} µs/GET | kube-rs/kubeclient = {:.2}x",
        mo * 1e3 / GETS as f64,
        mt * 1e3 / GETS as f64,
        mt / mo
    );
    Ok(((mo, mt), go))
}

// ---------------------------------------------------------------------------------------------
// 2 + 3. Decode throughput and memory.

struct Decode {
    input_len: usize,
    k_mbps: f64,
    o_mbps: f64,
    k_warm: f64,
    o_warm: f64,
    k_per_pod: f64,
    o_per_pod: f64,
    /// The same as the allocator holds it (usable sizes, see `HELD`).
    k_held_per_pod: f64,
    o_held_per_pod: f64,
    k_peak_mib: f64,
    o_peak_mib: f64,
    k_allocs: f64,
    o_allocs: f64,
    /// Our protobuf decode of the bytes client-go encoded, glibc defaults and warm heap.
    k_pb_mbps: f64,
    k_pb_warm: f64,
    /// Size of the protobuf body, to turn MB/s into pods per second.
    pb_len: usize,
    /// Peak RSS of a process doing what client-go's decode process does (`peak_rss`).
    k_rss_mib: Option<f64>,
    o_rss_mib: Option<f64>,
}

/// Peak RSS (`VmHWM`) of a fresh process of this binary that does for `peer` what client-go's
/// decode process does: read the JSON body, decode it `DECODE_RUNS` times from JSON and (ours
/// only: kube-rs has no protobuf) from protobuf, then hold one decoded list. The Rust peers
/// share the benchmark's own process, so each gets a process of its own for this one number.
fn peak_rss(peer: &str, json: &std::path::Path, pb: &std::path::Path) -> Option<f64> {
    let out = std::env::current_exe()
        .and_then(|exe| {
            std::process::Command::new(exe)
                .env("PEERS_PEAK_RSS", peer)
                .env("PEERS_PEAK_JSON", json)
                .env("PEERS_PEAK_PB", pb)
                .output()
        })
        .map_err(|e| println!("peak RSS of {peer}: {e}"))
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mib = text
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_mib "))
        .and_then(|v| v.trim().parse().ok());
    if mib.is_none() {
        println!(
            "peak RSS of {peer}: child failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    mib
}

/// The child side of [`peak_rss`]: prints `peak_rss_mib <MiB>`.
fn peak_rss_child(peer: &str) -> Result<(), Box<dyn std::error::Error>> {
    type Ours = kubeclient::meta::v1::List<kubeclient::api::core::v1::Pod>;
    type Theirs = k8s_openapi::List<k8s_openapi::api::core::v1::Pod>;
    let var = |name: &str| std::env::var_os(name).ok_or(format!("{name} not set"));
    let json = std::fs::read(var("PEERS_PEAK_JSON")?)?;
    let pb = std::fs::read(var("PEERS_PEAK_PB")?)?;
    let held: Box<dyn std::any::Any> = match peer {
        "kubeclient" => {
            for _ in 0..DECODE_RUNS {
                drop(kubeclient::runtime::rest::decode_json::<Ours>(&json)?);
                drop(kubeclient::runtime::proto::decode_object::<Ours>(
                    &pb, "PodList",
                )?);
            }
            Box::new(kubeclient::runtime::rest::decode_json::<Ours>(&json)?)
        }
        "kube-rs" => {
            for _ in 0..DECODE_RUNS {
                drop(serde_json::from_slice::<Theirs>(&json)?);
            }
            Box::new(serde_json::from_slice::<Theirs>(&json)?)
        }
        other => return Err(format!("PEERS_PEAK_RSS={other}: kubeclient or kube-rs").into()),
    };
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or("no VmHWM in /proc/self/status")?;
    println!("peak_rss_mib {:.1}", kib / 1024.0);
    drop((held, json, pb));
    Ok(())
}

struct Sample {
    secs: f64,
    retained: usize,
    peak: usize,
    allocs: usize,
}

/// Decodes `body` with `f` twice: once timed, with this thread's allocations uncounted (the
/// counting's atomic operations are not part of any peer's decode, and client-go pays for
/// none), then once counted, for the memory: the live-heap delta while the result is still
/// held, the peak above the starting point during the call, and the allocations.
fn measure<T>(body: &[u8], f: impl Fn(&[u8]) -> T, check: impl Fn(&T)) -> Sample {
    UNCOUNTED.with(|u| u.set(true));
    let t = Instant::now();
    let out = f(body);
    let secs = t.elapsed().as_secs_f64();
    check(&out);
    // Freed uncounted too: these blocks were never added.
    drop(out);
    UNCOUNTED.with(|u| u.set(false));

    let before = CURRENT.load(Relaxed);
    PEAK.store(before, Relaxed);
    let allocs0 = ALLOCS.load(Relaxed);
    let out = f(body);
    let allocs = ALLOCS.load(Relaxed) - allocs0;
    let after = CURRENT.load(Relaxed);
    let peak = PEAK.load(Relaxed);
    check(&out);
    drop(out);
    Sample {
        secs,
        retained: after - before,
        peak: peak - before,
        allocs,
    }
}

fn decode_and_memory() -> Result<(Decode, client_go::Metrics), Box<dyn std::error::Error>> {
    type Ours = kubeclient::meta::v1::List<kubeclient::api::core::v1::Pod>;
    type Theirs = k8s_openapi::List<k8s_openapi::api::core::v1::Pod>;

    let body = pod_list_body(PODS);
    diag();
    println!();
    println!(
        "== decode: {PODS}-pod list, {:.1} MB JSON ({:.0} bytes/pod), ours rest::decode_json (as the client decodes), kube-rs serde_json::from_slice, {DECODE_RUNS} interleaved runs each ==",
        body.len() as f64 / 1e6,
        body.len() as f64 / PODS as f64
    );

    // Both type sets must see the same content: count containers, env vars, conditions and
    // managedFields entries across the list.
    let ours_probe: Ours = serde_json::from_slice(&body)?;
    let theirs_probe: Theirs = serde_json::from_slice(&body)?;
    let ours_shape = shape_ours(&ours_probe);
    let theirs_shape = shape_theirs(&theirs_probe);
    println!("decoded shape (items, containers, env vars, conditions, managedFields): kubeclient {ours_shape:?}, kube-rs {theirs_shape:?}");
    assert_eq!(ours_shape, theirs_shape);
    drop(ours_probe);
    drop(theirs_probe);

    // client-go decodes the very same bytes, from a file, in its own process, and writes the
    // protobuf form it encoded, which we decode too.
    let tmp = std::env::temp_dir();
    let file = tmp.join(format!("peers-pods-{}.json", std::process::id()));
    let pb_file = tmp.join(format!("peers-pods-{}.pb", std::process::id()));
    std::fs::write(&file, &body)?;
    let rounds = DECODE_RUNS.to_string();
    let go = client_go::run_with_env(
        &[
            "decode",
            "--json",
            &file.to_string_lossy(),
            "--rounds",
            &rounds,
        ],
        &[("CLIENTGO_PEER_WRITE_PB", pb_file.as_os_str())],
    );
    let go = go?;
    if !go.is_empty() {
        println!("client-go : {go:?}");
    }
    let pb = match std::fs::read(&pb_file) {
        Ok(pb) => {
            println!("protobuf body: client-go's encoding, {} bytes", pb.len());
            pb
        }
        Err(_) => {
            let list: Ours = serde_json::from_slice(&body)?;
            let pb = kubeclient::runtime::proto::encode_object(&list, "v1", "PodList")?;
            println!(
                "protobuf body: our encoding (no client-go peer), {} bytes",
                pb.len()
            );
            std::fs::write(&pb_file, &pb)?;
            pb
        }
    };
    let k_rss_mib = peak_rss("kubeclient", &file, &pb_file);
    let o_rss_mib = peak_rss("kube-rs", &file, &pb_file);
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(&pb_file);

    let (k_mbps, o_mbps, k_per_pod, o_per_pod, k_peak_mib, o_peak_mib, k_allocs, o_allocs) = decode_phase(
        &body,
        "phase 1, glibc malloc defaults (freed pages go back to the OS; each decode faults its heap in again)",
    );
    let k_pb_mbps = decode_pb_rate(&pb);
    // Phase 2: keep freed heap pages in the process so repeated decodes reuse them; isolates
    // parse-and-build cost from page faults (which scale with the bytes each peer allocates).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes glibc's thresholds; called while no other thread allocates
        // heavily (the test server is idle).
        unsafe {
            libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
            libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 20);
        }
    }
    let (k_warm, o_warm, ..) = decode_phase(
        &body,
        "phase 2, warm heap (mallopt: no trimming, no mmap below 256 MiB)",
    );
    let k_pb_warm = decode_pb_rate(&pb);
    let k_held_per_pod = held_per_pod(|| kubeclient::runtime::rest::decode_json::<Ours>(&body));
    let o_held_per_pod = held_per_pod(|| serde_json::from_slice::<Theirs>(&body));
    println!(
        "heap held per pod, usable sizes: kubeclient {k_held_per_pod:.0} B, kube-rs {o_held_per_pod:.0} B"
    );
    Ok((
        Decode {
            input_len: body.len(),
            k_mbps,
            o_mbps,
            k_warm,
            o_warm,
            k_per_pod,
            o_per_pod,
            k_held_per_pod,
            o_held_per_pod,
            k_peak_mib,
            o_peak_mib,
            k_allocs,
            o_allocs,
            k_pb_mbps,
            k_pb_warm,
            pb_len: pb.len(),
            k_rss_mib,
            o_rss_mib,
        },
        go,
    ))
}

/// Heap held per pod while the list `decode` returns is alive, by usable size (see `HELD`).
fn held_per_pod<T>(decode: impl Fn() -> T) -> f64 {
    HELD_ON.store(true, Relaxed);
    let before = HELD.load(Relaxed);
    let list = decode();
    let after = HELD.load(Relaxed);
    HELD_ON.store(false, Relaxed);
    drop(list);
    after.wrapping_sub(before) as isize as f64 / PODS as f64
}

/// Our protobuf decode of `pb` (a `k8s\0` PodList), median MB/s over `DECODE_RUNS`.
fn decode_pb_rate(pb: &[u8]) -> f64 {
    type Ours = kubeclient::meta::v1::List<kubeclient::api::core::v1::Pod>;
    let mut rates: Vec<f64> = (0..DECODE_RUNS)
        .map(|_| {
            let s = measure(
                pb,
                |b| kubeclient::runtime::proto::decode_object::<Ours>(b, "PodList").unwrap(),
                |l| assert_eq!(l.items.len(), PODS),
            );
            pb.len() as f64 / 1e6 / s.secs
        })
        .collect();
    let rate = median(&mut rates);
    println!(
        "kubeclient: protobuf decode of {:.1} MB: median {rate:.1} MB/s",
        pb.len() as f64 / 1e6
    );
    rate
}

#[allow(clippy::type_complexity)]
fn decode_phase(body: &[u8], label: &str) -> (f64, f64, f64, f64, f64, f64, f64, f64) {
    type Ours = kubeclient::meta::v1::List<kubeclient::api::core::v1::Pod>;
    type Theirs = k8s_openapi::List<k8s_openapi::api::core::v1::Pod>;
    println!("-- {label}");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for run in 0..DECODE_RUNS {
        for first in [run % 2 == 0, run % 2 != 0] {
            if first {
                ours.push(measure(
                    body,
                    |b| kubeclient::runtime::rest::decode_json::<Ours>(b).unwrap(),
                    |l| assert_eq!(l.items.len(), PODS),
                ));
            } else {
                theirs.push(measure(
                    body,
                    |b| serde_json::from_slice::<Theirs>(b).unwrap(),
                    |l| assert_eq!(l.items.len(), PODS),
                ));
            }
        }
    }
    let mb = body.len() as f64 / 1e6;
    let report = |name: &str, s: &[Sample]| -> (f64, f64, f64, f64, f64) {
        let mut rates: Vec<f64> = s.iter().map(|x| mb / x.secs).collect();
        let runs = rates
            .iter()
            .map(|r| format!("{r:.1}"))
            .collect::<Vec<_>>()
            .join(" ");
        let best = rates.iter().cloned().fold(0.0, f64::max);
        let rate = median(&mut rates);
        let last = s.last().unwrap();
        let per_pod = last.retained as f64 / PODS as f64;
        let peak = last.peak as f64 / (1024.0 * 1024.0);
        let allocs = last.allocs as f64 / PODS as f64;
        println!(
            "{name:<10}: MB/s per run {runs} -> median {rate:.1} MB/s ({:.0} ms), best {best:.1} MB/s; retained {:.1} MiB = {per_pod:.0} B/pod; peak during decode {peak:.1} MiB; {allocs:.1} allocations/pod",
            mb / rate * 1e3,
            last.retained as f64 / (1024.0 * 1024.0)
        );
        (rate, best, per_pod, peak, allocs)
    };
    let (k_mbps, k_best, k_per_pod, k_peak_mib, k_allocs) = report("kubeclient", &ours);
    let (o_mbps, o_best, o_per_pod, o_peak_mib, o_allocs) = report("kube-rs", &theirs);
    println!(
        "decode throughput kubeclient/kube-rs = {:.2}x (median), {:.2}x (best); retained heap per pod kube-rs/kubeclient = {:.2}x",
        k_mbps / o_mbps,
        k_best / o_best,
        o_per_pod / k_per_pod
    );
    (
        k_mbps, o_mbps, k_per_pod, o_per_pod, k_peak_mib, o_peak_mib, k_allocs, o_allocs,
    )
}

type Shape = (usize, usize, usize, usize, usize);

fn shape_ours(l: &kubeclient::meta::v1::List<kubeclient::api::core::v1::Pod>) -> Shape {
    let mut s = (l.items.len(), 0, 0, 0, 0);
    for p in &l.items {
        let spec = p.spec.as_ref().unwrap();
        s.1 += spec.containers.len();
        s.2 += spec
            .containers
            .iter()
            .map(|c| c.env.as_ref().map_or(0, |e| e.len()))
            .sum::<usize>();
        s.3 += p
            .status
            .as_ref()
            .and_then(|st| st.conditions.as_ref())
            .map_or(0, |c| c.len());
        s.4 += p.metadata.managed_fields.as_ref().map_or(0, |m| m.len());
    }
    s
}

fn shape_theirs(l: &k8s_openapi::List<k8s_openapi::api::core::v1::Pod>) -> Shape {
    let mut s = (l.items.len(), 0, 0, 0, 0);
    for p in &l.items {
        let spec = p.spec.as_ref().unwrap();
        s.1 += spec.containers.len();
        s.2 += spec
            .containers
            .iter()
            .map(|c| c.env.as_ref().map_or(0, |e| e.len()))
            .sum::<usize>();
        s.3 += p
            .status
            .as_ref()
            .and_then(|st| st.conditions.as_ref())
            .map_or(0, |c| c.len());
        s.4 += p.metadata.managed_fields.as_ref().map_or(0, |m| m.len());
    }
    s
}

// ---------------------------------------------------------------------------------------------
// A realistic pod list: a Deployment-owned pod as kube-apiserver returns it (kubectl apply'd,
// so it carries last-applied-configuration, with managedFields from three managers).

fn uid(i: usize, salt: u32) -> String {
    let x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ ((salt as u64) << 40);
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        (x >> 32) as u32,
        (x >> 16) as u16,
        (x & 0xfff),
        ((x >> 12) & 0xfff),
        x & 0xffff_ffff_ffff
    )
}

fn container(name: &str, image: &str, port: u16, i: usize) -> Value {
    json!({
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["/usr/local/bin/server"],
        "args": ["--listen=:".to_owned() + &port.to_string(), "--log-level=info", "--config=/etc/app/config.yaml", "--metrics-addr=:9090"],
        "ports": [
            {"name": "http", "containerPort": port, "protocol": "TCP"},
            {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}
        ],
        "env": [
            {"name": "APP_ENV", "value": "production"},
            {"name": "LOG_FORMAT", "value": "json"},
            {"name": "REPLICA_INDEX", "value": i.to_string()},
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
            {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}}
        ],
        "resources": {
            "limits": {"cpu": "1", "memory": "512Mi"},
            "requests": {"cpu": "250m", "memory": "256Mi"}
        },
        "volumeMounts": [
            {"name": "config", "mountPath": "/etc/app", "readOnly": true},
            {"name": "kube-api-access-x7k2p", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}
        ],
        "livenessProbe": {
            "httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
            "initialDelaySeconds": 10, "timeoutSeconds": 2, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3
        },
        "readinessProbe": {
            "httpGet": {"path": "/readyz", "port": port, "scheme": "HTTP"},
            "timeoutSeconds": 1, "periodSeconds": 5, "successThreshold": 1, "failureThreshold": 3
        },
        "securityContext": {
            "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true,
            "capabilities": {"drop": ["ALL"]}
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File"
    })
}

/// The second container: a proxy sidecar, lighter than the application container.
fn sidecar() -> Value {
    json!({
        "name": "sidecar",
        "image": "registry.example.com/platform/envoy-proxy:v1.31.2",
        "imagePullPolicy": "IfNotPresent",
        "args": ["proxy", "sidecar", "--concurrency=2"],
        "ports": [{"name": "proxy", "containerPort": 15001, "protocol": "TCP"}],
        "env": [
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
            {"name": "PROXY_LOG_LEVEL", "value": "warning"}
        ],
        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "50m", "memory": "64Mi"}},
        "volumeMounts": [{"name": "kube-api-access-x7k2p", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}],
        "readinessProbe": {"httpGet": {"path": "/ready", "port": 15021, "scheme": "HTTP"}, "periodSeconds": 5, "failureThreshold": 3},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File"
    })
}

pub(crate) fn fields_v1_spec() -> Value {
    let c = |name: &str| {
        (
            format!("k:{{\"name\":\"{name}\"}}"),
            json!({
                ".": {}, "f:args": {}, "f:command": {}, "f:env": {
                    ".": {}, "k:{\"name\":\"APP_ENV\"}": {".": {}, "f:name": {}, "f:value": {}},
                    "k:{\"name\":\"LOG_FORMAT\"}": {".": {}, "f:name": {}, "f:value": {}},
                    "k:{\"name\":\"POD_NAME\"}": {".": {}, "f:name": {}, "f:valueFrom": {".": {}, "f:fieldRef": {}}},
                    "k:{\"name\":\"POD_NAMESPACE\"}": {".": {}, "f:name": {}, "f:valueFrom": {".": {}, "f:fieldRef": {}}}
                },
                "f:image": {}, "f:imagePullPolicy": {},
                "f:livenessProbe": {".": {}, "f:httpGet": {".": {}, "f:path": {}, "f:port": {}}},
                "f:name": {},
                "f:ports": {".": {}, "k:{\"containerPort\":8080,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:name": {}, "f:protocol": {}}},
                "f:resources": {".": {}, "f:limits": {".": {}, "f:cpu": {}, "f:memory": {}}, "f:requests": {".": {}, "f:cpu": {}, "f:memory": {}}},
                "f:volumeMounts": {".": {}, "k:{\"mountPath\":\"/etc/app\"}": {".": {}, "f:mountPath": {}, "f:name": {}, "f:readOnly": {}}}
            }),
        )
    };
    let (a, av) = c("web");
    let (b, bv) = (
        "k:{\"name\":\"sidecar\"}".to_owned(),
        json!({".": {}, "f:args": {}, "f:image": {}, "f:name": {}, "f:resources": {".": {}, "f:limits": {}, "f:requests": {}}}),
    );
    json!({
        "f:metadata": {
            "f:annotations": {".": {}, "f:prometheus.io/port": {}, "f:prometheus.io/scrape": {}},
            "f:generateName": {},
            "f:labels": {".": {}, "f:app": {}, "f:pod-template-hash": {}, "f:tier": {}, "f:version": {}},
            "f:ownerReferences": {".": {}, "k:{\"uid\":\"0b1e\"}": {}}
        },
        "f:spec": {
            "f:containers": {a: av, b: bv},
            "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {},
            "f:securityContext": {}, "f:serviceAccount": {}, "f:serviceAccountName": {}, "f:terminationGracePeriodSeconds": {},
            "f:volumes": {".": {}, "k:{\"name\":\"config\"}": {".": {}, "f:configMap": {".": {}, "f:defaultMode": {}, "f:name": {}}, "f:name": {}}}
        }
    })
}

pub(crate) fn pod(i: usize, fields_spec: &Value) -> Value {
    let rs = "web-7d9f8c6b5";
    let name = format!("{rs}-{:05x}", i * 2654435761 % 0xfffff);
    let ip = format!("10.{}.{}.{}", 42 + i / 65536, (i / 256) % 256, i % 256);
    // The kubelet's status entry is keyed by the pod's own IP, so no two pods' entries are equal.
    let pod_ip_key = format!("k:{{\"ip\":\"{ip}\"}}");
    let node = format!(
        "ip-10-0-{}-{}.eu-west-1.compute.internal",
        i % 16,
        (i * 7) % 250
    );
    let labels = json!({
        "app": "web", "tier": "frontend", "version": "v2.14.3", "pod-template-hash": "7d9f8c6b5",
        "app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web-prod",
        "app.kubernetes.io/component": "server", "app.kubernetes.io/part-of": "storefront",
        "app.kubernetes.io/managed-by": "Helm", "helm.sh/chart": "web-4.2.0"
    });
    let containers = json!([
        container(
            "web",
            "registry.example.com/storefront/web:v2.14.3",
            8080,
            i
        ),
        sidecar()
    ]);
    // What `kubectl apply` stores: the applied manifest, one JSON string.
    let applied = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"annotations": {"prometheus.io/port": "9090", "prometheus.io/scrape": "true"}, "labels": labels, "name": name, "namespace": "production"},
        "spec": {"containers": [
            {"name": "web", "image": "registry.example.com/storefront/web:v2.14.3",
             "ports": [{"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9090}],
             "env": [{"name": "APP_ENV", "value": "production"}, {"name": "LOG_FORMAT", "value": "json"}],
             "resources": {"limits": {"cpu": "1", "memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "256Mi"}}},
            {"name": "sidecar", "image": "registry.example.com/platform/envoy-proxy:v1.31.2", "args": ["proxy", "sidecar", "--concurrency=2"]}
        ]}
    });
    let ts = |s: u32| format!("2026-01-15T10:{:02}:{:02}Z", (s / 60) % 60, s % 60);
    let started = (i % 3000) as u32;
    let status_container = |cname: &str, image: &str, n: u32| {
        json!({
            "name": cname,
            "state": {"running": {"startedAt": ts(started + 7 + n)}},
            "lastState": {},
            "ready": true,
            "restartCount": 0,
            "image": image,
            "imageID": format!("{image}@sha256:{:064x}", (i as u128) * 0x1000_0000_0001 + n as u128),
            "containerID": format!("containerd://{:064x}", (i as u128) * 0x9e37_79b9_7f4a_7c15 + n as u128),
            "started": true
        })
    };
    json!({
        "metadata": {
            "name": name,
            "generateName": format!("{rs}-"),
            "namespace": "production",
            "uid": uid(i, 1),
            "resourceVersion": (1_000_000 + i * 3).to_string(),
            "creationTimestamp": ts(started),
            "labels": labels,
            "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": serde_json::to_string(&applied).unwrap() + "\n",
                "prometheus.io/scrape": "true",
                "prometheus.io/port": "9090",
                "checksum/config": format!("{:064x}", (i as u128) * 0xdead_beef + 17)
            },
            "ownerReferences": [{
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs, "uid": uid(7, 2),
                "controller": true, "blockOwnerDeletion": true
            }],
            "managedFields": [
                {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": ts(started), "fieldsType": "FieldsV1", "fieldsV1": fields_spec},
                {"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1", "time": ts(started), "fieldsType": "FieldsV1",
                 "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}}}}},
                {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": ts(started + 9), "fieldsType": "FieldsV1", "subresource": "status",
                 "fieldsV1": {"f:status": {
                    "f:conditions": {
                        "k:{\"type\":\"ContainersReady\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {}, "f:type": {}},
                        "k:{\"type\":\"Initialized\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {}, "f:type": {}},
                        "k:{\"type\":\"PodReadyToStartContainers\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {}, "f:type": {}},
                        "k:{\"type\":\"Ready\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {}, "f:type": {}}
                    },
                    "f:containerStatuses": {}, "f:hostIP": {}, "f:hostIPs": {}, "f:phase": {}, "f:podIP": {},
                    "f:podIPs": {".": {}, pod_ip_key: {".": {}, "f:ip": {}}}, "f:startTime": {}
                 }}}
            ]
        },
        "spec": {
            "volumes": [
                {"name": "config", "configMap": {"name": "web-config", "defaultMode": 420}},
                {"name": "kube-api-access-x7k2p", "projected": {"defaultMode": 420, "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
                ]}}
            ],
            "containers": containers,
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "web",
            "serviceAccount": "web",
            "nodeName": node,
            "securityContext": {"fsGroup": 2000, "runAsUser": 1000},
            "schedulerName": "default-scheduler",
            "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
            ],
            "priority": 0,
            "enableServiceLinks": true,
            "preemptionPolicy": "PreemptLowerPriority"
        },
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": null, "lastTransitionTime": ts(started + 5)},
                {"type": "Initialized", "status": "True", "lastProbeTime": null, "lastTransitionTime": ts(started + 1)},
                {"type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": ts(started + 21)},
                {"type": "ContainersReady", "status": "True", "lastProbeTime": null, "lastTransitionTime": ts(started + 21)},
                {"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": ts(started)}
            ],
            "hostIP": format!("10.0.{}.{}", i % 16, (i * 7) % 250),
            "hostIPs": [{"ip": format!("10.0.{}.{}", i % 16, (i * 7) % 250)}],
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "startTime": ts(started + 1),
            "containerStatuses": [
                status_container("sidecar", "registry.example.com/platform/envoy-proxy:v1.31.2", 1),
                status_container("web", "registry.example.com/storefront/web:v2.14.3", 2)
            ],
            "qosClass": "Burstable"
        }
    })
}

fn pod_list_body(n: usize) -> Vec<u8> {
    let fields_spec = fields_v1_spec();
    let mut out = Vec::with_capacity(n * 10_000);
    out.extend_from_slice(br#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1234567"},"items":["#);
    for i in 0..n {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, &pod(i, &fields_spec)).unwrap();
    }
    out.extend_from_slice(b"]}");
    out
}

/// Where the bytes of one pod are, in JSON and in each peer's decoded heap (pod 1 alone).
fn diag() {
    use k8s_openapi::api::core::v1 as o;
    use kubeclient::api::core::v1 as k;
    let p = pod(1, &fields_v1_spec());
    println!("one pod, by part:");
    println!(
        "  size_of Pod: kubeclient {} B, k8s-openapi {} B",
        std::mem::size_of::<k::Pod>(),
        std::mem::size_of::<o::Pod>()
    );
    fn heap<T>(v: &[u8], f: impl Fn(&[u8]) -> T) -> usize {
        let before = CURRENT.load(Relaxed);
        let out = f(v);
        let n = CURRENT.load(Relaxed) - before;
        drop(out);
        n
    }
    let part = |name: &str, v: &Value| {
        let b = serde_json::to_vec(v).unwrap();
        println!("  {name:<28} json {:>6} B", b.len());
    };
    part("metadata", &p["metadata"]);
    part("  annotations", &p["metadata"]["annotations"]);
    part("  managedFields", &p["metadata"]["managedFields"]);
    part("spec", &p["spec"]);
    part("status", &p["status"]);
    let b = serde_json::to_vec(&p).unwrap();
    println!(
        "  whole pod json {} B; heap kubeclient {} B, k8s-openapi {} B",
        b.len(),
        heap(&b, |b| Box::new(
            serde_json::from_slice::<k::Pod>(b).unwrap()
        )),
        heap(&b, |b| Box::new(
            serde_json::from_slice::<o::Pod>(b).unwrap()
        ))
    );
    let m = serde_json::to_vec(&p["metadata"]).unwrap();
    println!(
        "  metadata heap kubeclient {} B, k8s-openapi {} B",
        heap(&m, |b| Box::new(
            serde_json::from_slice::<kubeclient::meta::v1::ObjectMeta>(b).unwrap()
        )),
        heap(&m, |b| Box::new(
            serde_json::from_slice::<k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>(b)
                .unwrap()
        ))
    );
    let s = serde_json::to_vec(&p["spec"]).unwrap();
    println!(
        "  spec heap kubeclient {} B, k8s-openapi {} B",
        heap(&s, |b| Box::new(
            serde_json::from_slice::<k::PodSpec>(b).unwrap()
        )),
        heap(&s, |b| Box::new(
            serde_json::from_slice::<o::PodSpec>(b).unwrap()
        ))
    );
    let st = serde_json::to_vec(&p["status"]).unwrap();
    println!(
        "  status heap kubeclient {} B, k8s-openapi {} B",
        heap(&st, |b| Box::new(
            serde_json::from_slice::<k::PodStatus>(b).unwrap()
        )),
        heap(&st, |b| Box::new(
            serde_json::from_slice::<o::PodStatus>(b).unwrap()
        ))
    );
}
