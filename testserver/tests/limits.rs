//! The test server bounds what a client can make it hold: request bodies (413 beyond
//! kube-apiserver's 3 MiB) and the request recorder (the latest requests only).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod common;

use common::{admin_client, call};
use kubeclient_testserver::record::{RecordedRequest, Recorder, RECORDER_CAPACITY};
use kubeclient_testserver::{TestServer, MAX_REQUEST_BODY_BYTES};
use reqwest::{Method, StatusCode};
use serde_json::json;

const CONFIGMAPS: &str = "/api/v1/namespaces/default/configmaps";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_body_over_the_apiserver_limit_is_413() {
    assert_eq!(MAX_REQUEST_BODY_BYTES, 3 * 1024 * 1024);
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let big = "x".repeat(MAX_REQUEST_BODY_BYTES);
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"},
                    "data": {"k": big}});
    let (code, st) = call(&c, &s, Method::POST, CONFIGMAPS, Some(cm)).await;
    assert_eq!(code, StatusCode::PAYLOAD_TOO_LARGE, "{st}");
    assert_eq!(st["reason"], json!("RequestEntityTooLarge"));
    assert_eq!(
        st["message"],
        json!(format!(
            "Request entity too large: limit is {MAX_REQUEST_BODY_BYTES}"
        ))
    );
    // Just under the limit is fine (the object itself stays below etcd's 1.5 MB).
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ok"},
                    "data": {"k": "x".repeat(1024 * 1024)}});
    let (code, st) = call(&c, &s, Method::POST, CONFIGMAPS, Some(cm)).await;
    assert_eq!(code, StatusCode::CREATED, "{st}");
}

#[test]
fn request_recorder_keeps_only_the_latest_requests() {
    let recorder = Recorder::default();
    let extra = 25;
    for i in 0..RECORDER_CAPACITY + extra {
        recorder.record(RecordedRequest {
            method: "GET".into(),
            path: format!("/n{i}"),
            query: String::new(),
            headers: Vec::new(),
            user: None,
        });
    }
    let recorded = recorder.snapshot();
    assert_eq!(recorded.len(), RECORDER_CAPACITY);
    assert_eq!(recorded[0].path, format!("/n{extra}"));
    assert_eq!(
        recorded[RECORDER_CAPACITY - 1].path,
        format!("/n{}", RECORDER_CAPACITY + extra - 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_records_through_the_bounded_recorder() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let _ = call(&c, &s, Method::GET, &format!("{CONFIGMAPS}/x"), None).await;
    assert_eq!(s.requests().len(), 1);
}
