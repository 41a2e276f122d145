//! Discovery documents: `/version`, `/api`, `/apis`, `/apis/{g}`, `/api/v1`, `/apis/{g}/{v}`.
//! `/api` and `/apis` come in two forms chosen by `Accept`: the legacy group lists, and the
//! aggregated `APIGroupDiscoveryList` (apidiscovery.k8s.io v2 / v2beta1) that carries every
//! resource at once, so clients that understand it need no per-group-version requests.

use super::accept::MediaRange;
use super::State;
use crate::resources::{Registry, ResourceDef};
use serde_json::{json, Value};

/// Kubernetes version the server reports: the one the `kubeclient` crate was generated for
/// (`v1.35` gives major `1`, minor `35`), so clients see the API their types describe.
pub fn server_version() -> (&'static str, &'static str) {
    let v = kubeclient::KUBERNETES_VERSION.trim_start_matches('v');
    let mut parts = v.split('.');
    // The constant comes from the build script's version table; "0" only if that changes shape.
    let major = parts.next().filter(|s| !s.is_empty()).unwrap_or("0");
    let minor = parts.next().filter(|s| !s.is_empty()).unwrap_or("0");
    (major, minor)
}

/// `v1.35.0-kubeclient-testserver`: the gitVersion `/version` and the OpenAPI info report.
pub fn git_version() -> String {
    let (major, minor) = server_version();
    format!("v{major}.{minor}.0-kubeclient-testserver")
}

/// `/version`.
pub fn version() -> Value {
    let (major, minor) = server_version();
    json!({
        "major": major, "minor": minor,
        "gitVersion": git_version(),
        "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24.0", "compiler": "gc",
        "platform": format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH)
    })
}

/// `/api`.
pub fn core_versions(state: &State) -> Value {
    let versions: Vec<String> = state
        .registry()
        .groups()
        .into_iter()
        .filter(|(g, _)| g.is_empty())
        .flat_map(|(_, v)| v)
        .collect();
    json!({
        "kind": "APIVersions", "versions": versions,
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": state.address}]
    })
}

fn group_json(name: &str, versions: &[String]) -> Value {
    let vs: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{name}/{v}"), "version": v}))
        .collect();
    let preferred = vs.first().cloned().unwrap_or(Value::Null);
    json!({"name": name, "versions": vs, "preferredVersion": preferred})
}

