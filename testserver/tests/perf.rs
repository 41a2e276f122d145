//! Throughput figures (run with `--ignored --nocapture`, ideally `--release`): small GETs per
//! second over loopback HTTP keep-alive, and the time to serve a 10,000-pod list.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_testserver::TestServer;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run explicitly"]
async fn small_gets_per_second_and_big_list() {
    let s = TestServer::builder()
        .plain_http()
        .start()
        .await
        .expect("server starts");
    let base = s.base_url().to_string();
    let c = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .expect("client");
    let cm = format!("{base}/api/v1/namespaces/default/configmaps");
    let r = c
        .post(&cm)
        .json(&json!({"metadata": {"name": "small"}, "data": {"k": "v"}}))
        .send()
        .await
        .expect("create");
    assert!(r.status().is_success());

    let one = format!("{cm}/small");
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (c, url) = (c.clone(), one.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                let r = c.get(&url).send().await.expect("get");
                assert!(r.status().is_success());
                r.bytes().await.expect("body");
                n += 1;
            }
            n
        }));
    }
    let t0 = Instant::now();
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("task");
    }
    let rate = total as f64 / t0.elapsed().as_secs_f64();
    println!(
        "small GETs: {total} in {:.2?} = {rate:.0} req/s",
        t0.elapsed()
    );

    let pods = format!("{base}/api/v1/namespaces/default/pods");
    let mut tasks = Vec::new();
    for w in 0..8 {
        let (c, url) = (c.clone(), pods.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..1250 {
                let pod = json!({"metadata": {"name": format!("pod-{w}-{i}"), "labels": {"app": "bench", "w": w.to_string()}},
                    "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "registry.example/app:1.0",
                        "ports": [{"containerPort": 8080}], "env": [{"name": "A", "value": "b"}]}]}});
                let r = c.post(&url).json(&pod).send().await.expect("create pod");
                assert!(r.status().is_success());
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let mut best = Duration::MAX;
    let mut size = 0;
    for _ in 0..5 {
        let t0 = Instant::now();
        let body = c
            .get(&pods)
            .send()
            .await
            .expect("list")
            .bytes()
            .await
            .expect("body");
        best = best.min(t0.elapsed());
        size = body.len();
    }
    println!("10,000-pod list: {size} bytes, best of 5 = {best:.2?}");
}
