//! The object store: every object of every resource, one global resourceVersion counter, and
//! the event history watches replay from.

use crate::resources::StorageKey;
use crate::status::ApiError;
use bytes::Bytes;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, OnceLock};
use tokio::sync::broadcast;

/// One stored object version: the JSON value and its serialized bytes, so reads and list
/// responses copy bytes instead of serializing again.
#[derive(Debug)]
pub struct Stored {
    /// The object.
    pub value: Value,
    /// The object serialized, `apiVersion` and `kind` first.
    pub bytes: Bytes,
    /// Its resourceVersion.
    pub rv: u64,
    /// Where the fields after `apiVersion` and `kind` start in `bytes`: `{` and
    /// `bytes[item_from..]` is the object without its type, as lists of built-in kinds carry
    /// their items.
    item_from: usize,
    /// The object's protobuf message, encoded when first asked for (`None`: no protobuf form).
    message: OnceLock<Option<Bytes>>,
}

impl Stored {
    /// A stored version of `value` at resourceVersion `rv`, serialized once.
    pub fn new(mut value: Value, rv: u64) -> Arc<Self> {
        let (bytes, item_from) = serialize(&mut value);
        Arc::new(Stored {
            value,
            bytes,
            rv,
            item_from,
            message: OnceLock::new(),
        })
    }

    /// Whether the object is stored as `api_version` (`group/version`), so its stored bytes and
    /// message answer a request made in that version as they are.
    pub fn stored_as(&self, api_version: &str) -> bool {
        self.value.get("apiVersion").and_then(Value::as_str) == Some(api_version)
    }

    /// The object's protobuf message (what a protobuf list carries as an item), encoded once
    /// per stored version; `None` when its kind has no protobuf form.
    pub fn protobuf_message(&self) -> Option<&Bytes> {
        self.message
            .get_or_init(|| crate::protobuf::json_to_message(&self.bytes))
            .as_ref()
    }

    /// The object without `apiVersion` and `kind`, written to `out`.
    pub fn write_untyped(&self, out: &mut impl bytes::BufMut) {
        out.put_u8(b'{');
        out.put_slice(self.bytes.get(self.item_from..).unwrap_or(&b"}"[..]));
    }
}

/// `value` as `{"apiVersion":..,"kind":..,<rest>}` and the offset of `<rest>`. Serializing a
/// `Value` cannot fail (keys are strings); the fallback to `{}` only keeps this total.
fn serialize(value: &mut Value) -> (Bytes, usize) {
    let Some(map) = value.as_object_mut() else {
        let bytes = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
        return (Bytes::from(bytes), 1);
    };
    let type_fields = [
        ("apiVersion", map.remove("apiVersion")),
        ("kind", map.remove("kind")),
    ];
    let rest = serde_json::to_vec(map).unwrap_or_else(|_| b"{}".to_vec());
    let mut out = Vec::with_capacity(rest.len() + 64);
    out.push(b'{');
    for (name, v) in &type_fields {
        if let Some(v) = v {
            if out.len() > 1 {
                out.push(b',');
            }
            out.extend_from_slice(b"\"");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            out.extend_from_slice(&serde_json::to_vec(v).unwrap_or_else(|_| b"null".to_vec()));
        }
    }
    let body = rest.get(1..).unwrap_or(&b"}"[..]);
    if out.len() > 1 && body != b"}" {
        out.push(b',');
    }
    let item_from = out.len();
    out.extend_from_slice(body);
    for (name, v) in type_fields {
        if let Some(v) = v {
            map.insert(name.into(), v);
        }
    }
    (Bytes::from(out), item_from)
}

/// Watch event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Object created.
    Added,
    /// Object changed.
    Modified,
    /// Object removed.
    Deleted,
}

impl EventType {
    /// Wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as watches see it.
#[derive(Debug)]
pub struct Event {
    /// resourceVersion of the change.
    pub rv: u64,
    /// What happened.
    pub kind: EventType,
    /// Which resource.
    pub key: StorageKey,
    /// Namespace of the object (`""` for cluster scoped).
    pub namespace: String,
    /// The object after the change (for deletes: its last state, with the delete's rv).
    pub object: Arc<Stored>,
    /// The object before the change, so label-filtered watches can turn a change that leaves
    /// the selection into DELETED.
    pub prev: Option<Arc<Stored>>,
}

/// Replayed history plus the live event stream of a new watch.
pub type Subscription = (Vec<Arc<Event>>, broadcast::Receiver<Arc<Event>>);

type Objects = BTreeMap<(String, String), Arc<Stored>>;

/// All objects plus history. Lives behind one mutex: every write is read-modify-write under
/// the lock, which gives exactly one winner per resourceVersion.
#[derive(Debug)]
pub struct Store {
    rv: u64,
    objects: HashMap<StorageKey, Objects>,
    history: VecDeque<Arc<Event>>,
    window: usize,
    /// Highest rv whose event is no longer retained; watches from below it get 410.
    compacted: u64,
    tx: broadcast::Sender<Arc<Event>>,
}

impl Store {
    /// An empty store retaining `window` events of history.
    pub fn new(window: usize) -> Self {
        let (tx, _) = broadcast::channel(16 * 1024);
        Store {
            rv: 1,
            objects: HashMap::new(),
            history: VecDeque::new(),
            window,
            compacted: 1,
            tx,
        }
    }

