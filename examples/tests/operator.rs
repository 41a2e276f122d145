//! The Greeting operator of `operator.rs`, two replicas of it, against both servers (on the
//! real cluster the garbage collector is kube-controller-manager's): creates, spec updates,
//! a conflict on the status write (injected on the test server), a leadership hand-over, and
//! a delete that runs the finalizer and cascades to the owned ConfigMap.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::api::apiextensions::v1::CustomResourceDefinition;
use kubeclient::api::core::v1::ConfigMap;
use kubeclient::helpers::retry::retry_on_conflict;
use kubeclient::leaderelection::{Config as LeaseConfig, Outcome};
use kubeclient::meta::v1::{CreateOptions, DeleteOptions, ObjectMeta, UpdateOptions};
use kubeclient::rest::RestClient;
use kubeclient::Clientset;
use kubeclient_examples::crds::api::example_kubeclient::v1::{Greeting, GreetingSpec};
use kubeclient_examples::operator::{self, FINALIZER, MANAGER};
use kubeclient_tests::on_both_servers;
use kubeclient_tests::servers::Server;
use kubeclient_testserver::faults::{Fault, FaultAction};
use serde_json::Value;
use std::future::Future;
use std::time::Duration;
use tokio::sync::oneshot;

fn fast() -> LeaseConfig {
    LeaseConfig {
        lease_duration: Duration::from_secs(2),
        renew_deadline: Duration::from_millis(1000),
        retry_period: Duration::from_millis(200),
        release_on_exit: true,
    }
}

/// Poll `f` until it returns `Some`, for up to 60 s (the real GC takes its time).
async fn eventually<T, F: Future<Output = Option<T>>>(what: &str, f: impl Fn() -> F) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn install_crd(s: &Server, cs: &Clientset) {
    let yaml = include_str!("../crds/greeting.yaml");
    let crd: CustomResourceDefinition = serde_yaml_ng::from_str(yaml).unwrap();
    let crds = cs.apiextensions_v1().custom_resource_definitions();
    match crds.create(&crd, &CreateOptions::default()).await {
        Err(e) if !e.is_already_exists() => panic!("CRD: {e}"),
        _ => {}
    }
    s.wait_for_crd("greetings.example.kubeclient.dev").await;
}

/// Start a replica; returns its stop switch and its outcome.
fn replica(
    config: &kubeclient::rest::Config,
    ns: &str,
    id: &str,
) -> (oneshot::Sender<()>, tokio::task::JoinHandle<Outcome>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let (config, ns, id) = (config.clone(), ns.to_owned(), id.to_owned());
    let task = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        operator::run(config, &ns, &id, fast(), shutdown)
            .await
            .expect("operator")
    });
    (stop, task)
}

on_both_servers!(operator_end_to_end);

