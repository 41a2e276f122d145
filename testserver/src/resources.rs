//! The resources the server serves: a built-in table for its own tests, the table the
//! generator emits, and resources added at run time by CustomResourceDefinitions.

use kubeclient_runtime::discovery::{ApiResourceInfo, SubresourceInfo};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Every verb of a full resource (what CRDs and most built-ins serve).
pub(crate) const ALL_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const STATUS_VERBS: &[&str] = &["get", "patch", "update"];

const fn status(group: &'static str, version: &'static str, kind: &'static str) -> SubresourceInfo {
    SubresourceInfo {
        name: "status",
        group,
        version,
        kind,
        verbs: STATUS_VERBS,
    }
}
const SCALE: SubresourceInfo = SubresourceInfo {
    name: "scale",
    group: "autoscaling",
    version: "v1",
    kind: "Scale",
    verbs: STATUS_VERBS,
};

/// Every resource of the Kubernetes version the `kubeclient` crate was generated for (its
/// generated discovery table), built once. This is what a started server serves by default.
pub fn generated_resources() -> &'static [ApiResourceInfo] {
    static TABLE: std::sync::OnceLock<&'static [ApiResourceInfo]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| Box::leak(kubeclient::discovery::resources().into_boxed_slice()))
}

/// A small hand-picked table (namespaces, pods, configmaps, secrets, services, serviceaccounts,
/// nodes, deployments, CRDs) for tests that want a minimal server.
pub static BUILTIN_RESOURCES: &[ApiResourceInfo] = &[
    ApiResourceInfo {
        group: "",
        version: "v1",
        kind: "Namespace",
        plural: "namespaces",
        singular: "namespace",
        short_names: &["ns"],
        namespaced: false,
        verbs: &[
            "create", "delete", "get", "list", "patch", "update", "watch",
        ],
        subresources: &[
            status("", "v1", "Namespace"),
            SubresourceInfo {
                name: "finalize",
                group: "",
                version: "v1",
                kind: "Namespace",
                verbs: &["update"],
            },
        ],
    },
    ApiResourceInfo {
        group: "",
        version: "v1",
        kind: "Pod",
        plural: "pods",
        singular: "pod",
        short_names: &["po"],
        namespaced: true,
        verbs: ALL_VERBS,
        subresources: &[
            status("", "v1", "Pod"),
            SubresourceInfo {
                name: "log",
                group: "",
                version: "v1",
                kind: "Pod",
                verbs: &["get"],
            },
            SubresourceInfo {
                name: "eviction",
                group: "policy",
                version: "v1",
                kind: "Eviction",
                verbs: &["create"],
            },
            SubresourceInfo {
                name: "binding",
                group: "",
                version: "v1",
                kind: "Binding",
                verbs: &["create"],
            },
        ],
    },
    ApiResourceInfo {
        group: "",
        version: "v1",
        kind: "ConfigMap",
        plural: "configmaps",
        singular: "configmap",
        short_names: &["cm"],
        namespaced: true,
        verbs: ALL_VERBS,
        subresources: &[],
    },
    ApiResourceInfo {
        group: "",
        version: "v1",
        kind: "Secret",
        plural: "secrets",
        singular: "secret",
        short_names: &[],
        namespaced: true,
        verbs: ALL_VERBS,
        subresources: &[],
    },
    ApiResourceInfo {
        group: "",
        version: "v1",
        kind: "Service",
        plural: "services",
        singular: "service",
        short_names: &["svc"],
        namespaced: true,
        verbs: ALL_VERBS,
        subresources: &[status("", "v1", "Service")],
    },
    ApiResourceInfo {
        group: "",
        version: "v1",
        kind: "ServiceAccount",
        plural: "serviceaccounts",
        singular: "serviceaccount",
        short_names: &["sa"],
        namespaced: true,
        verbs: ALL_VERBS,
        subresources: &[SubresourceInfo {
            name: "token",
            group: "authentication.k8s.io",
            version: "v1",
            kind: "TokenRequest",
            verbs: &["create"],
        }],
    },
    ApiResourceInfo {
        group: "",
        version: "v1",
        kind: "Node",
        plural: "nodes",
        singular: "node",
        short_names: &["no"],
        namespaced: false,
        verbs: ALL_VERBS,
        subresources: &[status("", "v1", "Node")],
    },
    ApiResourceInfo {
        group: "apps",
        version: "v1",
        kind: "Deployment",
        plural: "deployments",
        singular: "deployment",
        short_names: &["deploy"],
        namespaced: true,
        verbs: ALL_VERBS,
        subresources: &[status("apps", "v1", "Deployment"), SCALE],
    },
    ApiResourceInfo {
        group: "apiextensions.k8s.io",
        version: "v1",
        kind: "CustomResourceDefinition",
        plural: "customresourcedefinitions",
        singular: "customresourcedefinition",
        short_names: &["crd", "crds"],
        namespaced: false,
        verbs: ALL_VERBS,
        subresources: &[status(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
        )],
    },
];

