//! Swagger 2.0 as the Kubernetes API server publishes it at `/openapi/v2`.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A whole swagger document.
#[derive(Debug, Default, Deserialize)]
pub struct Swagger {
    /// `swagger: "2.0"`.
    #[serde(default)]
    pub swagger: Option<String>,
    /// `info.title`/`info.version`.
    #[serde(default)]
    pub info: Option<Info>,
    /// Type definitions by their dotted Go package name.
    #[serde(default)]
    pub definitions: BTreeMap<String, Schema>,
    /// Path templates and their operations.
    #[serde(default)]
    pub paths: BTreeMap<String, PathItem>,
    /// Shared parameters referenced as `#/parameters/...`.
    #[serde(default)]
    pub parameters: BTreeMap<String, Parameter>,
}

/// `info` block.
#[derive(Debug, Default, Deserialize)]
pub struct Info {
    /// Document title (`Kubernetes` for upstream specs).
    #[serde(default)]
    pub title: Option<String>,
    /// Version string, e.g. `v1.35.0`.
    #[serde(default)]
    pub version: Option<String>,
}

/// A JSON schema as swagger 2.0 uses it, with the Kubernetes extensions.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Schema {
    /// `$ref` to `#/definitions/<name>`.
    #[serde(rename = "$ref", default)]
    pub ref_: Option<String>,
    /// `allOf` (OpenAPI v3 documents wrap `$ref` in it).
    #[serde(rename = "allOf", default)]
    pub all_of: Vec<Schema>,
    /// JSON type.
    #[serde(rename = "type", default)]
    pub type_: Option<String>,
    /// Format modifier (`int32`, `int64`, `byte`, `date-time`, `int-or-string`, ...).
    #[serde(default)]
    pub format: Option<String>,
    /// Human description.
    #[serde(default)]
    pub description: Option<String>,
    /// Object properties.
    #[serde(default)]
    pub properties: BTreeMap<String, Schema>,
    /// Required property names.
    #[serde(default)]
    pub required: Vec<String>,
    /// Array item schema.
    #[serde(default)]
    pub items: Option<Box<Schema>>,
    /// Map value schema (or `true`/`false`).
    #[serde(rename = "additionalProperties", default)]
    pub additional_properties: Option<AdditionalProperties>,
    /// Enumerated values.
    #[serde(rename = "enum", default)]
    pub enum_: Option<Vec<Value>>,
    /// Group/version/kinds this definition is served as.
    #[serde(rename = "x-kubernetes-group-version-kind", default)]
    pub gvk: Vec<Gvk>,
    /// `atomic`, `set` or `map`.
    #[serde(rename = "x-kubernetes-list-type", default)]
    pub list_type: Option<String>,
    /// Keys of a `map` list.
    #[serde(rename = "x-kubernetes-list-map-keys", default)]
    pub list_map_keys: Vec<String>,
    /// Strategic-merge-patch strategy (`merge`, `retainKeys`, `merge,retainKeys`).
    #[serde(rename = "x-kubernetes-patch-strategy", default)]
    pub patch_strategy: Option<String>,
    /// Strategic-merge-patch key of list items.
    #[serde(rename = "x-kubernetes-patch-merge-key", default)]
    pub patch_merge_key: Option<String>,
    /// `atomic` or `granular`.
    #[serde(rename = "x-kubernetes-map-type", default)]
    pub map_type: Option<String>,
    /// The value may be an integer or a string.
    #[serde(rename = "x-kubernetes-int-or-string", default)]
    pub int_or_string: Option<bool>,
    /// Arbitrary JSON is allowed below this point.
    #[serde(rename = "x-kubernetes-preserve-unknown-fields", default)]
    pub preserve_unknown_fields: Option<bool>,
    /// The value is a whole Kubernetes object.
    #[serde(rename = "x-kubernetes-embedded-resource", default)]
    pub embedded_resource: Option<bool>,
    /// Everything else (validations, unions, defaults, ...), kept verbatim.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `additionalProperties`: a schema, or a boolean.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum AdditionalProperties {
    /// `true` / `false`.
    Bool(bool),
    /// Value schema of a map.
    Schema(Box<Schema>),
}

