//! [`Recorder`]: records Events without making the caller wait. Each event goes into a bounded
//! channel (1000 deep, client-go's `maxQueuedEvents`) read by one background task that
//! correlates it (see [`super::correlator`]) and writes it, as `events.k8s.io/v1` or core/v1.
//! When the channel is full the event is dropped and counted ([`RecorderStats::dropped`]): a
//! slow API server never stalls a reconcile.

use super::correlator::{Correlator, Decision, Occurrence, Written};
use super::{core_v1_event, create_event, EventType, Regarding, Source};
use crate::meta::v1::{MicroTime, Time};
use crate::resource::Resource;
use crate::rest::{PatchType, RestClient, Result};
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// client-go's `maxQueuedEvents`.
pub const DEFAULT_QUEUE: usize = 1000;

/// Which Event API to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventsApi {
    /// `events.k8s.io/v1` (client-go's `tools/events`): `series` for repeats.
    EventsV1,
    /// core/v1 (client-go's `tools/record`): `count` for repeats.
    CoreV1,
}

/// What happened to recorded events so far.
#[derive(Debug, Default)]
pub struct RecorderStats {
    dropped: AtomicU64,
    skipped: AtomicU64,
    created: AtomicU64,
    updated: AtomicU64,
    failed: AtomicU64,
}

impl RecorderStats {
    /// Dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
    /// Dropped by the spam filter.
    pub fn skipped(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }
    /// New Events written.
    pub fn created(&self) -> u64 {
        self.created.load(Ordering::Relaxed)
    }
    /// Repeats written as a count or series update.
    pub fn updated(&self) -> u64 {
        self.updated.load(Ordering::Relaxed)
    }
    /// Writes the server refused or that failed in transit.
    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }
}

enum Message {
    Event(Occurrence),
    Flush(oneshot::Sender<()>),
}

/// Records Events for one component in the background. Cloning shares the queue; the
/// background task ends when the last clone is dropped (after writing what is queued).
#[derive(Clone, Debug)]
pub struct Recorder {
    tx: mpsc::Sender<Message>,
    stats: Arc<RecorderStats>,
}

struct Sink {
    rest: RestClient,
    api: EventsApi,
    component: String,
    instance: String,
    correlator: Correlator,
    stats: Arc<RecorderStats>,
}

impl Recorder {
    /// A recorder writing `events.k8s.io/v1` Events as `component` (`reportingController`,
    /// e.g. `example.com/my-operator`) running as `instance` (e.g. the pod name). Must be
    /// called inside a tokio runtime: it spawns the writer task.
    pub fn new(rest: &RestClient, component: &str, instance: &str) -> Self {
        Self::with(
            rest,
            component,
            instance,
            EventsApi::EventsV1,
            DEFAULT_QUEUE,
        )
    }

    /// A recorder writing `api`, queueing at most `capacity` events.
    pub fn with(
        rest: &RestClient,
        component: &str,
        instance: &str,
        api: EventsApi,
        capacity: usize,
    ) -> Self {
        let (tx, mut rx) = mpsc::channel(capacity.max(1));
        let stats = Arc::new(RecorderStats::default());
        let mut sink = Sink {
            rest: match api {
                EventsApi::EventsV1 => rest.for_group_version("events.k8s.io", "v1"),
                EventsApi::CoreV1 => rest.for_group_version("", "v1"),
            },
            api,
            component: component.to_owned(),
            instance: instance.to_owned(),
            correlator: match api {
                EventsApi::EventsV1 => Correlator::events_v1(),
                EventsApi::CoreV1 => Correlator::core_v1(),
            },
            stats: stats.clone(),
        };
        tokio::spawn(async move {
            while let Some(m) = rx.recv().await {
                match m {
                    Message::Event(e) => sink.write(e).await,
                    Message::Flush(done) => {
                        let _ = done.send(());
                    }
                }
            }
        });
        Recorder { tx, stats }
    }