async fn operator_end_to_end(s: Server) {
    let ns = s.namespace("operator").await;
    let mut config = s.config();
    config.qps = -1.0;
    let cs = Clientset::new(config.clone()).unwrap();
    install_crd(&s, &cs).await;
    let rest = RestClient::new(&config).unwrap();
    let greetings = kubeclient_examples::crds::Clientset::from_rest_client(rest.clone())
        .example_kubeclient_v1()
        .greetings(&ns);
    let cms = cs.core_v1().config_maps(&ns);
    let leases = rest.for_group_version("coordination.k8s.io", "v1");
    let holder = || async {
        let lease: Value = leases
            .get()
            .namespace(&ns)
            .resource("leases")
            .name(MANAGER)
            .do_()
            .await
            .ok()?;
        lease["spec"]["holderIdentity"].as_str().map(str::to_owned)
    };

    let (stop_a, a) = replica(&config, &ns, "a");
    assert_eq!(
        eventually("a leads", || async { holder().await.filter(|h| h == "a") }).await,
        "a"
    );
    let (stop_b, b) = replica(&config, &ns, "b");

    // Create: a ConfigMap owned by the Greeting, status Ready at generation 1, a finalizer.
    let greeting = |name: &str, message: &str| Greeting {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        spec: Some(GreetingSpec {
            message: message.into(),
        }),
        ..Default::default()
    };
    let message_of = |name: String| {
        let cms = cms.clone();
        async move {
            let cm: ConfigMap = cms.get(&name, &Default::default()).await.ok()?;
            cm.data?.get("message").cloned()
        }
    };
    let ready_at = |gen: i64| {
        let greetings = greetings.clone();
        async move {
            let g = greetings.get("hello", &Default::default()).await.ok()?;
            let status = serde_json::to_value(g.status?).ok()?;
            let ready = status["conditions"].as_array()?.iter().any(|c| {
                c["type"] == "Ready" && c["status"] == "True" && c["observedGeneration"] == gen
            });
            (ready && status["observedGeneration"] == gen).then_some(())
        }
    };
    let hello = greetings
        .create(&greeting("hello", "hi"), &CreateOptions::default())
        .await
        .unwrap();
    assert_eq!(hello.metadata.generation, Some(1));
    eventually("status at generation 1", || ready_at(1)).await;
    let msg = eventually("ConfigMap", || message_of("hello-greeting".into())).await;
    assert_eq!(msg, "hi");
    let cm = cms
        .get("hello-greeting", &Default::default())
        .await
        .unwrap();
    let owner = &cm.metadata.owner_references.unwrap()[0];
    assert_eq!(
        (owner.kind.as_str(), owner.controller),
        ("Greeting", Some(true))
    );
    let stored = greetings.get("hello", &Default::default()).await.unwrap();
    assert!(stored
        .metadata
        .finalizers
        .unwrap_or_default()
        .iter()
        .any(|f| f == FINALIZER));

    // Update the spec: the ConfigMap follows, status moves to generation 2.
    // The operator writes status too: read afresh and retry on a conflict.
    retry_on_conflict(|| async {
        let mut g = greetings.get("hello", &Default::default()).await?;
        g.spec = Some(GreetingSpec {
            message: "hey".into(),
        });
        greetings.update(&g, &UpdateOptions::default()).await
    })
    .await
    .unwrap();
    eventually("status at generation 2", || ready_at(2)).await;
    eventually("ConfigMap updated", || async {
        message_of("hello-greeting".into())
            .await
            .filter(|m| m == "hey")
    })
    .await;

    // A conflict on the status write (the test server can inject one): retried, same result.
    if let Some(t) = s.test() {
        t.inject(
            Fault::new(FaultAction::Status {
                code: 409,
                retry_after: None,
            })
            .method("PUT")
            .path_contains("/greetings/second/status"),
        );
        t.clear_requests();
        greetings
            .create(&greeting("second", "yo"), &CreateOptions::default())
            .await
            .unwrap();
        eventually("second has status", || async {
            greetings
                .get("second", &Default::default())
                .await
                .ok()?
                .status?
                .observed_generation
        })
        .await;
        let puts = t
            .requests()
            .iter()
            .filter(|r| r.method == "PUT" && r.path.ends_with("/second/status"))
            .count();
        assert!(
            puts >= 2,
            "the conflicted status write was retried ({puts} PUTs)"
        );
    }

    // Hand-over: a stops and releases the lease; b takes over and keeps reconciling.
    stop_a.send(()).unwrap();
    assert_eq!(a.await.unwrap(), Outcome::Finished);
    eventually("b leads", || async { holder().await.filter(|h| h == "b") }).await;
    // The operator writes status too: read afresh and retry on a conflict.
    retry_on_conflict(|| async {
        let mut g = greetings.get("hello", &Default::default()).await?;
        g.spec = Some(GreetingSpec {
            message: "bye".into(),
        });
        greetings.update(&g, &UpdateOptions::default()).await
    })
    .await
    .unwrap();
    eventually("b updated the ConfigMap", || async {
        message_of("hello-greeting".into())
            .await
            .filter(|m| m == "bye")
    })
    .await;

    // Delete: the finalizer's clean-up runs, the Greeting goes, the GC takes its ConfigMap.
    greetings
        .delete("hello", &DeleteOptions::default())
        .await
        .unwrap();
    eventually("Greeting gone", || async {
        greetings
            .get("hello", &Default::default())
            .await
            .err()
            .filter(|e| e.is_not_found())
    })
    .await;
    eventually("ConfigMap collected", || async {
        cms.get("hello-greeting", &Default::default())
            .await
            .err()
            .filter(|e| e.is_not_found())
    })
    .await;

    // Events written by the operator (in the background) about the Greeting.
    let reasons = eventually("events", || async {
        let list: Value = rest
            .for_group_version("events.k8s.io", "v1")
            .get()
            .namespace(&ns)
            .resource("events")
            .do_()
            .await
            .ok()?;
        let reasons: Vec<String> = list["items"]
            .as_array()?
            .iter()
            .filter(|e| e["regarding"]["name"] == "hello")
            .filter_map(|e| e["reason"].as_str().map(str::to_owned))
            .collect();
        (reasons.contains(&"Synced".to_owned()) && reasons.contains(&"Deleted".to_owned()))
            .then_some(reasons)
    })
    .await;
    assert!(
        reasons.iter().all(|r| r == "Synced" || r == "Deleted"),
        "{reasons:?}"
    );

    stop_b.send(()).unwrap();
    assert_eq!(b.await.unwrap(), Outcome::Finished);
}
