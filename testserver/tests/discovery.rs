//! Discovery and OpenAPI over the real socket: the aggregated (apidiscovery.k8s.io v2/v2beta1)
//! and legacy forms of `/api` and `/apis`, and `/openapi/v2` / `/openapi/v3` with and without
//! the upstream specs directory. Tests that need the specs skip with a message without them
//! (and fail under `CI=true`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod common;

use common::{admin_client, call};
use kubeclient_testserver::{locate_openapi_specs, TestServer, BUILTIN_RESOURCES};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

/// What kubectl 1.32 sends for `/api` and `/apis`.
const KUBECTL_ACCEPT: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
const V2_CONTENT_TYPE: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// GET `path` with `accept`: (status, headers, body bytes).
async fn get(
    c: &Client,
    s: &TestServer,
    path: &str,
    accept: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, bytes::Bytes) {
    let mut req = c.get(format!("{}{path}", s.base_url()));
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    let resp = req.send().await.expect("request is answered");
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, resp.bytes().await.expect("body"))
}

fn header<'a>(h: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
        )
    })
}

fn find<'a>(list: &'a Value, key: &str, name: &str) -> &'a Value {
    list.as_array()
        .and_then(|a| a.iter().find(|v| v[key] == name))
        .unwrap_or_else(|| panic!("no {key}={name} in {list}"))
}

const WIDGETS_CRD: &str = r#"{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "scope": "Cluster",
             "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
             "versions": [{"name": "v1", "served": true, "storage": true,
                           "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
                           "subresources": {"status": {}}}]}}"#;

async fn create_widgets_crd(c: &Client, s: &TestServer) {
    let crd: Value = serde_json::from_str(WIDGETS_CRD).expect("CRD JSON");
    let (code, body) = call(
        c,
        s,
        Method::POST,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        Some(crd),
    )
    .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn aggregated_discovery_of_named_groups() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let (code, h, body) = get(&c, &s, "/apis", Some(KUBECTL_ACCEPT)).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(header(&h, "content-type"), V2_CONTENT_TYPE);
    assert_eq!(header(&h, "vary"), "Accept");
    let list = json_of(&body);
    assert_eq!(list["kind"], json!("APIGroupDiscoveryList"));
    assert_eq!(list["apiVersion"], json!("apidiscovery.k8s.io/v2"));
    assert!(
        list["items"]
            .as_array()
            .is_some_and(|i| i.iter().all(|g| g["metadata"]["name"] != "")),
        "/apis has no core group"
    );
    let apps = list["items"]
        .as_array()
        .and_then(|i| i.iter().find(|g| g["metadata"]["name"] == "apps"))
        .expect("apps group");
    assert_eq!(apps["versions"][0]["version"], json!("v1"));
    assert_eq!(apps["versions"][0]["freshness"], json!("Current"));
    let deploy = find(&apps["versions"][0]["resources"], "resource", "deployments");
    assert_eq!(
        deploy["responseKind"],
        json!({"group": "apps", "version": "v1", "kind": "Deployment"})
    );
    assert_eq!(deploy["scope"], json!("Namespaced"));
    assert_eq!(deploy["singularResource"], json!("deployment"));
    assert_eq!(deploy["shortNames"], json!(["deploy"]));
    assert_eq!(deploy["categories"], json!(["all"]));
    assert!(deploy["verbs"]
        .as_array()
        .is_some_and(|v| v.contains(&json!("watch"))));
    let scale = find(&deploy["subresources"], "subresource", "scale");
    assert_eq!(
        scale["responseKind"],
        json!({"group": "autoscaling", "version": "v1", "kind": "Scale"})
    );
    let status = find(&deploy["subresources"], "subresource", "status");
    assert_eq!(status["responseKind"]["kind"], json!("Deployment"));

    // A CRD created now is in the next document.
    create_widgets_crd(&c, &s).await;
    let (_, _, body) = get(&c, &s, "/apis", Some(KUBECTL_ACCEPT)).await;
    let list = json_of(&body);
    let group = list["items"]
        .as_array()
        .and_then(|i| i.iter().find(|g| g["metadata"]["name"] == "example.com"))
        .expect("CRD group listed");
    let widgets = find(&group["versions"][0]["resources"], "resource", "widgets");
    assert_eq!(widgets["scope"], json!("Cluster"));
    assert_eq!(
        widgets["responseKind"],
        json!({"group": "example.com", "version": "v1", "kind": "Widget"})
    );
    assert_eq!(widgets["shortNames"], json!(["wd"]));
    assert_eq!(widgets["subresources"][0]["subresource"], json!("status"));
}

