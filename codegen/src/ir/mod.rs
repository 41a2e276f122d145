//! Stage 3: the intermediate representation. Plain data, no tokens: what the API is (packages of
//! types, API groups of resources with their verbs and subresources), decided once so the emit
//! stage only spells it out.

mod build;
mod checks;
mod features;
pub mod protobuf;
mod resources;
mod runtime_map;
mod types;

pub use build::build;
pub use runtime_map::{handwritten, Handwritten, Shape, HANDWRITTEN, PROTO_HANDWRITTEN};

use std::collections::{BTreeMap, BTreeSet};

/// The whole API described by one spec.
#[derive(Debug, Clone, Default)]
pub struct Ir {
    /// Packages of generated types, keyed by module path (`["api", "apps", "v1"]`).
    pub packages: BTreeMap<Vec<String>, Package>,
    /// Every definition by its spec name, generated or mapped to the runtime.
    pub types: BTreeMap<String, TypeDef>,
    /// API groups by name (`""` for core).
    pub groups: BTreeMap<String, Group>,
    /// Strategic-merge-patch metadata of every definition (runtime-mapped ones included), by
    /// spec name: only fields that nest objects or carry a patch strategy.
    pub patch: BTreeMap<String, Vec<PatchField>>,
    /// Cargo feature -> the other features its types reference (direct edges; the closure is
    /// computed by [`Ir::feature_closure`]).
    pub feature_deps: BTreeMap<String, BTreeSet<String>>,
    /// What the spec holds that the generator did not fully understand (see [`crate::report`]).
    pub diagnostics: Vec<crate::report::Diagnostic>,
    /// Whether protobuf field numbers were attached (see [`protobuf::attach`]): then structs
    /// matched to a message, string newtypes and lists get protobuf impls.
    pub protobuf: bool,
}

/// A Go package of the spec (`io.k8s.api.apps.v1`), emitted as one Rust module.
#[derive(Debug, Clone)]
pub struct Package {
    /// Dotted spec prefix, e.g. `io.k8s.api.apps.v1`.
    pub spec_name: String,
    /// Module path under the crate root.
    pub module: Vec<String>,
    /// Cargo feature gating the module; empty for apimachinery packages, which every group
    /// may use and which are never gated.
    pub feature: String,
    /// Definitions in the package, by spec name, sorted.
    pub types: Vec<String>,
}

/// One definition.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// Full spec name, e.g. `io.k8s.api.apps.v1.Deployment`.
    pub spec_name: String,
    /// Rust type name.
    pub rust_name: String,
    /// Module path of the package it is emitted in (empty for runtime types).
    pub module: Vec<String>,
    /// Description from the spec.
    pub doc: Option<String>,
    /// Shape.
    pub kind: TypeKind,
}

/// The shape of a definition.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// Handwritten in the runtime; referenced by this path (e.g. `::kubeclient_runtime::meta::v1::ObjectMeta`).
    Runtime(String),
    /// A struct with named fields (boxed: it is much larger than the other variants).
    Struct(Box<StructDef>),
    /// `FooList` with `items: [Foo]`: emitted as `List<Foo>`.
    List {
        /// Spec name of the item kind.
        item: String,
    },
    /// A string newtype.
    StringNewtype,
    /// Arbitrary JSON (no type, or preserve-unknown-fields).
    Json,
}

/// Patch metadata of one field (see `kubeclient_runtime::discovery::PatchField`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchField {
    /// JSON property name.
    pub name: String,
    /// `object`, `list` or `map`.
    pub shape: &'static str,
    /// `x-kubernetes-patch-strategy` or empty.
    pub strategy: String,
    /// `x-kubernetes-patch-merge-key` or empty.
    pub merge_key: String,
    /// Spec name of the nested object type, or empty.
    pub item_type: String,
    /// Effective list type for lists (`atomic`, `set`, `map`), empty otherwise.
    pub list_type: &'static str,
    /// Keys of a `map` list.
    pub list_keys: Vec<String>,
    /// `x-kubernetes-map-type: atomic` on the field or its type.
    pub atomic: bool,
}