    /// The current (latest) resourceVersion.
    pub fn current_rv(&self) -> u64 {
        self.rv
    }

    /// One object.
    pub fn get(&self, key: &StorageKey, ns: &str, name: &str) -> Option<Arc<Stored>> {
        self.objects
            .get(key)?
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
    }

    /// Objects of a resource, ordered by (namespace, name); in one namespace when `ns` is given.
    pub fn list(&self, key: &StorageKey, ns: Option<&str>) -> Vec<Arc<Stored>> {
        let Some(objs) = self.objects.get(key) else {
            return Vec::new();
        };
        match ns {
            None => objs.values().cloned().collect(),
            Some(ns) => objs
                .range((ns.to_string(), String::new())..)
                .take_while(|((n, _), _)| n == ns)
                .map(|(_, v)| v.clone())
                .collect(),
        }
    }

    /// Objects of a resource as they were at resourceVersion `rv` (ordered like [`list`]),
    /// rebuilt by undoing the retained history after `rv`; 410 when that history is gone.
    ///
    /// [`list`]: Store::list
    pub fn list_at(
        &self,
        key: &StorageKey,
        ns: Option<&str>,
        rv: u64,
    ) -> Result<Vec<Arc<Stored>>, ApiError> {
        if rv >= self.rv {
            return Ok(self.list(key, ns));
        }
        if rv < self.compacted {
            return Err(ApiError::expired(rv, self.compacted + 1));
        }
        let mut objects: Objects = self.objects.get(key).cloned().unwrap_or_default();
        for e in self.history.iter().rev().take_while(|e| e.rv > rv) {
            if &e.key != key {
                continue;
            }
            let name = e
                .object
                .value
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let at = (e.namespace.clone(), name.to_string());
            match (&e.kind, &e.prev) {
                (EventType::Added, _) | (_, None) => {
                    objects.remove(&at);
                }
                (_, Some(prev)) => {
                    objects.insert(at, prev.clone());
                }
            }
        }
        Ok(match ns {
            None => objects.into_values().collect(),
            Some(ns) => objects
                .into_iter()
                .filter(|((n, _), _)| n == ns)
                .map(|(_, v)| v)
                .collect(),
        })
    }

    /// Every object of every resource, ordered by resource, namespace and name.
    pub fn all(&self) -> Vec<(StorageKey, Arc<Stored>)> {
        let mut out: Vec<(StorageKey, Arc<Stored>)> = self
            .objects
            .iter()
            .flat_map(|(key, objs)| objs.values().map(move |o| (key.clone(), o.clone())))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Whether any object names `uid` in its ownerReferences (a scan without copies, so a
    /// delete of an object nobody owns stays cheap).
    pub fn is_owner(&self, uid: &str) -> bool {
        self.objects
            .values()
            .flat_map(|objs| objs.values())
            .any(|o| {
                o.value
                    .pointer("/metadata/ownerReferences")
                    .and_then(Value::as_array)
                    .is_some_and(|refs| {
                        refs.iter()
                            .any(|r| r.get("uid").and_then(Value::as_str) == Some(uid))
                    })
            })
    }

    /// Every object stored in namespace `ns` (any resource), as (resource, name).
    pub fn objects_in_namespace(&self, ns: &str) -> Vec<(StorageKey, String)> {
        let mut out: Vec<(StorageKey, String)> = self
            .objects
            .iter()
            .flat_map(|(key, objs)| {
                objs.range((ns.to_string(), String::new())..)
                    .take_while(|((n, _), _)| n == ns)
                    .map(|((_, name), _)| (key.clone(), name.clone()))
            })
            .collect();
        out.sort();
        out
    }

    /// Store a new version of an object: assigns the next resourceVersion, records the event.
    pub fn put(
        &mut self,
        key: &StorageKey,
        ns: &str,
        name: &str,
        mut value: Value,
        kind: EventType,
    ) -> Arc<Stored> {
        self.rv += 1;
        let rv = self.rv;
        if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
        }
        let stored = Stored::new(value, rv);
        let prev = self
            .objects
            .entry(key.clone())
            .or_default()
            .insert((ns.to_string(), name.to_string()), stored.clone());
        self.record(Event {
            rv,
            kind,
            key: key.clone(),
            namespace: ns.to_string(),
            object: stored.clone(),
            prev,
        });
        stored
    }

    /// Remove an object; the DELETED event carries the last state with a fresh resourceVersion.
    pub fn remove(&mut self, key: &StorageKey, ns: &str, name: &str) -> Option<Arc<Stored>> {
        let old = self
            .objects
            .get_mut(key)?
            .remove(&(ns.to_string(), name.to_string()))?;
        self.rv += 1;
        let rv = self.rv;
        let mut value = old.value.clone();
        if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
        }
        let gone = Stored::new(value, rv);
        self.record(Event {
            rv,
            kind: EventType::Deleted,
            key: key.clone(),
            namespace: ns.to_string(),
            object: gone.clone(),
            prev: Some(old),
        });
        Some(gone)
    }