#[tokio::test]
async fn core_group_and_negotiation() {
    let s = TestServer::builder()
        .resources(BUILTIN_RESOURCES)
        .start()
        .await
        .expect("server starts");
    let c = admin_client(&s);

    // Only v2beta1 asked for (a pre-1.30 client): that version, in its own content type.
    let beta = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";
    let (_, h, body) = get(&c, &s, "/api", Some(beta)).await;
    assert_eq!(header(&h, "content-type"), beta);
    let list = json_of(&body);
    assert_eq!(list["apiVersion"], json!("apidiscovery.k8s.io/v2beta1"));
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "/api lists the core group only: {list}");
    assert_eq!(
        items[0]["metadata"].get("name"),
        None,
        "core group is unnamed"
    );
    let pods = find(&items[0]["versions"][0]["resources"], "resource", "pods");
    assert_eq!(
        pods["responseKind"],
        json!({"group": "", "version": "v1", "kind": "Pod"})
    );
    let eviction = find(&pods["subresources"], "subresource", "eviction");
    assert_eq!(eviction["responseKind"]["group"], json!("policy"));
    assert_eq!(eviction["verbs"], json!(["create"]));
    let ns = find(
        &items[0]["versions"][0]["resources"],
        "resource",
        "namespaces",
    );
    assert_eq!(ns["scope"], json!("Cluster"));

    // Order decides: JSON listed first wins over the aggregated form listed later.
    let (_, h, body) = get(
        &c,
        &s,
        "/apis",
        Some("application/json, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"),
    )
    .await;
    assert_eq!(header(&h, "content-type"), "application/json");
    assert_eq!(json_of(&body)["kind"], json!("APIGroupList"));
    // No Accept at all, and an unknown aggregated version: legacy.
    let (_, _, body) = get(&c, &s, "/api", None).await;
    assert_eq!(json_of(&body)["kind"], json!("APIVersions"));
    let (_, _, body) = get(
        &c,
        &s,
        "/apis",
        Some("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList"),
    )
    .await;
    assert_eq!(json_of(&body)["kind"], json!("APIGroupList"));
    // q-values rank entries before header order does.
    let (_, h, _) = get(
        &c,
        &s,
        "/apis",
        Some("application/json;q=0.5, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"),
    )
    .await;
    assert_eq!(header(&h, "content-type"), V2_CONTENT_TYPE);
}

#[tokio::test]
async fn connect_subresources_show_their_http_verbs() {
    // kube-apiserver lists connect subresources with the verbs their handlers take and their
    // options kind, not the spec's `connect`.
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let (_, list) = call(&c, &s, Method::GET, "/api/v1", None).await;
    let exec = find(&list["resources"], "name", "pods/exec");
    assert_eq!(exec["verbs"], json!(["create", "get"]));
    assert_eq!(exec["kind"], json!("PodExecOptions"));
    let proxy = find(&list["resources"], "name", "services/proxy");
    assert_eq!(
        proxy["verbs"],
        json!(["create", "delete", "get", "patch", "update"])
    );
    assert_eq!(proxy["kind"], json!("ServiceProxyOptions"));
}

#[tokio::test]
async fn version_is_the_generated_one() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let (_, v) = call(&c, &s, Method::GET, "/version", None).await;
    let expected = kubeclient::KUBERNETES_VERSION.trim_start_matches('v');
    assert_eq!(
        format!(
            "{}.{}",
            v["major"].as_str().unwrap_or(""),
            v["minor"].as_str().unwrap_or("")
        ),
        expected
    );
    assert!(v["gitVersion"]
        .as_str()
        .is_some_and(|g| g.starts_with(&format!("v{expected}.0"))));
}

