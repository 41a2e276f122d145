//! `/metrics`: request counters and stored-object counts in the Prometheus text format, for
//! superusers only (as kube-apiserver's default RBAC has it).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod common;

use common::{admin_client, anonymous_client, call};
use kubeclient_testserver::auth::{Authorizer, UserInfo};
use kubeclient_testserver::TestServer;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn request_counts_and_stored_objects() {
    let s = TestServer::builder()
        .authorizer(Authorizer::Rules(Vec::new()))
        .token("viewer-token", UserInfo::new("viewer", &[]))
        .start()
        .await
        .unwrap();
    let c = admin_client(&s);
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m"}});
    let path = "/api/v1/namespaces/default/configmaps";
    assert_eq!(
        call(&c, &s, Method::POST, path, Some(cm.clone())).await.0,
        201
    );
    assert_eq!(call(&c, &s, Method::POST, path, Some(cm)).await.0, 409);
    assert_eq!(call(&c, &s, Method::GET, path, None).await.0, 200);

    let r = c
        .get(format!("{}/metrics", s.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = r.text().await.unwrap();
    for want in [
        "# TYPE apiserver_request_total counter",
        r#"apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="configmaps",scope="namespace",subresource="",verb="POST",version="v1"} 1"#,
        r#"apiserver_request_total{code="409",component="apiserver",dry_run="",group="",resource="configmaps",scope="namespace",subresource="",verb="POST",version="v1"} 1"#,
        r#"apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="configmaps",scope="namespace",subresource="",verb="LIST",version="v1"} 1"#,
        r#"apiserver_storage_objects{resource="configmaps"} 1"#,
        r#"apiserver_storage_objects{resource="namespaces"} 4"#,
    ] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }

    let viewer = anonymous_client(&s)
        .get(format!("{}/metrics", s.base_url()))
        .bearer_auth("viewer-token")
        .send()
        .await
        .unwrap();
    assert_eq!(viewer.status(), 403);
    let body: serde_json::Value = viewer.json().await.unwrap();
    assert_eq!(
        body["message"],
        r#"forbidden: User "viewer" cannot get path "/metrics""#
    );
}