    fn record(&mut self, event: Event) {
        let event = Arc::new(event);
        self.history.push_back(event.clone());
        while self.history.len() > self.window {
            if let Some(e) = self.history.pop_front() {
                self.compacted = e.rv;
            }
        }
        // No receivers is fine: nobody is watching.
        let _ = self.tx.send(event);
    }

    /// Forget all history so that watches from any earlier resourceVersion get 410 Gone.
    pub fn compact(&mut self) {
        self.history.clear();
        self.compacted = self.rv;
    }

    /// Events after `from` for one resource, plus a receiver for everything later. Taken under
    /// the store lock, so no event falls between the replay and the live stream.
    pub fn subscribe(&self, key: &StorageKey, from: u64) -> Result<Subscription, ApiError> {
        if from < self.compacted {
            return Err(ApiError::expired(from, self.compacted + 1));
        }
        let replay = self
            .history
            .iter()
            .filter(|e| e.rv > from && &e.key == key)
            .cloned()
            .collect();
        Ok((replay, self.tx.subscribe()))
    }

    /// A receiver for future events only.
    pub fn subscribe_live(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tx.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> StorageKey {
        StorageKey {
            group: String::new(),
            plural: "pods".into(),
        }
    }

    #[test]
    fn bytes_put_the_type_first_and_lists_can_leave_it_out() {
        for (value, untyped) in [
            (
                json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "a"}}),
                json!({"metadata": {"name": "a"}}),
            ),
            (json!({"kind": "Pod", "apiVersion": "v1"}), json!({})),
            (json!({"metadata": {}}), json!({"metadata": {}})),
        ] {
            let s = Stored::new(value.clone(), 1);
            assert_eq!(
                serde_json::from_slice::<Value>(&s.bytes).expect("json"),
                value
            );
            let mut out = Vec::new();
            s.write_untyped(&mut out);
            assert_eq!(
                serde_json::from_slice::<Value>(&out).expect("json"),
                untyped
            );
        }
        let s = Stored::new(json!({"kind": "Pod", "apiVersion": "v1", "a": 1}), 1);
        assert!(s.bytes.starts_with(br#"{"apiVersion":"v1","kind":"Pod","#));
    }

    #[test]
    fn resource_versions_increase_and_history_expires() {
        let mut s = Store::new(2);
        let a = s.put(
            &key(),
            "ns",
            "a",
            json!({"metadata": {"name": "a"}}),
            EventType::Added,
        );
        let b = s.put(
            &key(),
            "ns",
            "b",
            json!({"metadata": {"name": "b"}}),
            EventType::Added,
        );
        assert!(b.rv > a.rv);
        assert_eq!(
            b.value["metadata"]["resourceVersion"],
            json!(b.rv.to_string())
        );
        let gone = s.remove(&key(), "ns", "a").expect("a exists");
        assert!(gone.rv > b.rv);
        assert_eq!(s.list(&key(), Some("ns")).len(), 1);
        // Window of 2: the event at a.rv was dropped, so watching from before it is 410.
        assert!(s.subscribe(&key(), a.rv - 1).is_err());
        let (replay, _) = s.subscribe(&key(), b.rv).expect("recent rv is retained");
        assert_eq!(replay.len(), 1);
        s.compact();
        assert!(s.subscribe(&key(), b.rv).is_err());
    }

    #[test]
    fn past_states_are_rebuilt_from_history() {
        let mut s = Store::new(100);
        let put = |s: &mut Store, name: &str, v: i64, kind| {
            s.put(
                &key(),
                "ns",
                name,
                json!({"metadata": {"name": name}, "v": v}),
                kind,
            )
        };
        let a1 = put(&mut s, "a", 1, EventType::Added);
        let at_a1 = a1.rv;
        put(&mut s, "b", 1, EventType::Added);
        put(&mut s, "a", 2, EventType::Modified);
        s.remove(&key(), "ns", "b");
        put(&mut s, "c", 1, EventType::Added);
        let names = |objs: Vec<Arc<Stored>>| -> Vec<(String, i64)> {
            objs.iter()
                .map(|o| {
                    (
                        o.value["metadata"]["name"]
                            .as_str()
                            .unwrap_or("")
                            .to_string(),
                        o.value["v"].as_i64().unwrap_or(0),
                    )
                })
                .collect()
        };
        assert_eq!(
            names(s.list_at(&key(), Some("ns"), at_a1).expect("retained")),
            [("a".to_string(), 1)]
        );
        assert_eq!(
            names(s.list_at(&key(), None, at_a1 + 1).expect("retained")),
            [("a".to_string(), 1), ("b".to_string(), 1)]
        );
        assert_eq!(
            names(s.list_at(&key(), None, s.current_rv()).expect("now")),
            [("a".to_string(), 2), ("c".to_string(), 1)]
        );
        s.compact();
        assert_eq!(
            s.list_at(&key(), None, at_a1).map_err(|e| e.code).err(),
            Some(410)
        );
    }
}
