//! apimachinery definitions the runtime needs itself (ObjectMeta, ListMeta, Status, Time, ...)
//! are handwritten once in `kubeclient-runtime`; this table maps each spec name to its runtime
//! path and records the properties the handwritten type knows. Every other apimachinery
//! definition is generated like any API type (into `apimachinery::...`), so a new upstream type
//! just works.
//!
//! A new upstream property of a handwritten struct is not lost: those structs keep the keys they
//! do not name in an `extra` map, and the generator reports the property (see
//! [`crate::report`]) so the type can learn it. A workspace test round-trips every mapped
//! definition through its runtime type for every spec version, so drift between the spec and the
//! handwritten structs is caught when a new Kubernetes version lands.

/// What the handwritten type of a definition is, on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A string or number on the wire (`Quantity`, `Time`, `IntOrString`): the spec gives it no
    /// properties.
    Scalar,
    /// Any JSON object, kept whole (`RawExtension`, `FieldsV1`, `Patch`).
    FreeForm,
    /// A struct with these JSON properties.
    Struct {
        /// Properties the handwritten struct has a field for.
        fields: &'static [&'static str],
        /// Whether it keeps other properties in an `extra` map (else they are dropped).
        extra: bool,
    },
}

/// One handwritten apimachinery type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handwritten {
    /// Spec definition name.
    pub definition: &'static str,
    /// Path of the runtime type.
    pub path: &'static str,
    /// Its wire shape.
    pub shape: Shape,
}

