//! The object verbs: get, list, create, update, patch, delete, deletecollection.

use super::query::WriteOptions;
use super::{json_response, Body, Req, State, Target};
use crate::managed::{self, Scope, Writer};
use crate::objmeta::{
    has_finalizers, invalid_name, meta_mut, meta_str, now_rfc3339, random_suffix,
};
use crate::resources::StorageKey;
use crate::status::ApiError;
use crate::store::{EventType, Store, Stored};
use crate::{crd, patch};
use base64::Engine;
use bytes::{BufMut, Bytes, BytesMut};
use hyper::Response;
use serde_json::{json, Value};
use std::sync::Arc;

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

/// The stored bytes, with `apiVersion` rewritten when the request used another version.
pub fn render(t: &Target, s: &Stored) -> Bytes {
    let want = t.def.api_version();
    if s.value.get("apiVersion").and_then(Value::as_str) == Some(want.as_str()) {
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

/// Where a paginated list continues: the snapshot rv and the last key returned.
fn encode_continue(rv: u64, ns: &str, name: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{rv}\n{ns}\n{name}"))
}

fn decode_continue(token: &str) -> Result<(u64, String, String), ApiError> {
    // Go's base64.RawURLEncoding is lenient about the unused bits of the last character.
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let raw = lenient
        .decode(token)
        .map_err(|e| {
            let at = match e {
                base64::DecodeError::InvalidByte(at, _) => at,
                _ => token.len(),
            };
            ApiError::bad_request(format!(
                "invalid continue token: continue key is not valid: illegal base64 data at input byte {at}"
            ))
        })?;
    // kube-apiserver's tokens are JSON: what it says of bytes that do not start one.
    let first = raw.first().copied().unwrap_or(0);
    let bad = || {
        let shown = match first {
            b'\'' => "\\'".to_string(),
            0x20..=0x7e => char::from(first).to_string(),
            _ => format!("\\u{first:04x}"),
        };
        ApiError::bad_request(format!(
            "invalid continue token: continue key is not valid: invalid character '{shown}' looking for beginning of value"
        ))
    };
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let mut parts = text.splitn(3, '\n');
    let rv = parts.next().and_then(|r| r.parse().ok()).ok_or_else(bad)?;
    let ns = parts.next().ok_or_else(bad)?.to_string();
    let name = parts.next().ok_or_else(bad)?.to_string();
    Ok((rv, ns, name))
}

/// Which state a list reads, from `resourceVersion`, `resourceVersionMatch` and `continue`,
/// validated as kube-apiserver validates `ListOptions`.
fn read_at(
    q: &super::query::Query,
    after: Option<u64>,
    current: u64,
) -> Result<Option<u64>, ApiError> {
    let rv = q.resource_version.as_deref().filter(|v| !v.is_empty());
    let parse = |v: &str| {
        v.parse::<u64>().map_err(|_| {
            ApiError::bad_request(format!(
                "invalid resource version: resourceVersion: Invalid value: {v:?}: strconv.ParseUint: parsing {v:?}: invalid syntax"
            ))
        })
    };
    if let Some(snapshot) = after {
        if rv.is_some_and(|v| v != "0") {
            return Err(ApiError::invalid_list_options(
                "resourceVersion",
                "specifying resourceVersion is not allowed when using continue",
            ));
        }
        if q.resource_version_match.is_some() {
            return Err(ApiError::invalid_list_options(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden when continue is provided",
            ));
        }
        return Ok(Some(snapshot));
    }
    let exact = match (q.resource_version_match.as_deref(), rv) {
        (Some(_), None) => {
            return Err(ApiError::invalid_list_options(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden unless resourceVersion is provided",
            ))
        }
        (Some("Exact"), Some("0")) => {
            return Err(ApiError::invalid_list_options(
                "resourceVersionMatch",
                "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
            ))
        }
        (Some("Exact"), Some(_)) => true,
        (Some("NotOlderThan"), _) => false,
        (Some(other), _) => {
            return Err(ApiError::invalid_options(
                "ListOptions",
                &[(
                    "FieldValueNotSupported",
                    "resourceVersionMatch",
                    format!("Unsupported value: {other:?}: supported values: \"Exact\", \"NotOlderThan\", \"\""),
                )],
            ))
        }
        // Legacy: a non-zero resourceVersion with a limit reads that exact version.
        (None, Some(v)) => v != "0" && q.limit > 0,
        (None, None) => false,
    };
    let Some(v) = rv else { return Ok(None) };
    let wanted = parse(v)?;
    if wanted > current {
        // The store has no lag to wait out: a version it has not reached is in the future.
        return Err(ApiError::too_large_resource_version(wanted, current));
    }
    Ok(exact.then_some(wanted))
}

/// LIST: selectors, limit/continue, resourceVersion/resourceVersionMatch. Pages after the
/// first, and `Exact` reads, come from the state at their resourceVersion (rebuilt from the
/// retained history; 410 once it is compacted away), as the real server reads them from etcd.
pub fn list(state: &State, t: &Target, req: &Req) -> Result<Response<Body>, ApiError> {
    let q = &req.query;
    let ns = t.namespace_given.then_some(t.namespace.as_str());
    let after = q
        .continue_token
        .as_deref()
        .map(decode_continue)
        .transpose()?;
    let (objects, list_rv) = {
        let store = state.store();
        let current = store.current_rv();
        match read_at(q, after.as_ref().map(|a| a.0), current)? {
            None => (store.list(&t.def.storage_key(), ns), current),
            Some(at) => {
                let objects = store.list_at(&t.def.storage_key(), ns, at).map_err(|e| {
                    if after.is_some() {
                        ApiError::continue_expired()
                    } else {
                        e
                    }
                })?;
                (objects, at)
            }
        }
    };
    let selected = objects.into_iter().filter(|o| {
        let key_ok = after.as_ref().is_none_or(|(_, ans, aname)| {
            let ons = meta_str(&o.value, "namespace").unwrap_or("");
            let oname = meta_str(&o.value, "name").unwrap_or("");
            (ons, oname) > (ans.as_str(), aname.as_str())
        });
        key_ok && q.labels.matches(&o.value) && q.fields.matches(&o.value)
    });
    let mut items: Vec<Arc<Stored>> = selected.collect();
    let mut cont = None;
    if q.limit > 0 && items.len() > q.limit {
        let remaining = items.len() - q.limit;
        items.truncate(q.limit);
        if let Some(last) = items.last() {
            let token = encode_continue(
                list_rv,
                meta_str(&last.value, "namespace").unwrap_or(""),
                meta_str(&last.value, "name").unwrap_or(""),
            );
            cont = Some((token, remaining));
        }
    }
    let mut meta = json!({"resourceVersion": list_rv.to_string()});
    if let (Some((token, remaining)), Some(m)) = (&cont, meta.as_object_mut()) {
        m.insert("continue".into(), json!(token));
        // The count is only known without selectors (etcd counts keys, not matches).
        if q.labels.is_empty() && q.fields.is_empty() {
            m.insert("remainingItemCount".into(), json!(remaining));
        }
    }
    if let (None, true, Some(m)) = (&cont, t.def.crd.is_some(), meta.as_object_mut()) {
        // Unstructured list metadata keeps the empty continue the storage sets.
        m.insert("continue".into(), json!(""));
    }
    if let Some(version) = req.table {
        let values: Vec<&Value> = items.iter().map(|i| &i.value).collect();
        return Ok(table_response(t, req, version, &values, meta));
    }
    Ok(json_response(200, list_body(t, &meta, &items)))
}

/// A list of `items` with list metadata `meta`, copied from the stored bytes. Items of
/// built-in kinds carry no apiVersion and kind (Go's typed lists hold items with an empty
/// TypeMeta); custom resources' items are unstructured and keep theirs.
fn list_body(t: &Target, meta: &Value, items: &[Arc<Stored>]) -> Bytes {
    let head = format!(
        "{{\"kind\":\"{}\",\"apiVersion\":\"{}\",\"metadata\":{},\"items\":[",
        t.def.list_kind(),
        t.def.api_version(),
        meta
    );
    let size: usize = items.iter().map(|i| i.bytes.len() + 1).sum();
    let mut buf = BytesMut::with_capacity(head.len() + size + 2);
    buf.put_slice(head.as_bytes());
    let keep_type = t.def.crd.is_some();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            buf.put_u8(b',');
        }
        if keep_type {
            buf.put_slice(&render(t, item));
        } else {
            item.write_untyped(&mut buf);
        }
    }
    buf.put_slice(b"]}");
    buf.freeze()
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

/// Validation kube-apiserver does that the test server repeats: the data keys of ConfigMaps
/// and Secrets (`IsConfigMapKey`).
fn validate(t: &Target, name: &str, obj: &Value) -> Result<(), ApiError> {
    let fields: &[&str] = match (t.def.group.as_str(), t.def.kind.as_str()) {
        ("", "ConfigMap") => &["data", "binaryData"],
        ("", "Secret") => &["data", "stringData"],
        _ => return Ok(()),
    };
    for field in fields {
        let keys = obj
            .get(*field)
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.keys());
        for key in keys {
            let ok = !key.is_empty()
                && key.len() <= 253
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !ok {
                return Err(ApiError::invalid(
                    &t.def.kind,
                    name,
                    &t.def.group,
                    &format!("{field}[{key}]"),
                    &format!("Invalid value: {key:?}: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"),
                ));
            }
        }
    }
    Ok(())
}

