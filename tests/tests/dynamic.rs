//! The dynamic client (any resource, no generated types) against both servers (the real
//! kube-apiserver and the test server): every verb on a built-in kind and a custom resource
//! created at run time, the status subresource, cluster scope, watches, a shared informer and
//! live discovery.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use futures_util::StreamExt;
use kubeclient::cache::InformerFactory;
use kubeclient::client::{ApiResource, Patch, ResourceClient};
use kubeclient::dynamic::DynamicObject;
use kubeclient::meta::v1::{
    CreateOptions, DeleteOptions, GetOptions, ListOptions, PatchOptions, UpdateOptions, WatchEvent,
};
use kubeclient::rest::RestClient;
use kubeclient::Scope;
use kubeclient_tests::on_both_servers;
use kubeclient_tests::servers::Server;
use serde_json::json;
use std::time::Duration;

fn configmaps() -> ApiResource {
    let info = kubeclient::discovery::resources()
        .into_iter()
        .find(|r| r.group.is_empty() && r.plural == "configmaps")
        .expect("configmaps in the generated table");
    ApiResource::from_info(&info)
}

on_both_servers!(
    every_verb_on_a_built_in_kind,
    custom_resources_status_and_informers_without_generated_types,
    discovery_of_the_live_server_resolves_names_like_kubectl,
);

/// A namespaced CRD `gizmos.<group>` (kind Gizmo, preserving unknown fields, with /status) in a
/// group of its own, so tests sharing the real cluster never meet.
fn gizmo_crd(group: &str, status: bool) -> DynamicObject {
    let subresources = if status {
        json!({"status": {}})
    } else {
        json!({})
    };
    serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("gizmos.{group}")},
        "spec": {"group": group, "scope": "Namespaced",
                 "names": {"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo", "shortNames": ["gz"]},
                 "versions": [{"name": "v1", "served": true, "storage": true, "subresources": subresources,
                               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
    }))
    .expect("crd json")
}

fn crds() -> ApiResource {
    ApiResource::new(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        Scope::Cluster,
    )
}