/// Where the scale subresource finds replicas and selector in the parent object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScalePaths {
    /// Dotted path of the desired replica count (`spec.replicas`).
    pub spec_replicas: String,
    /// Dotted path of the observed replica count (`status.replicas`).
    pub status_replicas: String,
    /// Dotted path of the label selector, if any (`status.selector` for CRDs).
    pub label_selector: Option<String>,
}

/// How kube-apiserver's discovery shows a `connect` subresource (exec, attach, portforward,
/// proxy): the HTTP verbs it takes, and its options kind (`PodExecOptions`), where the spec's
/// table says `connect` and names the parent kind.
fn connect_options(s: &SubresourceInfo) -> Option<(String, &'static [&'static str])> {
    if s.verbs != ["connect"] {
        return None;
    }
    let (word, verbs): (&str, &'static [&'static str]) = match s.name {
        "exec" => ("Exec", &["create", "get"]),
        "attach" => ("Attach", &["create", "get"]),
        "portforward" => ("PortForward", &["create", "get"]),
        "proxy" => ("Proxy", &["create", "delete", "get", "patch", "update"]),
        _ => return None,
    };
    Some((format!("{}{word}Options", s.kind), verbs))
}

/// One subresource of a served resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubresourceDef {
    /// Path segment (`status`, `scale`, ...).
    pub name: String,
    /// Group of the body kind.
    pub group: String,
    /// Version of the body kind.
    pub version: String,
    /// Kind of the body.
    pub kind: String,
    /// Verbs in discovery spelling.
    pub verbs: Vec<String>,
}

/// One served resource in one version. Owned, because CRDs add resources at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceDef {
    /// API group, `""` for core.
    pub group: String,
    /// Version.
    pub version: String,
    /// Kind of the objects.
    pub kind: String,
    /// URL plural.
    pub plural: String,
    /// Singular name.
    pub singular: String,
    /// Short names.
    pub short_names: Vec<String>,
    /// Namespaced or cluster scoped.
    pub namespaced: bool,
    /// Verbs in discovery spelling.
    pub verbs: Vec<String>,
    /// Subresources.
    pub subresources: Vec<SubresourceDef>,
    /// Scale subresource paths, when it has one.
    pub scale: Option<ScalePaths>,
    /// Name of the CRD that defined this resource, for custom resources.
    pub crd: Option<String>,
    /// A custom resource's `additionalPrinterColumns` (for server-side tables).
    pub printer_columns: Vec<PrinterColumn>,
}

/// Built-in resources whose kube-apiserver strategy sets `metadata.generation` (1 on create,
/// +1 on a spec change); ConfigMaps, Secrets, Services, RBAC objects and the like have none.
/// Every custom resource has one. From `pkg/registry/*/strategy.go` (`Generation = 1`), 1.35.
const WITH_GENERATION: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "podtemplates"),
    ("", "replicationcontrollers"),
    ("admissionregistration.k8s.io", "mutatingadmissionpolicies"),
    (
        "admissionregistration.k8s.io",
        "mutatingadmissionpolicybindings",
    ),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
    ),
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
    ),
    ("apiextensions.k8s.io", "customresourcedefinitions"),
    ("apps", "daemonsets"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("batch", "cronjobs"),
    ("batch", "jobs"),
    ("discovery.k8s.io", "endpointslices"),
    ("flowcontrol.apiserver.k8s.io", "flowschemas"),
    (
        "flowcontrol.apiserver.k8s.io",
        "prioritylevelconfigurations",
    ),
    ("networking.k8s.io", "ingressclasses"),
    ("networking.k8s.io", "ingresses"),
    ("networking.k8s.io", "networkpolicies"),
    ("policy", "poddisruptionbudgets"),
    ("resource.k8s.io", "deviceclasses"),
    ("resource.k8s.io", "devicetaintrules"),
    ("resource.k8s.io", "resourceslices"),
    ("scheduling.k8s.io", "priorityclasses"),
];

/// Resources whose update strategy refuses a PUT without `metadata.resourceVersion`
/// (`AllowUnconditionalUpdate() == false` in their `strategy.go`, 1.35); custom resources and
/// CRDs too.
const CONDITIONAL_UPDATE_ONLY: &[(&str, &str)] = &[
    ("admissionregistration.k8s.io", "mutatingadmissionpolicies"),
    (
        "admissionregistration.k8s.io",
        "mutatingadmissionpolicybindings",
    ),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
    ),
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
    ),
    ("apiextensions.k8s.io", "customresourcedefinitions"),
    ("apiregistration.k8s.io", "apiservices"),
    ("certificates.k8s.io", "clustertrustbundles"),
    ("certificates.k8s.io", "podcertificaterequests"),
    ("coordination.k8s.io", "leasecandidates"),
    ("coordination.k8s.io", "leases"),
    ("internal.apiserver.k8s.io", "storageversions"),
    ("node.k8s.io", "runtimeclasses"),
    ("policy", "poddisruptionbudgets"),
    ("storage.k8s.io", "csidrivers"),
    ("storage.k8s.io", "csinodes"),
    ("storage.k8s.io", "csistoragecapacities"),
    ("storage.k8s.io", "volumeattachments"),
    ("storagemigration.k8s.io", "storageversionmigrations"),
];

