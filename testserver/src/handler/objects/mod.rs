//! The object verbs: get, list, create, update, patch, delete, deletecollection. Reads and
//! writes live here; lists, deletes, namespace lifecycle and kind-specific rules beside.

mod delete;
mod list;
mod namespaces;
mod strategy;

use super::query::WriteOptions;
use super::{json_response, Body, Req, State, Target};
use crate::managed::{self, Scope, Writer};
use crate::objmeta::{
    has_finalizers, invalid_name, meta_mut, meta_str, now_rfc3339, random_suffix,
};
use crate::status::ApiError;
use crate::store::{EventType, Store, Stored};
use crate::{crd, patch};
use bytes::Bytes;
use hyper::Response;
use serde_json::{json, Value};
use std::sync::Arc;

use namespaces::{finish_namespace, namespace_terminating};
use strategy::{
    apply_create_defaults, check_job_update, check_pod_update, is_csr, keep_template_generation,
    prepare_csr, stamp_csr_conditions, validate,
};

pub use delete::{delete, delete_collection, delete_locked};
pub use list::list;
pub use namespaces::{add_default_service_account, namespaces_key};

/// Which part of an object a write may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The main endpoint: everything except status (when the resource has a status subresource).
    Main,
    /// The status subresource: only status.
    Status,
    /// `certificatesigningrequests/approval`: only `status.conditions`.
    Approval,
    /// `pods/ephemeralcontainers`: only `spec.ephemeralContainers`.
    EphemeralContainers,
}

/// Who a write through `part` (and `subresource`, `""` for the main endpoint) is recorded as
/// in managedFields.
pub fn writer(t: &Target, req: &Req, part: Part, subresource: &'static str) -> Writer {
    Writer {
        manager: req.field_manager(),
        subresource,
        api_version: t.def.api_version(),
        scope: scope(t, part),
    }
}

/// What a write through `part` may change of an object of `t`'s resource.
fn scope(t: &Target, part: Part) -> Scope {
    match part {
        Part::Status => Scope::StatusOnly,
        // csrApprovalStrategy writes the conditions but resets spec and status for field
        // management; podEphemeralContainersStrategy writes only the containers, yet records
        // what the request sent of metadata (as kube-apiserver 1.35 does).
        Part::Approval => Scope::Only {
            writes: &[&["metadata"], &["status", "conditions"]],
            owns: &[&["metadata"]],
        },
        Part::EphemeralContainers => Scope::Only {
            writes: &[&["spec", "ephemeralContainers"]],
            owns: &[&["metadata"], &["spec", "ephemeralContainers"]],
        },
        // A CSR's spec and status are reset on the main endpoint (csrStrategy.GetResetFields):
        // only metadata changes there, and only metadata is owned.
        Part::Main if is_csr(t) => Scope::Only {
            writes: &[&["metadata"]],
            owns: &[&["metadata"]],
        },
        Part::Main if t.def.has_status() => Scope::AllButStatus,
        Part::Main => Scope::Whole,
    }
}

fn schema(t: &Target) -> Option<&'static kubeclient::runtime::discovery::PatchSchema> {
    patch::schema_for(&t.def.group, &t.def.version, &t.def.kind)
}

/// The stored bytes, with `apiVersion` rewritten when the request used another version.
pub fn render(t: &Target, s: &Stored) -> Bytes {
    let want = t.def.api_version();
    if s.stored_as(&want) {
        return s.bytes.clone();
    }
    let mut v = s.value.clone();
    if let Some(m) = v.as_object_mut() {
        m.insert("apiVersion".into(), Value::String(want));
    }
    Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
}

/// GET one object (or its one-row Table).
pub fn get(state: &State, t: &Target, name: &str, req: &Req) -> Result<Response<Body>, ApiError> {
    let s = state
        .store()
        .get(&t.def.storage_key(), &t.namespace, name)
        .ok_or_else(|| ApiError::not_found(&t.err(name)))?;
    if let Some(version) = req.table {
        let meta = json!({"resourceVersion": s.rv.to_string()});
        return Ok(table_response(t, req, version, &[&s.value], meta));
    }
    Ok(json_response(200, render(t, &s)))
}

fn table_response(
    t: &Target,
    req: &Req,
    version: &str,
    objects: &[&Value],
    meta: Value,
) -> Response<Body> {
    let include = req.query.include_object.as_deref().unwrap_or("Metadata");
    let table = super::table::render(t, version, objects, meta, include);
    // kube-apiserver names the media type only (application/json); the body says Table.
    super::value_response(200, &table)
}