/// The Pod strategy's update validation: besides images, `activeDeadlineSeconds`, added
/// tolerations and `terminationGracePeriodSeconds`, a pod's spec cannot change (422; the real
/// message goes on with a Go diff of the specs, left out here).
fn check_pod_update(t: &Target, name: &str, old: &Value, new: &Value) -> Result<(), ApiError> {
    if (t.def.group.as_str(), t.def.plural.as_str()) != ("", "pods") {
        return Ok(());
    }
    let comparable = |v: &Value| {
        let mut spec = v.get("spec").cloned().unwrap_or(Value::Null);
        if let Some(m) = spec.as_object_mut() {
            for mutable in [
                "activeDeadlineSeconds",
                "tolerations",
                "terminationGracePeriodSeconds",
            ] {
                m.remove(mutable);
            }
            for list in ["containers", "initContainers"] {
                for c in m
                    .get_mut(list)
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_object_mut)
                {
                    c.remove("image");
                }
            }
        }
        spec
    };
    if comparable(old) == comparable(new) {
        return Ok(());
    }
    let mut e = ApiError::invalid(
        &t.def.kind,
        name,
        &t.def.group,
        "spec",
        "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
    );
    if let Some(d) = e.details.as_mut() {
        d["causes"][0]["reason"] = json!("FieldValueForbidden");
    }
    Err(e)
}