async fn every_verb_on_a_built_in_kind(s: Server) {
    let ns = s.namespace("dyn").await;
    let rest = RestClient::new(&s.config()).expect("client");
    let cms = ResourceClient::dynamic(&rest, configmaps(), &ns);

    let mut obj = DynamicObject::new(&configmaps(), "dyn");
    obj.fields.insert("data".into(), json!({"a": "1"}));
    let created = cms.create(&obj, &CreateOptions::default()).await.unwrap();
    assert!(created.metadata.uid.is_some());
    assert_eq!(
        (created.api_version.as_str(), created.kind.as_str()),
        ("v1", "ConfigMap")
    );

    // The typed client sees the same object.
    let cs = kubeclient::Clientset::new(s.config()).expect("clientset");
    let typed = cs
        .core_v1()
        .config_maps(&ns)
        .get("dyn", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(
        typed
            .data
            .as_ref()
            .and_then(|d| d.get("a"))
            .map(|v| v.as_str()),
        Some("1")
    );

    let mut got = cms.get("dyn", &GetOptions::default()).await.unwrap();
    assert_eq!(got.pointer("/data/a"), Some(&json!("1")));
    got.fields.insert("data".into(), json!({"a": "2"}));
    let updated = cms.update(&got, &UpdateOptions::default()).await.unwrap();
    assert_eq!(updated.pointer("/data/a"), Some(&json!("2")));
    let patched = cms
        .patch(
            "dyn",
            &Patch::Merge(json!({"data": {"b": "3"}})),
            &PatchOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(patched.fields["data"], json!({"a": "2", "b": "3"}));

    let list = cms.list(&ListOptions::default()).await.unwrap();
    assert_eq!(
        list.items
            .iter()
            .filter_map(|o| o.metadata.name.as_deref())
            .collect::<Vec<_>>(),
        ["dyn"]
    );
    let mut watch = cms
        .watch(&ListOptions {
            resource_version: patched
                .metadata
                .resource_version
                .as_deref()
                .map(str::to_owned),
            ..Default::default()
        })
        .await
        .unwrap();
    cms.delete("dyn", &DeleteOptions::default()).await.unwrap();
    let event = tokio::time::timeout(Duration::from_secs(10), watch.next())
        .await
        .expect("event")
        .expect("open");
    assert!(
        matches!(event, Ok(WatchEvent::Deleted(o)) if o.metadata.name.as_deref() == Some("dyn"))
    );
    assert!(cms
        .get("dyn", &GetOptions::default())
        .await
        .unwrap_err()
        .is_not_found());

    // Cluster scope.
    let namespaces = ApiResource::new("", "v1", "Namespace", "namespaces", Scope::Cluster);
    let all = ResourceClient::dynamic(&rest, namespaces, "")
        .list(&ListOptions::default())
        .await
        .unwrap();
    assert!(all
        .items
        .iter()
        .any(|n| n.metadata.name.as_deref() == Some("default")));
}

async fn custom_resources_status_and_informers_without_generated_types(s: Server) {
    let ns = s.namespace("crs").await;
    let rest = RestClient::new(&s.config()).expect("client");
    let group = format!("{}.example.com", s.unique("crs"));
    ResourceClient::dynamic(&rest, crds(), "")
        .create(&gizmo_crd(&group, true), &CreateOptions::default())
        .await
        .unwrap();
    s.wait_for_crd(&format!("gizmos.{group}")).await;

    let gizmos = ApiResource::new(&group, "v1", "Gizmo", "gizmos", Scope::Namespaced);
    let client = ResourceClient::dynamic(&rest, gizmos.clone(), &ns);
    let factory = InformerFactory::new();
    let informer = factory.informer(client.clone());
    factory.start();
    tokio::time::timeout(Duration::from_secs(15), factory.wait_for_sync())
        .await
        .expect("synced");

    let mut g = DynamicObject::new(&gizmos, "g1");
    g.fields.insert(
        "spec".into(),
        json!({"color": "red", "nested": {"deep": [1, 2]}}),
    );
    let created = client.create(&g, &CreateOptions::default()).await.unwrap();
    assert_eq!(
        created.pointer("/spec/nested/deep/1"),
        Some(&json!(2)),
        "unknown fields kept"
    );
    let mut with_status = created.clone();
    with_status
        .fields
        .insert("status".into(), json!({"ready": true}));
    let after = client
        .update_status(&with_status, &UpdateOptions::default())
        .await
        .unwrap();
    assert_eq!(after.pointer("/status/ready"), Some(&json!(true)));

    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while informer
        .store()
        .get(&format!("{ns}/g1"))
        .and_then(|o| o.pointer("/status/ready").cloned())
        != Some(json!(true))
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the informer saw the status"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(format!("{informer:?}").contains("Gizmo"));
}

async fn discovery_of_the_live_server_resolves_names_like_kubectl(s: Server) {
    use kubeclient::runtime::discovery::{find, server_resources};
    let ns = s.namespace("disc").await;
    let rest = RestClient::new(&s.config()).expect("client");
    if let Some(server) = s.test() {
        server.clear_requests();
    }
    let resources = server_resources(&rest).await.expect("discovery");
    if let Some(server) = s.test() {
        let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
        assert_eq!(
            paths,
            ["/api", "/apis"],
            "aggregated discovery: two requests"
        );
    }
    let deploy = find(&resources, "deploy").expect("short name");
    assert_eq!(
        (deploy.api.group.as_ref(), deploy.api.plural.as_ref()),
        ("apps", "deployments")
    );
    assert!(deploy.subresources.iter().any(|s| s == "scale"));
    assert_eq!(
        find(&resources, "cm").expect("core short name").api.kind,
        "ConfigMap"
    );
    assert_eq!(
        find(&resources, "Namespace").expect("kind").api.scope,
        Scope::Cluster
    );
    let group = format!("{}.example.com", s.unique("disc"));
    let qualified = format!("gizmos.{group}");
    assert!(find(&resources, &qualified).is_err());

    // A CRD created now is found by the next discovery, and its objects through the dynamic
    // client. The real server publishes discovery a moment after the CRD is established.
    let crds = find(&resources, "crd").expect("crd short name").api.clone();
    ResourceClient::dynamic(&rest, crds, "")
        .create(&gizmo_crd(&group, false), &CreateOptions::default())
        .await
        .unwrap();
    s.wait_for_crd(&qualified).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let resources = loop {
        let resources = server_resources(&rest).await.expect("discovery again");
        if find(&resources, &qualified).is_ok() || tokio::time::Instant::now() > deadline {
            break resources;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let gizmos = find(&resources, &qualified)
        .expect("CRD by name.group")
        .api
        .clone();
    assert_eq!(gizmos.api_version(), format!("{group}/v1"));
    if s.test().is_some() {
        // Only this test's CRD exists there, so its short name is unambiguous.
        assert_eq!(find(&resources, "gz").expect("CRD short name").api, gizmos);
    }
    let g = ResourceClient::dynamic(&rest, gizmos.clone(), &ns)
        .create(&DynamicObject::new(&gizmos, "g"), &CreateOptions::default())
        .await
        .unwrap();
    assert_eq!(g.kind, "Gizmo");
}
