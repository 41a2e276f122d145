//! The controller runtime against both servers: a ConfigMap controller that owns a Secret per
//! ConfigMap. Owned objects map back to their controller, errors retry with backoff, requeues
//! come back, one key is never reconciled twice at once, shutdown waits for running reconciles
//! and nothing runs after it; and (on the test server, whose faults can break lease renewal)
//! losing leadership stops every worker.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::api::core::v1::{ConfigMap, Secret};
use kubeclient::client::ResourceClient;
use kubeclient::controller::{predicates, Action, Controller};
use kubeclient::helpers::owners::controller_reference;
use kubeclient::leaderelection::{Config, LeaderElector, Outcome};
use kubeclient::meta::v1::{CreateOptions, DeleteOptions, ObjectMeta, UpdateOptions};
use kubeclient::rest::{Error, RestClient};
use kubeclient::Clientset;
use kubeclient_tests::on_both_servers;
use kubeclient_tests::servers::Server;
use kubeclient_testserver::faults::{Fault, FaultAction};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
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

/// What the reconciler saw, shared with the test.
#[derive(Default)]
struct Seen {
    calls: Mutex<HashMap<String, usize>>,
    running: Mutex<HashSet<String>>,
    overlaps: AtomicUsize,
    max_parallel: AtomicUsize,
}

impl Seen {
    fn calls(&self, name: &str) -> usize {
        self.calls.lock().unwrap().get(name).copied().unwrap_or(0)
    }
    fn total(&self) -> usize {
        self.calls.lock().unwrap().values().sum()
    }
}

async fn until(what: &str, f: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !f() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Ensure the Secret `<name>-child`, owned by the ConfigMap; `flaky` fails its first 3 tries,
/// `tick` asks to come back soon.
async fn reconcile(
    obj: Arc<ConfigMap>,
    secrets: ResourceClient<Secret>,
    seen: Arc<Seen>,
) -> Result<Action, Error> {
    let name = obj.metadata.name.clone().unwrap_or_default();
    let n = {
        let mut calls = seen.calls.lock().unwrap();
        let n = calls.entry(name.to_string()).or_default();
        *n += 1;
        *n
    };
    let parallel = {
        let mut running = seen.running.lock().unwrap();
        if !running.insert(name.to_string()) {
            seen.overlaps.fetch_add(1, Ordering::SeqCst);
        }
        running.len()
    };
    seen.max_parallel.fetch_max(parallel, Ordering::SeqCst);
    // Long enough for a second event about the same key to arrive meanwhile.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let result = async {
        if name == "flaky" && n <= 3 {
            return Err(Error::Watch {
                message: format!("injected failure {n}"),
            });
        }
        let child = Secret {
            metadata: ObjectMeta {
                name: Some(format!("{name}-child").into()),
                owner_references: Some(vec![controller_reference(obj.as_ref()).unwrap()]),
                ..Default::default()
            },
            ..Default::default()
        };
        match secrets.create(&child, &CreateOptions::default()).await {
            Err(e) if !e.is_already_exists() => return Err(e),
            _ => {}
        }
        Ok(if name == "tick" {
            Action::requeue(Duration::from_millis(100))
        } else {
            Action::await_change()
        })
    }
    .await;
    seen.running.lock().unwrap().remove(name.as_str());
    result
}

