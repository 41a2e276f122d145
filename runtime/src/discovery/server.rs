//! Discovery against the live server (client-go's discovery client and REST mapper): what it
//! serves right now, custom resources included, and kubectl's way of resolving a name such as
//! `deploy`, `deployments.apps` or `Certificate` to a resource.
//!
//! Aggregated discovery (`apidiscovery.k8s.io/v2`: one request for `/api`, one for `/apis`) is
//! asked for first; servers that answer with the legacy documents are read the legacy way
//! (one request per group/version), as client-go falls back.

use crate::client::ApiResource;
use crate::resource::Scope;
use crate::rest::{Error, RestClient, Result};
use serde_json::Value;

const AGGREGATED: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

/// A resource the server serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerResource {
    /// Group, version, kind, plural, scope.
    pub api: ApiResource,
    /// Lower-case singular.
    pub singular: String,
    /// Short names (`deploy`).
    pub short_names: Vec<String>,
    /// Verbs in discovery spelling.
    pub verbs: Vec<String>,
    /// Subresource names (`status`, `scale`).
    pub subresources: Vec<String>,
    /// Categories (`all`).
    pub categories: Vec<String>,
    /// The group's preferred version.
    pub preferred: bool,
}

/// Everything the server serves, preferred versions first within each group.
pub async fn server_resources(rest: &RestClient) -> Result<Vec<ServerResource>> {
    let mut out = Vec::new();
    for root in ["/api", "/apis"] {
        let doc: Value = rest.get().abs_path(root).accept(AGGREGATED).do_().await?;
        if doc.get("kind").and_then(Value::as_str) == Some("APIGroupDiscoveryList") {
            out.extend(from_aggregated(&doc));
        } else {
            out.extend(legacy(rest, root, &doc).await?);
        }
    }
    Ok(out)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Resources of an `APIGroupDiscoveryList`.
pub fn from_aggregated(doc: &Value) -> Vec<ServerResource> {
    let mut out = Vec::new();
    for group in doc
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = group
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let versions = group
            .get("versions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for (i, version) in versions.enumerate() {
            for r in version
                .get("resources")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let kind = r
                    .pointer("/responseKind/kind")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                out.push(ServerResource {
                    api: ApiResource::new(
                        name,
                        text(version, "version"),
                        kind,
                        text(r, "resource"),
                        if text(r, "scope") == "Cluster" {
                            Scope::Cluster
                        } else {
                            Scope::Namespaced
                        },
                    ),
                    singular: text(r, "singularResource").to_owned(),
                    short_names: strings(r.get("shortNames")),
                    verbs: strings(r.get("verbs")),
                    subresources: r
                        .get("subresources")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .map(|s| text(s, "subresource").to_owned())
                        .collect(),
                    categories: strings(r.get("categories")),
                    preferred: i == 0,
                });
            }
        }
    }
    out
}

/// The legacy documents: `/api` lists versions of the core group, `/apis` the groups; each
/// group/version's `APIResourceList` is one more request.
async fn legacy(rest: &RestClient, root: &str, doc: &Value) -> Result<Vec<ServerResource>> {
    let mut gvs: Vec<(String, String, bool)> = Vec::new();
    if root == "/api" {
        for (i, v) in strings(doc.get("versions")).into_iter().enumerate() {
            gvs.push((String::new(), v, i == 0));
        }
    } else {
        for g in doc
            .get("groups")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let preferred = g
                .pointer("/preferredVersion/version")
                .and_then(Value::as_str);
            for v in g
                .get("versions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let version = text(v, "version");
                gvs.push((
                    text(g, "name").to_owned(),
                    version.to_owned(),
                    preferred == Some(version),
                ));
            }
        }
    }
    let mut out = Vec::new();
    for (group, version, preferred) in gvs {
        let path = if group.is_empty() {
            format!("/api/{version}")
        } else {
            format!("/apis/{group}/{version}")
        };
        let list: Value = match rest.get().abs_path(&path).do_().await {
            Ok(l) => l,
            // A group/version that went away between the two requests (an aggregated API
            // being removed) is skipped, as client-go does.
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e),
        };
        out.extend(from_resource_list(&group, &version, preferred, &list));
    }
    Ok(out)
}

/// Resources of one legacy `APIResourceList` (subresources attach to their parent).
pub fn from_resource_list(
    group: &str,
    version: &str,
    preferred: bool,
    list: &Value,
) -> Vec<ServerResource> {
    let entries: Vec<&Value> = list
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let mut out: Vec<ServerResource> = entries
        .iter()
        .filter(|r| !text(r, "name").contains('/'))
        .map(|r| ServerResource {
            api: ApiResource::new(
                group,
                version,
                text(r, "kind"),
                text(r, "name"),
                if r.get("namespaced").and_then(Value::as_bool) == Some(true) {
                    Scope::Namespaced
                } else {
                    Scope::Cluster
                },
            ),
            singular: text(r, "singularName").to_owned(),
            short_names: strings(r.get("shortNames")),
            verbs: strings(r.get("verbs")),
            subresources: Vec::new(),
            categories: strings(r.get("categories")),
            preferred,
        })
        .collect();
    for r in entries {
        if let Some((parent, sub)) = text(r, "name").split_once('/') {
            if let Some(p) = out.iter_mut().find(|p| p.api.plural == parent) {
                p.subresources.push(sub.to_owned());
            }
        }
    }
    out
}

/// Resolve a name as kubectl does: plural, singular, short name or kind (case-insensitive for
/// kinds), optionally qualified by group (`deployments.apps`) or version and group
/// (`deployments.v1.apps`); the group's preferred version wins.
pub fn find<'a>(resources: &'a [ServerResource], name: &str) -> Result<&'a ServerResource> {
    let matches = |r: &ServerResource, n: &str| {
        r.api.plural == n
            || r.singular == n
            || r.short_names.iter().any(|s| s == n)
            || r.api.kind.eq_ignore_ascii_case(n)
    };
    let candidates: Vec<&ServerResource> = resources
        .iter()
        .filter(|r| {
            if matches(r, name) {
                return true;
            }
            match name.split_once('.') {
                Some((n, rest)) => match rest.split_once('.') {
                    Some((v, g)) if v == r.api.version && g == r.api.group => matches(r, n),
                    _ => rest == r.api.group && matches(r, n),
                },
                None => false,
            }
        })
        .collect();
    candidates
        .iter()
        .find(|r| r.preferred)
        .or(candidates.first())
        .copied()
        .ok_or_else(|| {
            Error::InvalidRequest(format!("the server doesn't have a resource type {name:?}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn legacy_lists_attach_subresources_and_names_resolve_like_kubectl() {
        let list = json!({"resources": [
            {"name": "deployments", "singularName": "deployment", "namespaced": true, "kind": "Deployment", "verbs": ["get"], "shortNames": ["deploy"]},
            {"name": "deployments/scale", "singularName": "", "namespaced": true, "kind": "Scale", "verbs": ["get"]}
        ]});
        let mut all = from_resource_list("apps", "v1", true, &list);
        all.extend(from_resource_list("extensions", "v1beta1", true, &list));
        assert_eq!(all[0].subresources, ["scale"]);
        for name in [
            "deploy",
            "deployments",
            "deployment",
            "Deployment",
            "deployments.apps",
            "deployments.v1.apps",
        ] {
            assert_eq!(find(&all, name).expect(name).api.group, "apps", "{name}");
        }
        assert_eq!(
            find(&all, "deployments.extensions")
                .expect("qualified")
                .api
                .group,
            "extensions"
        );
        assert!(find(&all, "widgets").is_err());
    }
}
