//! The background event `Recorder` against both servers: events.k8s.io/v1 and core/v1 Events,
//! repeats counted on one Event, the spam filter, and (on the test server, which can delay
//! writes) a full queue dropping and counting instead of blocking the caller.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::api::core::v1::ConfigMap;
use kubeclient::events::{EventType, EventsApi, Recorder};
use kubeclient::meta::v1::{CreateOptions, ObjectMeta};
use kubeclient::rest::RestClient;
use kubeclient::Clientset;
use kubeclient_tests::on_both_servers;
use kubeclient_tests::servers::Server;
use kubeclient_testserver::faults::{Fault, FaultAction};
use serde_json::Value;
use std::time::Duration;

async fn subject(s: &Server, prefix: &str) -> (String, ConfigMap, RestClient) {
    let ns = s.namespace(prefix).await;
    let mut config = s.config();
    config.qps = -1.0;
    let cs = Clientset::new(config.clone()).unwrap();
    let obj = ConfigMap {
        metadata: ObjectMeta {
            name: Some("subject".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let obj = cs
        .core_v1()
        .config_maps(&ns)
        .create(&obj, &CreateOptions::default())
        .await
        .unwrap();
    (ns, obj, RestClient::new(&config).unwrap())
}

async fn events(rest: &RestClient, group: &str, ns: &str) -> Vec<Value> {
    let list: Value = rest
        .for_group_version(group, "v1")
        .get()
        .namespace(ns)
        .resource("events")
        .do_()
        .await
        .unwrap();
    list["items"].as_array().cloned().unwrap_or_default()
}

on_both_servers!(events_v1_and_core_v1_count_repeats_and_filter_spam);

async fn events_v1_and_core_v1_count_repeats_and_filter_spam(s: Server) {
    let (ns, obj, rest) = subject(&s, "recorder").await;
    let v1 = Recorder::new(&rest, "example.com/operator", "pod-0");
    for _ in 0..3 {
        v1.publish_for(&obj, EventType::Normal, "Synced", "Reconcile", "all good");
    }
    v1.publish_for(&obj, EventType::Warning, "Failed", "Reconcile", "it broke");
    v1.flush().await;
    let written = events(&rest, "events.k8s.io", &ns).await;
    assert_eq!(written.len(), 2, "{written:#?}");
    let synced = written.iter().find(|e| e["reason"] == "Synced").unwrap();
    assert_eq!(synced["series"]["count"], 3);
    assert_eq!(synced["regarding"]["name"], "subject");
    assert_eq!(synced["reportingController"], "example.com/operator");
    assert_eq!(
        (
            v1.stats().created(),
            v1.stats().updated(),
            v1.stats().failed()
        ),
        (2, 2, 0)
    );

    let core = Recorder::with(&rest, "operator", "pod-0", EventsApi::CoreV1, 100);
    // 30 of the same kind about one object: the first 25 pass, 5 are filtered as spam.
    for _ in 0..30 {
        core.publish_for(&obj, EventType::Warning, "Retrying", "Sync", "again");
    }
    core.flush().await;
    assert_eq!(core.stats().skipped(), 5);
    let written = events(&rest, "", &ns).await;
    let retrying: Vec<&Value> = written
        .iter()
        .filter(|e| e["reason"] == "Retrying")
        .collect();
    assert_eq!(retrying.len(), 1);
    assert_eq!(retrying[0]["count"], 25);
    assert_eq!(retrying[0]["involvedObject"]["name"], "subject");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_drops_instead_of_blocking() {
    let s = Server::test_server().await;
    let (_ns, obj, rest) = subject(&s, "recorder-full").await;
    // The first write takes 2 s: the writer is stuck while the caller keeps publishing.
    s.test().unwrap().inject(
        Fault::new(FaultAction::Delay(Duration::from_secs(2)))
            .path_contains("/events")
            .method("POST"),
    );
    let r = Recorder::with(&rest, "operator", "pod-0", EventsApi::EventsV1, 2);
    for i in 0..10 {
        r.publish_for(&obj, EventType::Normal, "Step", "Run", &format!("step {i}"));
    }
    // 1 taken by the writer, 2 queued: at least 7 dropped, at once.
    assert!(r.stats().dropped() >= 7, "dropped {}", r.stats().dropped());
    r.flush().await;
    assert_eq!(r.stats().created() + r.stats().dropped(), 10);
}