/// The Job strategy's update validation: the selector never changes, the pod template only
/// while the job is suspended (422 otherwise; the real message also prints the Go template).
fn check_job_update(t: &Target, name: &str, old: &Value, new: &Value) -> Result<(), ApiError> {
    if (t.def.group.as_str(), t.def.plural.as_str()) != ("batch", "jobs") {
        return Ok(());
    }
    let suspended = new.pointer("/spec/suspend") == Some(&json!(true));
    let field = if new.pointer("/spec/selector") != old.pointer("/spec/selector") {
        "spec.selector"
    } else if !suspended && new.pointer("/spec/template") != old.pointer("/spec/template") {
        "spec.template"
    } else {
        return Ok(());
    };
    let shown = serde_json::to_string(
        new.pointer(&format!("/{}", field.replace('.', "/")))
            .unwrap_or(&Value::Null),
    )
    .unwrap_or_default();
    let mut e = ApiError::invalid(
        &t.def.kind,
        name,
        &t.def.group,
        field,
        &format!("Invalid value: {shown}: field is immutable"),
    );
    e.message = e.message.replacen("Job ", "Job.batch ", 1);
    Err(e)
}

/// Kind-specific defaults on create.
fn apply_create_defaults(t: &Target, obj: &mut Value) {
    let Some(map) = obj.as_object_mut() else {
        return;
    };
    if t.def.has_status() && t.def.crd.is_none() && t.def.group != "apiextensions.k8s.io" {
        // Create strategies of built-in kinds with a status subresource reset status.
        map.remove("status");
    }
    if t.def.crd.is_some() && t.def.has_status() {
        map.remove("status");
    }
    match (t.def.group.as_str(), t.def.plural.as_str()) {
        ("", "namespaces") => {
            map.insert("status".into(), json!({"phase": "Active"}));
            // The namespace controller's finalizer: contents are deleted before the namespace.
            map.insert("spec".into(), json!({"finalizers": ["kubernetes"]}));
        }
        ("", "pods") => {
            map.insert(
                "status".into(),
                json!({"phase": "Pending", "qosClass": "BestEffort"}),
            );
        }
        // The create strategies reset status to Go's zero value; these are its fields
        // without omitempty.
        ("policy", "poddisruptionbudgets") => {
            map.insert(
                "status".into(),
                json!({"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}),
            );
        }
        ("apps", "daemonsets") => {
            // The strategy records the template's generation for old clients.
            if let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut) {
                let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
                if let Some(a) = annotations.as_object_mut() {
                    a.insert(
                        "deprecated.daemonset.template.generation".into(),
                        json!("1"),
                    );
                }
            }
        }
        ("autoscaling", "horizontalpodautoscalers") => {
            map.insert(
                "status".into(),
                json!({"currentMetrics": null, "desiredReplicas": 0}),
            );
        }
        // Its conditions are reset to an empty list, which omitempty leaves out.
        ("certificates.k8s.io", "certificatesigningrequests") => {
            map.insert("status".into(), json!({}));
        }
        _ => {}
    }
}

fn is_csr(t: &Target) -> bool {
    (t.def.group.as_str(), t.def.plural.as_str())
        == ("certificates.k8s.io", "certificatesigningrequests")
}

/// What kube-apiserver's csrStrategy.PrepareForCreate does: the requester is whoever sent the
/// request, and nobody creates a pre-approved request.
fn prepare_csr(obj: &mut Value, user: &crate::auth::UserInfo) {
    let mut groups = user.groups.clone();
    if !groups.iter().any(|g| g == "system:authenticated") {
        groups.push("system:authenticated".into());
    }
    if let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) {
        for k in ["uid", "extra"] {
            spec.remove(k);
        }
        spec.insert("username".into(), json!(user.name));
        spec.insert("groups".into(), json!(groups));
    }
}