/// Parse a request body as a JSON object and check its type against the resource.
pub fn parse_object(t: &Target, body: &[u8]) -> Result<Value, ApiError> {
    let mut v: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!("the body of the request is not valid JSON: {e}"))
    })?;
    let Some(map) = v.as_object_mut() else {
        return Err(ApiError::bad_request(
            "the body of the request must be a JSON object",
        ));
    };
    let want_av = t.def.api_version();
    match map.get("apiVersion").and_then(Value::as_str) {
        None => {
            map.insert("apiVersion".into(), json!(want_av));
        }
        Some(av) if av == want_av || t.def.crd.is_none() && av.rsplit('/').next() == Some(t.def.version.as_str()) => {}
        Some(av) => {
            return Err(ApiError::bad_request(format!("the API version in the data ({av}) does not match the expected API version ({want_av})")))
        }
    }
    match map.get("kind").and_then(Value::as_str) {
        None => {
            map.insert("kind".into(), json!(t.def.kind));
        }
        Some(k) if k == t.def.kind => {}
        Some(k) if t.def.crd.is_none() => {
            // The decoder reads the body as its own kind, then finds no conversion.
            let version = map
                .get("apiVersion")
                .and_then(Value::as_str)
                .and_then(|av| av.rsplit('/').next())
                .unwrap_or(&t.def.version)
                .to_string();
            let internal = match t.def.group.split('.').next() {
                Some("") | None => "core",
                Some(g) => g,
            };
            return Err(ApiError::bad_request(format!(
                "{k} in version {version:?} cannot be handled as a {kind}: converting ({version}.{k}) to ({internal}.{kind}): unknown conversion",
                kind = t.def.kind
            )));
        }
        Some(k) => {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({k}) does not match the expected kind ({})",
                t.def.kind
            )))
        }
    }
    map.insert("apiVersion".into(), json!(want_av));
    Ok(v)
}

/// Check and set the body's namespace against the request's.
fn reconcile_namespace(t: &Target, obj: &mut Value) -> Result<(), ApiError> {
    let Some(meta) = meta_mut(obj) else {
        return Err(ApiError::bad_request("object has no metadata"));
    };
    if t.def.namespaced {
        match meta.get("namespace").and_then(Value::as_str) {
            Some(ns) if !ns.is_empty() && ns != t.namespace => {
                return Err(ApiError::bad_request(format!(
                    "the namespace of the provided object ({ns}) does not match the namespace sent on the request ({})",
                    t.namespace
                )))
            }
            _ => {
                meta.insert("namespace".into(), json!(t.namespace));
            }
        }
    } else {
        meta.remove("namespace");
    }
    Ok(())
}

/// POST: create an object.
pub fn create(state: &State, t: &Target, req: &Req) -> Result<Response<Body>, ApiError> {
    req.query.validate(WriteOptions::Create)?;
    let mut obj = parse_object(t, &req.body)?;
    if is_csr(t) {
        prepare_csr(&mut obj, &req.user);
    }
    let warnings = unknown_fields(state, t, req, &mut obj)?;
    reconcile_namespace(t, &mut obj)?;
    let w = writer(t, req, Part::Main, "");
    let (name, stored) = create_value(state, t, obj, req.query.dry_run, Some(&w))?;
    if !req.query.dry_run {
        crd::after_write(state, t, &name, Some(&stored.value));
    }
    Ok(with_warnings(
        json_response(201, render(t, &stored)),
        &warnings,
    ))
}

/// Drop the fields of a built-in kind's body its schema does not know, as Go's decoder does;
/// by `fieldValidation`: `Strict` refuses them (400), `Ignore` says nothing, `Warn` (the
/// default) names each in a warning.
fn unknown_fields(
    state: &State,
    t: &Target,
    req: &Req,
    obj: &mut Value,
) -> Result<Vec<String>, ApiError> {
    let Some(schemas) = state
        .openapi
        .as_ref()
        .filter(|_| t.def.crd.is_none())
        .and_then(|specs| crate::unknown_fields::Schemas::load(specs.dir()))
    else {
        return Ok(Vec::new());
    };
    let unknown = schemas.prune(&t.def.group, &t.def.version, &t.def.kind, obj);
    let messages: Vec<String> = unknown
        .iter()
        .map(|path| format!("unknown field {path:?}"))
        .collect();
    match req.query.field_validation.as_deref() {
        _ if messages.is_empty() => Ok(Vec::new()),
        Some("Strict") => Err(ApiError::bad_request(format!(
            "{kind} in version {:?} cannot be handled as a {kind}: strict decoding error: {}",
            t.def.version,
            messages.join(", "),
            kind = t.def.kind,
        ))),
        Some("Ignore") => Ok(Vec::new()),
        _ => Ok(messages),
    }
}

