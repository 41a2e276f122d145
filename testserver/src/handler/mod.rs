//! HTTP request handling: authentication, routing, and dispatch to the verb implementations.

pub(crate) mod accept;
pub(crate) mod connect;
mod discovery;
mod metrics;
mod objects;
mod openapi;
mod port_forward;
mod proxy;
mod query;
mod review;
pub(crate) mod route;
mod spdy;
mod subresources;
mod table;
mod watch;

use crate::auth::{Authorizer, TokenTable, UserInfo};
use crate::faults::{FaultAction, Faults};
use crate::record::{RecordedRequest, Recorder};
use crate::resources::{Registry, ResourceDef};
use crate::specs::OpenApiSpecs;
use crate::status::ApiError;
use crate::store::Store;
use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
pub use objects::{add_default_service_account, namespaces_key};
use query::Query;
use route::{ResourcePath, Route};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

/// Largest request body read: kube-apiserver's `MaxRequestBodyBytes` (3 MiB, twice etcd's
/// recommended 1.5 MB request), beyond which it answers 413.
pub const MAX_REQUEST_BODY_BYTES: usize = 3 * 1024 * 1024;

/// Response body: a whole buffer or a stream (watches).
pub type Body = UnsyncBoxBody<Bytes, BodyError>;

/// Error of a response body: only injected faults produce one (it aborts the connection).
pub type BodyError = Box<dyn std::error::Error + Send + Sync>;

/// Everything the handlers share.
#[derive(Debug)]
pub struct State {
    /// Served resources (CRDs change it).
    pub registry: RwLock<Registry>,
    /// Objects and history.
    pub store: Mutex<Store>,
    /// Bearer tokens.
    pub tokens: TokenTable,
    /// When false (plain-HTTP mode) every request acts as the admin.
    pub require_auth: bool,
    /// How often watches that asked for bookmarks get one.
    pub bookmark_interval: Duration,
    /// `host:port` the server listens on (for `/api`'s serverAddressByClientCIDRs).
    pub address: String,
    /// Log lines of pods, by (namespace, name).
    pub pod_logs: Mutex<HashMap<(String, String), Vec<String>>>,
    /// Every request seen.
    pub recorder: Recorder,
    /// Armed faults.
    pub faults: Faults,
    /// Service-account tokens issued through `serviceaccounts/token`.
    pub issued_tokens: Mutex<TokenTable>,
    /// Who may do what.
    pub authorizer: Authorizer,
    /// Ends streaming responses when the server shuts down.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// Upstream OpenAPI documents to serve, when the server was given a specs directory.
    pub openapi: Option<OpenApiSpecs>,
    /// What runs behind pods/exec and pods/attach; `None` answers as for a pod without a node.
    pub kubelet: Option<Arc<dyn crate::kubelet::Kubelet>>,
    /// Request counters for `/metrics`.
    pub metrics: metrics::Metrics,
}

// A poisoned lock only means another handler panicked mid-request; the data is still the last
// consistent state we wrote, so keep serving.
impl State {
    /// The store, locked.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// The registry, for reading.
    pub fn registry(&self) -> RwLockReadGuard<'_, Registry> {
        self.registry.read().unwrap_or_else(|e| e.into_inner())
    }
    /// The registry, for writing.
    pub fn registry_mut(&self) -> RwLockWriteGuard<'_, Registry> {
        self.registry.write().unwrap_or_else(|e| e.into_inner())
    }
    /// Pod logs, locked.
    pub fn pod_logs(&self) -> MutexGuard<'_, HashMap<(String, String), Vec<String>>> {
        self.pod_logs.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A whole-buffer body.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    UnsyncBoxBody::new(Full::new(bytes.into()).map_err(|never: Infallible| match never {}))
}

