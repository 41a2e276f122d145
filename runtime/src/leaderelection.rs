//! Leader election on a `coordination.k8s.io/v1` Lease, as client-go's `tools/leaderelection`:
//! of many replicas holding the same lock, one leads at a time.
//!
//! A candidate takes the lease when it is free or its holder stopped renewing it for
//! `lease_duration` (measured on the candidate's own clock from when it last saw the lease
//! change, so clock skew between machines does not matter), renews it every `retry_period`, and
//! stops leading when it could not renew for `renew_deadline`. Writes carry the lease's
//! resourceVersion, so two candidates never both win. Defaults are client-go's usual ones:
//! 15 s lease, 10 s renew deadline, 2 s retry.

use crate::meta::v1::{MicroTime, ObjectMeta};
use crate::rest::{Error, RestClient, Result};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Timing of an election.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long a lease stays valid after its last renewal.
    pub lease_duration: Duration,
    /// How long the leader keeps trying to renew before it gives up leading.
    pub renew_deadline: Duration,
    /// How often candidates try to acquire, and the leader renews.
    pub retry_period: Duration,
    /// On leaving (the leading future returned), give the lease up so another candidate
    /// need not wait for it to expire.
    pub release_on_exit: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            lease_duration: Duration::from_secs(15),
            renew_deadline: Duration::from_secs(10),
            retry_period: Duration::from_secs(2),
            release_on_exit: true,
        }
    }
}

/// The part of a Lease the election reads and writes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LeaseSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    holder_identity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lease_duration_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    acquire_time: Option<MicroTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    renew_time: Option<MicroTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lease_transitions: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Lease {
    #[serde(rename = "apiVersion", default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    metadata: ObjectMeta,
    #[serde(default)]
    spec: LeaseSpec,
}

/// What the candidate last saw of the lease, and when (on its own clock).
#[derive(Debug, Default)]
struct Observed {
    spec: Option<LeaseSpec>,
    at: Option<Instant>,
    leading: bool,
}

/// A candidate for leadership of one lease.
///
/// ```no_run
/// # async fn demo(rest: kubeclient_runtime::rest::RestClient) {
/// use kubeclient_runtime::leaderelection::{Config, LeaderElector, Outcome};
/// let elector = LeaderElector::new(&rest, "kube-system", "my-controller", "pod-0", Config::default());
/// match elector.run(async { /* run the controller */ }).await {
///     Outcome::Finished => {}                        // done; the lease was released
///     Outcome::Lost => std::process::exit(1),       // another replica leads now
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct LeaderElector {
    rest: RestClient,
    namespace: String,
    name: String,
    identity: String,
    config: Config,
    observed: Arc<Mutex<Observed>>,
}

impl std::fmt::Debug for LeaderElector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeaderElector")
            .field("lease", &format!("{}/{}", self.namespace, self.name))
            .field("identity", &self.identity)
            .field("leader", &self.leader())
            .finish()
    }
}

/// Where tasks that must stop with leadership are spawned (see [`LeaderElector::run_scoped`]).
/// Cloning shares the scope.
#[derive(Clone, Debug)]
pub struct LeaderScope {
    /// `None` once leadership ended: later spawns are refused.
    tasks: Arc<Mutex<Option<tokio::task::JoinSet<()>>>>,
}

impl LeaderScope {
    /// Run `task` while leading; it is aborted when leadership ends (and never started if it
    /// already has: then this returns `false`).
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) -> bool {
        let mut tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        match tasks.as_mut() {
            Some(set) => {
                // Finished tasks are collected here, so a long leadership holds no dead handles.
                while set.try_join_next().is_some() {}
                set.spawn(task);
                true
            }
            None => false,
        }
    }
}

/// How [`LeaderElector::run`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The leading future finished (the lease was released if so configured).
    Finished,
    /// Renewal failed for the renew deadline: another candidate may lead now; the leading
    /// future was dropped.
    Lost,
}

