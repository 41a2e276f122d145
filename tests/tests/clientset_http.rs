//! The generated `Clientset` against both servers (the real kube-apiserver and
//! kubeclient-testserver, over HTTPS on loopback): every verb and the main subresources, through
//! the typed clients users call. Pod logs need a kubelet, which only the test server fakes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use futures_util::StreamExt;
use kubeclient::api::apps::v1::{Deployment, DeploymentSpec};
use kubeclient::api::core::v1::{ConfigMap, Container, Namespace, Pod, PodSpec, PodTemplateSpec};
use kubeclient::client::{LogOptions, Patch};
use kubeclient::meta::v1::{
    CreateOptions, DeleteOptions, GetOptions, LabelSelector, ListOptions, ObjectMeta, PatchOptions,
    UpdateOptions, WatchEvent,
};
use kubeclient::{Clientset, Map, Str};
use kubeclient_tests::on_both_servers;
use kubeclient_tests::servers::Server;
use kubeclient_testserver::TestServer;

use std::time::Duration;

on_both_servers!(
    create_get_list_update_patch_delete,
    watch_sees_added_modified_deleted_in_order,
    cluster_scoped_status_and_scale,
    apply_status_binding_eviction_token_and_scale,
);

/// A clientset for `s` and a namespace of this test's own.
async fn setup(s: &Server, prefix: &str) -> (Clientset, String) {
    let cs = Clientset::new(s.config()).expect("clientset");
    (cs, s.namespace(prefix).await)
}

fn labels(pairs: &[(&str, &str)]) -> Option<Map<Str, Str>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect(),
    )
}