/// Resources whose delete answers with the deleted object instead of a `Status`
/// (`ReturnDeletedObject: true` in their `storage.go`, 1.35).
const RETURNS_DELETED_OBJECT: &[(&str, &str)] = &[
    ("", "namespaces"),
    ("", "persistentvolumeclaims"),
    ("", "persistentvolumes"),
    ("", "pods"),
    ("", "podtemplates"),
    ("", "resourcequotas"),
    ("", "serviceaccounts"),
    ("", "services"),
    ("resource.k8s.io", "deviceclasses"),
    ("resource.k8s.io", "devicetaintrules"),
    ("resource.k8s.io", "resourceclaims"),
    ("resource.k8s.io", "resourceclaimtemplates"),
    ("resource.k8s.io", "resourceslices"),
    ("storage.k8s.io", "csidrivers"),
    ("storage.k8s.io", "csinodes"),
    ("storage.k8s.io", "storageclasses"),
    ("storage.k8s.io", "volumeattachments"),
    ("storage.k8s.io", "volumeattributesclasses"),
];

fn listed(table: &[(&str, &str)], group: &str, plural: &str) -> bool {
    table.iter().any(|(g, p)| *g == group && *p == plural)
}

impl ResourceDef {
    /// Whether a PUT must name the resourceVersion it replaces.
    pub fn requires_resource_version_on_update(&self) -> bool {
        self.crd.is_some() || listed(CONDITIONAL_UPDATE_ONLY, &self.group, &self.plural)
    }

    /// Whether a delete that removes the object answers with it (else with a `Status`).
    pub fn returns_deleted_object(&self) -> bool {
        self.crd.is_none() && listed(RETURNS_DELETED_OBJECT, &self.group, &self.plural)
    }

    /// Whether objects of this resource carry `metadata.generation`, as kube-apiserver's.
    pub fn tracks_generation(&self) -> bool {
        self.crd.is_some()
            || WITH_GENERATION
                .iter()
                .any(|(g, p)| *g == self.group && *p == self.plural)
    }
}

/// One `additionalPrinterColumns` entry of a CRD version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterColumn {
    /// Column heading.
    pub name: String,
    /// OpenAPI type (`string`, `integer`, `number`, `boolean`, `date`).
    pub type_: String,
    /// OpenAPI format, if any.
    pub format: String,
    /// Description.
    pub description: String,
    /// 0: always shown; higher: only with `-o wide`.
    pub priority: i64,
    /// Simple JSONPath into the object (`.spec.replicas`).
    pub json_path: String,
}

impl ResourceDef {
    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
    /// Kind of the list (`PodList`).
    pub fn list_kind(&self) -> String {
        format!("{}List", self.kind)
    }
    /// True when the resource serves `verb`.
    pub fn allows(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }
    /// The subresource named `name`.
    pub fn subresource(&self, name: &str) -> Option<&SubresourceDef> {
        self.subresources.iter().find(|s| s.name == name)
    }
    /// True when the resource has a status subresource (so the main endpoint ignores status).
    pub fn has_status(&self) -> bool {
        self.subresource("status").is_some()
    }
    /// Storage identity shared by all versions of one resource.
    pub fn storage_key(&self) -> StorageKey {
        StorageKey {
            group: self.group.clone(),
            plural: self.plural.clone(),
        }
    }

    fn from_info(info: &ApiResourceInfo) -> Self {
        let scale = info
            .subresources
            .iter()
            .any(|s| s.name == "scale")
            .then(|| ScalePaths {
                spec_replicas: "spec.replicas".into(),
                status_replicas: "status.replicas".into(),
                label_selector: None,
            });
        ResourceDef {
            printer_columns: Vec::new(),
            group: info.group.into(),
            version: info.version.into(),
            kind: info.kind.into(),
            plural: info.plural.into(),
            singular: info.singular.into(),
            short_names: info.short_names.iter().map(|s| s.to_string()).collect(),
            namespaced: info.namespaced,
            verbs: info.verbs.iter().map(|s| s.to_string()).collect(),
            subresources: info
                .subresources
                .iter()
                .map(|s| match connect_options(s) {
                    Some((kind, verbs)) => SubresourceDef {
                        name: s.name.into(),
                        group: s.group.into(),
                        version: s.version.into(),
                        kind,
                        verbs: verbs.iter().map(|v| v.to_string()).collect(),
                    },
                    None => SubresourceDef {
                        name: s.name.into(),
                        group: s.group.into(),
                        version: s.version.into(),
                        kind: s.kind.into(),
                        verbs: s.verbs.iter().map(|v| v.to_string()).collect(),
                    },
                })
                .collect(),
            scale,
            crd: None,
        }
    }
}

