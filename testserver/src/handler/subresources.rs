//! Subresources: status, scale, pods/log, pods/eviction, pods/binding, namespaces/finalize.

use super::objects::{self, commit, delete_locked, Part};
use super::{full, json_response, value_response, Body, Req, State, Target};
use crate::objmeta::{get_path, meta_str, set_path};
use crate::status::{self, ApiError};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Response};
use serde_json::{json, Value};
use std::sync::Arc;

fn check(
    state: &State,
    req: &Req,
    t: &Target,
    name: &str,
    sub: &str,
    verb: &str,
) -> Result<(), ApiError> {
    let s = t
        .def
        .subresource(sub)
        .ok_or_else(|| ApiError::path_not_found(&format!("{}/{sub}", t.def.plural)))?;
    if s.verbs.iter().any(|v| v == verb) {
        super::authorize(state, req, t, verb, Some(sub), name)
    } else {
        Err(ApiError::method_not_allowed(
            verb,
            &format!("{}/{sub}", t.def.plural),
        ))
    }
}

fn verb_of(m: &Method) -> &'static str {
    match *m {
        Method::GET => "get",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::POST => "create",
        Method::DELETE => "delete",
        _ => "unknown",
    }
}

/// Handle `{name}/{sub}`.
pub async fn handle(
    state: &Arc<State>,
    t: &Target,
    name: &str,
    sub: &str,
    req: Req,
) -> Result<Response<Body>, ApiError> {
    check(state, &req, t, name, sub, verb_of(&req.method))?;
    match (sub, &req.method) {
        ("status", &Method::GET) => objects::get(state, t, name),
        ("status", &Method::PUT) => objects::update(state, t, name, &req, Part::Status),
        ("status", &Method::PATCH) => objects::patch(state, t, name, &req, Part::Status),
        ("finalize", &Method::PUT) => objects::update(state, t, name, &req, Part::Main),
        ("scale", _) => scale(state, t, name, &req),
        ("log", _) => log(state, t, name, &req),
        ("eviction", _) => evict(state, t, name),
        ("binding", _) => bind(state, t, name, &req),
        _ => Err(ApiError::method_not_allowed(
            req.method.as_str(),
            &format!("{}/{sub}", t.def.plural),
        )),
    }
}

/// The autoscaling/v1 Scale view of an object.
fn scale_of(t: &Target, obj: &Value) -> Value {
    let paths = t.def.scale.clone().unwrap_or(crate::resources::ScalePaths {
        spec_replicas: "spec.replicas".into(),
        status_replicas: "status.replicas".into(),
        label_selector: None,
    });
    let spec = get_path(obj, &paths.spec_replicas)
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let status = get_path(obj, &paths.status_replicas)
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let selector = match &paths.label_selector {
        Some(p) => get_path(obj, p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        None => obj
            .pointer("/spec/selector/matchLabels")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default(),
    };
    let meta = obj.get("metadata").cloned().unwrap_or(json!({}));
    let pick = |k: &str| meta.get(k).cloned().unwrap_or(Value::Null);
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": pick("name"), "namespace": pick("namespace"), "uid": pick("uid"),
                     "resourceVersion": pick("resourceVersion"), "creationTimestamp": pick("creationTimestamp")},
        "spec": {"replicas": spec},
        "status": {"replicas": status, "selector": selector}
    })
}

fn scale(state: &State, t: &Target, name: &str, req: &Req) -> Result<Response<Body>, ApiError> {
    let key = t.def.storage_key();
    let mut store = state.store();
    let old = store
        .get(&key, &t.namespace, name)
        .ok_or_else(|| ApiError::not_found(&t.err(name)))?;
    let current = scale_of(t, &old.value);
    let wanted = match req.method {
        Method::GET => return Ok(value_response(200, &current)),
        Method::PUT => serde_json::from_slice::<Value>(&req.body)
            .map_err(|e| ApiError::bad_request(format!("the Scale body is not valid JSON: {e}")))?,
        _ => crate::patch::apply(
            crate::patch::PatchKind::from_content_type(&req.content_type)?,
            &current,
            &req.body,
            req.query.force,
        )?,
    };
    let replicas = wanted
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .filter(|r| *r >= 0)
        .ok_or_else(|| {
            ApiError::invalid(
                "Scale",
                name,
                "autoscaling",
                "spec.replicas",
                "Invalid value: must be a non-negative integer",
            )
        })?;
    let spec_path = t
        .def
        .scale
        .as_ref()
        .map_or("spec.replicas".to_string(), |s| s.spec_replicas.clone());
    let mut new = old.value.clone();
    set_path(&mut new, &spec_path, json!(replicas));
    if let (Some(rv), Some(m)) = (
        meta_str(&wanted, "resourceVersion"),
        new.get_mut("metadata").and_then(Value::as_object_mut),
    ) {
        m.insert("resourceVersion".into(), json!(rv));
    }
    let stored = commit(
        &mut store,
        t,
        name,
        &old,
        new,
        Part::Main,
        req.query.dry_run,
    )?;
    Ok(value_response(200, &scale_of(t, &stored.value)))
}

fn log(state: &State, t: &Target, name: &str, req: &Req) -> Result<Response<Body>, ApiError> {
    if state
        .store()
        .get(&t.def.storage_key(), &t.namespace, name)
        .is_none()
    {
        return Err(ApiError::not_found(&t.err(name)));
    }
    let lines = state
        .pod_logs()
        .get(&(t.namespace.clone(), name.to_string()))
        .cloned()
        .unwrap_or_default();
    let skip = req
        .query
        .tail_lines
        .map_or(0, |n| lines.len().saturating_sub(n));
    let mut text = String::new();
    for l in &lines[skip..] {
        text.push_str(l);
        text.push('\n');
    }
    let mut r = Response::new(full(text));
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(r)
}

fn evict(state: &State, t: &Target, name: &str) -> Result<Response<Body>, ApiError> {
    delete_locked(&mut state.store(), t, name, &json!({}), false)?;
    Ok(value_response(
        201,
        &status::success(201, Some(json!({"name": name, "kind": "pods"}))),
    ))
}

fn bind(state: &State, t: &Target, name: &str, req: &Req) -> Result<Response<Body>, ApiError> {
    let binding: Value = serde_json::from_slice(&req.body)
        .map_err(|e| ApiError::bad_request(format!("the Binding body is not valid JSON: {e}")))?;
    let node = binding
        .pointer("/target/name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::invalid("Binding", name, "", "target.name", "Required value"))?;
    let mut store = state.store();
    let old = store
        .get(&t.def.storage_key(), &t.namespace, name)
        .ok_or_else(|| ApiError::not_found(&t.err(name)))?;
    if old
        .value
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.is_empty())
    {
        return Err(ApiError::conflict(
            &t.err(name),
            "pod is already assigned to a node",
        ));
    }
    let mut new = old.value.clone();
    set_path(&mut new, "spec.nodeName", json!(node));
    commit(
        &mut store,
        t,
        name,
        &old,
        new,
        Part::Main,
        req.query.dry_run,
    )?;
    Ok(json_response(
        201,
        serde_json::to_vec(&status::success(201, None)).unwrap_or_default(),
    ))
}