/// A struct definition.
#[derive(Debug, Clone, Default)]
pub struct StructDef {
    /// Fields in property-name order.
    pub fields: Vec<Field>,
    /// Fixed group/version/kind when the definition has exactly one: `apiVersion` and `kind` are
    /// then not fields but constants written on encode and checked on decode.
    pub gvk: Option<Gvk>,
    /// Set when the definition is served as a resource.
    pub resource: Option<ResourceImpl>,
    /// Fields that hold secrets (Debug must redact them).
    pub sensitive: BTreeSet<String>,
    /// Rust name of the map that keeps keys the schema does not name, when the schema preserves
    /// unknown fields (`x-kubernetes-preserve-unknown-fields` beside `properties`).
    pub unknown_fields: Option<String>,
    /// Debug must show each field through its own `Debug` (not the serde-driven generic one),
    /// because this struct or a type nested in it redacts secrets.
    pub debug_by_field: bool,
    /// Rust name of the field recording whether `apiVersion`/`kind` were present, for kinds
    /// with a fixed GVK that other types also embed (Go omits them there unless given).
    pub type_meta_field: Option<String>,
    /// Canonical name of the protobuf message this struct is (`k8s.io.api.core.v1.Pod`), when
    /// the proto files define it; its fields then carry their numbers.
    pub proto: Option<String>,
}

/// Group/version/kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gvk {
    /// Group (`""` for core).
    pub group: String,
    /// Version.
    pub version: String,
    /// Kind.
    pub kind: String,
}

impl Gvk {
    /// `group/version` or `version` for core.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// A struct field.
#[derive(Debug, Clone)]
pub struct Field {
    /// JSON property name.
    pub json_name: String,
    /// Rust field name.
    pub rust_name: String,
    /// Type.
    pub ty: Ty,
    /// Required by the schema (then not an `Option`).
    pub required: bool,
    /// Boxed to break a recursive type.
    pub boxed: bool,
    /// Written as `{}` when absent: the `spec`/`status` of a Kubernetes kind, which Go holds
    /// by value and so always encodes.
    pub always_written: bool,
    /// Protobuf field number and encoding; `None` when the struct has no message or the
    /// field has no counterpart in it (reported).
    pub proto: Option<ProtoField>,
    /// Description.
    pub doc: Option<String>,
}

/// How a field is written in protobuf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtoField {
    /// Field number.
    pub number: u32,
    /// Numbers of the messages of Go structs embedded in this one that hold the field, outermost
    /// first (`ConfigMapKeySelector.name` is field 1 of `localObjectReference`, field 1): Go
    /// flattens embedded structs into the JSON object but nests them in protobuf.
    pub embedded_in: Vec<u32>,
    /// Set when the Rust type is not its own protobuf shape.
    pub special: Option<ProtoSpecial>,
}

/// Fields whose Rust type differs from Go's message (see `kubeclient_runtime::proto::codec`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtoSpecial {
    /// Map values Go wraps in a one-field message (`ExtraValue { repeated string items = 1; }`).
    WrappedMapValues,
    /// JSON held in a message's `bytes raw = 1` (apiextensions `JSON`).
    RawJson,
    /// `JSONSchemaPropsOrBool`; the definition of the schema type.
    OrBool(String),
    /// `JSONSchemaPropsOrArray`; the definition of the schema type.
    OrArray(String),
    /// `JSONSchemaPropsOrStringArray`; the definition of the schema type.
    OrStringArray(String),
}

/// A field type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f64`.
    F64,
    /// `String`.
    String,
    /// base64 bytes.
    Bytes,
    /// Arbitrary JSON.
    Json,
    /// Another definition, by spec name.
    Named(String),
    /// Array.
    Vec(Box<Ty>),
    /// Map with string keys.
    Map(Box<Ty>),
}

impl Ty {
    /// The definition this type names, through arrays and maps.
    pub fn named(&self) -> Option<&str> {
        match self {
            Ty::Named(n) => Some(n),
            Ty::Vec(t) | Ty::Map(t) => t.named(),
            _ => None,
        }
    }
}