/// Group + plural: the objects of every version of a resource live under one key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StorageKey {
    /// API group.
    pub group: String,
    /// Plural.
    pub plural: String,
}

/// Every resource currently served, by (group, version, plural).
#[derive(Debug, Default, Clone)]
pub struct Registry {
    by_gvr: BTreeMap<(String, String, String), Arc<ResourceDef>>,
    /// Group names in first-registered order (discovery lists them in priority order).
    group_order: Vec<String>,
}

impl Registry {
    /// A registry serving `table`.
    pub fn from_table(table: &[ApiResourceInfo]) -> Self {
        let mut r = Registry::default();
        for info in table {
            // The generated table lists subresources as their own rows too; they are served
            // through their parent, so skip rows whose plural contains a slash.
            if info.plural.contains('/') {
                continue;
            }
            r.insert(ResourceDef::from_info(info));
        }
        r
    }
    /// Add or replace one resource.
    pub fn insert(&mut self, def: ResourceDef) {
        if !self.group_order.contains(&def.group) {
            self.group_order.push(def.group.clone());
        }
        self.by_gvr.insert(
            (def.group.clone(), def.version.clone(), def.plural.clone()),
            Arc::new(def),
        );
    }
    /// Remove every version of the resources defined by CRD `crd_name`.
    pub fn remove_crd(&mut self, crd_name: &str) {
        self.by_gvr
            .retain(|_, d| d.crd.as_deref() != Some(crd_name));
        let groups: Vec<String> = self.by_gvr.values().map(|d| d.group.clone()).collect();
        self.group_order.retain(|g| groups.contains(g));
    }
    /// Any version of the resource defined by CRD `crd_name`.
    pub fn by_crd(&self, crd_name: &str) -> Option<Arc<ResourceDef>> {
        self.by_gvr
            .values()
            .find(|d| d.crd.as_deref() == Some(crd_name))
            .cloned()
    }
    /// Look a resource up.
    pub fn get(&self, group: &str, version: &str, plural: &str) -> Option<Arc<ResourceDef>> {
        self.by_gvr
            .get(&(group.to_string(), version.to_string(), plural.to_string()))
            .cloned()
    }
    /// Groups in discovery order, each with its versions (sorted, newest stable first is not
    /// attempted: versions appear in lexical order with the first as preferred).
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for g in &self.group_order {
            let mut versions: Vec<String> = self
                .by_gvr
                .values()
                .filter(|d| &d.group == g)
                .map(|d| d.version.clone())
                .collect();
            versions.dedup();
            versions.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
            versions.dedup();
            out.push((g.clone(), versions));
        }
        out
    }
    /// Resources of one group/version.
    pub fn resources(&self, group: &str, version: &str) -> Vec<Arc<ResourceDef>> {
        self.by_gvr
            .values()
            .filter(|d| d.group == group && d.version == version)
            .cloned()
            .collect()
    }
}

/// Kubernetes version ordering: GA > beta > alpha, higher numbers first within each.
fn version_priority(v: &str) -> (u8, u32, u32) {
    let Some(rest) = v.strip_prefix('v') else {
        return (0, 0, 0);
    };
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let major = digits.parse().unwrap_or(0);
    let tail = &rest[digits.len()..];
    if tail.is_empty() {
        return (3, major, 0);
    }
    let (level, n) = if let Some(n) = tail.strip_prefix("beta") {
        (2, n)
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n)
    } else {
        (0, "0")
    };
    (level, major, n.parse().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_is_served() {
        let r = Registry::from_table(BUILTIN_RESOURCES);
        let pods = r.get("", "v1", "pods").expect("pods served");
        assert!(pods.namespaced && pods.has_status() && pods.subresource("log").is_some());
        let deploy = r
            .get("apps", "v1", "deployments")
            .expect("deployments served");
        assert!(deploy.scale.is_some());
        assert_eq!(r.groups()[0].0, "");
    }

    #[test]
    fn versions_sort_like_kubernetes() {
        let mut v = vec!["v1alpha1", "v1", "v2beta1", "v1beta2", "v2"];
        v.sort_by_key(|x| std::cmp::Reverse(version_priority(x)));
        assert_eq!(v, ["v2", "v1", "v2beta1", "v1beta2", "v1alpha1"]);
    }
}
