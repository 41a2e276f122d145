//! Namespace lifecycle: the default ServiceAccount of a new namespace, and deletion with
//! everything in it, as kube-apiserver and the namespace controller do it together.

use crate::objmeta::{has_finalizers, meta_mut, meta_str, now_rfc3339};
use crate::resources::StorageKey;
use crate::store::{EventType, Store, Stored};
use serde_json::json;
use std::sync::Arc;

/// What kube-controller-manager's serviceaccount controller does for a new namespace: its
/// `default` ServiceAccount (pods name it unless they name another).
pub fn add_default_service_account(store: &mut Store, ns: &str) {
    let key = StorageKey {
        group: String::new(),
        plural: "serviceaccounts".into(),
    };
    if store.get(&key, ns, "default").is_some() {
        return;
    }
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "default", "namespace": ns, "uid": uuid::Uuid::new_v4().to_string(),
                     "creationTimestamp": now_rfc3339()}});
    store.put(&key, ns, "default", sa, EventType::Added);
}

/// Storage key of namespaces, which namespaced creates check.
pub fn namespaces_key() -> StorageKey {
    StorageKey {
        group: String::new(),
        plural: "namespaces".into(),
    }
}

/// Whether namespace `ns` is being deleted (new content is refused).
pub(super) fn namespace_terminating(store: &Store, ns: &str) -> bool {
    store
        .get(&namespaces_key(), "", ns)
        .is_some_and(|n| meta_str(&n.value, "deletionTimestamp").is_some())
}

/// Delete a namespace as kube-apiserver and its namespace controller do, at once: the
/// namespace turns `Terminating` (deletionTimestamp set), everything in it is deleted (objects
/// with finalizers wait for them), and the namespace goes when it is empty and has no
/// finalizers of its own. Returns the namespace as marked.
pub(super) fn terminate_namespace(store: &mut Store, old: &Arc<Stored>, name: &str) -> Arc<Stored> {
    let ns_key = namespaces_key();
    let marked = if meta_str(&old.value, "deletionTimestamp").is_some() {
        old.clone()
    } else {
        let mut v = old.value.clone();
        if let Some(m) = meta_mut(&mut v) {
            m.insert("deletionTimestamp".into(), json!(now_rfc3339()));
            m.insert("deletionGracePeriodSeconds".into(), json!(0));
        }
        if let Some(obj) = v.as_object_mut() {
            obj.insert("status".into(), json!({"phase": "Terminating"}));
        }
        store.put(&ns_key, "", name, v, EventType::Modified)
    };
    for (key, member) in store.objects_in_namespace(name) {
        let Some(obj) = store.get(&key, name, &member) else {
            continue;
        };
        if !has_finalizers(&obj.value) {
            store.remove(&key, name, &member);
        } else if meta_str(&obj.value, "deletionTimestamp").is_none() {
            let mut v = obj.value.clone();
            if let Some(m) = meta_mut(&mut v) {
                m.insert("deletionTimestamp".into(), json!(now_rfc3339()));
                m.insert("deletionGracePeriodSeconds".into(), json!(0));
            }
            store.put(&key, name, &member, v, EventType::Modified);
        }
    }
    finish_namespace(store, name);
    marked
}

/// Remove namespace `ns` when it is terminating, empty and without finalizers of its own;
/// returns its last state when it went.
pub(super) fn finish_namespace(store: &mut Store, ns: &str) -> Option<Arc<Stored>> {
    let key = namespaces_key();
    let obj = store.get(&key, "", ns)?;
    let done = meta_str(&obj.value, "deletionTimestamp").is_some()
        && !has_finalizers(&obj.value)
        && store.objects_in_namespace(ns).is_empty();
    if done {
        store.remove(&key, "", ns)
    } else {
        None
    }
}
