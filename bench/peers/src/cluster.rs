//! The cases that need a server full of pods, run by all three peers against the same test
//! server: the list end to end (JSON and protobuf, one request and pages of 500), an informer
//! (sync time and heap per cached object, with and without a transform dropping
//! managedFields) and watch throughput (10,000 MODIFIED events replayed from the server's
//! history, so the server only copies bytes it serialized once).
//!
//! The server is seeded once per run: `PODS` realistic pods (the decode fixture) created with
//! their managedFields, then each pod modified once, which leaves exactly `PODS` MODIFIED
//! events after `Seeded::modified_from`.

use std::io::{Read, Write};
use std::time::Instant;

use futures::{StreamExt, TryStreamExt};
use kubeclient::api::core::v1::Pod;
use kubeclient::client::Patch;
use kubeclient::meta::v1::{CreateOptions, ListOptions, PatchOptions, WatchEvent};
use kubeclient_testserver::TestServer;
use serde_json::json;

use crate::client_go;
use crate::{median, ms, CURRENT};

/// The namespace the fixture pods live in (their `metadata.namespace`).
pub const POD_NS: &str = "production";
/// Page size of the paged lists, and the informers' default.
const PAGE: i64 = 500;
/// Timed lists per peer and format.
const LIST_ROUNDS: usize = 3;
/// Requests in flight while seeding.
const SEED_CONCURRENCY: usize = 8;

const JSON: &str = "application/json";
const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";

type Error = Box<dyn std::error::Error>;

/// What seeding left behind.
pub struct Seeded {
    /// Pods in [`POD_NS`].
    pub pods: usize,
    /// The resourceVersion after the creates: watching from here replays one MODIFIED event
    /// per pod.
    pub modified_from: String,
}

/// A clientset of ours that speaks `format` to `server`, without rate limiting.
fn ours(server: &TestServer, format: &str) -> Result<kubeclient::Clientset, Error> {
    let mut config = server.config();
    config.qps = -1.0;
    config.content_type = Some(format.to_owned());
    config.accept_content_types = Some(format.to_owned());
    Ok(kubeclient::Clientset::new(config)?)
}

fn kube_rs(server: &TestServer) -> Result<kube::Client, Error> {
    Ok(kube::Client::try_from(kube::Config::new(
        server.base_url().parse()?,
    ))?)
}

/// Creates the fixture pods (keeping their managedFields, as a server restoring them would)
/// and then modifies each once (a label), so the watch case has `pods` MODIFIED events.
pub async fn seed(server: &TestServer, pods: usize) -> Result<Seeded, Error> {
    let cs = ours(server, JSON)?;
    let t = Instant::now();
    let ns: kubeclient::api::core::v1::Namespace =
        serde_json::from_value(json!({"metadata": {"name": POD_NS}}))?;
    if let Err(e) = cs
        .core_v1()
        .namespaces()
        .create(&ns, &CreateOptions::default())
        .await
    {
        if !e.is_already_exists() {
            return Err(e.into());
        }
    }
    let api = cs.core_v1().pods(POD_NS);
    let fields_spec = crate::fields_v1_spec();
    futures::stream::iter(0..pods)
        .map(|i| {
            let api = &api;
            let pod = crate::pod(i, &fields_spec);
            async move {
                let pod: Pod = serde_json::from_value(pod)?;
                api.create(&pod, &CreateOptions::default()).await?;
                Ok::<_, Error>(())
            }
        })
        .buffer_unordered(SEED_CONCURRENCY)
        .try_collect::<()>()
        .await?;
    let modified_from = server.resource_version().to_string();
    let names: Vec<String> = api
        .list(&ListOptions::default())
        .await?
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name.map(String::from))
        .collect();
    let patch = Patch::Merge(json!({"metadata": {"labels": {"bench-generation": "2"}}}));
    futures::stream::iter(names.iter())
        .map(|name| {
            let (api, patch) = (&api, &patch);
            async move {
                api.patch(name, patch, &PatchOptions::default()).await?;
                Ok::<_, Error>(())
            }
        })
        .buffer_unordered(SEED_CONCURRENCY)
        .try_collect::<()>()
        .await?;
    // What the server now serves for one pod: size and managedFields kept.
    let sample = api.get(&names[0], &Default::default()).await?;
    println!(
        "seeded {pods} pods in {POD_NS} and modified each once in {:.1} s; one pod is {} bytes of JSON with {} managedFields entries",
        t.elapsed().as_secs_f64(),
        serde_json::to_vec(&sample)?.len(),
        sample.metadata.managed_fields.as_ref().map_or(0, |m| m.len())
    );
    Ok(Seeded {
        pods: names.len(),
        modified_from,
    })
}