/// `/apis`.
pub fn group_list(reg: &Registry) -> Value {
    let groups: Vec<Value> = reg
        .groups()
        .iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, v)| group_json(g, v))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/{group}`.
pub fn group(reg: &Registry, name: &str) -> Option<Value> {
    let (_, versions) = reg
        .groups()
        .into_iter()
        .find(|(g, _)| g == name && !g.is_empty())?;
    let mut v = group_json(name, &versions);
    if let Some(m) = v.as_object_mut() {
        m.insert("kind".into(), json!("APIGroup"));
        m.insert("apiVersion".into(), json!("v1"));
    }
    Some(v)
}

/// `/api/{v}` and `/apis/{group}/{v}`.
pub fn resource_list(reg: &Registry, group: &str, version: &str) -> Option<Value> {
    let defs = reg.resources(group, version);
    if defs.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for d in &defs {
        let mut r = json!({
            "name": d.plural, "singularName": d.singular, "namespaced": d.namespaced,
            "kind": d.kind, "verbs": d.verbs,
        });
        if let Some(m) = r.as_object_mut() {
            if !d.short_names.is_empty() {
                m.insert("shortNames".into(), json!(d.short_names));
            }
            if let Some(c) = categories(d) {
                m.insert("categories".into(), c);
            }
        }
        resources.push(r);
        for s in &d.subresources {
            let mut r = json!({
                "name": format!("{}/{}", d.plural, s.name), "singularName": "", "namespaced": d.namespaced,
                "kind": s.kind, "verbs": s.verbs,
            });
            if (s.group.as_str(), s.version.as_str()) != (group, version) {
                if let Some(m) = r.as_object_mut() {
                    m.insert("group".into(), json!(s.group));
                    m.insert("version".into(), json!(s.version));
                }
            }
            resources.push(r);
        }
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
    )
}

/// Versions of the aggregated discovery format the server speaks, as a client negotiates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregated {
    /// `apidiscovery.k8s.io/v2` (GA since Kubernetes 1.30).
    V2,
    /// `apidiscovery.k8s.io/v2beta1` (what clients before 1.30 ask for).
    V2Beta1,
}

impl Aggregated {
    fn version(self) -> &'static str {
        match self {
            Aggregated::V2 => "v2",
            Aggregated::V2Beta1 => "v2beta1",
        }
    }
    /// `apidiscovery.k8s.io/v2`.
    pub fn api_version(self) -> String {
        format!("apidiscovery.k8s.io/{}", self.version())
    }
    /// The response `Content-Type`, spelled as kube-apiserver spells it (client-go checks the
    /// `g`, `v` and `as` parameters to tell the aggregated form from the legacy one).
    pub fn content_type(self) -> String {
        format!(
            "application/json;g=apidiscovery.k8s.io;v={};as=APIGroupDiscoveryList",
            self.version()
        )
    }
}

/// The discovery form `accept` (already ranked) asks for: the first entry that names an
/// aggregated version or admits plain JSON decides. Anything else (protobuf only, unknown
/// types) gets the legacy JSON form, as this server always answered before.
pub fn negotiate(accept: &[MediaRange]) -> Option<Aggregated> {
    for m in accept {
        if m.admits_json() {
            return None;
        }
        let aggregated = m.essence == "application/json"
            && m.param("g") == Some("apidiscovery.k8s.io")
            && m.param("as") == Some("APIGroupDiscoveryList");
        if !aggregated {
            continue;
        }
        match m.param("v") {
            Some("v2") => return Some(Aggregated::V2),
            Some("v2beta1") => return Some(Aggregated::V2Beta1),
            _ => {}
        }
    }
    None
}

fn gvk(group: &str, version: &str, kind: &str) -> Value {
    json!({"group": group, "version": version, "kind": kind})
}

fn resource_discovery(d: &ResourceDef) -> Value {
    let subresources: Vec<Value> = d
        .subresources
        .iter()
        .map(|s| {
            json!({
                "subresource": s.name,
                "responseKind": gvk(&s.group, &s.version, &s.kind),
                "verbs": s.verbs,
            })
        })
        .collect();
    let mut r = json!({
        "resource": d.plural,
        "responseKind": gvk(&d.group, &d.version, &d.kind),
        "scope": if d.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": d.singular,
        "verbs": d.verbs,
    });
    if let Some(m) = r.as_object_mut() {
        // Empty lists are left out, as Go's omitempty does.
        if !d.short_names.is_empty() {
            m.insert("shortNames".into(), json!(d.short_names));
        }
        if let Some(c) = categories(d) {
            m.insert("categories".into(), c);
        }
        if !subresources.is_empty() {
            m.insert("subresources".into(), Value::Array(subresources));
        }
    }
    r
}

/// The `all` category of the few kinds kubectl users expect under `kubectl get all`.
fn categories(d: &ResourceDef) -> Option<Value> {
    matches!(d.plural.as_str(), "pods" | "services" | "deployments").then(|| json!(["all"]))
}

fn group_discovery(reg: &Registry, name: &str, versions: &[String]) -> Value {
    let versions: Vec<Value> = versions
        .iter()
        .map(|v| {
            let resources: Vec<Value> = reg
                .resources(name, v)
                .iter()
                .map(|d| resource_discovery(d))
                .collect();
            json!({"version": v, "resources": resources, "freshness": "Current"})
        })
        .collect();
    // The core group's name is "", which Go's omitempty leaves out.
    let metadata = if name.is_empty() {
        json!({"creationTimestamp": null})
    } else {
        json!({"name": name, "creationTimestamp": null})
    };
    json!({"metadata": metadata, "versions": versions})
}

/// The aggregated `APIGroupDiscoveryList` of `/api` (`core` true: the core group only) or
/// `/apis` (every named group, in the registry's priority order).
pub fn aggregated(reg: &Registry, core: bool, format: Aggregated) -> Value {
    let items: Vec<Value> = reg
        .groups()
        .iter()
        .filter(|(g, _)| g.is_empty() == core)
        .map(|(g, v)| group_discovery(reg, g, v))
        .collect();
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": format.api_version(),
        "metadata": {},
        "items": items,
    })
}
