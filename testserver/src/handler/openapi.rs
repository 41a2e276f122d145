//! `/openapi/v2` and `/openapi/v3`. With a specs directory ([`OpenApiSpecs`]) they serve the
//! upstream documents of the generated Kubernetes version (what `kubectl explain` reads).
//! Group/versions without a file there (CRDs created at run time, or every one when no
//! directory was given) get a minimal generated document: each resource's PATCH operation with
//! its group/version/kind and the `fieldValidation` parameter, which is what kubectl reads to
//! decide that validation happens on the server, so `kubectl create -f` works without schemas.

use super::accept::MediaRange;
use super::{error_response, full, Body};
use crate::resources::Registry;
use crate::specs::{Document, OpenApiSpecs};
use crate::status::ApiError;
use bytes::Bytes;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, ETAG, LOCATION, VARY};
use hyper::{Response, StatusCode};
use serde_json::{json, Map, Value};
use std::sync::Arc;

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
        "info": {"title": "Kubernetes", "version": super::discovery::git_version()},
        "paths": paths,
        "components": {"schemas": {}}
    }))
}

/// The v3 document of `path` for a registry that serves it: the spec file when there is one,
/// else the generated minimal document. `None` when the registry serves no such group/version
/// (a spec file alone is not enough: the server may serve a smaller table than the spec).
fn v3_document(
    reg: &Registry,
    specs: Option<&OpenApiSpecs>,
    path: &str,
) -> Option<Result<Arc<Document>, ApiError>> {
    let generated = gv_document(reg, path)?;
    if let Some(file) = specs.and_then(|s| s.v3(path)) {
        return Some(file.map_err(|e| ApiError::internal(e.to_string())));
    }
    Some(Ok(Arc::new(Document::new(Bytes::from(
        serde_json::to_vec(&generated).unwrap_or_default(),
    )))))
}

/// `/openapi/v3`: the index of the group/versions the registry serves, each with the content
/// hash of its document, as kube-openapi publishes it.
pub fn root(reg: &Registry, specs: Option<&OpenApiSpecs>) -> Value {
    let mut paths = Map::new();
    for (group, versions) in reg.groups() {
        for version in versions {
            let p = gv_path(&group, &version);
            let from_file = specs.and_then(|s| s.v3_hash(&p)).and_then(Result::ok);
            let hash = match from_file {
                Some(h) => h,
                None => match v3_document(reg, None, &p) {
                    Some(Ok(d)) => d.hash.clone(),
                    _ => continue,
                },
            };
            paths.insert(
                p.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash={hash}")}),
            );
        }
    }
    json!({"paths": paths})
}

/// `/openapi/v3/{path}`. A `hash` that is not the document's redirects to the current one;
/// a matching one makes the response cacheable for good, as kube-openapi does.
pub fn v3_response(
    reg: &Registry,
    specs: Option<&OpenApiSpecs>,
    path: &str,
    request_path: &str,
    hash: Option<&str>,
    accept: &[MediaRange],
) -> Response<Body> {
    let doc = match v3_document(reg, specs, path) {
        Some(Ok(d)) => d,
        Some(Err(e)) => return error_response(&e),
        None => return error_response(&ApiError::path_not_found(request_path)),
    };
    // Only JSON is served: the protobuf form would need gnostic's encoding.
    if !accept.iter().any(MediaRange::admits_json) {
        return not_acceptable();
    }
    let mut resp = document_response(&doc);
    match hash {
        Some(h) if h != doc.hash => {
            *resp.status_mut() = StatusCode::MOVED_PERMANENTLY;
            *resp.body_mut() = full(Bytes::new());
            resp.headers_mut().remove(CONTENT_TYPE);
            if let Ok(v) = HeaderValue::from_str(&format!("/openapi/v3/{path}?hash={}", doc.hash)) {
                resp.headers_mut().insert(LOCATION, v);
            }
        }
        Some(_) => {
            resp.headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("public, immutable"));
        }
        None => {}
    }
    resp
}

/// `/openapi/v2`: the swagger file, JSON only. Clients that accept only the protobuf form
/// (client-go's `OpenAPISchema`) get 406, so they report an unsupported server rather than
/// failing to decode JSON as protobuf. Without a swagger file the path is not served, as
/// before there were specs.
pub fn v2_response(
    specs: Option<&OpenApiSpecs>,
    request_path: &str,
    accept: &[MediaRange],
) -> Response<Body> {
    let doc = match specs.and_then(OpenApiSpecs::v2) {
        Some(Ok(d)) => d,
        Some(Err(e)) => return error_response(&ApiError::internal(e.to_string())),
        None => return error_response(&ApiError::path_not_found(request_path)),
    };
    if !accept.iter().any(MediaRange::admits_json) {
        return not_acceptable();
    }
    document_response(&doc)
}

fn document_response(doc: &Document) -> Response<Body> {
    let mut resp = Response::new(full(doc.bytes.clone()));
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(VARY, HeaderValue::from_static("Accept"));
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", doc.hash)) {
        h.insert(ETAG, v);
    }
    resp
}

fn not_acceptable() -> Response<Body> {
    error_response(&ApiError::not_acceptable(&["application/json"]))
}
