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
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
                name: Some(name.to_owned()),
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
