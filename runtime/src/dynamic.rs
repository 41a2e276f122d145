//! Objects of any kind, without generated types (client-go's dynamic client and
//! `unstructured.Unstructured`): a [`DynamicObject`] keeps `apiVersion`, `kind` and typed
//! `metadata`, and every other field as JSON; [`ResourceClient::dynamic`] addresses any
//! resource named by an [`ApiResource`], with every verb, watches and informers included.

use crate::client::{ApiResource, ResourceClient};
use crate::meta::v1::ObjectMeta;
use crate::resource::{subresources, verbs, Resource, Scope};
use crate::rest::RestClient;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An object of any kind: `apiVersion`, `kind`, `metadata`, and the rest (`spec`, `status`,
/// `data`, ...) as JSON, kept exactly.
///
/// `Debug` redacts what the generated types redact: a Secret's `data` and `stringData`, the
/// token of a TokenRequest's status and of a TokenReview's spec.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DynamicObject {
    /// `group/version`.
    #[serde(
        rename = "apiVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub api_version: String,
    /// Kind.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Every other top-level field.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl DynamicObject {
    /// An empty object of `api`'s kind named `name`.
    pub fn new(api: &ApiResource, name: &str) -> Self {
        DynamicObject {
            api_version: api.api_version(),
            kind: api.kind.to_string(),
            metadata: ObjectMeta {
                name: Some(name.into()),
                ..Default::default()
            },
            fields: Map::new(),
        }
    }

    /// The value at a JSON pointer below the top level (`/spec/replicas`).
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        let rest = pointer.strip_prefix('/')?;
        let (first, tail) = rest.split_once('/').map_or((rest, ""), |(f, t)| (f, t));
        let top = self.fields.get(first)?;
        if tail.is_empty() {
            Some(top)
        } else {
            top.pointer(&format!("/{tail}"))
        }
    }
}

/// `(apiVersion, kind, top-level field, nested field or "")` holding credentials.
const SENSITIVE: &[(&str, &str, &str, &str)] = &[
    ("v1", "Secret", "data", ""),
    ("v1", "Secret", "stringData", ""),
    (
        "authentication.k8s.io/v1",
        "TokenRequest",
        "status",
        "token",
    ),
    ("authentication.k8s.io/v1", "TokenReview", "spec", "token"),
];

/// The object's top-level fields for Debug, with [`SENSITIVE`] values replaced.
struct DebugFields<'a>(&'a DynamicObject);

impl std::fmt::Debug for DebugFields<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let o = self.0;
        // List items come without apiVersion and kind: then a `type` beside `data` marks a
        // Secret, and any `token` of `spec` or `status` is hidden.
        let kindless = o.kind.is_empty();
        let secret_like = kindless && o.fields.get("type").is_some_and(Value::is_string);
        let rule = |key: &str| {
            SENSITIVE
                .iter()
                .filter(|(v, k, top, nested)| {
                    *top == key
                        && if kindless {
                            secret_like || !nested.is_empty()
                        } else {
                            *k == o.kind && (*v == o.api_version || o.api_version.is_empty())
                        }
                })
                .map(|(_, _, _, nested)| *nested)
                .collect::<Vec<_>>()
        };
        let mut map = f.debug_map();
        for (key, value) in &o.fields {
            let nested = rule(key);
            if nested.contains(&"") {
                map.entry(key, &"<redacted>");
            } else if let (false, Value::Object(inner)) = (nested.is_empty(), value) {
                let mut inner = inner.clone();
                for n in nested {
                    if let Some(v) = inner.get_mut(n) {
                        *v = Value::String("<redacted>".into());
                    }
                }
                map.entry(key, &Value::Object(inner));
            } else {
                map.entry(key, value);
            }
        }
        map.finish()
    }
}

impl std::fmt::Debug for DynamicObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamicObject")
            .field("api_version", &self.api_version)
            .field("kind", &self.kind)
            .field("metadata", &self.metadata)
            .field("fields", &DebugFields(self))
            .finish()
    }
}

// The constants are blank: a `ResourceClient<DynamicObject>` carries its `ApiResource` at run
// time and never reads them.
impl Resource for DynamicObject {
    const GROUP: &'static str = "";
    const VERSION: &'static str = "";
    const API_VERSION: &'static str = "";
    const KIND: &'static str = "";
    const PLURAL: &'static str = "";
    const SCOPE: Scope = Scope::Namespaced;

    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

// Which verbs a resource serves is the server's to say (405 otherwise); a dynamic client
// offers them all.
impl verbs::Get for DynamicObject {}
impl verbs::List for DynamicObject {}
impl verbs::Watch for DynamicObject {}
impl verbs::Create for DynamicObject {}
impl verbs::Update for DynamicObject {}
impl verbs::Patch for DynamicObject {}
impl verbs::Delete for DynamicObject {}
impl verbs::DeleteCollection for DynamicObject {}
impl subresources::Status for DynamicObject {}

impl ResourceClient<DynamicObject> {
    /// A client for `api`'s objects in namespace `ns` (`""`: all namespaces, or a
    /// cluster-scoped resource). `rest` is any client of the cluster.
    pub fn dynamic(rest: &RestClient, api: ApiResource, ns: &str) -> Self {
        let rooted = rest.for_group_version(&api.group, &api.version);
        ResourceClient::namespaced(rooted, ns).with_api_resource(api)
    }
}