/// A JSON response.
pub fn json_response(code: u16, bytes: impl Into<Bytes>) -> Response<Body> {
    let mut resp = Response::new(full(bytes));
    *resp.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// A JSON response from a value.
pub fn value_response(code: u16, v: &serde_json::Value) -> Response<Body> {
    json_response(code, serde_json::to_vec(v).unwrap_or_default())
}

/// The `Status` response for an error.
pub fn error_response(e: &ApiError) -> Response<Body> {
    value_response(e.code, &e.to_status())
}

/// The error an injected status fault answers with, shaped as the real server's error of that
/// code (a 409 is a resourceVersion `Conflict` on the object the path names).
fn injected_error(code: u16, retry_after: Option<u64>, path: &str) -> ApiError {
    let reason = match code {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        410 => "Expired",
        422 => "Invalid",
        429 => "TooManyRequests",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "InternalError",
    };
    if code == 409 {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        // /api/v1/.../{plural}/{name} or /apis/{group}/v1/.../{plural}/{name}
        let group = match segs.first() {
            Some(&"apis") => segs.get(1).copied().unwrap_or(""),
            _ => "",
        };
        let (plural, name) = match segs.as_slice() {
            [.., plural, name] => (*plural, *name),
            _ => ("", ""),
        };
        let target = crate::status::Target {
            group,
            plural,
            name,
        };
        return ApiError::conflict(&target, "the object has been modified; please apply your changes to the latest version and try again");
    }
    ApiError {
        code,
        reason,
        message: format!("injected fault: {code} {reason}"),
        details: retry_after.map(|s| serde_json::json!({"retryAfterSeconds": s})),
    }
}

/// Returned instead of a response when an injected fault drops the connection.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by an injected fault")]
pub struct Dropped;

/// Handle one request from an already TLS-authenticated `cert_user` (if any), applying any
/// armed fault.
pub async fn handle(
    state: Arc<State>,
    req: Request<Incoming>,
    cert_user: Option<UserInfo>,
) -> Result<Response<Body>, Dropped> {
    let is_watch = req.uri().path().contains("/watch/")
        || req
            .uri()
            .query()
            .is_some_and(|q| q.split('&').any(|kv| kv == "watch=true" || kv == "watch=1"));
    let fault = state
        .faults
        .take(req.method().as_str(), req.uri().path(), is_watch);
    let mut cut_watch_after = None;
    match fault {
        Some(FaultAction::DropConnection) => {
            state
                .recorder
                .record(RecordedRequest::from_request(&req, None));
            return Err(Dropped);
        }
        Some(FaultAction::Status { code, retry_after }) => {
            state
                .recorder
                .record(RecordedRequest::from_request(&req, None));
            let e = injected_error(code, retry_after, req.uri().path());
            let mut resp = error_response(&e);
            if let Some(secs) = retry_after {
                resp.headers_mut()
                    .insert(hyper::header::RETRY_AFTER, HeaderValue::from(secs));
            }
            return Ok(resp);
        }
        Some(FaultAction::Delay(d)) => tokio::time::sleep(d).await,
        Some(FaultAction::CutWatchAfter(k)) => cut_watch_after = Some(k),
        Some(FaultAction::TruncateBody) if !is_watch => {
            let resp = serve(state, req, cert_user, None).await;
            let (mut parts, body) = resp.into_parts();
            let bytes = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            // Send half of the body, then fail it: hyper aborts the connection mid-body.
            parts.headers.remove(hyper::header::CONTENT_LENGTH);
            let half = bytes.slice(..bytes.len() / 2);
            // The pause lets hyper flush the head and the first half before the abort.
            // States: Some(Some(half)) sends data, Some(None) fails the body, None ends.
            let frames = futures_util::stream::unfold(Some(Some(half)), |state| async move {
                match state? {
                    Some(h) => Some((Ok::<_, BodyError>(Frame::data(h)), Some(None))),
                    None => {
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        Some((Err("body truncated by an injected fault".into()), None))
                    }
                }
            });
            let body = UnsyncBoxBody::new(StreamBody::new(frames));
            return Ok(Response::from_parts(parts, body));
        }
        Some(FaultAction::TruncateBody) | None => {}
    }
    Ok(serve(state, req, cert_user, cut_watch_after).await)
}

async fn serve(
    state: Arc<State>,
    req: Request<Incoming>,
    cert_user: Option<UserInfo>,
    cut_watch_after: Option<usize>,
) -> Response<Body> {
    let user = if state.require_auth {
        let token_user = req
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| {
                state.tokens.authenticate(h).or_else(|| {
                    state
                        .issued_tokens
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .authenticate(h)
                })
            });
        token_user.or(cert_user)
    } else {
        Some(UserInfo::new("admin", &["system:masters"]))
    };
    state.recorder.record(RecordedRequest::from_request(
        &req,
        user.as_ref().map(|u| u.name.clone()),
    ));
    let Some(authenticated) = user else {
        return error_response(&ApiError::unauthorized());
    };
    let user = match impersonate(&state, &req, authenticated) {
        Ok(u) => u,
        Err(e) => return error_response(&e),
    };
    let (mut parts, body) = req.into_parts();
    let connect = connect::ConnectParts::from_parts(&mut parts);
    let body = match http_body_util::Limited::new(body, MAX_REQUEST_BODY_BYTES)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            return error_response(&ApiError::too_large(MAX_REQUEST_BODY_BYTES))
        }
        Err(e) => {
            return error_response(&ApiError::bad_request(format!(
                "reading the request body: {e}"
            )))
        }
    };
    let query = match Query::parse(parts.uri.query().unwrap_or("")) {
        Ok(q) => q,
        Err(e) => return error_response(&e),
    };
    let route = route::parse(parts.uri.path(), &state.registry());
    let accept = accept::parse(
        parts
            .headers
            .get(hyper::header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    );
    let mut content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut body = body;
    // What goes through `{name}/proxy/...` is the backend's business, not the API's.
    let proxy = match &route {
        Route::Resource(p) => p.proxy_path.clone().map(|path| proxy::Forward {
            path,
            headers: parts.headers.clone(),
        }),
        _ => None,
    };
    if proxy.is_none()
        && !body.is_empty()
        && content_type.starts_with(kubeclient_runtime::proto::CONTENT_TYPE)
    {
        // Built-in kinds in protobuf become the JSON the rest of the server works on.
        match crate::protobuf::body_to_json(&body) {
            Some(Ok(json)) => {
                body = Bytes::from(json);
                content_type = "application/json".into();
            }
            Some(Err(e)) => {
                return error_response(&ApiError::bad_request(format!(
                    "the protobuf body cannot be decoded: {e}"
                )))
            }
            None => return error_response(&ApiError::unsupported_body(&content_type)),
        }
    }
    if proxy.is_none()
        && !body.is_empty()
        && (content_type.contains("protobuf") || content_type.contains("cbor"))
    {
        // Other kinds (and CBOR) only in JSON, as kube-apiserver for custom resources.
        return error_response(&ApiError::unsupported_body(&content_type));
    }
    let user_agent = parts
        .headers
        .get(hyper::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    // Resource endpoints answer in protobuf when asked (built-in kinds only, as upstream).
    let protobuf = match &route {
        Route::Resource(p) if p.proxy_path.is_none() => {
            let builtin = state
                .registry()
                .get(&p.group, &p.version, &p.plural)
                .is_some_and(|d| d.crd.is_none());
            match crate::protobuf::negotiate(&accept, builtin) {
                Ok(f) => f == crate::protobuf::Format::Protobuf,
                Err(types) => return error_response(&ApiError::not_acceptable(&types)),
            }
        }
        _ => false,
    };
    let table = table::negotiate(&accept).filter(|_| !protobuf && proxy.is_none());
    let req = Req {
        protobuf,
        table,
        user_agent,
        method: parts.method,
        query,
        body,
        content_type,
        path: parts.uri.path().to_string(),
        cut_watch_after,
        user,
        connect,
        proxy,
    };
    match route {
        Route::Version => value_response(200, &discovery::version()),
        Route::Health => {
            let mut r = Response::new(full(health_body(
                &req.path,
                parts.uri.query().unwrap_or(""),
            )));
            r.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            r
        }
        Route::CoreVersions | Route::Groups => discovery_root(&state, &route, &accept),
        Route::Group(g) => match discovery::group(&state.registry(), &g) {
            Some(v) => value_response(200, &v),
            None => page_not_found(),
        },
        Route::ResourceList { group, version } => {
            match discovery::resource_list(&state.registry(), &group, &version) {
                Some(v) => value_response(200, &v),
                None => page_not_found(),
            }
        }
        Route::Resource(p) if !serves(&state.registry(), &p.group, &p.version) => page_not_found(),
        Route::Resource(p) => {
            let (method, watch) = (req.method.clone(), req.query.watch);
            let protobuf = req.protobuf;
            let r = match resource(&state, &p, req).await {
                Ok(r) => r,
                Err(e) => error_response(&e),
            };
            let r = if protobuf { into_protobuf(r).await } else { r };
            state.metrics.count(&method, &p, watch, r.status().as_u16());
            r
        }
        Route::Metrics if state.authorizer.allows(&req.user, "*", "*", "") => {
            metrics::response(&state)
        }
        Route::Metrics => error_response(&ApiError {
            code: 403,
            reason: "Forbidden",
            message: format!(
                "forbidden: User \"{}\" cannot get path \"/metrics\"",
                req.user.name
            ),
            details: Some(serde_json::json!({})),
        }),
        Route::OpenApiV2 => openapi::v2_response(state.openapi.as_ref(), &req.path, &accept),
        Route::OpenApiV3Root => value_response(
            200,
            &openapi::root(&state.registry(), state.openapi.as_ref()),
        ),
        Route::OpenApiV3(p) => {
            let hash = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
                .find(|(k, _)| k == "hash")
                .map(|(_, v)| v.into_owned());
            openapi::v3_response(
                &state.registry(),
                state.openapi.as_ref(),
                &p,
                &req.path,
                hash.as_deref(),
                &accept,
            )
        }
        Route::NotFound => error_response(&ApiError::path_not_found(&req.path)),
    }
}

/// A whole JSON answer re-encoded in protobuf (the negotiated format), when its kind has a
/// protobuf form; streams (watches) encode their own frames and pass through.
async fn into_protobuf(resp: Response<Body>) -> Response<Body> {
    use hyper::body::Body as _;
    let is_json = resp
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == b"application/json");
    if !is_json || resp.body().size_hint().exact().is_none() {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    match crate::protobuf::json_to_body(&bytes) {
        Some(pb) => {
            parts.headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static(kubeclient_runtime::proto::CONTENT_TYPE),
            );
            parts.headers.remove(hyper::header::CONTENT_LENGTH);
            Response::from_parts(parts, full(pb))
        }
        None => Response::from_parts(parts, full(bytes)),
    }
}

