//! Deletion propagation and garbage collection by ownerReferences, as kube-apiserver's registry
//! and kube-controller-manager's garbage collector do between them, but at once, under the
//! store lock:
//!
//! - **Background** (the default for most kinds): the owner goes; then every object it owned
//!   goes too, unless another owner of it still exists (that reference alone is dropped).
//! - **Foreground**: the owner is kept with the `foregroundDeletion` finalizer and a
//!   deletionTimestamp while its dependents are deleted (in foreground too); it goes once no
//!   dependent with `blockOwnerDeletion` remains (one with finalizers of its own holds it).
//! - **Orphan** (the default for batch/v1 Jobs and v1 ReplicationControllers): the owner is kept
//!   with the `orphan` finalizer while the references to it are removed from its dependents;
//!   then it goes.
//!
//! The registry's answer to the DELETE is the owner as marked, as the real one is: the
//! collector's work shows up as watch events right after.

use crate::objmeta::{has_finalizers, meta_mut, meta_str, now_rfc3339};
use crate::resources::StorageKey;
use crate::status::ApiError;
use crate::store::{EventType, Store, Stored};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;

/// The finalizer that orphans dependents.
pub const ORPHAN: &str = "orphan";
/// The finalizer that deletes dependents first.
pub const FOREGROUND: &str = "foregroundDeletion";

/// How a delete treats the objects the deleted one owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    /// Remove the owner's references from its dependents.
    Orphan,
    /// Delete the owner now and its dependents after.
    Background,
    /// Delete the dependents first, then the owner.
    Foreground,
}

/// The warning kube-apiserver gives a Job delete that leaves the pods behind by default.
pub const JOB_ORPHAN_WARNING: &str = "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning";

/// Whether a resource orphans dependents unless told otherwise (DefaultGarbageCollectionPolicy).
pub fn orphans_by_default(group: &str, version: &str, plural: &str) -> bool {
    matches!(
        (group, version, plural),
        ("batch", "v1", "jobs") | ("", "v1", "replicationcontrollers")
    )
}