/// One `x-kubernetes-group-version-kind` entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub struct Gvk {
    /// API group (`""` for core).
    #[serde(default)]
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
}

/// The operations of one path template.
#[derive(Debug, Default, Deserialize)]
pub struct PathItem {
    /// GET.
    #[serde(default)]
    pub get: Option<Operation>,
    /// PUT.
    #[serde(default)]
    pub put: Option<Operation>,
    /// POST.
    #[serde(default)]
    pub post: Option<Operation>,
    /// DELETE.
    #[serde(default)]
    pub delete: Option<Operation>,
    /// PATCH.
    #[serde(default)]
    pub patch: Option<Operation>,
    /// HEAD.
    #[serde(default)]
    pub head: Option<Operation>,
    /// OPTIONS.
    #[serde(default)]
    pub options: Option<Operation>,
    /// Parameters shared by all operations.
    #[serde(default)]
    pub parameters: Vec<Parameter>,
}

impl PathItem {
    /// Operations with their HTTP method, in a fixed order.
    pub fn operations(&self) -> impl Iterator<Item = (&'static str, &Operation)> {
        [
            ("get", &self.get),
            ("put", &self.put),
            ("post", &self.post),
            ("delete", &self.delete),
            ("patch", &self.patch),
            ("head", &self.head),
            ("options", &self.options),
        ]
        .into_iter()
        .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
    }

    /// Mutable access to every operation slot (for fixups).
    pub fn operation_slots_mut(&mut self) -> [(&'static str, &mut Option<Operation>); 7] {
        [
            ("get", &mut self.get),
            ("put", &mut self.put),
            ("post", &mut self.post),
            ("delete", &mut self.delete),
            ("patch", &mut self.patch),
            ("head", &mut self.head),
            ("options", &mut self.options),
        ]
    }
}

/// One operation.
#[derive(Debug, Default, Deserialize)]
pub struct Operation {
    /// Unique id, e.g. `readAppsV1NamespacedDeployment`.
    #[serde(rename = "operationId", default)]
    pub operation_id: Option<String>,
    /// Human description.
    #[serde(default)]
    pub description: Option<String>,
    /// Kubernetes verb: get, list, watch, watchlist, post, put, patch, delete, deletecollection, connect.
    #[serde(rename = "x-kubernetes-action", default)]
    pub action: Option<String>,
    /// Kind the operation acts on.
    #[serde(rename = "x-kubernetes-group-version-kind", default)]
    pub gvk: Option<Gvk>,
    /// Operation parameters.
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    /// Responses by status code.
    #[serde(default)]
    pub responses: BTreeMap<String, Response>,
    /// Accepted request content types.
    #[serde(default)]
    pub consumes: Vec<String>,
    /// Response content types.
    #[serde(default)]
    pub produces: Vec<String>,
}

/// A parameter (inline or `$ref`).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Parameter {
    /// `$ref` to `#/parameters/<name>`.
    #[serde(rename = "$ref", default)]
    pub ref_: Option<String>,
    /// Parameter name.
    #[serde(default)]
    pub name: Option<String>,
    /// `path`, `query` or `body`.
    #[serde(rename = "in", default)]
    pub in_: Option<String>,
    /// Body schema.
    #[serde(default)]
    pub schema: Option<Schema>,
}

/// A response.
#[derive(Debug, Default, Deserialize)]
pub struct Response {
    /// Response body schema.
    #[serde(default)]
    pub schema: Option<Schema>,
}

impl Swagger {
    /// Parse a swagger document; `origin` names the input in errors.
    pub fn from_slice(bytes: &[u8], origin: &str) -> Result<Swagger, crate::Error> {
        serde_json::from_slice(bytes).map_err(|source| crate::Error::ParseSpec {
            origin: origin.to_owned(),
            source,
        })
    }
}

/// Name of the definition a `#/definitions/...` reference points at.
pub fn ref_target(r: &str) -> Option<&str> {
    r.strip_prefix("#/definitions/")
        .or_else(|| r.strip_prefix("#/components/schemas/"))
}