/// csrStrategy's condition timestamps: `lastUpdateTime` now when unset, `lastTransitionTime`
/// kept from the same condition type and status before, else now.
fn stamp_csr_conditions(old: &Value, new: &mut Value) {
    let now = now_rfc3339();
    let before = old
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let Some(conds) = new
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for c in conds.iter_mut().filter_map(Value::as_object_mut) {
        if c.get("lastUpdateTime").is_none_or(Value::is_null) {
            c.insert("lastUpdateTime".into(), json!(now));
        }
        if c.get("lastTransitionTime").is_none_or(Value::is_null) {
            let kept = before.iter().find(|o| {
                o.get("type") == c.get("type")
                    && o.get("status") == c.get("status")
                    && o.get("lastTransitionTime").is_some_and(|t| !t.is_null())
            });
            let at = kept
                .and_then(|o| o.get("lastTransitionTime").cloned())
                .unwrap_or_else(|| json!(now));
            c.insert("lastTransitionTime".into(), at);
        }
    }
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

/// Apply an update of `old` to `new` under the store lock: resourceVersion precondition,
/// status/main separation, managedFields (recording `writer`; `None` when an apply already
/// set them), generation, no-op detection, finalizer-driven removal.
#[allow(clippy::too_many_arguments)]
pub fn commit(
    store: &mut Store,
    t: &Target,
    name: &str,
    old: &Arc<Stored>,
    mut new: Value,
    part: Part,
    dry_run: bool,
    writer: Option<&Writer>,
) -> Result<Arc<Stored>, ApiError> {
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

/// A DaemonSet's template generation lives in Go as `spec.templateGeneration` and in v1 as
/// the `deprecated.daemonset.template.generation` annotation the conversion writes: kept from
/// the stored version, one more when the template changes.
fn keep_template_generation(old: &Value, new: &mut Value) {
    const KEY: &str = "deprecated.daemonset.template.generation";
    let before = old
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(KEY))
        .and_then(Value::as_str)
        .and_then(|g| g.parse::<i64>().ok())
        .unwrap_or(1);
    let changed = old.pointer("/spec/template") != new.pointer("/spec/template");
    let generation = if changed { before + 1 } else { before };
    if let Some(meta) = meta_mut(new) {
        let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
        if let Some(a) = annotations.as_object_mut() {
            a.insert(KEY.into(), json!(generation.to_string()));
        }
    }
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
        commit(
            &mut store,
            t,
            name,
            &old,
            new,
            part,
            req.query.dry_run,
            Some(&w),
        )?
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
                let stored = commit(
                    &mut store,
                    t,
                    name,
                    &old,
                    new,
                    part,
                    req.query.dry_run,
                    None,
                )?;
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

/// Delete options from the body (or nothing).
fn delete_options(body: &[u8]) -> Result<Value, ApiError> {
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

/// Whether namespace `ns` is being deleted (new content is refused).
fn namespace_terminating(store: &Store, ns: &str) -> bool {
    store
        .get(&namespaces_key(), "", ns)
        .is_some_and(|n| meta_str(&n.value, "deletionTimestamp").is_some())
}

/// Delete a namespace as kube-apiserver and its namespace controller do, at once: the
/// namespace turns `Terminating` (deletionTimestamp set), everything in it is deleted (objects
/// with finalizers wait for them), and the namespace goes when it is empty and has no
/// finalizers of its own. Returns the namespace as marked.
fn terminate_namespace(store: &mut Store, old: &Arc<Stored>, name: &str) -> Arc<Stored> {
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
fn finish_namespace(store: &mut Store, ns: &str) -> Option<Arc<Stored>> {
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
        return Ok(with_warnings(super::value_response(200, &body), &warnings));
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
fn job_orphan_warning(t: &Target, opts: &Value) -> Vec<String> {
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

fn store_lacks(state: &State, t: &Target, name: &str) -> bool {
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
