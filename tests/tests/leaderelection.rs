//! Leader election on a Lease against both servers (the real kube-apiserver and the test
//! server): one leader at a time, hand-over on release, take-over after a crashed leader's
//! lease expires; and, where faults can be injected (the test server), a leader that cannot
//! renew steps down.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::leaderelection::{Config, LeaderElector, Outcome};
use kubeclient::rest::RestClient;
use kubeclient_tests::on_both_servers;
use kubeclient_tests::servers::Server;
use kubeclient_testserver::faults::{Fault, FaultAction};
use kubeclient_testserver::TestServer;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

fn fast() -> Config {
    Config {
        lease_duration: Duration::from_secs(2),
        renew_deadline: Duration::from_millis(1000),
        retry_period: Duration::from_millis(200),
        release_on_exit: true,
    }
}

fn rest(config: kubeclient::rest::Config) -> RestClient {
    let mut config = config;
    config.qps = -1.0; // elections poll; the default 5 QPS would pace the test, not the logic
    RestClient::new(&config).expect("client")
}

async fn until(what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

on_both_servers!(one_leader_at_a_time_with_hand_over_and_take_over);

async fn one_leader_at_a_time_with_hand_over_and_take_over(s: Server) {
    let ns = s.namespace("lease").await;
    let rest = rest(s.config());
    let a = LeaderElector::new(&rest, &ns, "controller", "a", fast());
    let b = LeaderElector::new(&rest, &ns, "controller", "b", fast());

    let (stop_a, stopped) = tokio::sync::oneshot::channel::<()>();
    let a_run = {
        let a = a.clone();
        tokio::spawn(async move {
            a.run(async {
                let _ = stopped.await;
            })
            .await
        })
    };
    until("a leads", || a.is_leader()).await;

    let b_leads = Arc::new(AtomicBool::new(false));
    let b_run = {
        let (b, flag) = (b.clone(), b_leads.clone());
        tokio::spawn(async move {
            b.run(async move {
                flag.store(true, Ordering::SeqCst);
                std::future::pending::<()>().await
            })
            .await
        })
    };
    // While a renews, b only watches: longer than a lease, still a's.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(!b_leads.load(Ordering::SeqCst) && a.is_leader());
    assert_eq!(b.leader().as_deref(), Some("a"));

    // a finishes and releases: b takes over without waiting for the lease to expire.
    let released_at = Instant::now();
    stop_a.send(()).expect("a is running");
    assert_eq!(a_run.await.expect("a's task"), Outcome::Finished);
    until("b leads", || b_leads.load(Ordering::SeqCst)).await;
    assert!(
        released_at.elapsed() < Duration::from_millis(1800),
        "hand-over took {:?}",
        released_at.elapsed()
    );

    // b crashes (no release): c waits out the lease, then leads.
    b_run.abort();
    let _ = b_run.await;
    let c = LeaderElector::new(&rest, &ns, "controller", "c", fast());
    let c_leads = Arc::new(AtomicBool::new(false));
    let crashed_at = Instant::now();
    let c_run = {
        let (c, flag) = (c.clone(), c_leads.clone());
        tokio::spawn(async move {
            c.run(async move {
                flag.store(true, Ordering::SeqCst);
                std::future::pending::<()>().await
            })
            .await
        })
    };
    until("c leads", || c_leads.load(Ordering::SeqCst)).await;
    assert!(
        crashed_at.elapsed() >= Duration::from_secs(2),
        "took over a live lease after {:?}",
        crashed_at.elapsed()
    );
    let lease: serde_json::Value = rest
        .for_group_version("coordination.k8s.io", "v1")
        .get()
        .namespace(&ns)
        .resource("leases")
        .name("controller")
        .do_()
        .await
        .expect("lease");
    assert_eq!(lease["spec"]["holderIdentity"], "c");
    assert_eq!(lease["spec"]["leaseTransitions"], 2, "a -> b -> c");
    c_run.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_that_cannot_renew_steps_down_test_server_faults() {
    let server = TestServer::start().await.expect("server starts");
    let rest = rest(server.config());
    let leader = LeaderElector::new(&rest, "default", "renewals", "only", fast());
    let run = {
        let leader = leader.clone();
        tokio::spawn(async move { leader.run(std::future::pending::<()>()).await })
    };
    until("it leads", || leader.is_leader()).await;
    // Every lease write fails from now on.
    server.inject(
        Fault::new(FaultAction::Status {
            code: 500,
            retry_after: None,
        })
        .method("PUT")
        .path_contains("/leases/")
        .times(usize::MAX),
    );
    let outcome = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("steps down in time")
        .expect("task");
    assert_eq!(outcome, Outcome::Lost);
    assert!(!leader.is_leader());
}