/// Every handwritten apimachinery type.
pub const HANDWRITTEN: &[Handwritten] = &[
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.api.resource.Quantity",
        path: "::kubeclient_runtime::meta::Quantity",
        shape: Shape::Scalar,
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
        path: "::kubeclient_runtime::meta::IntOrString",
        shape: Shape::Scalar,
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.runtime.RawExtension",
        path: "::kubeclient_runtime::meta::RawExtension",
        shape: Shape::FreeForm,
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.version.Info",
        path: "::kubeclient_runtime::meta::version::Info",
        shape: Shape::Struct {
            fields: &[
                "buildDate",
                "compiler",
                "emulationMajor",
                "emulationMinor",
                "gitCommit",
                "gitTreeState",
                "gitVersion",
                "goVersion",
                "major",
                "minCompatibilityMajor",
                "minCompatibilityMinor",
                "minor",
                "platform",
            ],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup",
        path: "::kubeclient_runtime::meta::v1::APIGroup",
        shape: Shape::Struct {
            fields: &[
                "apiVersion",
                "kind",
                "name",
                "preferredVersion",
                "serverAddressByClientCIDRs",
                "versions",
            ],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList",
        path: "::kubeclient_runtime::meta::v1::APIGroupList",
        shape: Shape::Struct {
            fields: &["apiVersion", "groups", "kind"],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.APIResource",
        path: "::kubeclient_runtime::meta::v1::APIResource",
        shape: Shape::Struct {
            fields: &[
                "categories",
                "group",
                "kind",
                "name",
                "namespaced",
                "shortNames",
                "singularName",
                "storageVersionHash",
                "verbs",
                "version",
            ],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList",
        path: "::kubeclient_runtime::meta::v1::APIResourceList",
        shape: Shape::Struct {
            fields: &["apiVersion", "groupVersion", "kind", "resources"],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions",
        path: "::kubeclient_runtime::meta::v1::APIVersions",
        shape: Shape::Struct {
            fields: &[
                "apiVersion",
                "kind",
                "serverAddressByClientCIDRs",
                "versions",
            ],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.Condition",
        path: "::kubeclient_runtime::meta::v1::Condition",
        shape: Shape::Struct {
            fields: &[
                "lastTransitionTime",
                "message",
                "observedGeneration",
                "reason",
                "status",
                "type",
            ],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
        path: "::kubeclient_runtime::meta::v1::DeleteOptions",
        shape: Shape::Struct {
            fields: &[
                "apiVersion",
                "dryRun",
                "gracePeriodSeconds",
                "ignoreStoreReadErrorWithClusterBreakingPotential",
                "kind",
                "orphanDependents",
                "preconditions",
                "propagationPolicy",
            ],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement",
        path: "::kubeclient_runtime::meta::v1::FieldSelectorRequirement",
        shape: Shape::Struct {
            fields: &["key", "operator", "values"],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
        path: "::kubeclient_runtime::meta::v1::FieldsV1",
        shape: Shape::FreeForm,
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.GroupResource",
        path: "::kubeclient_runtime::meta::v1::GroupResource",
        shape: Shape::Struct {
            fields: &["group", "resource"],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery",
        path: "::kubeclient_runtime::meta::v1::GroupVersionForDiscovery",
        shape: Shape::Struct {
            fields: &["groupVersion", "version"],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
        path: "::kubeclient_runtime::meta::v1::LabelSelector",
        shape: Shape::Struct {
            fields: &["matchExpressions", "matchLabels"],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
        path: "::kubeclient_runtime::meta::v1::LabelSelectorRequirement",
        shape: Shape::Struct {
            fields: &["key", "operator", "values"],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta",
        path: "::kubeclient_runtime::meta::v1::ListMeta",
        shape: Shape::Struct {
            fields: &[
                "continue",
                "remainingItemCount",
                "resourceVersion",
                "selfLink",
            ],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
        path: "::kubeclient_runtime::meta::v1::ManagedFieldsEntry",
        shape: Shape::Struct {
            fields: &[
                "apiVersion",
                "fieldsType",
                "fieldsV1",
                "manager",
                "operation",
                "subresource",
                "time",
            ],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
        path: "::kubeclient_runtime::meta::v1::MicroTime",
        shape: Shape::Scalar,
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        path: "::kubeclient_runtime::meta::v1::ObjectMeta",
        shape: Shape::Struct {
            fields: &[
                "annotations",
                "creationTimestamp",
                "deletionGracePeriodSeconds",
                "deletionTimestamp",
                "finalizers",
                "generateName",
                "generation",
                "labels",
                "managedFields",
                "name",
                "namespace",
                "ownerReferences",
                "resourceVersion",
                "selfLink",
                "uid",
            ],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
        path: "::kubeclient_runtime::meta::v1::OwnerReference",
        shape: Shape::Struct {
            fields: &[
                "apiVersion",
                "blockOwnerDeletion",
                "controller",
                "kind",
                "name",
                "uid",
            ],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
        path: "::kubeclient_runtime::meta::v1::PatchBody",
        shape: Shape::FreeForm,
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions",
        path: "::kubeclient_runtime::meta::v1::Preconditions",
        shape: Shape::Struct {
            fields: &["resourceVersion", "uid"],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR",
        path: "::kubeclient_runtime::meta::v1::ServerAddressByClientCIDR",
        shape: Shape::Struct {
            fields: &["clientCIDR", "serverAddress"],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
        path: "::kubeclient_runtime::meta::v1::Status",
        shape: Shape::Struct {
            fields: &[
                "apiVersion",
                "code",
                "details",
                "kind",
                "message",
                "metadata",
                "reason",
                "status",
            ],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause",
        path: "::kubeclient_runtime::meta::v1::StatusCause",
        shape: Shape::Struct {
            fields: &["field", "message", "reason"],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails",
        path: "::kubeclient_runtime::meta::v1::StatusDetails",
        shape: Shape::Struct {
            fields: &[
                "causes",
                "group",
                "kind",
                "name",
                "retryAfterSeconds",
                "uid",
            ],
            extra: true,
        },
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
        path: "::kubeclient_runtime::meta::v1::Time",
        shape: Shape::Scalar,
    },
    Handwritten {
        definition: "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
        path: "::kubeclient_runtime::meta::v1::RawWatchEvent",
        shape: Shape::Struct {
            fields: &["object", "type"],
            extra: true,
        },
    },
];

/// Handwritten types that implement the protobuf `Value` trait in the runtime
/// (`kubeclient_runtime::proto`); the others (discovery documents, `version.Info`, `Patch`)
/// are JSON only.
pub const PROTO_HANDWRITTEN: &[&str] = &[
    "io.k8s.apimachinery.pkg.api.resource.Quantity",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
    "io.k8s.apimachinery.pkg.runtime.RawExtension",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Condition",
    "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
    "io.k8s.apimachinery.pkg.apis.meta.v1.GroupResource",
    "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
    "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
    "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta",
    "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
    "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
    "io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause",
    "io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
];

/// Prefix of apimachinery definitions.
pub const APIMACHINERY_PREFIX: &str = "io.k8s.apimachinery.";

/// The handwritten type of a definition, if it has one.
pub fn handwritten(spec_name: &str) -> Option<&'static Handwritten> {
    HANDWRITTEN.iter().find(|h| h.definition == spec_name)
}

/// Runtime path for a definition, if it is handwritten.
pub fn runtime_path(spec_name: &str) -> Option<&'static str> {
    handwritten(spec_name).map(|h| h.path)
}
