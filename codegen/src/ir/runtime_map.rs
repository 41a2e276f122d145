//! apimachinery definitions are handwritten once in `kubeclient-runtime`; this table maps each
//! spec name to its runtime path. A test in the workspace round-trips every mapped definition
//! through its runtime type for every spec version, so drift between the spec and the
//! handwritten structs is caught when a new Kubernetes version lands.

/// `(spec definition name, path of the runtime type)`.
pub const RUNTIME_TYPES: &[(&str, &str)] = &[
    (
        "io.k8s.apimachinery.pkg.api.resource.Quantity",
        "::kubeclient_runtime::meta::Quantity",
    ),
    (
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
        "::kubeclient_runtime::meta::IntOrString",
    ),
    (
        "io.k8s.apimachinery.pkg.runtime.RawExtension",
        "::kubeclient_runtime::meta::RawExtension",
    ),
    (
        "io.k8s.apimachinery.pkg.version.Info",
        "::kubeclient_runtime::meta::version::Info",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup",
        "::kubeclient_runtime::meta::v1::APIGroup",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList",
        "::kubeclient_runtime::meta::v1::APIGroupList",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.APIResource",
        "::kubeclient_runtime::meta::v1::APIResource",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList",
        "::kubeclient_runtime::meta::v1::APIResourceList",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions",
        "::kubeclient_runtime::meta::v1::APIVersions",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.Condition",
        "::kubeclient_runtime::meta::v1::Condition",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
        "::kubeclient_runtime::meta::v1::DeleteOptions",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement",
        "::kubeclient_runtime::meta::v1::FieldSelectorRequirement",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
        "::kubeclient_runtime::meta::v1::FieldsV1",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.GroupResource",
        "::kubeclient_runtime::meta::v1::GroupResource",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery",
        "::kubeclient_runtime::meta::v1::GroupVersionForDiscovery",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
        "::kubeclient_runtime::meta::v1::LabelSelector",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
        "::kubeclient_runtime::meta::v1::LabelSelectorRequirement",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta",
        "::kubeclient_runtime::meta::v1::ListMeta",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
        "::kubeclient_runtime::meta::v1::ManagedFieldsEntry",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
        "::kubeclient_runtime::meta::v1::MicroTime",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        "::kubeclient_runtime::meta::v1::ObjectMeta",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
        "::kubeclient_runtime::meta::v1::OwnerReference",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
        "::kubeclient_runtime::meta::v1::Patch",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions",
        "::kubeclient_runtime::meta::v1::Preconditions",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR",
        "::kubeclient_runtime::meta::v1::ServerAddressByClientCIDR",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
        "::kubeclient_runtime::meta::v1::Status",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause",
        "::kubeclient_runtime::meta::v1::StatusCause",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails",
        "::kubeclient_runtime::meta::v1::StatusDetails",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
        "::kubeclient_runtime::meta::v1::Time",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
        "::kubeclient_runtime::meta::v1::WatchEvent<::kubeclient_runtime::meta::RawExtension>",
    ),
];

/// Prefix of definitions that must be mapped (never generated).
pub const APIMACHINERY_PREFIX: &str = "io.k8s.apimachinery.";

/// Runtime path for a definition, if it is handwritten.
pub fn runtime_path(spec_name: &str) -> Option<&'static str> {
    RUNTIME_TYPES
        .iter()
        .find(|(n, _)| *n == spec_name)
        .map(|(_, p)| *p)
}
