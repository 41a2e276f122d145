//! The static resource table the generator emits (`kubeclient::discovery::RESOURCES`), used by the
//! test server to serve every resource and by clients that need REST mapping without a round trip;
//! and discovery of what a live server serves ([`server_resources`], [`find`]).

#[cfg(feature = "client")]
mod server;

#[cfg(feature = "client")]
pub use server::{find, from_aggregated, from_resource_list, server_resources, ServerResource};

/// One resource (or subresource) the API server serves, as its discovery document lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiResourceInfo {
    /// API group, `""` for core.
    pub group: &'static str,
    /// API version.
    pub version: &'static str,
    /// Kind of the objects.
    pub kind: &'static str,
    /// Lower-case plural used in URLs.
    pub plural: &'static str,
    /// Lower-case singular.
    pub singular: &'static str,
    /// Short names kubectl accepts (`po`, `deploy`, ...).
    pub short_names: &'static [&'static str],
    /// Namespaced (true) or cluster scoped (false).
    pub namespaced: bool,
    /// Verbs in discovery spelling: get, list, watch, create, update, patch, delete, deletecollection.
    pub verbs: &'static [&'static str],
    /// Subresources served under `.../{name}/`.
    pub subresources: &'static [SubresourceInfo],
}

/// A subresource of an [`ApiResourceInfo`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubresourceInfo {
    /// Path segment, e.g. `status`, `scale`, `log`.
    pub name: &'static str,
    /// Group of the body kind (`autoscaling` for scale).
    pub group: &'static str,
    /// Version of the body kind.
    pub version: &'static str,
    /// Kind of the body (`Scale`, `Eviction`, the parent kind for status).
    pub kind: &'static str,
    /// Verbs in discovery spelling.
    pub verbs: &'static [&'static str],
}

/// Merge metadata of one field, from the spec's `x-kubernetes-patch-strategy`,
/// `x-kubernetes-patch-merge-key`, `x-kubernetes-list-type`, `x-kubernetes-list-map-keys`,
/// `x-kubernetes-map-type` and the field's type. Servers (the test server) and clients
/// computing strategic merge patches use it to merge lists by key instead of replacing them;
/// server-side apply uses the list types to decide which fields a manager owns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PatchField {
    /// JSON property name.
    pub name: &'static str,
    /// How the value is shaped.
    pub shape: FieldShape,
    /// Patch strategy (`merge`, `retainKeys`, `merge,retainKeys`, `replace`), if the spec sets one.
    pub strategy: Option<&'static str>,
    /// Merge key of list items (`name`, `containerPort`, ...), if the spec sets one.
    pub merge_key: Option<&'static str>,
    /// Spec name of the (item) type when it is an object.
    pub item_type: Option<&'static str>,
    /// For lists, how server-side apply treats them (keyed by [`list_keys`](Self::list_keys)
    /// for [`ListType::Map`]). Lists without `x-kubernetes-list-type` fall back to the patch
    /// strategy as kube-apiserver does (`merge` with a key is a map, without one a set), else
    /// atomic. `None` for fields that are not lists.
    pub list_type: Option<ListType>,
    /// Key fields of a `map` list.
    pub list_keys: &'static [&'static str],
    /// The object or map is replaced as a whole (`x-kubernetes-map-type: atomic`).
    pub atomic: bool,
}

impl PatchField {
    /// The patch strategy includes `merge` (lists merge instead of being replaced).
    pub fn merges(&self) -> bool {
        self.strategy
            .is_some_and(|s| s.split(',').any(|part| part == "merge"))
    }
}

/// How a field's value is shaped, for merging.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldShape {
    /// An object with named fields.
    Object,
    /// A list.
    List,
    /// A map whose keys are data (`labels`, `data`, `resources.limits`).
    Map,
}

/// `x-kubernetes-list-type`: how server-side apply owns a list's items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListType {
    /// The list is replaced as a whole.
    Atomic,
    /// Items are scalars, owned one by one.
    Set,
    /// Items are objects identified by their key fields.
    Map,
}

/// The patch-relevant fields of one definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PatchSchema {
    /// Spec definition name, e.g. `io.k8s.api.core.v1.PodSpec`.
    pub name: &'static str,
    /// Fields that nest objects or carry a patch strategy, sorted by name.
    pub fields: &'static [PatchField],
}

impl PatchSchema {
    /// The field named `name`, if it matters for patching.
    pub fn field(&self, name: &str) -> Option<&'static PatchField> {
        self.fields
            .binary_search_by(|f| f.name.cmp(name))
            .ok()
            .map(|i| &self.fields[i])
    }
}

/// Look up a [`PatchSchema`] by spec name in a table sorted by name.
pub fn find_patch_schema(
    table: &'static [PatchSchema],
    name: &str,
) -> Option<&'static PatchSchema> {
    table
        .binary_search_by(|t| t.name.cmp(name))
        .ok()
        .map(|i| &table[i])
}
