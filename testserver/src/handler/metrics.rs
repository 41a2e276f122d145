//! `/metrics` in the Prometheus text format, with the series a client or an operator test most
//! often reads from kube-apiserver: `apiserver_request_total` by verb, group, version, resource,
//! subresource, scope and code, and `apiserver_storage_objects` by resource. Only superusers may
//! read it, as only they may `get` the non-resource URL `/metrics` by default.

use super::route::ResourcePath;
use super::{full, Body, State};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Response};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// The labels of one `apiserver_request_total` series.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Series {
    code: u16,
    group: String,
    resource: String,
    scope: &'static str,
    subresource: String,
    verb: &'static str,
    version: String,
}

/// Request counters, updated after each response.
#[derive(Debug, Default)]
pub struct Metrics(Mutex<BTreeMap<Series, u64>>);

impl Metrics {
    /// Count a request to a resource path that was answered with `code`.
    pub fn count(&self, method: &Method, p: &ResourcePath, watch: bool, code: u16) {
        let verb = match *method {
            Method::GET if watch || p.legacy_watch => "WATCH",
            Method::GET if p.name.is_none() => "LIST",
            Method::GET => "GET",
            Method::POST => "POST",
            Method::PUT => "PUT",
            Method::PATCH => "PATCH",
            // A collection delete is `DELETE` at the namespace or cluster scope.
            Method::DELETE => "DELETE",
            _ => "OTHER",
        };
        let scope = match (&p.name, &p.namespace) {
            (Some(_), _) => "resource",
            (None, Some(_)) => "namespace",
            (None, None) => "cluster",
        };
        let series = Series {
            code,
            group: p.group.clone(),
            resource: p.plural.clone(),
            scope,
            subresource: p.sub.clone().unwrap_or_default(),
            verb,
            version: p.version.clone(),
        };
        *self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(series)
            .or_default() += 1;
    }
}

/// Escape a label value as the text format wants it.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The `/metrics` document.
pub fn response(state: &State) -> Response<Body> {
    let mut out = String::new();
    out.push_str("# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.\n");
    out.push_str("# TYPE apiserver_request_total counter\n");
    for (s, n) in state
        .metrics
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
    {
        let _ = writeln!(
            out,
            "apiserver_request_total{{code=\"{}\",component=\"apiserver\",dry_run=\"\",group=\"{}\",resource=\"{}\",scope=\"{}\",subresource=\"{}\",verb=\"{}\",version=\"{}\"}} {n}",
            s.code,
            label(&s.group),
            label(&s.resource),
            s.scope,
            label(&s.subresource),
            s.verb,
            label(&s.version),
        );
    }
    out.push_str("# HELP apiserver_storage_objects [STABLE] Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.\n");
    out.push_str("# TYPE apiserver_storage_objects gauge\n");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (key, _) in state.store().all() {
        let name = if key.group.is_empty() {
            key.plural.clone()
        } else {
            format!("{}.{}", key.plural, key.group)
        };
        *counts.entry(name).or_default() += 1;
    }
    for (resource, n) in counts {
        let _ = writeln!(
            out,
            "apiserver_storage_objects{{resource=\"{}\"}} {n}",
            label(&resource)
        );
    }
    let mut r = Response::new(full(out));
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8; escaping=underscores"),
    );
    r
}
