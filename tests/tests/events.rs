//! Events as client-go's recorder writes them, against both servers: repeats aggregate into
//! one Event's count, other reasons make new Events, cluster-scoped objects' events go to
//! `default`, and `kubectl get events` would list them (core/v1).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::api::core::v1::ConfigMap;
use kubeclient::events::{EventRecorder, EventType};
use kubeclient::meta::v1::{CreateOptions, ListOptions, ObjectMeta};
use kubeclient::rest::RestClient;
use kubeclient::Clientset;
use kubeclient_tests::on_both_servers;
use kubeclient_tests::servers::Server;

on_both_servers!(repeats_aggregate_and_reasons_do_not);

async fn repeats_aggregate_and_reasons_do_not(s: Server) {
    let cs = Clientset::new(s.config()).expect("clientset");
    let rest = RestClient::new(&s.config()).expect("client");
    let namespace = s.namespace("events").await;
    let cm = cs
        .core_v1()
        .config_maps(&namespace)
        .create(
            &ConfigMap {
                metadata: ObjectMeta {
                    name: Some("settings".into()),
                    ..Default::default()
                },
                ..Default::default()
            },
            &CreateOptions::default(),
        )
        .await
        .unwrap();

    let recorder = EventRecorder::new(&rest, "settings-controller", "pod-0");
    for _ in 0..3 {
        recorder
            .record_for(&cm, EventType::Warning, "Invalid", "key x is not valid")
            .await
            .unwrap();
    }
    recorder
        .record_for(&cm, EventType::Normal, "Synced", "settings applied")
        .await
        .unwrap();
    let ns = cs
        .core_v1()
        .namespaces()
        .get(&namespace, &Default::default())
        .await
        .unwrap();
    recorder
        .record_for(&ns, EventType::Normal, "Checked", "namespace is fine")
        .await
        .unwrap();

    // The namespace's own events, and the one about the namespace (in `default`).
    let mut events = cs
        .core_v1()
        .events(&namespace)
        .list(&ListOptions::default())
        .await
        .unwrap()
        .items;
    assert_eq!(events.len(), 2);
    events.extend(
        cs.core_v1()
            .events("default")
            .list(&ListOptions {
                field_selector: Some(format!("involvedObject.name={namespace}")),
                ..Default::default()
            })
            .await
            .unwrap()
            .items,
    );
    let summary: Vec<(kubeclient::Str, kubeclient::Str, i32, kubeclient::Str)> = events
        .iter()
        .map(|e| {
            (
                e.reason.clone().unwrap_or_default(),
                e.involved_object.kind.clone().unwrap_or_default(),
                e.count.unwrap_or(0),
                e.type_.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        summary.contains(&("Invalid".into(), "ConfigMap".into(), 3, "Warning".into())),
        "{summary:?}"
    );
    assert!(
        summary.contains(&("Synced".into(), "ConfigMap".into(), 1, "Normal".into())),
        "{summary:?}"
    );
    assert!(
        summary.contains(&("Checked".into(), "Namespace".into(), 1, "Normal".into())),
        "{summary:?}"
    );
    let invalid = events
        .iter()
        .find(|e| e.reason.as_deref() == Some("Invalid"))
        .expect("invalid");
    assert_eq!(invalid.involved_object.uid, cm.metadata.uid);
    assert_eq!(
        invalid.source.as_ref().and_then(|s| s.component.as_deref()),
        Some("settings-controller")
    );
    assert!(invalid.last_timestamp >= invalid.first_timestamp);
}