fn pod(name: &str, app: &str) -> Pod {
    Pod {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: labels(&[("app", app)]),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: "main".into(),
                image: Some("nginx".into()),
                ..Default::default()
            }],
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Deployment `web` with `replicas` pods of [`pod`]'s spec, selected by `app=web`.
fn web_deployment(replicas: i32) -> Deployment {
    let web = || labels(&[("app", "web")]);
    Deployment {
        metadata: ObjectMeta {
            name: Some("web".into()),
            ..Default::default()
        },
        spec: Some(DeploymentSpec {
            replicas: Some(replicas),
            selector: LabelSelector {
                match_labels: web(),
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: web(),
                    ..Default::default()
                }),
                spec: pod("x", "web").spec,
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}

async fn create_get_list_update_patch_delete(s: Server) {
    let (cs, ns) = setup(&s, "crud").await;
    let pods = cs.core_v1().pods(&ns);
    let created = pods
        .create(&pod("web-1", "web"), &CreateOptions::default())
        .await
        .unwrap();
    assert!(created.metadata.uid.is_some() && created.metadata.resource_version.is_some());
    pods.create(&pod("web-2", "web"), &CreateOptions::default())
        .await
        .unwrap();
    pods.create(&pod("db-1", "db"), &CreateOptions::default())
        .await
        .unwrap();

    let err = pods
        .create(&pod("web-1", "web"), &CreateOptions::default())
        .await
        .unwrap_err();
    assert!(err.is_already_exists(), "{err}");

    let got = pods.get("web-1", &GetOptions::default()).await.unwrap();
    assert_eq!(got.metadata.uid, created.metadata.uid);

    let web = pods
        .list(&ListOptions {
            label_selector: Some("app=web".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut names: Vec<_> = web
        .items
        .iter()
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    names.sort();
    assert_eq!(names, ["web-1", "web-2"]);

    // Update with the current resourceVersion wins; with a stale one it is a conflict.
    let mut changed = got.clone();
    changed.metadata.labels = labels(&[("app", "web"), ("tier", "front")]);
    let updated = pods
        .update(&changed, &UpdateOptions::default())
        .await
        .unwrap();
    assert_ne!(
        updated.metadata.resource_version,
        got.metadata.resource_version
    );
    let err = pods
        .update(&changed, &UpdateOptions::default())
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");

    let patched = pods
        .patch(
            "web-1",
            &Patch::Merge(serde_json::json!({"metadata": {"labels": {"tier": "back"}}})),
            &PatchOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(patched.metadata.labels.unwrap()["tier"], "back");

    pods.delete("web-1", &DeleteOptions::default())
        .await
        .unwrap();
    let err = pods.get("web-1", &GetOptions::default()).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");

    pods.delete_collection(
        &DeleteOptions::default(),
        &ListOptions {
            label_selector: Some("app=web".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let left = pods.list(&ListOptions::default()).await.unwrap();
    assert_eq!(left.items.len(), 1);
}

async fn watch_sees_added_modified_deleted_in_order(s: Server) {
    let (cs, ns) = setup(&s, "watch").await;
    let cms = cs.core_v1().config_maps(&ns);
    let start = cms.list(&ListOptions::default()).await.unwrap();
    let mut events = cms
        .watch(&ListOptions {
            resource_version: start.metadata.resource_version.clone(),
            ..Default::default()
        })
        .await
        .unwrap();

    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some("settings".into()),
            ..Default::default()
        },
        data: Some([("k".into(), "v1".into())].into()),
        ..Default::default()
    };
    let created = cms.create(&cm, &CreateOptions::default()).await.unwrap();
    let mut changed = created.clone();
    changed.data = Some([("k".into(), "v2".into())].into());
    cms.update(&changed, &UpdateOptions::default())
        .await
        .unwrap();
    cms.delete("settings", &DeleteOptions::default())
        .await
        .unwrap();

    let mut seen = Vec::new();
    while seen.len() < 3 {
        let ev = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("event in time");
        match ev.expect("stream open").expect("event decodes") {
            WatchEvent::Added(c) => seen.push(("ADDED", c.data.unwrap_or_default()["k"].clone())),
            WatchEvent::Modified(c) => {
                seen.push(("MODIFIED", c.data.unwrap_or_default()["k"].clone()))
            }
            WatchEvent::Deleted(c) => {
                seen.push(("DELETED", c.data.unwrap_or_default()["k"].clone()))
            }
            WatchEvent::Bookmark(_) => {}
            WatchEvent::Error(s) => panic!("watch error: {s}"),
        }
    }
    assert_eq!(
        seen,
        [
            ("ADDED", "v1".into()),
            ("MODIFIED", "v2".into()),
            ("DELETED", "v2".into())
        ]
    );
}

async fn cluster_scoped_status_and_scale(s: Server) {
    let (cs, team) = setup(&s, "team").await;
    let other = Namespace {
        metadata: ObjectMeta {
            generate_name: Some("other-".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let other = cs
        .core_v1()
        .namespaces()
        .create(&other, &CreateOptions::default())
        .await
        .unwrap()
        .metadata
        .name
        .expect("generated name");
    let names: Vec<_> = cs
        .core_v1()
        .namespaces()
        .list(&ListOptions::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect();
    for ns in [team.as_str(), other.as_str(), "default"] {
        assert!(names.iter().any(|n| n == ns), "{ns} not in {names:?}");
    }

    let deployments = cs.apps_v1().deployments(&team);
    let d = web_deployment(2);
    deployments
        .create(&d, &CreateOptions::default())
        .await
        .unwrap();
    let scale = deployments
        .get_scale("web", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(scale.spec.as_ref().and_then(|s| s.replicas), Some(2));
    // On the real cluster the deployment controller writes the object meanwhile: a stale
    // resourceVersion is a conflict, read again and retry (client-go's RetryOnConflict).
    let mut scale = scale;
    loop {
        let mut bigger = scale.clone();
        bigger.spec.get_or_insert_with(Default::default).replicas = Some(5);
        match deployments
            .update_scale("web", &bigger, &UpdateOptions::default())
            .await
        {
            Ok(_) => break,
            Err(e) if e.is_conflict() => {
                scale = deployments
                    .get_scale("web", &GetOptions::default())
                    .await
                    .unwrap()
            }
            Err(e) => panic!("update_scale: {e}"),
        }
    }
    let d = deployments
        .get("web", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(d.spec.as_ref().and_then(|s| s.replicas), Some(5));

    // /status changes only status. On the real cluster the deployment controller writes status
    // too, so a stale read is retried, as any status writer must.
    let mut d = d;
    let after = loop {
        let mut with_status = d.clone();
        with_status
            .status
            .get_or_insert_with(Default::default)
            .observed_generation = Some(42);
        match deployments
            .update_status(&with_status, &UpdateOptions::default())
            .await
        {
            Ok(after) => break after,
            Err(e) if e.is_conflict() => {
                d = deployments
                    .get("web", &GetOptions::default())
                    .await
                    .unwrap()
            }
            Err(e) => panic!("update_status: {e}"),
        }
    };
    assert_eq!(after.status.and_then(|s| s.observed_generation), Some(42));
    assert_eq!(after.spec.and_then(|s| s.replicas), Some(5));
}

#[tokio::test]
async fn pod_logs_from_the_test_servers_kubelet() {
    // Only the test server fakes a kubelet: the real cluster has no nodes to read logs from.
    let server = TestServer::start().await.expect("test server starts");
    let cs = Clientset::new(server.config()).expect("clientset");
    let pods = cs.core_v1().pods("default");
    pods.create(&pod("logger", "log"), &CreateOptions::default())
        .await
        .unwrap();
    server.set_pod_log("default", "logger", vec!["one".into(), "two".into()]);
    let logs = pods.logs("logger", &LogOptions::default()).await.unwrap();
    assert_eq!(logs.lines().collect::<Vec<_>>(), ["one", "two"]);

    // Followed logs stream lines appended after the request started.
    pods.create(&pod("tail", "log"), &CreateOptions::default())
        .await
        .unwrap();
    server.set_pod_log("default", "tail", vec!["first".into()]);
    let mut stream = pods
        .log_stream(
            "tail",
            &LogOptions {
                follow: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    server.append_pod_log("default", "tail", vec!["second".into()]);
    while !text.contains("second") {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("log lines arrive in time");
        text.push_str(&String::from_utf8_lossy(
            &chunk.expect("stream open").unwrap(),
        ));
    }
    assert_eq!(text.lines().collect::<Vec<_>>(), ["first", "second"]);
}

async fn apply_status_binding_eviction_token_and_scale(s: Server) {
    use kubeclient::api::authentication::v1::{TokenRequest, TokenRequestSpec};
    use kubeclient::api::core::v1::{Binding, ObjectReference, ServiceAccount};
    use kubeclient::api::policy::v1::Eviction;
    let (cs, ns) = setup(&s, "apply").await;

    // Server-side apply through the typed client: creates, conflicts with another manager's
    // change, and succeeds when forced, moving ownership.
    let cms = cs.core_v1().config_maps(&ns);
    let cfg = |v: &str| serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": v}});
    let by = |manager: &str, force: Option<bool>| PatchOptions {
        field_manager: Some(manager.into()),
        force,
        ..Default::default()
    };
    let cm: ConfigMap = cms
        .patch("cfg", &Patch::Apply(cfg("1")), &by("alice", None))
        .await
        .unwrap();
    assert_eq!(
        cm.data
            .as_ref()
            .and_then(|d| d.get("a"))
            .map(|v| v.as_str()),
        Some("1")
    );
    let err = cms
        .patch("cfg", &Patch::Apply(cfg("2")), &by("bob", None))
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    let cm = cms
        .patch("cfg", &Patch::Apply(cfg("2")), &by("bob", Some(true)))
        .await
        .unwrap();
    let managers: Vec<_> = cm
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.manager)
        .collect();
    assert_eq!(managers, ["bob"]);

    // Status through patch_status / get_status; binding assigns the node once.
    let pods = cs.core_v1().pods(&ns);
    pods.create(&pod("p", "x"), &CreateOptions::default())
        .await
        .unwrap();
    let running = Patch::Merge(serde_json::json!({"status": {"phase": "Running"}}));
    pods.patch_status("p", &running, &PatchOptions::default())
        .await
        .unwrap();
    let status = pods
        .get_status("p", &GetOptions::default())
        .await
        .unwrap()
        .status
        .and_then(|s| s.phase);
    assert_eq!(status.as_deref(), Some("Running"));
    let binding = Binding {
        metadata: ObjectMeta {
            name: Some("p".into()),
            ..Default::default()
        },
        target: ObjectReference {
            kind: Some("Node".into()),
            name: Some("node-1".into()),
            ..Default::default()
        },
    };
    pods.bind("p", &binding).await.unwrap();
    let node = pods
        .get("p", &GetOptions::default())
        .await
        .unwrap()
        .spec
        .and_then(|s| s.node_name);
    assert_eq!(node.as_deref(), Some("node-1"));
    assert!(pods.bind("p", &binding).await.unwrap_err().is_conflict());

    // A service-account token; its Debug output never shows the token.
    let sas = cs.core_v1().service_accounts(&ns);
    let sa = ServiceAccount {
        metadata: ObjectMeta {
            name: Some("robot".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    sas.create(&sa, &CreateOptions::default()).await.unwrap();
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: vec!["api".into()],
            ..Default::default()
        },
        ..Default::default()
    };
    let issued = sas.create_token("robot", &request).await.unwrap();
    let token = issued
        .status
        .as_ref()
        .map(|s| s.token.to_string())
        .unwrap_or_default();
    assert!(!token.is_empty());
    assert!(!format!("{issued:?}").contains(&token));

    // Eviction removes a pod (one not bound to a node: a bound pod waits for its kubelet).
    pods.create(&pod("q", "x"), &CreateOptions::default())
        .await
        .unwrap();
    let eviction = Eviction {
        metadata: Some(ObjectMeta {
            name: Some("q".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    pods.evict("q", &eviction).await.unwrap();
    assert!(pods
        .get("q", &GetOptions::default())
        .await
        .unwrap_err()
        .is_not_found());

    // Scale through a merge patch of the scale subresource.
    let deployments = cs.apps_v1().deployments(&ns);
    let d = web_deployment(1);
    deployments
        .create(&d, &CreateOptions::default())
        .await
        .unwrap();
    let scaled = deployments
        .patch_scale(
            "web",
            &Patch::Merge(serde_json::json!({"spec": {"replicas": 4}})),
            &PatchOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(scaled.spec.and_then(|s| s.replicas), Some(4));
}
