//! Decode speed of one pod list in JSON and in protobuf, in this process:
//! `cargo run --release -p kubeclient --example protobuf_decode_speed [-- FIXTURE.json]`.
//!
//! The pod is upstream's golden `core.v1.Pod.json` (every field filled), found beside the specs
//! (`../shared/openapi-specs/testdata/v1.35/HEAD/`) unless a path is given; the list holds
//! 2,000 copies with distinct names. The cross-peer numbers live in `bench/peers`.

use kubeclient::api::core::v1::Pod;
use kubeclient::meta::v1::List;
use std::time::Instant;

const PODS: usize = 2_000;
const RUNS: usize = 7;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/openapi-specs/testdata/v1.35/HEAD/core.v1.Pod.json"
        )
        .to_owned()
    });
    let pod: Pod =
        serde_json::from_slice(&std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?)?;
    let mut list = List::<Pod>::default();
    for i in 0..PODS {
        let mut p = pod.clone();
        p.metadata.name = Some(format!("pod-{i}").into());
        list.items.push(p);
    }
    let json = serde_json::to_vec(&list)?;
    let pb = kubeclient::runtime::proto::encode_object(&list, "v1", "PodList")?;
    let time = |f: &dyn Fn() -> usize| -> f64 {
        let mut best = f64::MAX;
        for _ in 0..RUNS {
            let t = Instant::now();
            assert_eq!(f(), PODS);
            best = best.min(t.elapsed().as_secs_f64());
        }
        best
    };
    let j = time(&|| {
        serde_json::from_slice::<List<Pod>>(&json)
            .map(|l| l.items.len())
            .unwrap_or(0)
    });
    let p = time(&|| {
        kubeclient::runtime::proto::decode_object::<List<Pod>>(&pb, "PodList")
            .map(|l| l.items.len())
            .unwrap_or(0)
    });
    let e = time(&|| {
        kubeclient::runtime::proto::encode_object(&list, "v1", "PodList")
            .map(|b| if b.len() == pb.len() { PODS } else { 0 })
            .unwrap_or(0)
    });
    println!(
        "{PODS} pods: JSON {:.1} MB, protobuf {:.1} MB",
        json.len() as f64 / 1e6,
        pb.len() as f64 / 1e6
    );
    println!(
        "decode JSON     : {:.0} ms, {:.0} MB/s, {:.0} pods/s",
        j * 1e3,
        json.len() as f64 / 1e6 / j,
        PODS as f64 / j
    );
    println!(
        "decode protobuf : {:.0} ms, {:.0} MB/s, {:.0} pods/s ({:.2}x the JSON decode's pods/s)",
        p * 1e3,
        pb.len() as f64 / 1e6 / p,
        PODS as f64 / p,
        j / p
    );
    println!(
        "encode protobuf : {:.0} ms, {:.0} MB/s",
        e * 1e3,
        pb.len() as f64 / 1e6 / e
    );
    Ok(())
}
