//! Informers against both servers (the real kube-apiserver and kubeclient-testserver, over HTTPS
//! on loopback): initial list in pages, live events in order, listers and indexes, transforms,
//! handlers added late, resync, and — on the test server, which can cut watches and compact its
//! history on demand — recovery from a compacted history (410 -> relist, with tombstones for
//! objects deleted while the watch was down).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::api::core::v1::ConfigMap;
use kubeclient::cache::{drop_managed_fields, Deleted, Event, Informer, WorkQueue};
use kubeclient::meta::v1::{CreateOptions, DeleteOptions, ObjectMeta, UpdateOptions};
use kubeclient::Clientset;
use kubeclient_tests::on_both_servers;
use kubeclient_tests::servers::Server;
use kubeclient_testserver::faults::{Fault, FaultAction};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn cm(name: &str, color: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some([("color".into(), color.into())].into()),
            ..Default::default()
        },
        ..Default::default()
    }
}

type Log = Arc<Mutex<Vec<String>>>;

/// A handler that writes one line per event.
fn recorder(log: &Log) -> impl Fn(&Event<ConfigMap>) + Send + Sync + 'static {
    let log = log.clone();
    move |e: &Event<ConfigMap>| {
        let name = |c: &ConfigMap| c.metadata.name.clone().unwrap_or_default();
        let line = match e {
            Event::Added { obj, initial_list } => format!(
                "add {}{}",
                name(obj),
                if *initial_list { " (list)" } else { "" }
            ),
            Event::Updated { old, new } if Arc::ptr_eq(old, new) => format!("resync {}", name(new)),
            Event::Updated { new, .. } => format!("update {}", name(new)),
            Event::Deleted(Deleted::Object(o)) => format!("delete {}", name(o)),
            Event::Deleted(Deleted::FinalStateUnknown { key, .. }) => format!("tombstone {key}"),
        };
        log.lock().unwrap().push(line);
    }
}

