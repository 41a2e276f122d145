//! [`EventRecorder`]: `core/v1` Events about objects, as client-go's `tools/record` writes them
//! (what `kubectl describe` and `kubectl get events` show). Repeats of the same event (same
//! object, type, reason and message) within ten minutes update one Event's `count` and
//! `lastTimestamp` instead of creating another, as client-go's event correlator does.
//!
//! [`Recorder`] is the one for controllers: it returns at once (a background task writes),
//! writes `events.k8s.io/v1` (or core/v1), and applies client-go's whole correlator:
//! aggregation of similar messages, counting of repeats, and the per-object spam filter.

pub mod correlator;
mod recorder;

pub use recorder::{EventsApi, Recorder, RecorderStats, DEFAULT_QUEUE};

use crate::client::ApiResource;
use crate::meta::v1::Time;
use crate::resource::{Resource, Scope};
use crate::rest::{PatchType, RestClient, Result};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// How long a repeat still counts as the same event.
const AGGREGATION_WINDOW: Duration = Duration::from_secs(600);

/// `Normal` or `Warning`, the two event types Kubernetes defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// Something worth knowing happened.
    Normal,
    /// Something may need attention.
    Warning,
}

impl EventType {
    /// `"Normal"` or `"Warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// The object an event is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Regarding {
    /// `group/version` of the object.
    pub api_version: String,
    /// Kind.
    pub kind: String,
    /// Namespace (`""` for cluster-scoped objects; their events go to `default`).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// UID.
    pub uid: String,
}

impl Regarding {
    /// The reference to `obj`.
    pub fn of<K: Resource>(obj: &K) -> Self {
        let m = obj.metadata();
        Regarding {
            api_version: K::API_VERSION.to_owned(),
            kind: K::KIND.to_owned(),
            namespace: if K::SCOPE == Scope::Namespaced {
                m.namespace.as_deref().unwrap_or_default().to_owned()
            } else {
                String::new()
            },
            name: m.name.as_deref().unwrap_or_default().to_owned(),
            uid: m.uid.as_deref().unwrap_or_default().to_owned(),
        }
    }

    /// The namespace its Events go to (a cluster-scoped object's go to `default`).
    fn event_namespace(&self) -> String {
        if self.namespace.is_empty() {
            "default".to_owned()
        } else {
            self.namespace.clone()
        }
    }

    /// client-go's name for a new Event about it: `<object>.<hex nanoseconds>`.
    fn event_name(&self, now: &Time) -> String {
        format!("{}.{:x}", self.name, now.0.as_nanosecond())
    }

    /// The object reference an Event holds (`involvedObject` in core/v1, `regarding` in
    /// events.k8s.io/v1).
    fn object_reference(&self) -> Value {
        json!({
            "apiVersion": self.api_version, "kind": self.kind,
            "namespace": (!self.namespace.is_empty()).then_some(&self.namespace),
            "name": self.name, "uid": (!self.uid.is_empty()).then_some(&self.uid)
        })
    }

    /// The reference to an object of `api` (for dynamic objects, whose kind is known at run time).
    pub fn dynamic(api: &ApiResource, namespace: &str, name: &str, uid: &str) -> Self {
        Regarding {
            api_version: api.api_version(),
            kind: api.kind.to_string(),
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            uid: uid.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    regarding: Regarding,
    type_: EventType,
    reason: String,
    message: String,
}

#[derive(Debug)]
struct Seen {
    namespace: String,
    name: String,
    count: u64,
    at: Instant,
}

/// Writes Events for one component (`reportingController`, e.g. `my-operator`). Cloning shares
/// the aggregation cache.
#[derive(Clone)]
pub struct EventRecorder {
    rest: RestClient,
    component: String,
    instance: String,
    seen: Arc<Mutex<HashMap<Key, Seen>>>,
}

impl std::fmt::Debug for EventRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventRecorder")
            .field("component", &self.component)
            .field("instance", &self.instance)
            .finish()
    }
}

