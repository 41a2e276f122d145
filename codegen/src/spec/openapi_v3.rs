//! OpenAPI v3 as kube-apiserver publishes it at `/openapi/v3/<api path>`: one document per group
//! version. Schemas live in `components.schemas` under the same dotted names as swagger 2.0's
//! `definitions` (references spelled `#/components/schemas/...`, often wrapped in a one-element
//! `allOf`, which the IR unwraps), and operations carry the same `x-kubernetes-action` and
//! `x-kubernetes-group-version-kind`. Merging every document's schemas and paths gives the swagger
//! model the rest of the pipeline reads; request and response bodies (`content`) are not needed.

use super::swagger::{PathItem, Schema, Swagger};
use crate::Error;
use serde::Deserialize;
use std::collections::BTreeMap;

/// One OpenAPI v3 document (only what the generator reads).
#[derive(Debug, Default, Deserialize)]
pub struct OpenApiV3 {
    /// `openapi: "3.0.0"`.
    #[serde(default)]
    pub openapi: Option<String>,
    /// Reusable parts.
    #[serde(default)]
    pub components: Components,
    /// Path templates and their operations.
    #[serde(default)]
    pub paths: BTreeMap<String, PathItem>,
}

/// `components`.
#[derive(Debug, Default, Deserialize)]
pub struct Components {
    /// Schemas by dotted Go package name.
    #[serde(default)]
    pub schemas: BTreeMap<String, Schema>,
}

impl OpenApiV3 {
    /// Parse one document; `origin` names it in errors.
    pub fn from_slice(bytes: &[u8], origin: &str) -> Result<OpenApiV3, Error> {
        serde_json::from_slice(bytes).map_err(|source| Error::ParseSpec {
            origin: origin.to_owned(),
            source,
        })
    }
}

/// Merge documents into one swagger model. A schema published by several documents (ObjectMeta is
/// in all of them) is kept once; the same path in two documents is an error.
pub fn merge(docs: Vec<(String, OpenApiV3)>) -> Result<Swagger, Error> {
    let mut spec = Swagger::default();
    let mut path_origin: BTreeMap<String, String> = BTreeMap::new();
    for (origin, doc) in docs {
        for (name, schema) in doc.components.schemas {
            spec.definitions.entry(name).or_insert(schema);
        }
        for (path, item) in doc.paths {
            if let Some(first) = path_origin.insert(path.clone(), origin.clone()) {
                return Err(Error::DuplicateCrd {
                    what: format!("path `{path}`"),
                    first,
                    second: origin,
                });
            }
            spec.paths.insert(path, item);
        }
    }
    Ok(spec)
}
