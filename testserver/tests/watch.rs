//! Watch over real HTTPS: replay from a resourceVersion, event types, selectors, bookmarks,
//! timeouts, initial events, 410 Gone, and many concurrent watchers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod common;

use common::{admin_client, call, read_events, rv};
use kubeclient_testserver::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

const CMS: &str = "/api/v1/namespaces/default/configmaps";

fn cm(name: &str, app: &str) -> Value {
    json!({"metadata": {"name": name, "labels": {"app": app}}, "data": {"k": "v"}})
}

fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_from_resource_version_replays_and_streams() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let start = s.resource_version();
    let (_, a) = call(&c, &s, Method::POST, CMS, Some(cm("a", "web"))).await;
    let mut upd = a.clone();
    upd["data"]["k"] = json!("w");
    call(&c, &s, Method::PUT, &format!("{CMS}/a"), Some(upd)).await;

    let resp = c
        .get(format!(
            "{}{CMS}?watch=true&resourceVersion={start}",
            s.base_url()
        ))
        .send()
        .await
        .expect("watch");
    assert_eq!(resp.status(), StatusCode::OK);
    let s2 = std::sync::Arc::new(s);
    let (c2, srv) = (c.clone(), s2.clone());
    let writer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        call(&c2, &srv, Method::DELETE, &format!("{CMS}/a"), None).await;
    });
    let events = read_events(resp, 3).await;
    writer.await.expect("writer");
    assert_eq!(types(&events), ["ADDED", "MODIFIED", "DELETED"]);
    let rvs: Vec<u64> = events.iter().map(|e| rv(&e["object"])).collect();
    assert!(rvs.windows(2).all(|w| w[0] < w[1]), "{rvs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn label_filtered_watch_sees_objects_enter_and_leave() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let from = s.resource_version();
    call(&c, &s, Method::POST, CMS, Some(cm("a", "db"))).await;
    let (_, a) = call(&c, &s, Method::GET, &format!("{CMS}/a"), None).await;
    let mut to_web = a.clone();
    to_web["metadata"]["labels"]["app"] = json!("web");
    let (_, a2) = call(&c, &s, Method::PUT, &format!("{CMS}/a"), Some(to_web)).await;
    let mut to_db = a2.clone();
    to_db["metadata"]["labels"]["app"] = json!("db");
    call(&c, &s, Method::PUT, &format!("{CMS}/a"), Some(to_db)).await;
    let resp = c
        .get(format!(
            "{}{CMS}?watch=1&labelSelector=app%3Dweb&resourceVersion={from}&timeoutSeconds=1",
            s.base_url()
        ))
        .send()
        .await
        .expect("watch");
    let events = read_events(resp, 10).await;
    assert_eq!(
        types(&events),
        ["ADDED", "DELETED"],
        "timeoutSeconds ends the stream"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initial_events_bookmarks_and_gone() {
    let s = TestServer::builder()
        .bookmark_interval(Duration::from_millis(200))
        .start()
        .await
        .expect("server starts");
    let c = admin_client(&s);
    call(&c, &s, Method::POST, CMS, Some(cm("a", "web"))).await;
    call(&c, &s, Method::POST, CMS, Some(cm("b", "web"))).await;

    // No resourceVersion: current objects as ADDED, then bookmarks.
    let resp = c
        .get(format!(
            "{}{CMS}?watch=true&allowWatchBookmarks=true",
            s.base_url()
        ))
        .send()
        .await
        .expect("watch");
    let events = read_events(resp, 3).await;
    assert_eq!(types(&events), ["ADDED", "ADDED", "BOOKMARK"]);
    assert_eq!(events[2]["object"]["kind"], json!("ConfigMap"));
    assert_eq!(rv(&events[2]["object"]), s.resource_version());

    // sendInitialEvents: the end of the initial list is marked by an annotated bookmark.
    let resp = c
        .get(format!(
            "{}{CMS}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true",
            s.base_url()
        ))
        .send()
        .await
        .expect("watch");
    let events = read_events(resp, 3).await;
    assert_eq!(types(&events), ["ADDED", "ADDED", "BOOKMARK"]);
    assert_eq!(
        events[2]["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        json!("true")
    );

    // History compacted: 410 Gone as an ERROR event.
    let old = s.resource_version() - 1;
    s.compact();
    let resp = c
        .get(format!(
            "{}{CMS}?watch=true&resourceVersion={old}",
            s.base_url()
        ))
        .send()
        .await
        .expect("watch");
    let events = read_events(resp, 2).await;
    assert_eq!(types(&events), ["ERROR"]);
    assert_eq!(
        (
            events[0]["object"]["code"].clone(),
            events[0]["object"]["reason"].clone()
        ),
        (json!(410), json!("Expired"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_history_window_expires_old_versions() {
    let s = TestServer::builder()
        .history_window(3)
        .start()
        .await
        .expect("server starts");
    let c = admin_client(&s);
    let from = s.resource_version();
    for i in 0..5 {
        call(&c, &s, Method::POST, CMS, Some(cm(&format!("c{i}"), "x"))).await;
    }
    let resp = c
        .get(format!(
            "{}{CMS}?watch=true&resourceVersion={from}",
            s.base_url()
        ))
        .send()
        .await
        .expect("watch");
    assert_eq!(types(&read_events(resp, 1).await), ["ERROR"]);
    let recent = s.resource_version() - 1;
    let resp = c
        .get(format!(
            "{}{CMS}?watch=true&resourceVersion={recent}&timeoutSeconds=1",
            s.base_url()
        ))
        .send()
        .await
        .expect("watch");
    assert_eq!(types(&read_events(resp, 5).await), ["ADDED"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_watchers_all_see_every_event_in_order() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let from = s.resource_version();
    let mut watchers = Vec::new();
    for _ in 0..8 {
        let resp = c
            .get(format!(
                "{}{CMS}?watch=true&resourceVersion={from}",
                s.base_url()
            ))
            .send()
            .await
            .expect("watch");
        watchers.push(tokio::spawn(read_events(resp, 40)));
    }
    let mut writers = Vec::new();
    for w in 0..4 {
        let (c, url) = (c.clone(), format!("{}{CMS}", s.base_url()));
        writers.push(tokio::spawn(async move {
            for i in 0..10 {
                let r = c
                    .post(&url)
                    .json(&cm(&format!("w{w}-{i}"), "x"))
                    .send()
                    .await
                    .expect("answered");
                assert_eq!(r.status(), StatusCode::CREATED);
            }
        }));
    }
    for w in writers {
        w.await.expect("writer");
    }
    let mut seen: Option<Vec<u64>> = None;
    for w in watchers {
        let events = w.await.expect("watcher");
        let rvs: Vec<u64> = events.iter().map(|e| rv(&e["object"])).collect();
        assert_eq!(rvs.len(), 40);
        assert!(rvs.windows(2).all(|p| p[0] < p[1]));
        match &seen {
            Some(prev) => assert_eq!(prev, &rvs, "every watcher sees the same sequence"),
            None => seen = Some(rvs),
        }
    }
}