impl LeaderElector {
    /// A candidate called `identity` (unique per replica, e.g. the pod name) for Lease
    /// `namespace/name`. `rest` is any client of the cluster; requests go to
    /// `coordination.k8s.io/v1`.
    pub fn new(
        rest: &RestClient,
        namespace: &str,
        name: &str,
        identity: &str,
        config: Config,
    ) -> Self {
        LeaderElector {
            rest: rest.for_group_version("coordination.k8s.io", "v1"),
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            identity: identity.to_owned(),
            config,
            observed: Arc::default(),
        }
    }

    fn observed(&self) -> std::sync::MutexGuard<'_, Observed> {
        self.observed.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The holder this candidate last saw (itself when leading).
    pub fn leader(&self) -> Option<String> {
        self.observed()
            .spec
            .as_ref()
            .and_then(|s| s.holder_identity.clone())
            .filter(|h| !h.is_empty())
    }

    /// Whether this candidate holds the lease now.
    pub fn is_leader(&self) -> bool {
        self.observed().leading
    }

    /// Wait until this candidate leads, then run `lead` while renewing. Returns when `lead`
    /// finishes ([`Outcome::Finished`]) or leadership is lost ([`Outcome::Lost`], `lead` is
    /// dropped). Requests that fail are retried every retry period.
    pub async fn run<F: Future<Output = ()>>(&self, lead: F) -> Outcome {
        while !self.try_acquire_or_renew().await {
            tokio::time::sleep(self.jittered()).await;
        }
        tracing::info!(lease = %self.name, identity = %self.identity, "became leader");
        tokio::pin!(lead);
        let outcome = tokio::select! {
            () = &mut lead => Outcome::Finished,
            () = self.keep_renewing() => Outcome::Lost,
        };
        self.observed().leading = false;
        if outcome == Outcome::Finished && self.config.release_on_exit {
            self.release().await;
        }
        tracing::info!(lease = %self.name, identity = %self.identity, ?outcome, "stopped leading");
        outcome
    }

    /// As [`Self::run`], with a [`LeaderScope`] for the tasks leading starts: when leadership
    /// ends (finished or lost), every task spawned through the scope is aborted and awaited
    /// before this returns, so none keeps working beside the next leader. (A future given to
    /// [`Self::run`] is dropped on loss, but tasks it handed to `tokio::spawn` would live on.)
    ///
    /// ```no_run
    /// # async fn demo(elector: kubeclient_runtime::leaderelection::LeaderElector) {
    /// elector.run_scoped(|scope| async move {
    ///     scope.spawn(async { /* a worker */ });
    ///     std::future::pending::<()>().await // or run a controller here
    /// }).await;
    /// # }
    /// ```
    pub async fn run_scoped<F, Fut>(&self, lead: F) -> Outcome
    where
        F: FnOnce(LeaderScope) -> Fut,
        Fut: Future<Output = ()>,
    {
        let scope = LeaderScope {
            tasks: Arc::new(Mutex::new(Some(tokio::task::JoinSet::new()))),
        };
        let outcome = self.run(lead(scope.clone())).await;
        let tasks = scope.tasks.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(mut tasks) = tasks {
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
        }
        outcome
    }

    /// client-go waits RetryPeriod × (1 + up to 1.2) between acquire attempts.
    fn jittered(&self) -> Duration {
        use rand::Rng;
        self.config
            .retry_period
            .mul_f64(1.0 + 1.2 * rand::rng().random::<f64>())
    }

    /// Renew every retry period; returns once renewals failed for the renew deadline.
    async fn keep_renewing(&self) {
        let mut last_renewal = Instant::now();
        loop {
            tokio::time::sleep(self.config.retry_period).await;
            let deadline = last_renewal + self.config.renew_deadline;
            match tokio::time::timeout_at(deadline, self.try_acquire_or_renew()).await {
                Ok(true) => last_renewal = Instant::now(),
                _ if Instant::now() >= deadline => return,
                _ => {}
            }
        }
    }

    fn lease_path(&self, req: crate::rest::Request) -> crate::rest::Request {
        req.namespace(&self.namespace).resource("leases")
    }