/// Whether any resource of `group`/`version` is served.
fn serves(registry: &Registry, group: &str, version: &str) -> bool {
    registry
        .groups()
        .iter()
        .any(|(g, vs)| g == group && vs.iter().any(|v| v == version))
}

/// What kube-apiserver answers for a path no API group/version handles: Go's plain-text 404,
/// not a Status.
fn page_not_found() -> Response<Body> {
    let mut r = Response::new(full("404 page not found\n"));
    *r.status_mut() = StatusCode::NOT_FOUND;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// `ok`, or with `?verbose` each check and the verdict as kube-apiserver lists them.
fn health_body(path: &str, query: &str) -> String {
    let endpoint = path.trim_matches('/');
    let verbose = query
        .split('&')
        .any(|kv| kv.split('=').next() == Some("verbose"));
    if !verbose || endpoint.contains('/') {
        return "ok".to_string();
    }
    let mut checks = vec!["ping", "log", "etcd"];
    if endpoint == "readyz" {
        checks.extend(["etcd-readiness", "informer-sync"]);
    }
    checks.push("poststarthook/start-apiextensions-controllers");
    if endpoint == "readyz" {
        checks.push("shutdown");
    }
    let mut body: String = checks.iter().map(|c| format!("[+]{c} ok\n")).collect();
    body.push_str(&format!("{endpoint} check passed\n"));
    body
}

/// `/api` or `/apis`, in the form the `Accept` header negotiates. Both forms vary by
/// `Accept`, which caches (kubectl's disk cache) must know.
fn discovery_root(state: &State, route: &Route, accept: &[accept::MediaRange]) -> Response<Body> {
    let core = *route == Route::CoreVersions;
    let mut resp = match discovery::negotiate(accept) {
        Some(format) => {
            let mut r =
                value_response(200, &discovery::aggregated(&state.registry(), core, format));
            if let Ok(ct) = HeaderValue::from_str(&format.content_type()) {
                r.headers_mut().insert(CONTENT_TYPE, ct);
            }
            r
        }
        None if core => value_response(200, &discovery::core_versions(state)),
        None => value_response(200, &discovery::group_list(&state.registry())),
    };
    resp.headers_mut()
        .insert(hyper::header::VARY, HeaderValue::from_static("Accept"));
    resp
}

/// The parts of a request the verb handlers need.
#[derive(Debug)]
pub struct Req {
    /// Whether the answer is protobuf (negotiated from `Accept`; built-in kinds only).
    pub protobuf: bool,
    /// HTTP method.
    pub method: Method,
    /// Parsed query parameters.
    pub query: Query,
    /// Whole body.
    pub body: Bytes,
    /// `Content-Type` header.
    pub content_type: String,
    /// Request path (for messages).
    pub path: String,
    /// An injected fault: end a watch after this many events.
    pub cut_watch_after: Option<usize>,
    /// The user the request acts as (after impersonation).
    pub user: UserInfo,
    /// `User-Agent` header.
    pub user_agent: String,
    /// The `meta.k8s.io` Table version the client asked for instead of objects (kubectl get).
    pub table: Option<&'static str>,
    /// Raw query and WebSocket handshake, for exec and attach.
    pub connect: connect::ConnectParts,
    /// For `{name}/proxy/...`: what is forwarded besides method, query and body.
    pub proxy: Option<proxy::Forward>,
}

impl Req {
    /// The field manager of a write: `fieldManager`, else the User-Agent's product name
    /// (`kubectl/v1.32.4 (linux/amd64) ...` -> `kubectl`), as kube-apiserver picks it.
    pub fn field_manager(&self) -> String {
        match self
            .query
            .field_manager
            .as_deref()
            .filter(|m| !m.is_empty())
        {
            Some(m) => m.to_string(),
            None => self
                .user_agent
                .split('/')
                .next()
                .unwrap_or("")
                .chars()
                .take(128)
                .collect(),
        }
    }
}

/// Apply `Impersonate-User` / `Impersonate-Group` headers when the caller may impersonate.
fn impersonate<B>(state: &State, req: &Request<B>, caller: UserInfo) -> Result<UserInfo, ApiError> {
    let Some(target) = req
        .headers()
        .get("impersonate-user")
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(caller);
    };
    if !state.authorizer.allows(&caller, "impersonate", "users", "") {
        return Err(ApiError::forbidden(
            &format!("users \"{target}\" is forbidden: User \"{}\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope", caller.name),
            "users",
            target,
        ));
    }
    let groups = req
        .headers()
        .get_all("impersonate-group")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    Ok(UserInfo {
        name: target.to_string(),
        groups,
    })
}