#[tokio::test]
async fn openapi_without_specs_keeps_minimal_documents() {
    let s = TestServer::builder()
        .resources(BUILTIN_RESOURCES)
        .start()
        .await
        .expect("server starts");
    let c = admin_client(&s);
    let (code, _, _) = get(&c, &s, "/openapi/v2", None).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    let (_, _, body) = get(&c, &s, "/openapi/v3", None).await;
    let index = json_of(&body);
    let url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
        .as_str()
        .expect("apps/v1 listed")
        .to_string();
    let (code, h, body) = get(&c, &s, &url, Some("application/json")).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(header(&h, "cache-control"), "public, immutable");
    let doc = json_of(&body);
    assert_eq!(
        doc["info"]["version"],
        json!(format!(
            "{}.0-kubeclient-testserver",
            kubeclient::KUBERNETES_VERSION
        ))
    );
    assert!(doc["paths"]
        .as_object()
        .is_some_and(|p| p.keys().any(|k| k.contains("/deployments/"))));
}

#[tokio::test]
async fn openapi_serves_the_upstream_specs() {
    let Some(dir) = kubeclient_test_support::require(
        locate_openapi_specs(),
        format_args!(
            "the OpenAPI specs of Kubernetes {}",
            kubeclient::KUBERNETES_VERSION
        ),
    ) else {
        return;
    };
    // A smaller table than the spec: only what the registry serves is listed.
    let s = TestServer::builder()
        .resources(BUILTIN_RESOURCES)
        .openapi_specs(&dir)
        .start()
        .await
        .expect("server starts");
    let c = admin_client(&s);

    let (code, h, body) = get(&c, &s, "/openapi/v2", Some("application/json")).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(header(&h, "content-type"), "application/json");
    let swagger = json_of(&body);
    assert_eq!(swagger["info"]["title"], json!("Kubernetes"));
    assert!(swagger["definitions"]["io.k8s.api.core.v1.Pod"].is_object());
    // client-go's OpenAPISchema accepts only protobuf, which is not served.
    let (code, _, _) = get(
        &c,
        &s,
        "/openapi/v2",
        Some("application/com.github.proto-openapi.spec.v2@v1.0+protobuf"),
    )
    .await;
    assert_eq!(code, StatusCode::NOT_ACCEPTABLE);

    create_widgets_crd(&c, &s).await;
    let (_, _, body) = get(&c, &s, "/openapi/v3", None).await;
    let index = json_of(&body);
    let paths = index["paths"].as_object().expect("paths");
    assert!(paths.contains_key("api/v1") && paths.contains_key("apis/apps/v1"));
    assert!(
        !paths.contains_key("apis/batch/v1"),
        "batch is in the spec but not served: {:?}",
        paths.keys()
    );
    let url = paths["apis/apps/v1"]["serverRelativeURL"]
        .as_str()
        .expect("url")
        .to_string();
    let hash = url.split("hash=").nth(1).expect("hash in URL");
    assert_eq!(hash.len(), 128, "SHA-512 hex: {url}");
    let (code, h, body) = get(&c, &s, &url, None).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(header(&h, "cache-control"), "public, immutable");
    assert_eq!(header(&h, "etag"), format!("\"{hash}\""));
    let doc = json_of(&body);
    assert!(doc["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"].is_object());

    // A stale hash redirects to the current document (reqwest follows it).
    let (code, _, body) = get(&c, &s, "/openapi/v3/apis/apps/v1?hash=0", None).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(json_of(&body), doc);

    // The CRD created at run time has no file: its minimal document is served.
    let url = paths["apis/example.com/v1"]["serverRelativeURL"]
        .as_str()
        .expect("CRD group/version listed");
    let (code, _, body) = get(&c, &s, url, None).await;
    assert_eq!(code, StatusCode::OK);
    assert!(json_of(&body)["paths"]
        .as_object()
        .is_some_and(|p| p.keys().any(|k| k.contains("/widgets/"))));
    let (code, _, _) = get(&c, &s, "/openapi/v3/apis/batch/v1", None).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}