    async fn read_lease(&self) -> Result<Lease> {
        self.lease_path(self.rest.get())
            .name(&self.name)
            .do_()
            .await
    }

    /// Replace the lease; its resourceVersion makes this a compare-and-swap.
    async fn write_lease(&self, lease: &Lease) -> Result<Lease> {
        self.lease_path(self.rest.put())
            .name(&self.name)
            .body_json(lease)
            .do_()
            .await
    }

    /// One attempt: take the lease if it is free or expired, renew it if we hold it.
    async fn try_acquire_or_renew(&self) -> bool {
        let now = MicroTime::now();
        let mine = LeaseSpec {
            holder_identity: Some(self.identity.clone()),
            lease_duration_seconds: Some(self.config.lease_duration.as_secs().max(1) as i64),
            acquire_time: Some(now),
            renew_time: Some(now),
            lease_transitions: Some(0),
        };
        let current: Result<Lease> = self.read_lease().await;
        let mut lease = match current {
            Err(e) if e.is_not_found() => {
                let fresh = Lease {
                    api_version: "coordination.k8s.io/v1".into(),
                    kind: "Lease".into(),
                    metadata: ObjectMeta {
                        name: Some(self.name.as_str().into()),
                        namespace: Some(self.namespace.as_str().into()),
                        ..Default::default()
                    },
                    spec: mine.clone(),
                };
                let created: Result<Lease> = self
                    .lease_path(self.rest.post())
                    .body_json(&fresh)
                    .do_()
                    .await;
                return self.settle(created);
            }
            Err(e) => {
                tracing::debug!(lease = %self.name, error = %e, "reading the lease failed");
                return false;
            }
            Ok(l) => l,
        };
        // Note when the record last changed, on our clock: expiry is judged from that.
        let expired = {
            let mut o = self.observed();
            if o.spec.as_ref() != Some(&lease.spec) {
                o.spec = Some(lease.spec.clone());
                o.at = Some(Instant::now());
            }
            let duration =
                Duration::from_secs(lease.spec.lease_duration_seconds.unwrap_or(0).max(0) as u64);
            o.at.is_none_or(|at| at + duration <= Instant::now())
        };
        let holder = lease.spec.holder_identity.clone().unwrap_or_default();
        let held_by_me = holder == self.identity;
        if !held_by_me && !holder.is_empty() && !expired {
            self.observed().leading = false;
            return false;
        }
        let mut spec = mine.clone();
        if held_by_me {
            spec.acquire_time = lease.spec.acquire_time;
            spec.lease_transitions = lease.spec.lease_transitions;
        } else {
            spec.lease_transitions = Some(lease.spec.lease_transitions.unwrap_or(0) + 1);
        }
        lease.spec = spec;
        // The resourceVersion read above makes this a compare-and-swap.
        let updated: Result<Lease> = self.write_lease(&lease).await;
        self.settle(updated)
    }

    fn settle(&self, written: Result<Lease>) -> bool {
        let mut o = self.observed();
        match written {
            Ok(l) => {
                o.spec = Some(l.spec);
                o.at = Some(Instant::now());
                o.leading = true;
                true
            }
            Err(e) => {
                if !matches!(&e, Error::Api(_)) || !e.is_conflict() {
                    tracing::debug!(lease = %self.name, error = %e, "writing the lease failed");
                }
                o.leading = false;
                false
            }
        }
    }

    /// Give the lease up: no holder, and a one-second duration so others take it at once.
    async fn release(&self) {
        let current: Result<Lease> = self.read_lease().await;
        let Ok(mut lease) = current else { return };
        if lease.spec.holder_identity.as_deref() != Some(self.identity.as_str()) {
            return;
        }
        lease.spec.holder_identity = None;
        lease.spec.lease_duration_seconds = Some(1);
        lease.spec.renew_time = Some(MicroTime::now());
        let released: Result<Lease> = self.write_lease(&lease).await;
        if let Ok(l) = released {
            self.observed().spec = Some(l.spec);
        }
    }
}