/// Whether the server answers a pod list in protobuf when asked (the test server may answer
/// JSON whatever was asked; then there is no protobuf list to time).
pub fn serves_protobuf(server: &TestServer) -> bool {
    let Some(addr) = server.base_url().strip_prefix("http://") else {
        return false;
    };
    let probe = || -> std::io::Result<String> {
        let mut s = std::net::TcpStream::connect(addr.trim_end_matches('/'))?;
        write!(
            s,
            "GET /api/v1/namespaces/{POD_NS}/pods?limit=1 HTTP/1.1\r\nHost: {addr}\r\nAccept: {PROTOBUF}\r\nConnection: close\r\n\r\n"
        )?;
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
            let n = s.read(&mut buf)?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        Ok(String::from_utf8_lossy(&head).to_ascii_lowercase())
    };
    probe().is_ok_and(|h| h.contains(&format!("content-type: {PROTOBUF}")))
}

/// Medians in ms of the list cases, by metric name, for one peer.
pub type Lists = std::collections::BTreeMap<String, f64>;

/// Every list of `pods` pods via `f(page_limit, continue) -> (items, continue)`.
async fn list_all<F, Fut>(pods: usize, page: i64, f: F) -> Result<f64, Error>
where
    F: Fn(i64, Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(usize, Option<String>), Error>>,
{
    let t = Instant::now();
    let (mut n, mut cont) = (0, None);
    loop {
        let (items, next) = f(page, cont).await?;
        n += items;
        match next.filter(|c| !c.is_empty()) {
            Some(c) => cont = Some(c),
            None => break,
        }
    }
    let elapsed = ms(t.elapsed());
    if n != pods {
        return Err(format!("listed {n} pods, want {pods}").into());
    }
    Ok(elapsed)
}

/// The list cases for kubeclient and kube-rs (interleaved) and client-go.
pub async fn lists(
    server: &TestServer,
    seeded: &Seeded,
    protobuf: bool,
) -> Result<(Lists, Lists, client_go::Metrics), Error> {
    let pods = seeded.pods;
    let ours_json = ours(server, JSON)?;
    let ours_pb = ours(server, PROTOBUF)?;
    let theirs: kube::Api<k8s_openapi::api::core::v1::Pod> =
        kube::Api::namespaced(kube_rs(server)?, POD_NS);
    let ours_list = |cs: &kubeclient::Clientset, page: i64, cont: Option<String>| {
        let api = cs.core_v1().pods(POD_NS);
        async move {
            let opts = ListOptions {
                limit: (page > 0).then_some(page),
                continue_: cont,
                ..Default::default()
            };
            let l = api.list(&opts).await?;
            Ok::<_, Error>((l.items.len(), l.metadata.continue_))
        }
    };
    let theirs_list = |page: i64, cont: Option<String>| {
        let api = &theirs;
        async move {
            let mut lp = kube::api::ListParams::default();
            if page > 0 {
                lp = lp.limit(page as u32);
            }
            if let Some(c) = cont {
                lp = lp.continue_token(&c);
            }
            let l = api.list(&lp).await?;
            Ok::<_, Error>((l.items.len(), l.metadata.continue_))
        }
    };
    let (mut k, mut o): (
        std::collections::BTreeMap<String, Vec<f64>>,
        std::collections::BTreeMap<String, Vec<f64>>,
    ) = Default::default();
    if protobuf {
        // The server encodes each stored pod's protobuf message once, on the first protobuf
        // read, and keeps it: fill that cache before timing, so no peer pays for it.
        list_all(pods, 0, |p, c| ours_list(&ours_pb, p, c)).await?;
    }
    for round in 0..LIST_ROUNDS {
        for page in [0, PAGE] {
            let suffix = if page > 0 { "_paged_ms" } else { "_ms" };
            for first in [round % 2 == 0, round % 2 != 0] {
                if first {
                    let t = list_all(pods, page, |p, c| ours_list(&ours_json, p, c)).await?;
                    k.entry(format!("list_json{suffix}")).or_default().push(t);
                    if protobuf {
                        let t = list_all(pods, page, |p, c| ours_list(&ours_pb, p, c)).await?;
                        k.entry(format!("list_pb{suffix}")).or_default().push(t);
                    }
                } else {
                    let t = list_all(pods, page, theirs_list).await?;
                    o.entry(format!("list_json{suffix}")).or_default().push(t);
                }
            }
        }
    }
    let med = |m: std::collections::BTreeMap<String, Vec<f64>>| -> Lists {
        m.into_iter()
            .map(|(k, mut v)| (k, median(&mut v)))
            .collect()
    };
    let (k, o) = (med(k), med(o));
    let mut go = client_go::Metrics::new();
    let formats: &[&str] = if protobuf { &["json", "pb"] } else { &["json"] };
    for format in formats {
        for page in ["0", "500"] {
            go.extend(client_go::run(&[
                "list",
                "--server",
                server.base_url(),
                "--namespace",
                POD_NS,
                "--pods",
                &pods.to_string(),
                "--format",
                format,
                "--page",
                page,
                "--rounds",
                &LIST_ROUNDS.to_string(),
            ])?);
        }
    }
    println!("list ms: kubeclient {k:?}");
    println!("list ms: kube-rs    {o:?}");
    println!("list ms: client-go  {go:?}");
    Ok((k, o, go))
}

/// One informer result: sync time and heap per cached object.
#[derive(Debug, Clone, Copy)]
pub struct InformerSample {
    /// From start to synced, ms.
    pub sync_ms: f64,
    /// Heap held by the cache (and the informer) per object, bytes.
    pub bytes_per_obj: f64,
}

/// Heap bytes held now above `before`, per object.
fn per_obj(before: usize, n: usize) -> f64 {
    (CURRENT.load(std::sync::atomic::Ordering::Relaxed) as f64 - before as f64) / n as f64
}

/// Waits (up to 10 s) until the heap is back within 1 MiB of `before`.
async fn released(before: usize) {
    let start = Instant::now();
    while CURRENT.load(std::sync::atomic::Ordering::Relaxed) > before + (1 << 20)
        && start.elapsed() < std::time::Duration::from_secs(10)
    {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// Our informer (runtime/src/cache) over the pods, with `transform` dropping managedFields.
pub async fn informer_ours(
    server: &TestServer,
    seeded: &Seeded,
    transform: bool,
) -> Result<InformerSample, Error> {
    let cs = ours(server, JSON)?;
    let api = cs.core_v1().pods(POD_NS);
    let before = CURRENT.load(std::sync::atomic::Ordering::Relaxed);
    let t = Instant::now();
    let mut b = api.informer();
    if transform {
        b = b.transform(kubeclient::runtime::cache::drop_managed_fields);
    }
    let informer = b.build();
    let handle = informer.start();
    informer.wait_for_sync().await;
    let sync_ms = ms(t.elapsed());
    let n = informer.store().len();
    if n != seeded.pods {
        return Err(format!("our informer holds {n} pods, want {}", seeded.pods).into());
    }
    let bytes_per_obj = per_obj(before, n);
    drop(handle);
    drop(informer);
    // The informer's loop ends, and frees the store, on its own task: wait for that, so the
    // next measurement does not count this store going away.
    released(before).await;
    Ok(InformerSample {
        sync_ms,
        bytes_per_obj,
    })
}

/// kube-rs's reflector (kube-runtime watcher + store) over the pods, with `transform`
/// dropping managedFields through `WatchStreamExt::modify`.
pub async fn informer_kube_rs(
    server: &TestServer,
    seeded: &Seeded,
    transform: bool,
) -> Result<InformerSample, Error> {
    use k8s_openapi::api::core::v1::Pod as KPod;
    use kube::runtime::{reflector, watcher, WatchStreamExt};
    let api: kube::Api<KPod> = kube::Api::namespaced(kube_rs(server)?, POD_NS);
    let before = CURRENT.load(std::sync::atomic::Ordering::Relaxed);
    let t = Instant::now();
    let (reader, writer) = reflector::store::<KPod>();
    let events = watcher(api, watcher::Config::default());
    let task = if transform {
        let events = events.modify(|p: &mut KPod| p.metadata.managed_fields = None);
        tokio::spawn(reflector(writer, events).for_each(|_| async {}))
    } else {
        tokio::spawn(reflector(writer, events).for_each(|_| async {}))
    };
    reader.wait_until_ready().await?;
    let sync_ms = ms(t.elapsed());
    let n = reader.len();
    if n != seeded.pods {
        return Err(format!("kube-rs reflector holds {n} pods, want {}", seeded.pods).into());
    }
    let bytes_per_obj = per_obj(before, n);
    task.abort();
    let _ = task.await;
    drop(reader);
    Ok(InformerSample {
        sync_ms,
        bytes_per_obj,
    })
}

/// client-go's shared informer over the pods (its own process).
pub fn informer_client_go(
    server: &TestServer,
    seeded: &Seeded,
    transform: bool,
) -> Result<client_go::Metrics, Error> {
    let pods = seeded.pods.to_string();
    let mut args = vec![
        "informer",
        "--server",
        server.base_url(),
        "--namespace",
        POD_NS,
        "--pods",
        &pods,
    ];
    if transform {
        args.push("--transform");
    }
    client_go::run(&args)
}

/// Events per second of our watch, replaying the MODIFIED events from `seeded.modified_from`.
pub async fn watch_ours(server: &TestServer, seeded: &Seeded) -> Result<f64, Error> {
    let cs = ours(server, JSON)?;
    let api = cs.core_v1().pods(POD_NS);
    let opts = ListOptions {
        resource_version: Some(seeded.modified_from.clone()),
        ..Default::default()
    };
    let t = Instant::now();
    let mut stream = api.watch(&opts).await?;
    let mut seen = 0;
    while seen < seeded.pods {
        match stream.next().await {
            Some(Ok(WatchEvent::Modified(p))) => {
                std::hint::black_box(p);
                seen += 1;
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
            None => return Err(format!("our watch ended after {seen} events").into()),
        }
    }
    Ok(seen as f64 / t.elapsed().as_secs_f64())
}

/// Events per second of kube-rs's `Api::watch` over the same events.
pub async fn watch_kube_rs(server: &TestServer, seeded: &Seeded) -> Result<f64, Error> {
    use kube::api::{WatchEvent as KEvent, WatchParams};
    let api: kube::Api<k8s_openapi::api::core::v1::Pod> =
        kube::Api::namespaced(kube_rs(server)?, POD_NS);
    let t = Instant::now();
    let stream = api
        .watch(&WatchParams::default(), &seeded.modified_from)
        .await?;
    let mut stream = std::pin::pin!(stream);
    let mut seen = 0;
    while seen < seeded.pods {
        match stream.next().await {
            Some(Ok(KEvent::Modified(p))) => {
                std::hint::black_box(p);
                seen += 1;
            }
            Some(Ok(KEvent::Error(e))) => return Err(format!("kube-rs watch: {e:?}").into()),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
            None => return Err(format!("kube-rs watch ended after {seen} events").into()),
        }
    }
    Ok(seen as f64 / t.elapsed().as_secs_f64())
}

/// Events per second of client-go's watch over the same events.
pub fn watch_client_go(server: &TestServer, seeded: &Seeded) -> Result<client_go::Metrics, Error> {
    client_go::run(&[
        "watch",
        "--server",
        server.base_url(),
        "--namespace",
        POD_NS,
        "--pods",
        &seeded.pods.to_string(),
        "--from",
        &seeded.modified_from,
        "--events",
        &seeded.pods.to_string(),
    ])
}
