//! Discovery documents: `/version`, `/api`, `/apis`, `/apis/{g}`, `/api/v1`, `/apis/{g}/{v}`.
//! Legacy (unaggregated) discovery only; clients that ask for aggregated discovery by Accept
//! get these with `Content-Type: application/json` and fall back, as against older servers.

use super::State;
use crate::resources::Registry;
use serde_json::{json, Value};

/// Kubernetes version the server reports.
pub const SERVER_MINOR: &str = "33";

/// `/version`.
pub fn version() -> Value {
    json!({
        "major": "1", "minor": SERVER_MINOR,
        "gitVersion": format!("v1.{SERVER_MINOR}.0-kubeclient-testserver"),
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
            if matches!(d.plural.as_str(), "pods" | "services" | "deployments") {
                m.insert("categories".into(), json!(["all"]));
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
