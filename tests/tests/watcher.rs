//! The re-listing watcher, the pager, `wait_for` and log lines against real servers: a watch
//! that ends resumes from the last version without listing again; a compacted history (410)
//! lists again; an expired continue token falls back to one full list.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use futures_util::StreamExt;
use kubeclient::api::core::v1::{ConfigMap, Pod};
use kubeclient::client::ResourceClient;
use kubeclient::helpers::log_lines::lines;
use kubeclient::helpers::wait::{wait_for, WaitError};
use kubeclient::meta::v1::{CreateOptions, DeleteOptions, ObjectMeta, UpdateOptions};
use kubeclient::pager::{Page, Pager};
use kubeclient::watcher::{watcher, WatcherConfig, WatcherEvent};
use kubeclient::Clientset;
use kubeclient_tests::on_both_servers;
use kubeclient_tests::servers::Server;
use std::time::Duration;

fn cm(name: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn name_of(e: &WatcherEvent<ConfigMap>) -> String {
    let n = |c: &ConfigMap| c.metadata.name.clone().unwrap_or_default();
    match e {
        WatcherEvent::Init => "init".into(),
        WatcherEvent::InitApply(c) => format!("list {}", n(c)),
        WatcherEvent::InitDone => "done".into(),
        WatcherEvent::Apply(c) => format!("apply {}", n(c)),
        WatcherEvent::Delete(c) => format!("delete {}", n(c)),
    }
}

async fn create(cms: &ResourceClient<ConfigMap>, name: &str) {
    cms.create(&cm(name), &CreateOptions::default())
        .await
        .expect("create");
}

async fn next(events: &mut (impl futures_util::Stream<Item = String> + Unpin)) -> String {
    tokio::time::timeout(Duration::from_secs(20), events.next())
        .await
        .expect("an event in time")
        .expect("the stream never ends")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_resumes_after_a_watch_ends_and_relists_after_compaction() {
    let s = Server::test_server().await;
    let test = s.test().unwrap();
    let ns = s.namespace("watcher").await;
    let cs = Clientset::new(s.config()).unwrap();
    let cms = cs.core_v1().config_maps(&ns);
    create(&cms, "a").await;
    // Each watch lasts a second, then the watcher must resume it.
    let config = WatcherConfig {
        watch_timeout: Duration::from_secs(1),
        ..Default::default()
    };
    let mut events = Box::pin(watcher(cms.clone(), config).map(|e| name_of(&e.expect("event"))));
    for want in ["init", "list a", "done"] {
        assert_eq!(next(&mut events).await, want);
    }
    create(&cms, "b").await;
    assert_eq!(next(&mut events).await, "apply b");
    // Outlive two watches: the watcher resumes, it does not list again.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    create(&cms, "c").await;
    assert_eq!(next(&mut events).await, "apply c");
    let lists = |t: &kubeclient_testserver::TestServer| {
        t.requests()
            .iter()
            .filter(|r| {
                r.method == "GET"
                    && r.path.ends_with("/configmaps")
                    && !r.query.contains("watch=true")
            })
            .count()
    };
    let log: Vec<String> = test
        .requests()
        .iter()
        .filter(|r| r.path.contains("/configmaps"))
        .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
        .collect();
    assert_eq!(lists(test), 1, "one list, watches resumed: {log:#?}");

    // History compacted while between watches: 410, then a fresh list.
    cms.delete("a", &DeleteOptions::default()).await.unwrap();
    assert_eq!(next(&mut events).await, "delete a");
    let other = s.namespace("elsewhere").await; // moves the resourceVersion past ours
    test.compact();
    for want in ["init", "list b", "list c", "done"] {
        assert_eq!(next(&mut events).await, want);
    }
    assert_eq!(lists(test), 2);
    let _ = other;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pager_lists_in_pages_and_falls_back_when_the_token_expires() {
    let s = Server::test_server().await;
    let test = s.test().unwrap();
    let ns = s.namespace("pager").await;
    let cs = Clientset::new(s.config()).unwrap();
    let cms = cs.core_v1().config_maps(&ns);
    for i in 0..7 {
        create(&cms, &format!("cm-{i}")).await;
    }
    let pager = Pager::new(cms.clone()).page_size(3);
    test.clear_requests();
    let all = pager.list(&Default::default()).await.unwrap();
    assert_eq!(all.items.len(), 7);
    assert_eq!(test.requests().len(), 3, "pages of 3, 3, 1");

    // The snapshot expires after the first page: one full list replaces what came before.
    let mut seen = Vec::new();
    pager
        .pages(&Default::default(), |page| match page {
            Page::Restart => seen.push("restart".to_string()),
            Page::Items(items) => {
                seen.push(items.len().to_string());
                if seen.len() == 1 {
                    // A write after the snapshot, then compaction: the token's version is gone.
                    tokio::task::block_in_place(|| {
                        tokio::runtime::Handle::current().block_on(create(&cms, "late"))
                    });
                    test.compact();
                }
            }
        })
        .await
        .unwrap();
    assert_eq!(seen, ["3", "restart", "8"]);
}

on_both_servers!(wait_for_sees_a_condition_then_a_deletion);

async fn wait_for_sees_a_condition_then_a_deletion(s: Server) {
    let ns = s.namespace("wait").await;
    let cs = Clientset::new(s.config()).unwrap();
    let cms = cs.core_v1().config_maps(&ns);
    let ready = |c: Option<&ConfigMap>| {
        c.and_then(|c| c.data.as_ref())
            .is_some_and(|d| d.get("state").map(|v| v.as_str()) == Some("ready"))
    };
    // Not there yet and never ready: a timeout.
    let err = wait_for(&cms, "x", Duration::from_millis(300), ready)
        .await
        .unwrap_err();
    assert!(matches!(err, WaitError::Timeout { .. }), "{err}");

    let writer = {
        let cms = cms.clone();
        tokio::spawn(async move {
            create(&cms, "x").await;
            tokio::time::sleep(Duration::from_millis(200)).await;
            let mut c = cms.get("x", &Default::default()).await.unwrap();
            c.data = Some([("state".into(), "ready".into())].into());
            cms.update(&c, &UpdateOptions::default()).await.unwrap();
        })
    };
    let got = wait_for(&cms, "x", Duration::from_secs(20), ready)
        .await
        .unwrap();
    assert!(ready(got.as_ref()));
    writer.await.unwrap();

    let deleter = {
        let cms = cms.clone();
        tokio::spawn(async move { cms.delete("x", &DeleteOptions::default()).await })
    };
    let gone = wait_for(&cms, "x", Duration::from_secs(20), |c| c.is_none())
        .await
        .unwrap();
    assert!(gone.is_none());
    deleter.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_stream_becomes_lines() {
    let s = Server::test_server().await;
    let test = s.test().unwrap();
    let ns = s.namespace("logs").await;
    let cs = Clientset::new(s.config()).unwrap();
    let pods = cs.core_v1().pods(&ns);
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}
    }))
    .unwrap();
    pods.create(&pod, &CreateOptions::default()).await.unwrap();
    let long = "x".repeat(100);
    test.set_pod_log(&ns, "p", vec!["first".into(), long.clone(), "last".into()]);
    let stream = pods.log_stream("p", &Default::default()).await.unwrap();
    let got: Vec<String> = lines(stream, 40).map(|l| l.unwrap()).collect().await;
    assert_eq!(
        got,
        ["first", &long[..40], &long[40..80], &long[80..], "last"]
    );
}