/// 403 unless the request's user may `verb` the resource (or `resource/sub`).
pub fn authorize(
    state: &State,
    req: &Req,
    t: &Target,
    verb: &str,
    sub: Option<&str>,
    name: &str,
) -> Result<(), ApiError> {
    let resource = match sub {
        Some(s) => format!("{}/{s}", t.def.plural),
        None => t.def.plural.clone(),
    };
    if state
        .authorizer
        .allows(&req.user, verb, &resource, &t.namespace)
    {
        return Ok(());
    }
    let scope = if t.namespace.is_empty() {
        "at the cluster scope".to_string()
    } else {
        format!("in the namespace \"{}\"", t.namespace)
    };
    let subject = if name.is_empty() {
        resource.clone()
    } else {
        format!("{resource} \"{name}\"")
    };
    Err(ApiError::forbidden(
        &format!(
            "{subject} is forbidden: User \"{}\" cannot {verb} resource \"{resource}\" in API group \"{}\" {scope}",
            req.user.name, t.def.group
        ),
        &t.def.plural,
        name,
    ))
}

/// A resolved resource request: definition plus namespace and name.
#[derive(Debug, Clone)]
pub struct Target {
    /// The resource.
    pub def: Arc<ResourceDef>,
    /// Namespace (`""` for cluster-scoped resources and all-namespace lists).
    pub namespace: String,
    /// Whether the path named a namespace.
    pub namespace_given: bool,
}

