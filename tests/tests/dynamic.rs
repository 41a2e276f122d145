//! The dynamic client (any resource, no generated types) against the test server: every verb
//! on a built-in kind and a custom resource created at run time, the status subresource,
//! cluster scope, watches and a shared informer.

use futures_util::StreamExt;
use kubeclient::cache::InformerFactory;
use kubeclient::client::{ApiResource, Patch, ResourceClient};
use kubeclient::dynamic::DynamicObject;
use kubeclient::meta::v1::{
    CreateOptions, DeleteOptions, GetOptions, ListOptions, PatchOptions, UpdateOptions, WatchEvent,
};
use kubeclient::rest::RestClient;
use kubeclient::Scope;
use kubeclient_testserver::TestServer;
use serde_json::json;
use std::time::Duration;

fn configmaps() -> ApiResource {
    let info = kubeclient::discovery::resources()
        .into_iter()
        .find(|r| r.group.is_empty() && r.plural == "configmaps")
        .expect("configmaps in the generated table");
    ApiResource::from_info(&info)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_verb_on_a_built_in_kind() {
    let server = TestServer::start().await.expect("server starts");
    let rest = RestClient::new(&server.config()).expect("client");
    let cms = ResourceClient::dynamic(&rest, configmaps(), "default");

    let mut obj = DynamicObject::new(&configmaps(), "dyn");
    obj.fields.insert("data".into(), json!({"a": "1"}));
    let created = cms.create(&obj, &CreateOptions::default()).await.unwrap();
    assert!(created.metadata.uid.is_some());
    assert_eq!(
        (created.api_version.as_str(), created.kind.as_str()),
        ("v1", "ConfigMap")
    );

    // The typed client sees the same object.
    let cs = kubeclient::Clientset::new(server.config()).expect("clientset");
    let typed = cs
        .core_v1()
        .config_maps("default")
        .get("dyn", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(
        typed
            .data
            .as_ref()
            .and_then(|d| d.get("a"))
            .map(String::as_str),
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
            resource_version: patched.metadata.resource_version.clone(),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_resources_status_and_informers_without_generated_types() {
    let server = TestServer::start().await.expect("server starts");
    let rest = RestClient::new(&server.config()).expect("client");
    let crds = ApiResource::new(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        Scope::Cluster,
    );
    let crd: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gizmos.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo"},
                 "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
                               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
    }))
    .expect("crd json");
    ResourceClient::dynamic(&rest, crds, "")
        .create(&crd, &CreateOptions::default())
        .await
        .unwrap();

    let gizmos = ApiResource::new("example.com", "v1", "Gizmo", "gizmos", Scope::Namespaced);
    let client = ResourceClient::dynamic(&rest, gizmos.clone(), "default");
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
        .get("default/g1")
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_of_the_live_server_resolves_names_like_kubectl() {
    use kubeclient::runtime::discovery::{find, server_resources};
    let server = TestServer::start().await.expect("server starts");
    let rest = RestClient::new(&server.config()).expect("client");
    server.clear_requests();
    let resources = server_resources(&rest).await.expect("discovery");
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        ["/api", "/apis"],
        "aggregated discovery: two requests"
    );
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
    assert!(find(&resources, "gizmos").is_err());

    // A CRD created now is found by the next discovery, and its objects through the dynamic client.
    let crds = find(&resources, "crd").expect("crd short name").api.clone();
    let crd: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gizmos.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo", "shortNames": ["gz"]},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
    }))
    .expect("crd json");
    ResourceClient::dynamic(&rest, crds, "")
        .create(&crd, &CreateOptions::default())
        .await
        .unwrap();
    let resources = server_resources(&rest).await.expect("discovery again");
    let gizmos = find(&resources, "gz").expect("CRD short name").api.clone();
    assert_eq!(gizmos.api_version(), "example.com/v1");
    let g = ResourceClient::dynamic(&rest, gizmos.clone(), "default")
        .create(&DynamicObject::new(&gizmos, "g"), &CreateOptions::default())
        .await
        .unwrap();
    assert_eq!(g.kind, "Gizmo");
}
