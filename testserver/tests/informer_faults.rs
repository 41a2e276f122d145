//! Informers under races and faults, against the test server: handlers added while events flow,
//! `start()` twice, typed and dynamic informers of one resource in one factory, watches that end
//! at once, and the backoff starting over after a quiet period.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::api::core::v1::ConfigMap;
use kubeclient::Clientset;
use kubeclient_runtime::cache::{Deleted, Event, Informer, InformerFactory};
use kubeclient_runtime::client::{ApiResource, ResourceClient};
use kubeclient_runtime::dynamic::DynamicObject;
use kubeclient_runtime::meta::v1::{CreateOptions, DeleteOptions, ObjectMeta};
use kubeclient_runtime::rest::RestClient;
use kubeclient_runtime::Scope;
use kubeclient_testserver::faults::{Fault, FaultAction};
use kubeclient_testserver::TestServer;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn configmaps(server: &TestServer) -> ResourceClient<DynamicObject> {
    let mut config = server.config();
    config.qps = -1.0;
    let rest = RestClient::new(&config).expect("client");
    let api = ApiResource::new("", "v1", "ConfigMap", "configmaps", Scope::Namespaced);
    ResourceClient::dynamic(&rest, api, "default")
}

fn cm(name: &str) -> DynamicObject {
    let api = ApiResource::new("", "v1", "ConfigMap", "configmaps", Scope::Namespaced);
    DynamicObject::new(&api, name)
}

/// Per object, the events one handler saw must form a valid life: Added, then Updated*, then
/// Deleted, then possibly Added again.
#[derive(Default)]
struct Lives {
    present: BTreeSet<String>,
    violations: Vec<String>,
}

impl Lives {
    fn see(&mut self, e: &Event<DynamicObject>) {
        let name = |o: &DynamicObject| o.metadata.name.as_deref().unwrap_or_default().to_owned();
        match e {
            Event::Added { obj, .. } => {
                if !self.present.insert(name(obj)) {
                    self.violations
                        .push(format!("duplicate Added {}", name(obj)));
                }
            }
            Event::Updated { new, .. } => {
                if !self.present.contains(&name(new)) {
                    self.violations
                        .push(format!("Updated before Added {}", name(new)));
                }
            }
            Event::Deleted(d) => {
                let n = match d {
                    Deleted::Object(o) => name(o),
                    Deleted::FinalStateUnknown { last, .. } => name(last),
                };
                if !self.present.remove(&n) {
                    self.violations.push(format!("Deleted of unseen {n}"));
                }
            }
        }
    }
}