impl Target {
    /// The error target naming `name`.
    pub fn err<'a>(&'a self, name: &'a str) -> crate::status::Target<'a> {
        crate::status::Target {
            group: &self.def.group,
            plural: &self.def.plural,
            name,
        }
    }
}

fn check_verb(
    state: &State,
    req: &Req,
    t: &Target,
    verb: &str,
    name: &str,
) -> Result<(), ApiError> {
    if !t.def.allows(verb) {
        return Err(ApiError::method_not_allowed(verb, &t.def.plural));
    }
    authorize(state, req, t, verb, None, name)
}

async fn resource(
    state: &Arc<State>,
    p: &ResourcePath,
    req: Req,
) -> Result<Response<Body>, ApiError> {
    let def = state
        .registry()
        .get(&p.group, &p.version, &p.plural)
        .ok_or_else(|| ApiError::path_not_found(&req.path))?;
    if p.namespace.is_some() && !def.namespaced {
        return Err(ApiError::path_not_found(&req.path));
    }
    let t = Target {
        namespace: p.namespace.clone().unwrap_or_default(),
        namespace_given: p.namespace.is_some(),
        def,
    };
    if let Some(sub) = &p.sub {
        let name = p.name.as_deref().unwrap_or_default();
        return subresources::handle(state, &t, name, sub, req).await;
    }
    let is_watch = p.legacy_watch || req.query.watch;
    if t.def.namespaced && !t.namespace_given && !(req.method == Method::GET && p.name.is_none()) {
        // Only list/watch may span namespaces.
        return Err(ApiError::path_not_found(&req.path));
    }
    let selects = matches!(
        (&req.method, p.name.as_deref()),
        (&Method::GET, _) | (&Method::DELETE, None)
    ) && (p.name.is_none() || is_watch);
    if selects {
        // Field labels are converted (and refused) before the storage sees them.
        req.query
            .fields
            .check_supported(&t.def.group, &t.def.kind, t.def.crd.is_some())?;
    }
    match (&req.method, p.name.as_deref()) {
        (&Method::GET, None) if is_watch => {
            check_verb(state, &req, &t, "watch", p.name.as_deref().unwrap_or(""))?;
            watch::handle(state, &t, None, &req)
        }
        (&Method::GET, Some(name)) if is_watch => {
            check_verb(state, &req, &t, "watch", p.name.as_deref().unwrap_or(""))?;
            watch::handle(state, &t, Some(name), &req)
        }
        (&Method::GET, None) => {
            check_verb(state, &req, &t, "list", p.name.as_deref().unwrap_or(""))?;
            objects::list(state, &t, &req)
        }
        (&Method::GET, Some(name)) => {
            check_verb(state, &req, &t, "get", p.name.as_deref().unwrap_or(""))?;
            objects::get(state, &t, name, &req)
        }
        (&Method::POST, None) if review::handles(&t) => {
            check_verb(state, &req, &t, "create", "")?;
            review::create(state, &t, &req)
        }
        (&Method::POST, None) => {
            check_verb(state, &req, &t, "create", p.name.as_deref().unwrap_or(""))?;
            objects::create(state, &t, &req)
        }
        (&Method::PUT, Some(name)) => {
            check_verb(state, &req, &t, "update", p.name.as_deref().unwrap_or(""))?;
            objects::update(state, &t, name, &req, objects::Part::Main)
        }
        (&Method::PATCH, Some(name)) => {
            check_verb(state, &req, &t, "patch", p.name.as_deref().unwrap_or(""))?;
            objects::patch(state, &t, name, &req, objects::Part::Main)
        }
        (&Method::DELETE, Some(name)) => {
            check_verb(state, &req, &t, "delete", p.name.as_deref().unwrap_or(""))?;
            objects::delete(state, &t, name, &req)
        }
        (&Method::DELETE, None) => {
            check_verb(
                state,
                &req,
                &t,
                "deletecollection",
                p.name.as_deref().unwrap_or(""),
            )?;
            objects::delete_collection(state, &t, &req)
        }
        (m, _) => Err(ApiError::method_not_allowed(m.as_str(), &t.def.plural)),
    }
}