/// `resp` with one `Warning: 299 - "..."` header per message, as kube-apiserver sends them.
fn with_warnings(mut resp: Response<Body>, warnings: &[String]) -> Response<Body> {
    for w in warnings {
        let quoted = w.replace('\\', "\\\\").replace('"', "\\\"");
        if let Ok(v) = hyper::header::HeaderValue::from_str(&format!("299 - \"{quoted}\"")) {
            resp.headers_mut().append(hyper::header::WARNING, v);
        }
    }
    resp
}

/// Create `obj` (already type- and namespace-checked) in the store, recording `writer` as
/// the owner of every field (`None`: managedFields are already set, by an apply).
pub fn create_value(
    state: &State,
    t: &Target,
    mut obj: Value,
    dry_run: bool,
    writer: Option<&Writer>,
) -> Result<(String, Arc<Stored>), ApiError> {
    let meta = meta_mut(&mut obj).ok_or_else(|| ApiError::bad_request("object has no metadata"))?;
    let name = match meta
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    {
        Some(n) => n.to_string(),
        None => match meta
            .get("generateName")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            Some(prefix) => format!("{prefix}{}", random_suffix()),
            None => {
                return Err(ApiError::invalid(
                    &t.def.kind,
                    "",
                    &t.def.group,
                    "metadata.name",
                    "Required value: name or generateName is required",
                ))
            }
        },
    };
    if let Some(why) = invalid_name(&name) {
        return Err(ApiError::invalid(
            &t.def.kind,
            &name,
            &t.def.group,
            "metadata.name",
            &why,
        ));
    }
    meta.insert("name".into(), json!(name));
    meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
    meta.insert("creationTimestamp".into(), json!(now_rfc3339()));
    if t.def.tracks_generation() {
        meta.insert("generation".into(), json!(1));
    } else {
        meta.remove("generation");
    }
    for gone in [
        "resourceVersion",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
    ] {
        meta.remove(gone);
    }
    validate(t, &name, &obj)?;
    apply_create_defaults(t, &mut obj);
    crate::defaults::apply(&t.def.group, &t.def.version, &t.def.kind, &mut obj);
    crd::on_create(t, &mut obj)?;
    if let Some(w) = writer {
        managed::on_create(schema(t), &mut obj, w)?;
    }
    if t.def.crd.is_none() {
        crate::defaults::admit(&t.def.group, &t.def.kind, &mut obj, None);
    }
    let key = t.def.storage_key();
    let mut store = state.store();
    if t.def.namespaced && store.get(&namespaces_key(), "", &t.namespace).is_none() {
        let ns_target = crate::status::Target {
            group: "",
            plural: "namespaces",
            name: &t.namespace,
        };
        return Err(ApiError::not_found(&ns_target));
    }
    if t.def.namespaced && namespace_terminating(&store, &t.namespace) {
        return Err(ApiError::namespace_terminating(&t.err(&name), &t.namespace));
    }
    if store.get(&key, &t.namespace, &name).is_some() {
        return Err(ApiError::already_exists(&t.err(&name)));
    }
    if dry_run {
        return Ok((name, Stored::new(obj, store.current_rv())));
    }
    let stored = store.put(&key, &t.namespace, &name, obj, EventType::Added);
    if key == namespaces_key() {
        add_default_service_account(&mut store, &name);
    }
    Ok((name, stored))
}

/// Everything but metadata and status: a change here bumps `generation`.
fn spec_part(v: &Value) -> Value {
    match v.as_object() {
        Some(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "metadata" | "status" | "apiVersion" | "kind")
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        None => Value::Null,
    }
}

/// Metadata fields only the server sets, carried over from the stored object on update.
const SERVER_OWNED: &[&str] = &[
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "name",
    "namespace",
];

/// How an update is written: which part of the object, whether only as a dry run, and who
/// writes it.
#[derive(Clone, Copy)]
pub struct Write<'a> {
    pub part: Part,
    pub dry_run: bool,
    /// The manager recorded in managedFields; `None` when an apply already set them.
    pub writer: Option<&'a Writer>,
}

