//! DELETE of one object and of a collection: options, preconditions, finalizers, cascade.

use super::list::list_body;
use super::namespaces::{finish_namespace, namespaces_key, terminate_namespace};
use super::{render, with_warnings};
use crate::crd;
use crate::handler::query::WriteOptions;
use crate::handler::{json_response, Body, Req, State, Target};
use crate::objmeta::{has_finalizers, meta_mut, meta_str, now_rfc3339};
use crate::status::ApiError;
use crate::store::{Store, Stored};
use hyper::Response;
use serde_json::{json, Value};
use std::sync::Arc;

/// Delete options from the body (or nothing).
pub(super) fn delete_options(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "the body of the request is not valid DeleteOptions JSON: {e}"
        ))
    })
}

/// Delete one object under the lock: preconditions, finalizers, cascade for namespaces.
pub fn delete_locked(
    store: &mut Store,
    t: &Target,
    name: &str,
    opts: &Value,
    dry_run: bool,
) -> Result<Arc<Stored>, ApiError> {
    let key = t.def.storage_key();
    let old = store
        .get(&key, &t.namespace, name)
        .ok_or_else(|| ApiError::not_found(&t.err(name)))?;
    if let Some(uid) = opts.pointer("/preconditions/uid").and_then(Value::as_str) {
        let have = meta_str(&old.value, "uid").unwrap_or("");
        if uid != have {
            return Err(ApiError::conflict(
                &t.err(name),
                &format!(
                    "Precondition failed: UID in precondition: {uid}, UID in object meta: {have}"
                ),
            ));
        }
    }
    if let Some(rv) = opts
        .pointer("/preconditions/resourceVersion")
        .and_then(Value::as_str)
    {
        if rv != old.rv.to_string() {
            return Err(ApiError::conflict(
                &t.err(name),
                &format!("Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}", old.rv),
            ));
        }
    }
    if dry_run {
        return Ok(old);
    }
    if key == namespaces_key() {
        if meta_str(&old.value, "deletionTimestamp").is_some() {
            return Err(ApiError::conflict(&t.err(name), "The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system."));
        }
        return Ok(terminate_namespace(store, &old, name));
    }
    // Finalizers (the object's own, or the collector's for orphan and foreground) keep it,
    // marked; otherwise it goes. Either way the collector then does what the policy asks.
    let policy = crate::gc::propagation(
        &t.def.group,
        &t.def.version,
        &t.def.plural,
        opts,
        &old.value,
    )?;
    let answer = crate::gc::delete(store, &key, &old, policy);
    finish_namespace(store, &t.namespace);
    Ok(answer)
}

/// DELETE one object.
pub fn delete(
    state: &State,
    t: &Target,
    name: &str,
    req: &Req,
) -> Result<Response<Body>, ApiError> {
    req.query.validate(WriteOptions::Delete)?;
    let opts = delete_options(&req.body)?;
    let dry_run = req.query.dry_run
        || opts
            .get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v == "All"));
    let stored = delete_locked(&mut state.store(), t, name, &opts, dry_run)?;
    let warnings = job_orphan_warning(t, &opts);
    // Gone at once, or kept (marked) for finalizers: the collector may finish a marked object
    // within this call, but the answer is the marked object, as kube-apiserver's is.
    let removed = if dry_run || t.def.storage_key() != namespaces_key() {
        !has_finalizers(&stored.value) && t.def.storage_key() != namespaces_key()
    } else {
        store_lacks(state, t, name)
    };
    if removed && !dry_run {
        crd::after_write(state, t, name, None);
    }
    if removed && !t.def.returns_deleted_object() {
        // The registry's finalizeDelete: a Status naming what went (kind is the plural).
        let mut details = json!({"name": name, "kind": t.def.plural});
        if !t.def.group.is_empty() {
            details["group"] = json!(t.def.group);
        }
        if let Some(uid) = meta_str(&stored.value, "uid") {
            details["uid"] = json!(uid);
        }
        let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details});
        return Ok(with_warnings(
            crate::handler::value_response(200, &body),
            &warnings,
        ));
    }
    if removed && (t.def.group.as_str(), t.def.plural.as_str()) == ("", "pods") {
        // A pod goes through graceful deletion even with no grace (unscheduled): its last
        // state carries the deletion mark, and the pod strategy counts it as a new generation.
        let mut last = stored.value.clone();
        if let Some(m) = meta_mut(&mut last) {
            let generation = m.get("generation").and_then(Value::as_i64).unwrap_or(0) + 1;
            m.insert("deletionTimestamp".into(), json!(now_rfc3339()));
            m.insert("deletionGracePeriodSeconds".into(), json!(0));
            m.insert("generation".into(), json!(generation));
        }
        return Ok(with_warnings(
            json_response(200, render(t, &Stored::new(last, stored.rv))),
            &warnings,
        ));
    }
    Ok(with_warnings(
        json_response(200, render(t, &stored)),
        &warnings,
    ))
}

/// The Job registry's warning when a delete leaves the pods behind by default.
pub(super) fn job_orphan_warning(t: &Target, opts: &Value) -> Vec<String> {
    let explicit = opts.get("propagationPolicy").is_some_and(|p| !p.is_null())
        || opts.get("orphanDependents").is_some_and(|p| !p.is_null());
    if !explicit
        && crate::gc::orphans_by_default(&t.def.group, &t.def.version, &t.def.plural)
        && t.def.plural == "jobs"
    {
        vec![crate::gc::JOB_ORPHAN_WARNING.to_owned()]
    } else {
        Vec::new()
    }
}

pub(super) fn store_lacks(state: &State, t: &Target, name: &str) -> bool {
    state
        .store()
        .get(&t.def.storage_key(), &t.namespace, name)
        .is_none()
}

/// DELETE a collection: every object matching the selectors.
pub fn delete_collection(state: &State, t: &Target, req: &Req) -> Result<Response<Body>, ApiError> {
    let opts = delete_options(&req.body)?;
    let q = &req.query;
    let mut deleted = Vec::new();
    {
        let mut store = state.store();
        let ns = t.namespace_given.then_some(t.namespace.as_str());
        for obj in store.list(&t.def.storage_key(), ns) {
            if !(q.labels.matches(&obj.value) && q.fields.matches(&obj.value)) {
                continue;
            }
            let name = meta_str(&obj.value, "name").unwrap_or("").to_string();
            deleted.push(delete_locked(&mut store, t, &name, &opts, q.dry_run)?);
        }
    }
    let rv = state.store().current_rv();
    let meta = json!({"resourceVersion": rv.to_string()});
    Ok(with_warnings(
        json_response(200, list_body(t, &meta, &deleted)),
        &job_orphan_warning(t, &opts),
    ))
}
