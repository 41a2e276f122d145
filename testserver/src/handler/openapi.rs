//! A minimal `/openapi/v3`: one document per group/version listing each resource's PATCH
//! operation with its group/version/kind and the `fieldValidation` parameter. That is what
//! kubectl reads to decide that validation happens on the server, so `kubectl create -f` works
//! without schemas. Schemas themselves are not served (no `kubectl explain`).

use crate::resources::Registry;
use serde_json::{json, Map, Value};
use std::hash::{Hash, Hasher};

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// The document for one group/version path (`api/v1`, `apis/apps/v1`).
pub fn gv_document(reg: &Registry, path: &str) -> Option<Value> {
    let (group, version) = match path.split('/').collect::<Vec<_>>().as_slice() {
        ["api", v] => (String::new(), v.to_string()),
        ["apis", g, v] => (g.to_string(), v.to_string()),
        _ => return None,
    };
    let defs = reg.resources(&group, &version);
    if defs.is_empty() {
        return None;
    }
    let mut paths = Map::new();
    for d in defs {
        let prefix = format!("/{}", gv_path(&d.group, &d.version));
        let item = if d.namespaced {
            format!("{prefix}/namespaces/{{namespace}}/{}/{{name}}", d.plural)
        } else {
            format!("{prefix}/{}/{{name}}", d.plural)
        };
        paths.insert(
            item,
            json!({"patch": {
                "x-kubernetes-group-version-kind": {"group": d.group, "version": d.version, "kind": d.kind},
                "x-kubernetes-action": "patch",
                "parameters": [
                    {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
                    {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
                    {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": true}}
                ],
                "responses": {"200": {"description": "OK"}}
            }}),
        );
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.33.0-kubeclient-testserver"},
        "paths": paths,
        "components": {"schemas": {}}
    }))
}

/// `/openapi/v3`: the index of group/version documents, each with a content hash.
pub fn root(reg: &Registry) -> Value {
    let mut paths = Map::new();
    for (group, versions) in reg.groups() {
        for version in versions {
            let p = gv_path(&group, &version);
            let mut h = std::collections::hash_map::DefaultHasher::new();
            gv_document(reg, &p).map(|d| d.to_string()).hash(&mut h);
            paths.insert(
                p.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash={:016X}", h.finish())}),
            );
        }
    }
    json!({"paths": paths})
}
