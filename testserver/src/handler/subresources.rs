//! Subresources: status, scale, pods/log, pods/eviction, pods/binding, namespaces/finalize,
//! certificatesigningrequests/approval, pods/ephemeralcontainers, and the connect ones (exec,
//! attach, portforward, proxy).

use super::objects::{self, commit, delete_locked, Part, Write};
use super::{full, json_response, value_response, Body, Req, State, Target};
use crate::objmeta::{get_path, meta_str, set_path};
use crate::status::{self, ApiError};
use bytes::Bytes;
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
        ("status", &Method::GET) => objects::get(state, t, name, &req),
        ("status", &Method::PUT) => objects::update(state, t, name, &req, Part::Status),
        ("status", &Method::PATCH) => objects::patch(state, t, name, &req, Part::Status),
        ("finalize", &Method::PUT) => objects::update(state, t, name, &req, Part::Main),
        ("approval", &Method::GET) | ("ephemeralcontainers", &Method::GET) => {
            objects::get(state, t, name, &req)
        }
        ("approval", &Method::PUT) => objects::update(state, t, name, &req, Part::Approval),
        ("approval", &Method::PATCH) => objects::patch(state, t, name, &req, Part::Approval),
        ("ephemeralcontainers", &Method::PUT) => {
            objects::update(state, t, name, &req, Part::EphemeralContainers)
        }
        ("ephemeralcontainers", &Method::PATCH) => {
            objects::patch(state, t, name, &req, Part::EphemeralContainers)
        }
        ("scale", _) => scale(state, t, name, &req),
        ("log", _) => log(state, t, name, &req),
        ("eviction", _) => evict(state, t, name),
        ("binding", _) => bind(state, t, name, &req),
        ("token", _) => token(state, t, name, &req),
        ("proxy", _) => super::proxy::handle(state, t, name, req).await,
        ("exec" | "attach" | "portforward", _) => {
            super::connect::handle(state, t, name, sub, req).await
        }
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
        _ => match crate::patch::PatchKind::from_content_type(&req.content_type)? {
            // An applied Scale names the replicas it wants; ownership is recorded as an update.
            crate::patch::PatchKind::Apply => {
                serde_json::from_slice::<Value>(&req.body).map_err(|e| {
                    ApiError::bad_request(format!("the applied Scale is not valid JSON: {e}"))
                })?
            }
            kind => crate::patch::apply(
                kind,
                &current,
                &req.body,
                crate::patch::schema_for("autoscaling", "v1", "Scale"),
            )?,
        },
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
    let w = objects::writer(t, req, Part::Main, "scale");
    let stored = commit(
        &mut store,
        t,
        name,
        &old,
        new,
        Write::by(&w, Part::Main, req),
    )?;
    Ok(value_response(200, &scale_of(t, &stored.value)))
}

fn log(state: &Arc<State>, t: &Target, name: &str, req: &Req) -> Result<Response<Body>, ApiError> {
    let Some(pod) = state.store().get(&t.def.storage_key(), &t.namespace, name) else {
        return Err(ApiError::not_found(&t.err(name)));
    };
    // A kubelet that runs the container has its output; otherwise the lines tests set.
    let from_kubelet = state.kubelet.as_ref().and_then(|k| {
        let asked = form_urlencoded::parse(req.connect.raw_query.as_bytes())
            .find(|(k, _)| k == "container")
            .map(|(_, v)| v.into_owned());
        let container = asked.or_else(|| {
            pod.value["spec"]["containers"][0]["name"]
                .as_str()
                .map(str::to_owned)
        })?;
        k.logs(&t.namespace, name, &container)
    });
    let lines: Vec<String> = match &from_kubelet {
        Some(bytes) => String::from_utf8_lossy(bytes)
            .lines()
            .map(str::to_owned)
            .collect(),
        None => state
            .pod_logs()
            .get(&(t.namespace.clone(), name.to_string()))
            .cloned()
            .unwrap_or_default(),
    };
    let skip = req
        .query
        .tail_lines
        .map_or(0, |n| lines.len().saturating_sub(n));
    let mut text = String::new();
    for l in &lines[skip..] {
        text.push_str(l);
        text.push('\n');
    }
    let body = if req.query.follow && from_kubelet.is_none() {
        follow_log(state, t, name, text, lines.len())
    } else {
        full(text)
    };
    let mut r = Response::new(body);
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(r)
}

/// Stream the lines already there, then every appended line until the pod is gone, the client
/// leaves or the server stops. Polls: log lines come from tests, not from a hot path.
fn follow_log(state: &Arc<State>, t: &Target, name: &str, first: String, mut sent: usize) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(64);
    let (state, key, log_key) = (
        state.clone(),
        t.def.storage_key(),
        (t.namespace.clone(), name.to_string()),
    );
    let mut shutdown = state.shutdown.clone();
    tokio::spawn(async move {
        if !first.is_empty() && tx.send(Bytes::from(first)).await.is_err() {
            return;
        }
        loop {
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_millis(50)) => {}
                _ = shutdown.changed() => return,
                _ = tx.closed() => return,
            }
            let fresh: Vec<String> = state
                .pod_logs()
                .get(&log_key)
                .map(|l| l.iter().skip(sent).cloned().collect())
                .unwrap_or_default();
            sent += fresh.len();
            for l in fresh {
                if tx.send(Bytes::from(format!("{l}\n"))).await.is_err() {
                    return;
                }
            }
            if state.store().get(&key, &log_key.0, &log_key.1).is_none() {
                return;
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, super::BodyError>(hyper::body::Frame::data(b)), rx))
    });
    http_body_util::combinators::UnsyncBoxBody::new(http_body_util::StreamBody::new(stream))
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
    let w = objects::writer(t, req, Part::Main, "binding");
    commit(
        &mut store,
        t,
        name,
        &old,
        new,
        Write::by(&w, Part::Main, req),
    )?;
    Ok(json_response(
        201,
        serde_json::to_vec(&status::success(201, None)).unwrap_or_default(),
    ))
}

/// `serviceaccounts/token`: a bearer token that authenticates as the service account
/// (`system:serviceaccount:NS:NAME`). Expiry is reported but not enforced.
fn token(state: &State, t: &Target, name: &str, req: &Req) -> Result<Response<Body>, ApiError> {
    if state
        .store()
        .get(&t.def.storage_key(), &t.namespace, name)
        .is_none()
    {
        return Err(ApiError::not_found(&t.err(name)));
    }
    let request: Value = if req.body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(&req.body).map_err(|e| {
            ApiError::bad_request(format!("the TokenRequest body is not valid JSON: {e}"))
        })?
    };
    let seconds = request
        .pointer("/spec/expirationSeconds")
        .and_then(Value::as_i64)
        .unwrap_or(3600);
    let token = format!("sa-{}", uuid::Uuid::new_v4().simple());
    let ns = t.namespace.clone();
    let user = crate::auth::UserInfo {
        name: format!("system:serviceaccount:{ns}:{name}"),
        groups: vec![
            "system:serviceaccounts".into(),
            format!("system:serviceaccounts:{ns}"),
            "system:authenticated".into(),
        ],
    };
    state
        .issued_tokens
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(kubeclient_runtime::secret::Secret::new(token.clone()), user);
    let expires = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(seconds))
        .unwrap_or(jiff::Timestamp::MAX)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let audiences = request
        .pointer("/spec/audiences")
        .cloned()
        .unwrap_or(json!([]));
    Ok(value_response(
        201,
        &json!({
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"audiences": audiences, "expirationSeconds": seconds},
            "status": {"token": token, "expirationTimestamp": expires}
        }),
    ))
}