/// Wait until `child(n)` finds the Secret (reconciles write it a moment after they start).
async fn child_appears<F: std::future::Future<Output = Result<Secret, Error>>>(
    child: &impl Fn(&str) -> F,
    n: &str,
) {
    for _ in 0..200 {
        if child(n).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{n}-child never appeared");
}

on_both_servers!(reconciles_owned_objects_retries_and_shuts_down);

async fn reconciles_owned_objects_retries_and_shuts_down(s: Server) {
    let ns = s.namespace("ctrl").await;
    let cs = Clientset::new(s.config()).unwrap();
    let (cms, secrets) = (cs.core_v1().config_maps(&ns), cs.core_v1().secrets(&ns));
    let seen = Arc::new(Seen::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let controller = Controller::new(cms.clone())
        .owns(secrets.clone())
        .filter(predicates::generation_changed)
        .concurrency(3);
    let run = {
        let (secrets, seen) = (secrets.clone(), seen.clone());
        tokio::spawn(controller.run(
            move |obj| reconcile(obj, secrets.clone(), seen.clone()),
            async {
                let _ = stopped.await;
            },
        ))
    };
    for name in ["a", "b", "c", "flaky", "tick"] {
        cms.create(&cm(name), &CreateOptions::default())
            .await
            .unwrap();
    }
    let child = |n: &str| {
        let (secrets, name) = (secrets.clone(), format!("{n}-child"));
        async move { secrets.get(&name, &Default::default()).await }
    };
    until("every child exists", || {
        ["a", "b", "c"].iter().all(|n| seen.calls(n) >= 1)
    })
    .await;
    for n in ["a", "b", "c"] {
        child_appears(&child, n).await;
    }
    // Errors retry with backoff (5, 10, 20 ms) until the fourth try succeeds.
    until("flaky succeeds", || seen.calls("flaky") >= 4).await;
    child_appears(&child, "flaky").await;
    // Requeue brings `tick` back without any change.
    until("tick requeued", || seen.calls("tick") >= 3).await;

    // A deleted child maps to its owner, which recreates it.
    let before = seen.calls("a");
    secrets
        .delete("a-child", &DeleteOptions::default())
        .await
        .unwrap();
    until("a reconciled again", || seen.calls("a") > before).await;
    child_appears(&child, "a").await;

    // Rapid changes to one object while it is being reconciled never overlap.
    for i in 0..5 {
        let mut b = cms.get("b", &Default::default()).await.unwrap();
        b.data = Some([("i".into(), i.to_string().into())].into());
        cms.update(&b, &UpdateOptions::default()).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        seen.overlaps.load(Ordering::SeqCst),
        0,
        "one key, one worker"
    );
    assert!(seen.max_parallel.load(Ordering::SeqCst) <= 3, "bounded");

    // Shutdown: run returns, and nothing is reconciled after (tick would come back otherwise).
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("run returns")
        .unwrap();
    let after = seen.total();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(seen.total(), after, "no reconcile after shutdown");
    assert!(
        seen.running.lock().unwrap().is_empty(),
        "running reconciles finished"
    );
}

fn fast() -> Config {
    Config {
        lease_duration: Duration::from_secs(2),
        renew_deadline: Duration::from_millis(1000),
        retry_period: Duration::from_millis(200),
        release_on_exit: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_leadership_stops_every_worker() {
    let s = Server::test_server().await;
    let test = s.test().unwrap();
    let ns = s.namespace("ctrl-lead").await;
    let mut config = s.config();
    config.qps = -1.0;
    let cs = Clientset::new(config.clone()).unwrap();
    let cms = cs.core_v1().config_maps(&ns);
    cms.create(&cm("tick"), &CreateOptions::default())
        .await
        .unwrap();
    let rest = RestClient::new(&config).unwrap();
    let elector = LeaderElector::new(&rest, &ns, "ctrl", "a", fast());
    let calls = Arc::new(AtomicUsize::new(0));
    let scoped_ticks = Arc::new(AtomicUsize::new(0));
    let run = {
        let (calls, ticks, cms) = (calls.clone(), scoped_ticks.clone(), cms.clone());
        let elector = elector.clone();
        tokio::spawn(async move {
            elector
                .run_scoped(|scope| {
                    // A task of its own, started while leading.
                    scope.spawn(async move {
                        loop {
                            ticks.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    });
                    Controller::new(cms).run(
                        move |_obj: Arc<ConfigMap>| {
                            let calls = calls.clone();
                            async move {
                                calls.fetch_add(1, Ordering::SeqCst);
                                Ok::<_, Error>(Action::requeue(Duration::from_millis(20)))
                            }
                        },
                        std::future::pending(),
                    )
                })
                .await
        })
    };
    until("reconciling", || calls.load(Ordering::SeqCst) >= 3).await;
    // Every lease write fails from now on: the leader cannot renew and must step down.
    test.inject(
        Fault::new(FaultAction::Status {
            code: 500,
            retry_after: None,
        })
        .path_contains("/leases")
        .times(10_000),
    );
    let outcome = tokio::time::timeout(Duration::from_secs(20), run)
        .await
        .expect("leadership is lost in time")
        .unwrap();
    assert_eq!(outcome, Outcome::Lost);
    let (c, t) = (
        calls.load(Ordering::SeqCst),
        scoped_ticks.load(Ordering::SeqCst),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        calls.load(Ordering::SeqCst),
        c,
        "no reconcile after losing the lease"
    );
    assert_eq!(
        scoped_ticks.load(Ordering::SeqCst),
        t,
        "scoped tasks stopped"
    );
    test.clear_faults();
}
