//! Prints how fast the controller runtime drains a namespace of ConfigMaps on the test server
//! (each reconcile writes one annotation back, as a status write would), and what recording an
//! Event costs the caller: the background `Recorder` against the awaited `EventRecorder`.
//!
//! `cargo bench -p kubeclient-examples --bench controller`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a panic is how it fails

use kubeclient::api::core::v1::ConfigMap;
use kubeclient::controller::{predicates, Action, Controller};
use kubeclient::events::{EventRecorder, EventType, Recorder};
use kubeclient::meta::v1::{CreateOptions, ObjectMeta, UpdateOptions};
use kubeclient::rest::{Error, RestClient};
use kubeclient::Clientset;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

const OBJECTS: usize = 500;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let server = kubeclient_testserver::TestServer::start().await.unwrap();
    let mut config = server.config();
    config.qps = -1.0;
    let cs = Clientset::new(config.clone()).unwrap();
    let rest = RestClient::new(&config).unwrap();
    for workers in [1, 8] {
        let ns = format!("bench-{workers}");
        let body = serde_json::json!({"metadata": {"name": ns}});
        let namespace = serde_json::from_value(body).unwrap();
        cs.core_v1()
            .namespaces()
            .create(&namespace, &CreateOptions::default())
            .await
            .unwrap();
        let cms = cs.core_v1().config_maps(&ns);
        for i in 0..OBJECTS {
            let cm = ConfigMap {
                metadata: ObjectMeta {
                    name: Some(format!("cm-{i}").into()),
                    ..Default::default()
                },
                ..Default::default()
            };
            cms.create(&cm, &CreateOptions::default()).await.unwrap();
        }
        let done = Arc::new(AtomicUsize::new(0));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let started = Instant::now();
        let run = {
            let (cms, done) = (cms.clone(), done.clone());
            tokio::spawn(
                Controller::new(cms.clone())
                    .filter(predicates::generation_changed)
                    .concurrency(workers)
                    .run(
                        move |obj: Arc<ConfigMap>| {
                            let (cms, done) = (cms.clone(), done.clone());
                            async move {
                                let mut obj = (*obj).clone();
                                obj.metadata
                                    .annotations
                                    .get_or_insert_with(Default::default)
                                    .insert("seen".into(), "yes".into());
                                cms.update(&obj, &UpdateOptions::default()).await?;
                                done.fetch_add(1, Ordering::SeqCst);
                                Ok::<_, Error>(Action::await_change())
                            }
                        },
                        async {
                            let _ = stopped.await;
                        },
                    ),
            )
        };
        while done.load(Ordering::SeqCst) < OBJECTS {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let took = started.elapsed();
        stop.send(()).unwrap();
        run.await.unwrap();
        println!(
            "controller: {OBJECTS} objects, {workers} workers: list+reconcile+write in {:.0} ms ({:.0} reconciles/s)",
            took.as_secs_f64() * 1e3,
            OBJECTS as f64 / took.as_secs_f64()
        );
    }

    let cm = cs
        .core_v1()
        .config_maps("bench-1")
        .get("cm-0", &Default::default())
        .await
        .unwrap();
    let n = 200;
    let awaited = EventRecorder::new(&rest, "bench", "pod-0");
    let t = Instant::now();
    for i in 0..n {
        awaited
            .record_for(&cm, EventType::Normal, "Step", &format!("step {i}"))
            .await
            .unwrap();
    }
    let per_awaited = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    let background = Recorder::new(&rest, "bench", "pod-0");
    let t = Instant::now();
    for i in 0..n {
        background.publish_for(&cm, EventType::Normal, "Step", "Run", &format!("step {i}"));
    }
    let per_background = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    background.flush().await;
    println!(
        "events: caller waits {per_awaited:.1} us per event awaited (EventRecorder), {per_background:.2} us in the background (Recorder; {} written, {} spam-filtered)",
        background.stats().created() + background.stats().updated(),
        background.stats().skipped()
    );
}