async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handlers_added_while_events_flow_see_each_object_once() {
    let server = TestServer::start().await.expect("server starts");
    let client = configmaps(&server);
    let informer = Informer::builder(client.clone()).build();
    let _running = informer.start();
    informer.wait_for_sync().await;

    let writer = {
        let client = client.clone();
        tokio::spawn(async move {
            for i in 0..150 {
                let name = format!("c{}", i % 40);
                if client
                    .create(&cm(&name), &CreateOptions::default())
                    .await
                    .is_err()
                {
                    let _ = client.delete(&name, &DeleteOptions::default()).await;
                }
            }
        })
    };
    let mut handlers = Vec::new();
    while !writer.is_finished() {
        let lives = Arc::new(Mutex::new(Lives::default()));
        let l = lives.clone();
        informer.add_handler(move |e: &Event<DynamicObject>| {
            l.lock().unwrap_or_else(|e| e.into_inner()).see(e)
        });
        handlers.push(lives);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    writer.await.expect("writer");
    let want: BTreeSet<String> = client
        .list(&Default::default())
        .await
        .expect("list")
        .items
        .into_iter()
        .filter_map(|o| o.metadata.name.map(String::from))
        .collect();
    eventually("the informer to catch up", || {
        informer
            .store()
            .list()
            .iter()
            .filter_map(|o| o.metadata.name.as_deref().map(str::to_owned))
            .collect::<BTreeSet<_>>()
            == want
    })
    .await;
    assert!(handlers.len() > 3, "only {} handlers added", handlers.len());
    for (i, lives) in handlers.iter().enumerate() {
        let lives = lives.lock().unwrap_or_else(|e| e.into_inner());
        assert!(
            lives.violations.is_empty(),
            "handler {i}: {:?}",
            lives.violations
        );
        assert_eq!(
            lives.present, want,
            "handler {i} ends unequal to the server"
        );
    }
}

fn lists_and_watches(server: &TestServer) -> (usize, usize) {
    let reqs = server.requests();
    let on_cms = reqs
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/configmaps"));
    let (mut lists, mut watches) = (0, 0);
    for r in on_cms {
        if r.query.contains("watch=true") || r.query.contains("watch=1") {
            watches += 1;
        } else {
            lists += 1;
        }
    }
    (lists, watches)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starting_twice_runs_one_loop_until_every_handle_is_dropped() {
    let server = TestServer::start().await.expect("server starts");
    let client = configmaps(&server);
    let informer = Informer::builder(client.clone()).build();
    let first = informer.start();
    let second = informer.start();
    informer.wait_for_sync().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(lists_and_watches(&server), (1, 1));

    // Dropping one handle leaves the loop running for the other.
    drop(first);
    client
        .create(&cm("after"), &CreateOptions::default())
        .await
        .expect("create");
    eventually("the event after dropping one handle", || {
        informer.store().list().len() == 1
    })
    .await;
    drop(second);
    tokio::time::sleep(Duration::from_millis(100)).await;
    client
        .create(&cm("stopped"), &CreateOptions::default())
        .await
        .expect("create");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        informer.store().list().len(),
        1,
        "a stopped informer kept watching"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn factory_keeps_typed_and_dynamic_informers_of_one_resource_apart() {
    let server = TestServer::start().await.expect("server starts");
    let mut config = server.config();
    config.qps = -1.0;
    let cs = Clientset::new(config).expect("clientset");
    let factory = InformerFactory::new();
    let typed: Informer<ConfigMap> = factory.informer(cs.core_v1().config_maps("default"));
    let dynamic = factory.informer(configmaps(&server));
    factory.start();
    factory.wait_for_sync().await;
    configmaps(&server)
        .create(&cm("x"), &CreateOptions::default())
        .await
        .expect("create");
    eventually("both informers to see the object", || {
        typed.store().list().len() == 1 && dynamic.store().list().len() == 1
    })
    .await;
    // Asking again returns the same informers.
    let again: Informer<ConfigMap> = factory.informer(cs.core_v1().config_maps("default"));
    assert_eq!(again.store().list().len(), 1);
    let meta: &ObjectMeta = &typed.store().list()[0].metadata;
    assert_eq!(meta.name.as_deref(), Some("x"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watches_that_end_at_once_without_events_back_off() {
    let server = TestServer::start().await.expect("server starts");
    server.inject(
        Fault::new(FaultAction::CutWatchAfter(0))
            .watches_only()
            .times(100_000),
    );
    let informer = Informer::builder(configmaps(&server))
        .backoff(Duration::from_millis(100), Duration::from_secs(1))
        .build();
    let _running = informer.start();
    informer.wait_for_sync().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, watches) = lists_and_watches(&server);
    // 100 ms doubling: about six watches in two seconds, not thousands.
    assert!((2..=12).contains(&watches), "{watches} watches in 2 s");
}

/// Times at which new watch requests arrived, polled from the request log.
async fn watch_times(server: &TestServer, until: Instant) -> Vec<Instant> {
    let mut seen = lists_and_watches(server).1;
    let mut times = Vec::new();
    while Instant::now() < until {
        let now = lists_and_watches(server).1;
        for _ in seen..now {
            times.push(Instant::now());
        }
        seen = now;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    times
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backoff_starts_over_after_a_quiet_period() {
    let server = TestServer::start().await.expect("server starts");
    // Six failed watches in a row grow the backoff to its maximum.
    server.inject(
        Fault::new(FaultAction::Status {
            code: 500,
            retry_after: None,
        })
        .watches_only()
        .times(6),
    );
    let informer = Informer::builder(configmaps(&server))
        .backoff(Duration::from_millis(20), Duration::from_millis(1_500))
        .backoff_reset(Duration::from_secs(1))
        .watch_timeout(Duration::from_secs(2), Duration::from_secs(2))
        .build();
    let _running = informer.start();
    informer.wait_for_sync().await;
    // Failures at 20, 40, ... 640 ms (jitter up to double) then a healthy 2 s watch.
    eventually("the failures to pass", || lists_and_watches(&server).1 >= 7).await;
    // The healthy watch ends after 2 s; the next one fails once and is retried.
    server.inject(
        Fault::new(FaultAction::Status {
            code: 500,
            retry_after: None,
        })
        .watches_only()
        .times(1),
    );
    let times = watch_times(&server, Instant::now() + Duration::from_secs(4)).await;
    assert!(times.len() >= 2, "{times:?}");
    let gap = times[1] - times[0];
    // Fresh backoff: 20-40 ms; without the reset it would be 1.5 s.
    assert!(gap < Duration::from_millis(500), "retry after {gap:?}");
}

/// xorshift: deterministic choices so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn informer_chaos_ends_equal_to_the_server() {
    use kubeclient_runtime::client::Patch;
    use kubeclient_runtime::meta::v1::PatchOptions;
    // A short history makes re-watches after a while fail with 410 as a compacting etcd does.
    let server = TestServer::builder()
        .history_window(300)
        .start()
        .await
        .expect("server starts");
    let client = configmaps(&server);
    let informer = Informer::builder(client.clone())
        .backoff(Duration::from_millis(5), Duration::from_millis(200))
        .watch_timeout(Duration::from_secs(1), Duration::from_secs(3))
        .page_size(7)
        .build();
    let lives = Arc::new(Mutex::new(Lives::default()));
    let l = lives.clone();
    informer.add_handler(move |e: &Event<DynamicObject>| {
        l.lock().unwrap_or_else(|e| e.into_inner()).see(e)
    });
    let _running = informer.start();
    informer.wait_for_sync().await;

    // Four writers, 250 changes each, over 30 names: creates, patches and deletes.
    let writers: Vec<_> = (0..4u64)
        .map(|w| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (w + 1));
                for i in 0..250 {
                    let name = format!("c{}", rng.below(30));
                    let result = match rng.below(3) {
                        0 => client
                            .create(&cm(&name), &CreateOptions::default())
                            .await
                            .map(drop),
                        1 => client
                            .patch(
                                &name,
                                &Patch::Merge(
                                    serde_json::json!({"data": {"w": format!("{w}-{i}")}}),
                                ),
                                &PatchOptions::default(),
                            )
                            .await
                            .map(drop),
                        _ => client
                            .delete(&name, &DeleteOptions::default())
                            .await
                            .map(drop),
                    };
                    // Conflicts and not-found are part of the game.
                    let _ = result;
                }
            })
        })
        .collect();
    // Meanwhile: cut watches, fail them with 500 and 429, compact the history.
    let mut rng = Rng(42);
    while writers.iter().any(|w| !w.is_finished()) {
        match rng.below(4) {
            0 => server.inject(Fault::new(FaultAction::CutWatchAfter(3)).watches_only()),
            1 => server.inject(
                Fault::new(FaultAction::Status {
                    code: 500,
                    retry_after: None,
                })
                .watches_only(),
            ),
            2 => server.inject(
                Fault::new(FaultAction::Status {
                    code: 429,
                    retry_after: Some(0),
                })
                .method("GET"),
            ),
            _ => server.compact(),
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    for w in writers {
        w.await.expect("writer");
    }
    server.clear_faults();

    let server_state = || async {
        client
            .list(&Default::default())
            .await
            .expect("list")
            .items
            .into_iter()
            .map(|o| {
                (
                    o.metadata.name.unwrap_or_default(),
                    o.metadata.resource_version.unwrap_or_default(),
                )
            })
            .collect::<BTreeSet<_>>()
    };
    let want = server_state().await;
    eventually("the informer to equal the server", || {
        informer
            .store()
            .list()
            .iter()
            .map(|o| {
                (
                    o.metadata.name.clone().unwrap_or_default(),
                    o.metadata.resource_version.clone().unwrap_or_default(),
                )
            })
            .collect::<BTreeSet<_>>()
            == want
    })
    .await;
    let lives = lives.lock().unwrap_or_else(|e| e.into_inner());
    assert!(lives.violations.is_empty(), "{:?}", lives.violations);
    let names: BTreeSet<String> = want.into_iter().map(|(n, _)| n.into()).collect();
    assert_eq!(lives.present, names);
}