/// How a struct is served as a resource: the `Resource` impl and its markers.
#[derive(Debug, Clone)]
pub struct ResourceImpl {
    /// Group/version/kind.
    pub gvk: Gvk,
    /// URL plural.
    pub plural: String,
    /// Namespaced or cluster.
    pub namespaced: bool,
    /// Verbs on the main resource.
    pub verbs: BTreeSet<Verb>,
    /// Subresources by path segment.
    pub subresources: BTreeMap<String, Subresource>,
    /// Short names (`kubectl get cert`), where the input declares them (CRDs).
    pub short_names: Vec<String>,
}

/// A Kubernetes verb (`x-kubernetes-action`, normalised).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verb {
    /// get.
    Get,
    /// list.
    List,
    /// watch / watchlist.
    Watch,
    /// post.
    Create,
    /// put.
    Update,
    /// patch.
    Patch,
    /// delete.
    Delete,
    /// deletecollection.
    DeleteCollection,
    /// connect (exec, attach, portforward, proxy).
    Connect,
}

impl Verb {
    /// Spelling in discovery documents.
    pub fn discovery_name(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::List => "list",
            Verb::Watch => "watch",
            Verb::Create => "create",
            Verb::Update => "update",
            Verb::Patch => "patch",
            Verb::Delete => "delete",
            Verb::DeleteCollection => "deletecollection",
            Verb::Connect => "connect",
        }
    }
}

/// A subresource.
#[derive(Debug, Clone)]
pub struct Subresource {
    /// Path segment(s) after `{name}`, e.g. `status`, `scale`, `proxy/{path}`.
    pub name: String,
    /// Verbs declared on it.
    pub verbs: BTreeSet<Verb>,
    /// Kind of the request/response body (None for connect and plain-text endpoints).
    pub body: Option<Gvk>,
    /// Spec name of the body definition.
    pub body_type: Option<String>,
    /// For a `connect` subresource: what its operations declare.
    pub connect: Option<Connect>,
}

/// What the `connect` operations of a subresource (exec, attach, portforward, proxy) declare.
/// Their options kinds (`PodExecOptions`) have no definition in the spec: they are query
/// parameters, mapped to the runtime's option types by subresource name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connect {
    /// The options kind the operations name, e.g. `PodExecOptions`.
    pub options_kind: Option<String>,
    /// Query parameters the operations take (after resolving `#/parameters/` references).
    pub params: BTreeSet<String>,
}

/// An API group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Name (`""` for core).
    pub name: String,
    /// Cargo feature.
    pub feature: String,
    /// Versions by name.
    pub versions: BTreeMap<String, GroupVersion>,
}

/// One version of a group.
#[derive(Debug, Clone)]
pub struct GroupVersion {
    /// Group name.
    pub group: String,
    /// Version.
    pub version: String,
    /// Resource kinds served, by spec name of their definition.
    pub resources: Vec<String>,
}

impl Ir {
    /// The struct definition served as resource `spec_name`, if any.
    pub fn resource(&self, spec_name: &str) -> Option<(&TypeDef, &StructDef, &ResourceImpl)> {
        let t = self.types.get(spec_name)?;
        match &t.kind {
            TypeKind::Struct(s) => s.resource.as_ref().map(|r| (t, s.as_ref(), r)),
            _ => None,
        }
    }

    /// Transitive closure of [`Ir::feature_deps`] for one feature (excluding itself).
    pub fn feature_closure(&self, feature: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![feature.to_owned()];
        while let Some(f) = stack.pop() {
            for d in self.feature_deps.get(&f).into_iter().flatten() {
                if d != feature && seen.insert(d.clone()) {
                    stack.push(d.clone());
                }
            }
        }
        seen
    }

    /// Every cargo feature, sorted.
    pub fn features(&self) -> BTreeSet<String> {
        self.packages
            .values()
            .map(|p| p.feature.clone())
            .chain(self.groups.values().map(|g| g.feature.clone()))
            .filter(|f| !f.is_empty())
            .collect()
    }
}