impl<'a> Write<'a> {
    /// A write of `part` by `writer`, dry-run as the request asks.
    pub fn by(writer: &'a Writer, part: Part, req: &Req) -> Self {
        Write {
            part,
            dry_run: req.query.dry_run,
            writer: Some(writer),
        }
    }
}

/// Apply an update of `old` to `new` under the store lock: resourceVersion precondition,
/// status/main separation, managedFields, generation, no-op detection, finalizer-driven
/// removal.
pub fn commit(
    store: &mut Store,
    t: &Target,
    name: &str,
    old: &Arc<Stored>,
    mut new: Value,
    how: Write,
) -> Result<Arc<Stored>, ApiError> {
    let Write {
        part,
        dry_run,
        writer,
    } = how;
    if let Some(rv) = meta_str(&new, "resourceVersion").filter(|r| !r.is_empty()) {
        if rv != old.rv.to_string() {
            return Err(ApiError::conflict(
                &t.err(name),
                "the object has been modified; please apply your changes to the latest version and try again",
            ));
        }
    }
    managed::reset(&mut new, &old.value, scope(t, part));
    if part == Part::Approval {
        stamp_csr_conditions(&old.value, &mut new);
    }
    let old_meta = old
        .value
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let meta = meta_mut(&mut new).ok_or_else(|| ApiError::bad_request("object has no metadata"))?;
    for field in SERVER_OWNED {
        match old_meta.get(*field) {
            Some(v) => meta.insert((*field).to_string(), v.clone()),
            None => meta.remove(*field),
        };
    }
    meta.insert("resourceVersion".into(), json!(old.rv.to_string()));
    validate(t, name, &new)?;
    crate::defaults::apply(&t.def.group, &t.def.version, &t.def.kind, &mut new);
    if (t.def.group.as_str(), t.def.plural.as_str()) == ("apps", "daemonsets") {
        keep_template_generation(&old.value, &mut new);
    }
    if let Some(w) = writer {
        managed::on_update(schema(t), &old.value, &mut new, w)?;
    }
    if t.def.crd.is_none() {
        crate::defaults::admit(&t.def.group, &t.def.kind, &mut new, Some(&old.value));
    }
    // (binding and scale are subresources that may change what the main endpoint may not)
    if part == Part::Main && writer.is_none_or(|w| w.subresource.is_empty()) {
        check_pod_update(t, name, &old.value, &new)?;
        check_job_update(t, name, &old.value, &new)?;
    }
    // The Deployment strategy counts annotation changes as a new generation too.
    let annotations_changed = (t.def.group.as_str(), t.def.plural.as_str())
        == ("apps", "deployments")
        && new.pointer("/metadata/annotations") != old.value.pointer("/metadata/annotations");
    if t.def.tracks_generation()
        && (spec_part(&new) != spec_part(&old.value) || annotations_changed)
    {
        let generation = old_meta
            .get("generation")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            + 1;
        if let Some(m) = meta_mut(&mut new) {
            m.insert("generation".into(), json!(generation));
        }
    }
    if new == old.value {
        return Ok(old.clone());
    }
    let key = t.def.storage_key();
    if dry_run {
        return Ok(Stored::new(new, old.rv));
    }
    if meta_str(&new, "deletionTimestamp").is_some() && !has_finalizers(&new) {
        // The last finalizer is gone: the pending delete completes (a namespace once empty).
        let stored = store.put(&key, &t.namespace, name, new, EventType::Modified);
        if key == namespaces_key() {
            return Ok(finish_namespace(store, name).unwrap_or(stored));
        }
        let gone = store.remove(&key, &t.namespace, name).unwrap_or(stored);
        // What waited for it (a foreground owner) or hung from it (its dependents) follows.
        crate::gc::collect(store);
        finish_namespace(store, &t.namespace);
        return Ok(gone);
    }
    Ok(store.put(&key, &t.namespace, name, new, EventType::Modified))
}

