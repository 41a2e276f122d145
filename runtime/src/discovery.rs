//! The static resource table the generator emits (`kubeclient::discovery::RESOURCES`), used by the
//! test server to serve every resource and by clients that need REST mapping without a round trip.

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
