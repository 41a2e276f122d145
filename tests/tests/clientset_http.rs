//! The generated `Clientset` against a real API server on loopback (kubeclient-testserver over
//! HTTPS, serving the generated resource table): every verb and the main subresources, through
//! the typed clients users call.

use futures_util::StreamExt;
use kubeclient::api::apps::v1::{Deployment, DeploymentSpec};
use kubeclient::api::core::v1::{ConfigMap, Container, Namespace, Pod, PodSpec, PodTemplateSpec};
use kubeclient::client::{LogOptions, Patch};
use kubeclient::meta::v1::{
    CreateOptions, DeleteOptions, GetOptions, LabelSelector, ListOptions, ObjectMeta, PatchOptions,
    UpdateOptions, WatchEvent,
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
    Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
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

#[tokio::test]
async fn create_get_list_update_patch_delete() {
    let (_server, cs) = server().await;
    let pods = cs.core_v1().pods("default");
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

#[tokio::test]
async fn watch_sees_added_modified_deleted_in_order() {
    let (_server, cs) = server().await;
    let cms = cs.core_v1().config_maps("default");
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
        data: Some([("k".to_owned(), "v1".to_owned())].into()),
        ..Default::default()
    };
    let created = cms.create(&cm, &CreateOptions::default()).await.unwrap();
    let mut changed = created.clone();
    changed.data = Some([("k".to_owned(), "v2".to_owned())].into());
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

#[tokio::test]
async fn cluster_scoped_status_scale_and_logs() {
    let (server, cs) = server().await;
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some("team-a".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    cs.core_v1()
        .namespaces()
        .create(&ns, &CreateOptions::default())
        .await
        .unwrap();
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
    assert!(
        names.contains(&"team-a".to_owned()) && names.contains(&"default".to_owned()),
        "{names:?}"
    );

    let deployments = cs.apps_v1().deployments("team-a");
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
    let mut bigger = scale.clone();
    bigger.spec.get_or_insert_with(Default::default).replicas = Some(5);
    deployments
        .update_scale("web", &bigger, &UpdateOptions::default())
        .await
        .unwrap();
    let d = deployments
        .get("web", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(d.spec.as_ref().and_then(|s| s.replicas), Some(5));

    // The main endpoint ignores status; /status changes only status.
    let mut with_status = d.clone();
    with_status
        .status
        .get_or_insert_with(Default::default)
        .ready_replicas = Some(3);
    let after = deployments
        .update_status(&with_status, &UpdateOptions::default())
        .await
        .unwrap();
    assert_eq!(after.status.and_then(|s| s.ready_replicas), Some(3));

    let pods = cs.core_v1().pods("team-a");
    pods.create(&pod("logger", "log"), &CreateOptions::default())
        .await
        .unwrap();
    server.set_pod_log("team-a", "logger", vec!["one".into(), "two".into()]);
    let logs = pods.logs("logger", &LogOptions::default()).await.unwrap();
    assert_eq!(logs.lines().collect::<Vec<_>>(), ["one", "two"]);
}

#[tokio::test]
async fn apply_status_binding_eviction_token_and_followed_logs() {
    use kubeclient::api::authentication::v1::{TokenRequest, TokenRequestSpec};
    use kubeclient::api::core::v1::{Binding, ObjectReference, ServiceAccount};
    use kubeclient::api::policy::v1::Eviction;
    let (server, cs) = server().await;

    // Server-side apply through the typed client: creates, conflicts with another manager's
    // change, and succeeds when forced, moving ownership.
    let cms = cs.core_v1().config_maps("default");
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
            .map(String::as_str),
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
    let pods = cs.core_v1().pods("default");
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
    let sas = cs.core_v1().service_accounts("default");
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
        .map(|s| s.token.clone())
        .unwrap_or_default();
    assert!(!token.is_empty());
    assert!(!format!("{issued:?}").contains(&token));

    // Eviction removes the pod.
    let eviction = Eviction {
        metadata: Some(ObjectMeta {
            name: Some("p".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    pods.evict("p", &eviction).await.unwrap();
    assert!(pods
        .get("p", &GetOptions::default())
        .await
        .unwrap_err()
        .is_not_found());

    // Scale through a merge patch of the scale subresource.
    let deployments = cs.apps_v1().deployments("default");
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