/// PUT: replace an object (or its status).
pub fn update(
    state: &State,
    t: &Target,
    name: &str,
    req: &Req,
    part: Part,
) -> Result<Response<Body>, ApiError> {
    req.query.validate(WriteOptions::Update)?;
    let mut new = parse_object(t, &req.body)?;
    let warnings = unknown_fields(state, t, req, &mut new)?;
    reconcile_namespace(t, &mut new)?;
    check_name(&new, name)?;
    let resp = rewrite(state, t, name, req, part, |_| {
        // Checked once the object is found (a missing one is 404 first), as the registry does.
        let unconditional = meta_str(&new, "resourceVersion").is_none_or(str::is_empty);
        if unconditional && t.def.requires_resource_version_on_update() {
            return Err(ApiError::invalid_in_registry(
                &t.err(name),
                "metadata.resourceVersion",
                "Invalid value: 0: must be specified for an update",
            ));
        }
        Ok(new)
    })?;
    Ok(with_warnings(resp, &warnings))
}

/// A body naming another object than the URL is a 400, as upstream.
fn check_name(obj: &Value, name: &str) -> Result<(), ApiError> {
    match meta_str(obj, "name") {
        Some(n) if n != name => Err(ApiError::bad_request(format!(
            "the name of the object ({n}) does not match the name on the URL ({name})"
        ))),
        _ => Ok(()),
    }
}

/// Replace object `name` by what `change` makes of its stored version, recorded as an update by
/// the request's field manager; 200 with the result.
fn rewrite(
    state: &State,
    t: &Target,
    name: &str,
    req: &Req,
    part: Part,
    change: impl FnOnce(&Stored) -> Result<Value, ApiError>,
) -> Result<Response<Body>, ApiError> {
    let w = writer(t, req, part, subresource_name(part));
    let stored = {
        let mut store = state.store();
        let old = store
            .get(&t.def.storage_key(), &t.namespace, name)
            .ok_or_else(|| ApiError::not_found(&t.err(name)))?;
        let new = change(&old)?;
        commit(&mut store, t, name, &old, new, Write::by(&w, part, req))?
    };
    if !req.query.dry_run {
        crd::after_write(state, t, name, Some(&stored.value));
    }
    Ok(json_response(200, render(t, &stored)))
}

fn subresource_name(part: Part) -> &'static str {
    match part {
        Part::Main => "",
        Part::Status => "status",
        Part::Approval => "approval",
        Part::EphemeralContainers => "ephemeralcontainers",
    }
}

/// PATCH: JSON patch, merge patch, strategic merge patch or server-side apply.
pub fn patch(
    state: &State,
    t: &Target,
    name: &str,
    req: &Req,
    part: Part,
) -> Result<Response<Body>, ApiError> {
    let kind = patch::PatchKind::from_content_type(&req.content_type)?;
    if kind == patch::PatchKind::Strategic && t.def.crd.is_some() {
        return Err(ApiError::unsupported_patch_for_custom_resource());
    }
    req.query.validate(if kind == patch::PatchKind::Apply {
        WriteOptions::Apply
    } else {
        WriteOptions::Patch
    })?;
    if kind == patch::PatchKind::Apply {
        return apply(state, t, name, req, part);
    }
    rewrite(state, t, name, req, part, |old| {
        patch::apply(kind, &old.value, &req.body, schema(t))
    })
}

/// Server-side apply: merge the applied configuration, tracking field ownership (409 on
/// conflicts unless `force`); creates the object when it does not exist.
fn apply(
    state: &State,
    t: &Target,
    name: &str,
    req: &Req,
    part: Part,
) -> Result<Response<Body>, ApiError> {
    let mut config = parse_object(t, &req.body)?;
    reconcile_namespace(t, &mut config)?;
    check_name(&config, name)?;
    let w = writer(t, req, part, subresource_name(part));
    let key = t.def.storage_key();
    let (stored, code) = {
        let mut store = state.store();
        match store.get(&key, &t.namespace, name) {
            Some(old) => {
                let new =
                    managed::apply(schema(t), Some(&old.value), &config, &w, req.query.force)?;
                let how = Write {
                    part,
                    dry_run: req.query.dry_run,
                    writer: None,
                };
                let stored = commit(&mut store, t, name, &old, new, how)?;
                (stored, 200)
            }
            None if part != Part::Main => return Err(ApiError::not_found(&t.err(name))),
            None => {
                drop(store);
                let mut obj = managed::apply(schema(t), None, &config, &w, req.query.force)?;
                if let Some(m) = meta_mut(&mut obj) {
                    m.insert("name".into(), json!(name));
                }
                (create_value(state, t, obj, req.query.dry_run, None)?.1, 201)
            }
        }
    };
    if !req.query.dry_run {
        crd::after_write(state, t, name, Some(&stored.value));
    }
    Ok(json_response(code, render(t, &stored)))
}
