//! The generated `Clientset` against a real API server on loopback (kubeclient-testserver over
//! HTTPS, serving the generated resource table): every verb and the main subresources, through
//! the typed clients users call.

use futures_util::StreamExt;
use kubeclient::api::apps::v1::{Deployment, DeploymentSpec};
use kubeclient::api::core::v1::{ConfigMap, Container, Namespace, Pod, PodSpec, PodTemplateSpec};
use kubeclient::client::{LogOptions, Patch};
use kubeclient::meta::v1::{
    CreateOptions, DeleteOptions, GetOptions, LabelSelector, ListOptions, ObjectMeta, PatchOptions, UpdateOptions,
    WatchEvent,
};
use kubeclient::Clientset;
use kubeclient_testserver::TestServer;
use std::collections::BTreeMap;
use std::time::Duration;

async fn server() -> (TestServer, Clientset) {
    // The server's default table is the generated one: every resource of this version.
    let server = TestServer::start().await.expect("test server starts");
    let cs = Clientset::new(server.config()).expect("clientset");
    (server, cs)
}

fn labels(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

fn pod(name: &str, app: &str) -> Pod {
    Pod {
        metadata: ObjectMeta { name: Some(name.into()), labels: labels(&[("app", app)]), ..Default::default() },
        spec: Some(PodSpec {
            containers: vec![Container { name: "main".into(), image: Some("nginx".into()), ..Default::default() }],
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[tokio::test]
async fn create_get_list_update_patch_delete() {
    let (_server, cs) = server().await;
    let pods = cs.core_v1().pods("default");
    let created = pods.create(&pod("web-1", "web"), &CreateOptions::default()).await.unwrap();
    assert!(created.metadata.uid.is_some() && created.metadata.resource_version.is_some());
    pods.create(&pod("web-2", "web"), &CreateOptions::default()).await.unwrap();
    pods.create(&pod("db-1", "db"), &CreateOptions::default()).await.unwrap();

    let err = pods.create(&pod("web-1", "web"), &CreateOptions::default()).await.unwrap_err();
    assert!(err.is_already_exists(), "{err}");

    let got = pods.get("web-1", &GetOptions::default()).await.unwrap();
    assert_eq!(got.metadata.uid, created.metadata.uid);

    let web = pods.list(&ListOptions { label_selector: Some("app=web".into()), ..Default::default() }).await.unwrap();
    let mut names: Vec<_> = web.items.iter().filter_map(|p| p.metadata.name.clone()).collect();
    names.sort();
    assert_eq!(names, ["web-1", "web-2"]);

    // Update with the current resourceVersion wins; with a stale one it is a conflict.
    let mut changed = got.clone();
    changed.metadata.labels = labels(&[("app", "web"), ("tier", "front")]);
    let updated = pods.update(&changed, &UpdateOptions::default()).await.unwrap();
    assert_ne!(updated.metadata.resource_version, got.metadata.resource_version);
    let err = pods.update(&changed, &UpdateOptions::default()).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");

    let patched = pods
        .patch("web-1", &Patch::Merge(serde_json::json!({"metadata": {"labels": {"tier": "back"}}})), &PatchOptions::default())
        .await
        .unwrap();
    assert_eq!(patched.metadata.labels.unwrap()["tier"], "back");

    pods.delete("web-1", &DeleteOptions::default()).await.unwrap();
    let err = pods.get("web-1", &GetOptions::default()).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");

    pods.delete_collection(&DeleteOptions::default(), &ListOptions { label_selector: Some("app=web".into()), ..Default::default() })
        .await
        .unwrap();
    let left = pods.list(&ListOptions::default()).await.unwrap();
    assert_eq!(left.items.len(), 1);
}

#[tokio::test]
async fn watch_sees_added_modified_deleted_in_order() {
    let (_server, cs) = server().await;
    let cms = cs.core_v1().config_maps("default");
    let start = cms.list(&ListOptions::default()).await.unwrap();
    let mut events = cms
        .watch(&ListOptions { resource_version: start.metadata.resource_version.clone(), ..Default::default() })
        .await
        .unwrap();

    let cm = ConfigMap {
        metadata: ObjectMeta { name: Some("settings".into()), ..Default::default() },
        data: Some([("k".to_owned(), "v1".to_owned())].into()),
        ..Default::default()
    };
    let created = cms.create(&cm, &CreateOptions::default()).await.unwrap();
    let mut changed = created.clone();
    changed.data = Some([("k".to_owned(), "v2".to_owned())].into());
    cms.update(&changed, &UpdateOptions::default()).await.unwrap();
    cms.delete("settings", &DeleteOptions::default()).await.unwrap();

    let mut seen = Vec::new();
    while seen.len() < 3 {
        let ev = tokio::time::timeout(Duration::from_secs(10), events.next()).await.expect("event in time");
        match ev.expect("stream open").expect("event decodes") {
            WatchEvent::Added(c) => seen.push(("ADDED", c.data.unwrap_or_default()["k"].clone())),
            WatchEvent::Modified(c) => seen.push(("MODIFIED", c.data.unwrap_or_default()["k"].clone())),
            WatchEvent::Deleted(c) => seen.push(("DELETED", c.data.unwrap_or_default()["k"].clone())),
            WatchEvent::Bookmark(_) => {}
            WatchEvent::Error(s) => panic!("watch error: {s}"),
        }
    }
    assert_eq!(seen, [("ADDED", "v1".into()), ("MODIFIED", "v2".into()), ("DELETED", "v2".into())]);
}

#[tokio::test]
async fn cluster_scoped_status_scale_and_logs() {
    let (server, cs) = server().await;
    let ns = Namespace { metadata: ObjectMeta { name: Some("team-a".into()), ..Default::default() }, ..Default::default() };
    cs.core_v1().namespaces().create(&ns, &CreateOptions::default()).await.unwrap();
    let names: Vec<_> = cs.core_v1().namespaces().list(&ListOptions::default()).await.unwrap().items.into_iter().filter_map(|n| n.metadata.name).collect();
    assert!(names.contains(&"team-a".to_owned()) && names.contains(&"default".to_owned()), "{names:?}");

    let deployments = cs.apps_v1().deployments("team-a");
    let d = Deployment {
        metadata: ObjectMeta { name: Some("web".into()), ..Default::default() },
        spec: Some(DeploymentSpec {
            replicas: Some(2),
            selector: LabelSelector { match_labels: labels(&[("app", "web")]), ..Default::default() },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta { labels: labels(&[("app", "web")]), ..Default::default() }),
                spec: pod("x", "web").spec,
            },
            ..Default::default()
        }),
        ..Default::default()
    };
    deployments.create(&d, &CreateOptions::default()).await.unwrap();
    let scale = deployments.get_scale("web", &GetOptions::default()).await.unwrap();
    assert_eq!(scale.spec.as_ref().and_then(|s| s.replicas), Some(2));
    let mut bigger = scale.clone();
    bigger.spec.get_or_insert_with(Default::default).replicas = Some(5);
    deployments.update_scale("web", &bigger, &UpdateOptions::default()).await.unwrap();
    let d = deployments.get("web", &GetOptions::default()).await.unwrap();
    assert_eq!(d.spec.as_ref().and_then(|s| s.replicas), Some(5));

    // The main endpoint ignores status; /status changes only status.
    let mut with_status = d.clone();
    with_status.status.get_or_insert_with(Default::default).ready_replicas = Some(3);
    let after = deployments.update_status(&with_status, &UpdateOptions::default()).await.unwrap();
    assert_eq!(after.status.and_then(|s| s.ready_replicas), Some(3));

    let pods = cs.core_v1().pods("team-a");
    pods.create(&pod("logger", "log"), &CreateOptions::default()).await.unwrap();
    server.set_pod_log("team-a", "logger", vec!["one".into(), "two".into()]);
    let logs = pods.logs("logger", &LogOptions::default()).await.unwrap();
    assert_eq!(logs.lines().collect::<Vec<_>>(), ["one", "two"]);
}
