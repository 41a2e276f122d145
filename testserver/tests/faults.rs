//! Injected faults and request recording, observed by a real HTTPS client.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod common;

use common::{admin_client, call, read_events};
use kubeclient_testserver::faults::{Fault, FaultAction};
use kubeclient_testserver::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::{Duration, Instant};

const CMS: &str = "/api/v1/namespaces/default/configmaps";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_faults_delay_truncation_and_drops() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let url = format!("{}{CMS}", s.base_url());

    s.inject(
        Fault::new(FaultAction::Status {
            code: 429,
            retry_after: Some(2),
        })
        .method("GET")
        .path_contains("/configmaps")
        .times(2),
    );
    for _ in 0..2 {
        let r = c.get(&url).send().await.expect("answered");
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
            Some("2")
        );
        let body: serde_json::Value = r.json().await.expect("Status body");
        assert_eq!(body["reason"], json!("TooManyRequests"));
    }
    assert_eq!(
        c.get(&url).send().await.expect("answered").status(),
        StatusCode::OK
    );
    // Other paths were never affected.
    s.inject(
        Fault::new(FaultAction::Status {
            code: 503,
            retry_after: None,
        })
        .path_contains("/secrets"),
    );
    assert_eq!(
        c.get(&url).send().await.expect("answered").status(),
        StatusCode::OK
    );
    assert_eq!(
        call(
            &c,
            &s,
            Method::GET,
            "/api/v1/namespaces/default/secrets",
            None
        )
        .await
        .0,
        StatusCode::SERVICE_UNAVAILABLE
    );

    s.inject(Fault::new(FaultAction::Delay(Duration::from_millis(300))));
    let t0 = Instant::now();
    assert_eq!(
        c.get(&url).send().await.expect("answered").status(),
        StatusCode::OK
    );
    assert!(t0.elapsed() >= Duration::from_millis(300));

    s.inject(Fault::new(FaultAction::TruncateBody));
    let r = c.get(&url).send().await.expect("headers arrive");
    assert!(r.bytes().await.is_err(), "truncated body is an error");

    s.inject(Fault::new(FaultAction::DropConnection));
    assert!(
        c.get(&url).send().await.is_err(),
        "dropped connection is an error"
    );
    assert_eq!(
        c.get(&url).send().await.expect("answered").status(),
        StatusCode::OK
    );

    let recorded = s.requests();
    assert!(
        recorded
            .iter()
            .filter(|r| r.path == CMS && r.method == "GET")
            .count()
            >= 8
    );
    s.clear_requests();
    assert!(s.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_cut_after_events() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    for n in ["a", "b", "c"] {
        call(
            &c,
            &s,
            Method::POST,
            CMS,
            Some(json!({"metadata": {"name": n}})),
        )
        .await;
    }
    s.inject(Fault::new(FaultAction::CutWatchAfter(2)).watches_only());
    let resp = c
        .get(format!("{}{CMS}?watch=true", s.base_url()))
        .send()
        .await
        .expect("watch");
    let t0 = Instant::now();
    let events = read_events(resp, 10).await;
    assert_eq!(events.len(), 2);
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "stream ended rather than timing out"
    );
    let resp = c
        .get(format!("{}{CMS}?watch=true&timeoutSeconds=1", s.base_url()))
        .send()
        .await
        .expect("watch");
    assert_eq!(
        read_events(resp, 10).await.len(),
        3,
        "the fault was used up"
    );
}