/// The propagation a DELETE asks for: `orphanDependents`, then `propagationPolicy`, then the
/// object's own GC finalizers, then the resource's default (shouldOrphanDependents and
/// shouldDeleteDependents, in that order of precedence).
///
/// # Errors
/// 422 for a `propagationPolicy` other than the three, or one given with `orphanDependents`.
pub fn propagation(
    group: &str,
    version: &str,
    plural: &str,
    opts: &Value,
    obj: &Value,
) -> Result<Propagation, ApiError> {
    let policy = opts.get("propagationPolicy").and_then(Value::as_str);
    let orphan = opts.get("orphanDependents").and_then(Value::as_bool);
    if orphan.is_some() && policy.is_some() {
        return Err(ApiError::invalid_options(
            "DeleteOptions",
            &[(
                "Invalid",
                "propagationPolicy",
                "orphanDependents and deletionPropagation cannot be both set".to_owned(),
            )],
        ));
    }
    if let Some(o) = orphan {
        return Ok(if o {
            Propagation::Orphan
        } else {
            Propagation::Background
        });
    }
    match policy {
        Some("Orphan") => return Ok(Propagation::Orphan),
        Some("Background") => return Ok(Propagation::Background),
        Some("Foreground") => return Ok(Propagation::Foreground),
        Some(other) => {
            return Err(ApiError::invalid_options(
                "DeleteOptions",
                &[(
                    "NotSupported",
                    "propagationPolicy",
                    format!("Unsupported value: {other:?}: supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""),
                )],
            ))
        }
        None => {}
    }
    let finalizers = finalizers(obj);
    if finalizers.iter().any(|f| f == ORPHAN) {
        return Ok(Propagation::Orphan);
    }
    if finalizers.iter().any(|f| f == FOREGROUND) {
        return Ok(Propagation::Foreground);
    }
    Ok(if orphans_by_default(group, version, plural) {
        Propagation::Orphan
    } else {
        Propagation::Background
    })
}

fn finalizers(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn set_finalizers(obj: &mut Value, list: Vec<String>) {
    if let Some(m) = meta_mut(obj) {
        if list.is_empty() {
            m.remove("finalizers");
        } else {
            m.insert("finalizers".into(), json!(list));
        }
    }
}

/// Where an object is stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Place {
    key: StorageKey,
    namespace: String,
    name: String,
}

impl Place {
    fn of(key: &StorageKey, obj: &Value) -> Self {
        Place {
            key: key.clone(),
            namespace: meta_str(obj, "namespace").unwrap_or_default().to_owned(),
            name: meta_str(obj, "name").unwrap_or_default().to_owned(),
        }
    }
}

fn owner_uids(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| r.get("uid").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The objects naming `uid` as an owner, with whether their reference blocks the owner's
/// foreground deletion. Dependents of a namespaced owner are in its namespace.
fn dependents(store: &Store, uid: &str, namespace: &str) -> Vec<(Place, bool)> {
    store
        .all()
        .into_iter()
        .filter(|(_, o)| namespace.is_empty() || meta_str(&o.value, "namespace") == Some(namespace))
        .filter_map(|(key, o)| {
            let refs = o.value.pointer("/metadata/ownerReferences")?.as_array()?;
            let r = refs
                .iter()
                .find(|r| r.get("uid").and_then(Value::as_str) == Some(uid))?;
            let blocks = r.get("blockOwnerDeletion").and_then(Value::as_bool) == Some(true);
            Some((Place::of(&key, &o.value), blocks))
        })
        .collect()
}

/// Delete the object at `place` with `policy`, as the registry does: returns its state after
/// the call (marked with a GC finalizer, marked for its own finalizers, or its last state when
/// it went), then lets the collector finish what the policy asks.
pub fn delete(
    store: &mut Store,
    key: &StorageKey,
    obj: &Arc<Stored>,
    policy: Propagation,
) -> Arc<Stored> {
    let place = Place::of(key, &obj.value);
    let answer = mark_or_remove(store, &place, obj, policy);
    // The collector has work only if the object now waits for it, owned something, or was
    // owned (a foreground owner may be waiting for it): skip the whole-store scans otherwise,
    // so deleting a collection of plain objects stays linear.
    let uid = meta_str(&obj.value, "uid").unwrap_or_default();
    if policy != Propagation::Background
        || !owner_uids(&obj.value).is_empty()
        || (!uid.is_empty() && store.is_owner(uid))
    {
        collect(store);
    }
    answer
}

fn mark_or_remove(
    store: &mut Store,
    place: &Place,
    obj: &Arc<Stored>,
    policy: Propagation,
) -> Arc<Stored> {
    let gc_finalizer = match policy {
        Propagation::Orphan => Some(ORPHAN),
        Propagation::Foreground => Some(FOREGROUND),
        Propagation::Background => None,
    };
    let mut list: Vec<String> = finalizers(&obj.value)
        .into_iter()
        .filter(|f| f != ORPHAN && f != FOREGROUND)
        .collect();
    list.extend(gc_finalizer.map(str::to_owned));
    if list.is_empty() {
        let gone = store
            .remove(&place.key, &place.namespace, &place.name)
            .unwrap_or_else(|| obj.clone());
        return gone;
    }
    let mut v = obj.value.clone();
    set_finalizers(&mut v, list);
    if let Some(m) = meta_mut(&mut v) {
        if !m.contains_key("deletionTimestamp") {
            m.insert("deletionTimestamp".into(), json!(now_rfc3339()));
            m.insert("deletionGracePeriodSeconds".into(), json!(0));
            // rest.BeforeDelete counts the deletion mark as a new generation.
            if let Some(g) = m
                .get("generation")
                .and_then(Value::as_i64)
                .filter(|g| *g > 0)
            {
                m.insert("generation".into(), json!(g + 1));
            }
        }
    }
    if v == obj.value {
        return obj.clone();
    }
    store.put(
        &place.key,
        &place.namespace,
        &place.name,
        v,
        EventType::Modified,
    )
}

/// Run the collector until nothing is left to do: orphan the dependents of objects being
/// deleted with `orphan`, delete those of objects being deleted with `foregroundDeletion`
/// (dropping the finalizer once none blocks), and delete objects all of whose owners are gone.
pub fn collect(store: &mut Store) {
    // Each round removes or changes at least one object, so the number of objects bounds it.
    for _ in 0..=store.all().len() {
        if !collect_once(store) {
            return;
        }
    }
}

fn collect_once(store: &mut Store) -> bool {
    let all = store.all();
    let live: HashSet<String> = all
        .iter()
        .filter_map(|(_, o)| meta_str(&o.value, "uid").map(str::to_owned))
        .collect();
    for (key, o) in &all {
        let deleting = meta_str(&o.value, "deletionTimestamp").is_some();
        let fins = finalizers(&o.value);
        let uid = meta_str(&o.value, "uid").unwrap_or_default().to_owned();
        let ns = meta_str(&o.value, "namespace")
            .unwrap_or_default()
            .to_owned();
        if deleting && fins.iter().any(|f| f == ORPHAN) {
            for (place, _) in dependents(store, &uid, &ns) {
                drop_owner(store, &place, &uid);
            }
            finish(store, key, o, ORPHAN);
            return true;
        }
        if deleting && fins.iter().any(|f| f == FOREGROUND) {
            let deps = dependents(store, &uid, &ns);
            let mut changed = false;
            for (place, _) in &deps {
                if let Some(d) = store.get(&place.key, &place.namespace, &place.name) {
                    if meta_str(&d.value, "deletionTimestamp").is_none() {
                        mark_or_remove(store, place, &d, Propagation::Foreground);
                        changed = true;
                    }
                }
            }
            if changed {
                return true;
            }
            if deps.iter().all(|(_, blocks)| !blocks) {
                finish(store, key, o, FOREGROUND);
                return true;
            }
            continue;
        }
        // Background: every owner is gone.
        let owners = owner_uids(&o.value);
        if !owners.is_empty() && !deleting && owners.iter().all(|u| !live.contains(u)) {
            let place = Place::of(key, &o.value);
            mark_or_remove(store, &place, o, Propagation::Background);
            return true;
        }
    }
    false
}

/// Remove the reference to owner `uid` from the object at `place`.
fn drop_owner(store: &mut Store, place: &Place, uid: &str) {
    let Some(d) = store.get(&place.key, &place.namespace, &place.name) else {
        return;
    };
    let mut v = d.value.clone();
    let Some(m) = meta_mut(&mut v) else {
        return;
    };
    if let Some(refs) = m.get_mut("ownerReferences").and_then(Value::as_array_mut) {
        refs.retain(|r| r.get("uid").and_then(Value::as_str) != Some(uid));
        if refs.is_empty() {
            m.remove("ownerReferences");
        }
    }
    store.put(
        &place.key,
        &place.namespace,
        &place.name,
        v,
        EventType::Modified,
    );
}

/// Drop the collector's `finalizer` from `o`; the object goes when no finalizer is left.
fn finish(store: &mut Store, key: &StorageKey, o: &Arc<Stored>, finalizer: &str) {
    let place = Place::of(key, &o.value);
    let Some(current) = store.get(key, &place.namespace, &place.name) else {
        return;
    };
    let mut v = current.value.clone();
    let list = finalizers(&v)
        .into_iter()
        .filter(|f| f != finalizer)
        .collect();
    set_finalizers(&mut v, list);
    let last = !has_finalizers(&v);
    store.put(key, &place.namespace, &place.name, v, EventType::Modified);
    if last {
        store.remove(key, &place.namespace, &place.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(plural: &str) -> StorageKey {
        StorageKey {
            group: "apps".into(),
            plural: plural.into(),
        }
    }

    fn obj(name: &str, uid: &str, owner: Option<(&str, bool)>) -> Value {
        let mut v = json!({"metadata": {"name": name, "namespace": "ns", "uid": uid}});
        if let Some((o, block)) = owner {
            v["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "X", "name": "o", "uid": o, "controller": true, "blockOwnerDeletion": block}]);
        }
        v
    }

    /// deploy -> rs -> pod, plus an unrelated pod.
    fn tree() -> Store {
        let mut s = Store::new(100);
        s.put(
            &key("deployments"),
            "ns",
            "d",
            obj("d", "u-d", None),
            EventType::Added,
        );
        s.put(
            &key("replicasets"),
            "ns",
            "r",
            obj("r", "u-r", Some(("u-d", true))),
            EventType::Added,
        );
        s.put(
            &key("pods"),
            "ns",
            "p",
            obj("p", "u-p", Some(("u-r", true))),
            EventType::Added,
        );
        s.put(
            &key("pods"),
            "ns",
            "q",
            obj("q", "u-q", None),
            EventType::Added,
        );
        s
    }

    fn names(s: &Store) -> Vec<String> {
        let mut n: Vec<String> = s
            .all()
            .into_iter()
            .filter_map(|(_, o)| meta_str(&o.value, "name").map(str::to_owned))
            .collect();
        n.sort();
        n
    }

    #[test]
    fn background_deletes_the_whole_tree_after_the_owner() {
        let mut s = tree();
        let d = s.get(&key("deployments"), "ns", "d").unwrap();
        let answer = delete(&mut s, &key("deployments"), &d, Propagation::Background);
        assert!(meta_str(&answer.value, "deletionTimestamp").is_none());
        assert_eq!(names(&s), ["q"]);
    }

    #[test]
    fn foreground_answers_with_the_marked_owner_and_deletes_bottom_up() {
        let mut s = tree();
        let d = s.get(&key("deployments"), "ns", "d").unwrap();
        let answer = delete(&mut s, &key("deployments"), &d, Propagation::Foreground);
        assert_eq!(finalizers(&answer.value), [FOREGROUND]);
        assert!(meta_str(&answer.value, "deletionTimestamp").is_some());
        assert_eq!(names(&s), ["q"]);
    }

    #[test]
    fn a_blocking_dependent_with_a_finalizer_holds_a_foreground_owner() {
        let mut s = tree();
        let mut p = obj("p", "u-p", Some(("u-r", true)));
        p["metadata"]["finalizers"] = json!(["example.com/hold"]);
        s.put(&key("pods"), "ns", "p", p, EventType::Modified);
        let d = s.get(&key("deployments"), "ns", "d").unwrap();
        delete(&mut s, &key("deployments"), &d, Propagation::Foreground);
        // The pod waits for its finalizer; the ReplicaSet waits for the pod, the owner for it.
        assert_eq!(names(&s), ["d", "p", "q", "r"]);
        let p = s.get(&key("pods"), "ns", "p").unwrap();
        assert!(meta_str(&p.value, "deletionTimestamp").is_some());
        // Once the finalizer goes, everything follows.
        let mut released = p.value.clone();
        set_finalizers(&mut released, Vec::new());
        s.put(&key("pods"), "ns", "p", released, EventType::Modified);
        s.remove(&key("pods"), "ns", "p");
        collect(&mut s);
        assert_eq!(names(&s), ["q"]);
    }

    #[test]
    fn orphan_keeps_dependents_without_the_reference() {
        let mut s = tree();
        let d = s.get(&key("deployments"), "ns", "d").unwrap();
        let answer = delete(&mut s, &key("deployments"), &d, Propagation::Orphan);
        assert_eq!(finalizers(&answer.value), [ORPHAN]);
        assert_eq!(names(&s), ["p", "q", "r"]);
        let r = s.get(&key("replicasets"), "ns", "r").unwrap();
        assert!(owner_uids(&r.value).is_empty());
    }

    #[test]
    fn a_dependent_with_another_live_owner_stays() {
        let mut s = tree();
        let mut p = obj("p", "u-p", Some(("u-r", true)));
        p["metadata"]["ownerReferences"]
            .as_array_mut()
            .unwrap()
            .push(json!({"apiVersion": "v1", "kind": "Pod", "name": "q", "uid": "u-q"}));
        s.put(&key("pods"), "ns", "p", p, EventType::Modified);
        let d = s.get(&key("deployments"), "ns", "d").unwrap();
        delete(&mut s, &key("deployments"), &d, Propagation::Background);
        assert_eq!(names(&s), ["p", "q"]);
    }

    #[test]
    fn policy_precedence() {
        let none = json!({});
        let p = |opts: Value, obj: &Value, plural: &str| {
            propagation("batch", "v1", plural, &opts, obj).unwrap()
        };
        assert_eq!(p(none.clone(), &none, "jobs"), Propagation::Orphan);
        assert_eq!(p(none.clone(), &none, "cronjobs"), Propagation::Background);
        assert_eq!(
            p(json!({"propagationPolicy": "Foreground"}), &none, "jobs"),
            Propagation::Foreground
        );
        assert_eq!(
            p(json!({"orphanDependents": false}), &none, "jobs"),
            Propagation::Background
        );
        let fin = json!({"metadata": {"finalizers": [FOREGROUND]}});
        assert_eq!(p(none.clone(), &fin, "jobs"), Propagation::Foreground);
        assert!(propagation(
            "",
            "v1",
            "pods",
            &json!({"propagationPolicy": "Sideways"}),
            &none
        )
        .is_err());
    }
}