impl EventRecorder {
    /// A recorder for `component` running as `instance` (e.g. the pod name); `rest` is any
    /// client of the cluster.
    pub fn new(rest: &RestClient, component: &str, instance: &str) -> Self {
        EventRecorder {
            rest: rest.for_group_version("", "v1"),
            component: component.to_owned(),
            instance: instance.to_owned(),
            seen: Arc::default(),
        }
    }

    /// Record an event about `regarding`. A repeat within ten minutes bumps the existing
    /// Event's count; otherwise a new Event is created.
    pub async fn record(
        &self,
        regarding: &Regarding,
        type_: EventType,
        reason: &str,
        message: &str,
    ) -> Result<()> {
        let key = Key {
            regarding: regarding.clone(),
            type_,
            reason: reason.to_owned(),
            message: message.to_owned(),
        };
        let now = Time::now();
        let repeat = {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            seen.retain(|_, s| s.at.elapsed() < AGGREGATION_WINDOW);
            seen.get_mut(&key).map(|s| {
                s.count += 1;
                s.at = Instant::now();
                (s.namespace.clone(), s.name.clone(), s.count)
            })
        };
        if let Some((ns, name, count)) = repeat {
            let patch = json!({"count": count, "lastTimestamp": now, "message": message});
            let patched = self
                .rest
                .patch(PatchType::Merge)
                .namespace(&ns)
                .resource("events")
                .name(&name)
                .body_json(&patch)
                .do_raw()
                .await;
            match patched {
                Ok(_) => return Ok(()),
                // Someone deleted it (events expire after an hour): start a new one.
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        let source = Source {
            component: &self.component,
            instance: &self.instance,
        };
        let (ns, name) = (regarding.event_namespace(), regarding.event_name(&now));
        let event = core_v1_event(
            &name,
            &ns,
            regarding,
            source,
            (type_, reason, message),
            &now,
        );
        let name = create_event(&self.rest, &ns, event, name).await?;
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.insert(
            key,
            Seen {
                namespace: ns,
                name,
                count: 1,
                at: Instant::now(),
            },
        );
        Ok(())
    }

    /// Record an event about a typed object.
    pub async fn record_for<K: Resource>(
        &self,
        obj: &K,
        type_: EventType,
        reason: &str,
        message: &str,
    ) -> Result<()> {
        self.record(&Regarding::of(obj), type_, reason, message)
            .await
    }
}

/// Drop `null` members (optional fields left out) so the body is what the API server expects.
fn strip_nulls(mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        m.retain(|_, x| !x.is_null());
        for x in m.values_mut() {
            *x = strip_nulls(std::mem::take(x));
        }
    }
    v
}

/// Who writes Events: the component (`my-operator`) and its instance (e.g. the pod name).
#[derive(Clone, Copy)]
struct Source<'a> {
    component: &'a str,
    instance: &'a str,
}

/// A new core/v1 Event as client-go's legacy recorder writes it; `what` is type, reason and
/// message.
fn core_v1_event(
    name: &str,
    namespace: &str,
    regarding: &Regarding,
    source: Source<'_>,
    (type_, reason, message): (EventType, &str, &str),
    now: &Time,
) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": namespace},
        "involvedObject": regarding.object_reference(),
        "type": type_.as_str(), "reason": reason, "message": message,
        "source": {"component": source.component, "host": source.instance},
        "reportingComponent": source.component, "reportingInstance": source.instance,
        // No eventTime: as client-go's legacy recorder. kube-apiserver validates an Event
        // that has one as an events.k8s.io Event (action, series, ... required).
        "firstTimestamp": now, "lastTimestamp": now, "count": 1
    })
}

/// Create the Event `body` (named `name`) in `namespace` through `rest`, rooted at the Event
/// API's group version; the name the server gave it.
async fn create_event(
    rest: &RestClient,
    namespace: &str,
    body: Value,
    name: String,
) -> Result<String> {
    let created: Value = rest
        .post()
        .namespace(namespace)
        .resource("events")
        .body_json(&strip_nulls(body))
        .do_()
        .await?;
    Ok(created
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .map_or(name, str::to_owned))
}