/// Wait until `log` holds `line`.
async fn saw(log: &Log, line: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !log.lock().unwrap().iter().any(|l| l == line) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never saw {line:?}; saw {:?}",
            log.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

on_both_servers!(
    informer_lists_watches_indexes_and_relists_after_compaction,
    resync_and_a_work_queue_driven_controller,
    a_factory_shares_one_informer_per_kind_and_namespace,
);

async fn informer_lists_watches_indexes_and_relists_after_compaction(s: Server) {
    let cs = Clientset::new(s.config()).expect("clientset");
    let ns = s.namespace("informer").await;
    let cms = cs.core_v1().config_maps(&ns);
    for (name, color) in [("a", "red"), ("b", "blue"), ("c", "red")] {
        cms.create(&cm(name, color), &CreateOptions::default())
            .await
            .unwrap();
    }

    let informer = Informer::builder(cms.clone())
        .page_size(2) // three objects: the initial list takes two pages
        .watch_timeout(Duration::from_secs(1), Duration::from_secs(1))
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .indexer("color", |c: &ConfigMap| {
            c.metadata
                .labels
                .iter()
                .flat_map(|l| l.get("color").map(|c| c.to_string()))
                .collect()
        })
        .transform(drop_managed_fields)
        .build();
    let log: Log = Arc::default();
    informer.add_handler(recorder(&log));
    let _running = informer.start();
    tokio::time::timeout(Duration::from_secs(15), informer.wait_for_sync())
        .await
        .expect("synced in time");
    assert_eq!(
        *log.lock().unwrap(),
        ["add a (list)", "add b (list)", "add c (list)"]
    );
    let a = informer.store().get(&format!("{ns}/a")).expect("cached");
    assert!(a.metadata.managed_fields.is_none(), "the transform ran");
    let lister = informer.lister().namespace(&ns);
    assert_eq!(lister.list("color=red").unwrap().len(), 2);
    assert_eq!(
        informer.store().by_index("color", "blue").map(|v| v.len()),
        Some(1)
    );
    if let Some(server) = s.test() {
        let requests = server.requests();
        let pages = requests
            .iter()
            .filter(|r| r.path.ends_with("/configmaps") && r.query.contains("limit=2"))
            .count();
        assert_eq!(pages, 2, "paged initial list");
    }

    // Live changes arrive in order.
    cms.create(&cm("d", "green"), &CreateOptions::default())
        .await
        .unwrap();
    let mut b = cms.get("b", &Default::default()).await.unwrap();
    b.metadata.labels = Some([("color".into(), "red".into())].into());
    cms.update(&b, &UpdateOptions::default()).await.unwrap();
    cms.delete("a", &DeleteOptions::default()).await.unwrap();
    saw(&log, "delete a").await;
    assert_eq!(log.lock().unwrap()[3..], ["add d", "update b", "delete a"]);
    assert_eq!(lister.list("color=red").unwrap().len(), 2);

    // A handler added now first hears about every cached object.
    let late: Log = Arc::default();
    informer.add_handler(recorder(&late));
    let mut replay = late.lock().unwrap().clone();
    replay.sort();
    assert_eq!(replay, ["add b (list)", "add c (list)", "add d (list)"]);

    // Disconnect (watches fail with 503), delete c while nobody watches, compact the history:
    // the reconnect gets 410, the informer relists and reports c by tombstone. Only the test
    // server can cut watches and compact on demand.
    let Some(server) = s.test() else { return };
    server.inject(
        Fault::new(FaultAction::Status {
            code: 503,
            retry_after: None,
        })
        .watches_only()
        .times(usize::MAX),
    );
    tokio::time::sleep(Duration::from_millis(1500)).await; // the current 1 s watch has ended
    cms.delete("c", &DeleteOptions::default()).await.unwrap();
    cms.create(&cm("e", "red"), &CreateOptions::default())
        .await
        .unwrap();
    server.compact();
    server.clear_faults();
    saw(&log, &format!("tombstone {ns}/c")).await;
    saw(&log, "add e").await;
    let mut names: Vec<String> = informer
        .store()
        .list()
        .iter()
        .filter_map(|c| c.metadata.name.as_deref().map(str::to_owned))
        .collect();
    names.sort();
    assert_eq!(names, ["b", "d", "e"]);
    assert!(
        !log.lock().unwrap().iter().any(|l| l == "delete c"),
        "c was deleted while the watch was down"
    );
}

async fn resync_and_a_work_queue_driven_controller(s: Server) {
    let cs = Clientset::new(s.config()).expect("clientset");
    let ns = s.namespace("resync").await;
    let cms = cs.core_v1().config_maps(&ns);
    cms.create(&cm("x", "red"), &CreateOptions::default())
        .await
        .unwrap();

    let informer = Informer::builder(cms.clone())
        .resync(Duration::from_millis(200))
        .build();
    let log: Log = Arc::default();
    informer.add_handler(recorder(&log));
    let queue: WorkQueue<String> = WorkQueue::new();
    let q = queue.clone();
    informer.add_handler(move |e: &Event<ConfigMap>| {
        let obj = match e {
            Event::Added { obj, .. } | Event::Updated { new: obj, .. } => obj.clone(),
            Event::Deleted(d) => d.object().clone(),
        };
        q.add(kubeclient::cache::key_of(obj.as_ref()));
    });
    let _running = informer.start();
    saw(&log, "resync x").await;

    // A worker: the queue hands each key out once even though resyncs keep adding it.
    let key = tokio::time::timeout(Duration::from_secs(5), queue.get())
        .await
        .expect("work")
        .expect("open");
    assert_eq!(key, format!("{ns}/x"));
    let current = informer.lister().namespace(&ns).get("x").expect("cached");
    assert_eq!(current.metadata.name.as_deref(), Some("x"));
    queue.done(&key);
    queue.shut_down();
    while let Some(k) = queue.get().await {
        queue.done(&k);
    }
    assert!(queue.is_shutting_down());
}

async fn a_factory_shares_one_informer_per_kind_and_namespace(s: Server) {
    use kubeclient::cache::InformerFactory;
    let cs = Clientset::new(s.config()).expect("clientset");
    let ns = s.namespace("factory").await;
    let empty = s.namespace("factory-empty").await;
    cs.core_v1()
        .config_maps(&ns)
        .create(&cm("shared", "red"), &CreateOptions::default())
        .await
        .unwrap();

    let factory = InformerFactory::new();
    // Two controllers ask for the same informer; a third wants another namespace.
    let first = factory.informer(cs.core_v1().config_maps(&ns));
    let second = factory.informer(cs.core_v1().config_maps(&ns));
    let other = factory.informer(cs.core_v1().config_maps(&empty));
    let seen: Log = Arc::default();
    second.add_handler(recorder(&seen));
    if let Some(server) = s.test() {
        server.clear_requests();
    }
    factory.start();
    tokio::time::timeout(Duration::from_secs(15), factory.wait_for_sync())
        .await
        .expect("synced in time");
    assert!(first.has_synced() && other.has_synced());
    assert!(
        first.store().get(&format!("{ns}/shared")).is_some(),
        "one cache behind both handles"
    );
    assert!(other.store().is_empty());
    saw(&seen, "add shared (list)").await;
    if let Some(server) = s.test() {
        let path = format!("/namespaces/{ns}/configmaps");
        let lists = server
            .requests()
            .iter()
            .filter(|r| r.path.ends_with(&path) && !r.query.contains("watch"))
            .count();
        assert_eq!(lists, 1, "one list for both controllers");
    }

    // Informers asked for after start run at once; the client-side shortcut builds the same thing.
    let late = factory.informer(cs.core_v1().secrets(&ns));
    tokio::time::timeout(Duration::from_secs(15), late.wait_for_sync())
        .await
        .expect("late informer runs");
    let direct = cs
        .core_v1()
        .config_maps(&ns)
        .informer()
        .page_size(10)
        .build();
    let _running = direct.start();
    tokio::time::timeout(Duration::from_secs(15), direct.wait_for_sync())
        .await
        .expect("direct informer runs");
    factory.shutdown();
}