    /// Record an event about `regarding`; returns at once. `action` is what the component did
    /// or failed to do (events.k8s.io `action`; core/v1 has no such field), `note` the message.
    pub fn publish(
        &self,
        regarding: &Regarding,
        type_: EventType,
        reason: &str,
        action: &str,
        note: &str,
    ) {
        let e = Occurrence {
            regarding: regarding.clone(),
            type_,
            reason: reason.to_owned(),
            action: action.to_owned(),
            message: note.to_owned(),
        };
        if self.tx.try_send(Message::Event(e)).is_err() {
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Record an event about a typed object; returns at once.
    pub fn publish_for<K: Resource>(
        &self,
        obj: &K,
        type_: EventType,
        reason: &str,
        action: &str,
        note: &str,
    ) {
        self.publish(&Regarding::of(obj), type_, reason, action, note)
    }

    /// Wait until every event recorded before this call has been written (or failed).
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Message::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Counters of what happened to recorded events.
    pub fn stats(&self) -> &RecorderStats {
        &self.stats
    }
}

impl Sink {
    async fn write(&mut self, e: Occurrence) {
        let (result, counter) = match self.correlator.observe(e) {
            Decision::Skip => {
                self.stats.skipped.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Decision::Create { event, key } => {
                let r = self.create(&event).await;
                if let Ok(w) = &r {
                    self.correlator.created(key, w.clone());
                }
                (r.map(drop), &self.stats.created)
            }
            Decision::Update {
                target,
                event,
                count,
                key,
            } => match self.update(&target, &event, count).await {
                // Deleted meanwhile (Events expire after an hour): start a new one.
                Err(err) if err.is_not_found() => {
                    self.correlator.forget(key);
                    let r = self.create(&event).await;
                    if let Ok(w) = &r {
                        self.correlator.created(key, w.clone());
                    }
                    (r.map(drop), &self.stats.created)
                }
                r => (r, &self.stats.updated),
            },
        };
        match result {
            Ok(()) => counter.fetch_add(1, Ordering::Relaxed),
            Err(err) => {
                tracing::warn!(error = %err, "writing an Event failed");
                self.stats.failed.fetch_add(1, Ordering::Relaxed)
            }
        };
    }

    async fn create(&self, e: &Occurrence) -> Result<Written> {
        let r = &e.regarding;
        let now = Time::now();
        let (ns, name) = (r.event_namespace(), r.event_name(&now));
        let body = match self.api {
            EventsApi::EventsV1 => json!({
                "apiVersion": "events.k8s.io/v1", "kind": "Event",
                "metadata": {"name": name, "namespace": ns},
                "eventTime": MicroTime::now(), "regarding": r.object_reference(),
                "type": e.type_.as_str(), "reason": e.reason, "action": e.action, "note": e.message,
                "reportingController": self.component, "reportingInstance": self.instance,
            }),
            EventsApi::CoreV1 => {
                let source = Source {
                    component: &self.component,
                    instance: &self.instance,
                };
                let what = (e.type_, e.reason.as_str(), e.message.as_str());
                core_v1_event(&name, &ns, r, source, what, &now)
            }
        };
        let name = create_event(&self.rest, &ns, body, name).await?;
        Ok(Written {
            namespace: ns,
            name,
        })
    }

    async fn update(&self, target: &Written, e: &Occurrence, count: u64) -> Result<()> {
        let patch = match self.api {
            EventsApi::EventsV1 => json!({
                "series": {"count": count, "lastObservedTime": MicroTime::now()}
            }),
            EventsApi::CoreV1 => {
                json!({"count": count, "lastTimestamp": Time::now(), "message": e.message})
            }
        };
        self.rest
            .patch(PatchType::Merge)
            .namespace(&target.namespace)
            .resource("events")
            .name(&target.name)
            .body_json(&patch)
            .do_raw()
            .await
            .map(drop)
    }
}
