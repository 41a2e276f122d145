//! The one place where spec names become Rust identifiers (model: typify's `output.rs`).
//! Everything that emits an identifier goes through here, so keywords, leading digits and
//! non-identifier characters are handled once and the result is deterministic.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeMap;

/// Rust keywords (strict and reserved, 2021 edition) that cannot be plain identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Is `s` a valid non-keyword identifier already?
pub fn is_plain_ident(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c == '_' || c.is_ascii_alphanumeric()) && !KEYWORDS.contains(&s)
}

/// Replace characters that cannot appear in identifiers by `_` and fix a leading digit.
fn sanitize(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, '_');
    }
    out
}

/// Field name for a JSON property: snake_case, keywords get a trailing `_`
/// (`type` -> `type_`, `$ref` -> `ref_`, `x-kubernetes-list-type` -> `x_kubernetes_list_type`).
pub fn field_name(json: &str) -> String {
    let trimmed = json.trim_start_matches('$');
    let snake = sanitize(&acronym_plurals(trimmed).to_snake_case());
    // `_` alone is not an identifier (a property named `_`, `-` or `$`).
    let snake = if snake.is_empty() || snake == "_" {
        "underscore".to_owned()
    } else {
        snake
    };
    if KEYWORDS.contains(&snake.as_str()) || trimmed.len() != json.len() {
        format!("{snake}_")
    } else {
        snake
    }
}

/// `externalIPs` -> `externalIps`, so heck splits it as `external_ips` (not `external_i_ps`):
/// an upper-case run followed by a plural `s` at a word end is one word.
fn acronym_plurals(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len() && chars[i].is_ascii_uppercase() {
            i += 1;
        }
        let run = i - start;
        let plural_end = i < chars.len()
            && chars[i] == 's'
            && (i + 1 == chars.len() || !chars[i + 1].is_ascii_lowercase());
        if run >= 2 && plural_end {
            out.push(chars[start]);
            out.extend(chars[start + 1..i].iter().map(|c| c.to_ascii_lowercase()));
        } else {
            out.extend(&chars[start..i]);
        }
        if i < chars.len() {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Resolve a clash deterministically: `base`, then `base_2`, `base_3`, ... (properties are
/// visited in sorted order, so the same spec always yields the same names).
pub fn unique(base: String, taken: impl Fn(&str) -> bool) -> String {
    if !taken(&base) {
        return base;
    }
    let stem = base.trim_end_matches('_');
    (2..)
        .map(|n| format!("{stem}_{n}"))
        .find(|c| !taken(c))
        .unwrap_or(base)
}

/// Type name of a definition: the spec's own short name when it is a valid identifier (so
/// `APIService` stays `APIService`, as in the Go source), UpperCamelCase otherwise.
pub fn type_name(short: &str) -> String {
    if is_plain_ident(short) && short.starts_with(|c: char| c.is_ascii_uppercase()) {
        short.to_owned()
    } else {
        let camel = sanitize(&short.to_upper_camel_case());
        if camel == "_" {
            "Underscore".to_owned()
        } else if KEYWORDS.contains(&camel.as_str()) {
            format!("{camel}_")
        } else {
            camel
        }
    }
}

/// Resolve a type-name clash deterministically: `base`, then `base2`, `base3`, ... (stays
/// UpperCamelCase, unlike [`unique`]).
pub fn unique_type_name(base: String, taken: impl Fn(&str) -> bool) -> String {
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|c| !taken(c))
        .unwrap_or(base)
}

/// Name of a type hoisted out of field `field` of type `parent` (CRD inline objects):
/// `Certificate` + `privateKey` -> `CertificatePrivateKey`.
pub fn nested_type_name(parent: &str, field: &str) -> String {
    type_name(&format!("{parent}{}", field.to_upper_camel_case()))
}

/// `operationId` of a synthesized CRD operation, spelled like kube-apiserver's:
/// `listCertManagerIoV1NamespacedCertificate`, `readCertManagerIoV1NamespacedCertificateStatus`.
pub fn operation_id(
    verb: &str,
    group: &str,
    version: &str,
    namespaced: bool,
    kind: &str,
    suffix: &str,
) -> String {
    let gv = format!("{}-{version}", group.replace('.', "-")).to_upper_camel_case();
    let ns = if namespaced { "Namespaced" } else { "" };
    format!("{verb}{gv}{ns}{kind}{suffix}")
}

/// Module name for a package or version segment (`apiextensions-apiserver` -> `apiextensions_apiserver`).
pub fn module_name(segment: &str) -> String {
    let m = sanitize(&segment.to_snake_case());
    if KEYWORDS.contains(&m.as_str()) {
        format!("{m}_")
    } else {
        m
    }
}

/// Cargo feature of an API group: `core` for the core group, otherwise the group's first
/// DNS label (`rbac.authorization.k8s.io` -> `rbac`, `apps` -> `apps`).
pub fn feature_name(group: &str) -> String {
    if group.is_empty() {
        "core".to_owned()
    } else {
        let first = group.split('.').next().unwrap_or(group);
        first
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    }
}

/// Is `group` one of Kubernetes' own (`apps`, `networking.k8s.io`, a `*.k8s.io` CRD group)?
/// Those are named by their first label.
pub fn kubernetes_own_group(group: &str) -> bool {
    !group.contains('.') || group.ends_with(".k8s.io")
}

/// The name of an API group for modules and features, from the group alone (never from other
/// groups of the same run, so adding a CRD never moves another's types): Kubernetes' own groups
/// by their first label (`networking.k8s.io` -> `networking`), any other group by its labels
/// without the top-level domain (`networking.istio.io` -> `networking.istio`,
/// `cert-manager.io` -> `cert-manager`, `gateway.networking.x-k8s.io` ->
/// `gateway.networking.x-k8s`). Labels are joined by `sep`.
pub fn group_label(group: &str, sep: &str) -> String {
    let labels: Vec<&str> = group.split('.').collect();
    if group.is_empty() {
        "core".to_owned()
    } else if kubernetes_own_group(group) || labels.len() == 1 {
        labels[0].to_owned()
    } else {
        labels[..labels.len() - 1].join(sep)
    }
}

/// Cargo features of a set of API groups: [`group_label`] with `-` (`networking-istio`,
/// `monitoring-coreos`), lowercased with other characters as `-`. Each depends only on its own
/// group; two groups that still meet are reported by the IR build.
pub fn feature_names<'a>(groups: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, String> {
    groups
        .into_iter()
        .map(|g| {
            let name = group_label(g, "-")
                .to_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-");
            (g.to_owned(), name)
        })
        .collect()
}

/// Group-version client type name: `AppsV1Client`, `CoreV1Client`, `RbacV1Client`.
pub fn group_client_name(feature: &str, version: &str) -> String {
    format!(
        "{}{}Client",
        feature.to_upper_camel_case(),
        version.to_upper_camel_case()
    )
}

/// Clientset accessor: `apps_v1`, `core_v1`, `rbac_v1`.
pub fn group_accessor(feature: &str, version: &str) -> String {
    module_name(&format!("{}_{}", feature.to_snake_case(), version))
}

/// Group-client method for a resource, spelled like client-go (`Deployments`, `NetworkPolicies`)
/// in snake case: follow the kind's snake_case spelling as long as it agrees with the plural,
/// then append the rest of the plural (`NetworkPolicy` + `networkpolicies` -> `network_policies`).
pub fn resource_method(kind: &str, plural: &str) -> String {
    let snake = kind.to_snake_case();
    let plural_chars: Vec<char> = plural.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    for c in snake.chars() {
        if c == '_' {
            out.push('_');
            continue;
        }
        if i < plural_chars.len() && plural_chars[i] == c.to_ascii_lowercase() {
            out.push(c);
            i += 1;
        } else {
            break;
        }
    }
    if i == 0 {
        return module_name(plural);
    }
    let rest: String = plural_chars[i..].iter().collect();
    let out = format!("{}{}", out.trim_end_matches('_'), rest);
    module_name(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("continue"), "continue_");
        assert_eq!(field_name("ref"), "ref_");
        assert_eq!(field_name("$ref"), "ref_");
        assert_eq!(field_name("$schema"), "schema_");
        assert_eq!(field_name("externalIPs"), "external_ips");
        assert_eq!(
            field_name("x-kubernetes-list-type"),
            "x_kubernetes_list_type"
        );
        assert_eq!(field_name("3d"), "_3d");
        assert_eq!(field_name("apiVersion"), "api_version");
        assert_eq!(field_name("podCIDRs"), "pod_cidrs");
        assert_eq!(field_name("targetWWNs"), "target_wwns");
        assert_eq!(field_name("podIP"), "pod_ip");
        assert_eq!(field_name("IPFamilies"), "ip_families");
        for odd in ["_", "-", "$", ""] {
            assert!(is_plain_ident(&field_name(odd)), "{odd:?}");
        }
    }

    #[test]
    fn types() {
        assert_eq!(type_name("APIService"), "APIService");
        assert_eq!(type_name("JSONSchemaProps"), "JSONSchemaProps");
        assert_eq!(type_name("type"), "Type");
        assert_eq!(type_name("my-kind"), "MyKind");
        assert_eq!(type_name("_"), "Underscore");
        assert_eq!(
            nested_type_name("Certificate", "privateKey"),
            "CertificatePrivateKey"
        );
        assert_eq!(
            nested_type_name("CertificateSpec", "x509-usages"),
            "CertificateSpecX509Usages"
        );
        assert_eq!(
            unique_type_name("Foo".into(), |c| c == "Foo" || c == "Foo2"),
            "Foo3"
        );
        assert_eq!(
            operation_id("list", "cert-manager.io", "v1", true, "Certificate", ""),
            "listCertManagerIoV1NamespacedCertificate"
        );
    }

    #[test]
    fn resource_methods() {
        assert_eq!(
            resource_method("NetworkPolicy", "networkpolicies"),
            "network_policies"
        );
        assert_eq!(resource_method("Endpoints", "endpoints"), "endpoints");
        assert_eq!(resource_method("Pod", "pods"), "pods");
        assert_eq!(
            resource_method("ComponentStatus", "componentstatuses"),
            "component_statuses"
        );
        assert_eq!(resource_method("IPAddress", "ipaddresses"), "ip_addresses");
        assert_eq!(
            resource_method("HorizontalPodAutoscaler", "horizontalpodautoscalers"),
            "horizontal_pod_autoscalers"
        );
    }

    #[test]
    fn features() {
        assert_eq!(feature_name(""), "core");
        assert_eq!(feature_name("rbac.authorization.k8s.io"), "rbac");
        let f = feature_names([
            "networking.k8s.io",
            "networking.istio.io",
            "networking.gke.io",
            "apps",
            "monitoring.coreos.com",
        ]);
        assert_eq!(f["networking.k8s.io"], "networking");
        assert_eq!(f["networking.istio.io"], "networking-istio");
        assert_eq!(f["networking.gke.io"], "networking-gke");
        assert_eq!(f["monitoring.coreos.com"], "monitoring-coreos");
        // A group's name never depends on the other groups of the run.
        for g in ["gateway.networking.x-k8s.io", "gateway.networking.k8s.io"] {
            let alone = feature_names([g]);
            let beside =
                feature_names(["gateway.networking.x-k8s.io", "gateway.networking.k8s.io"]);
            assert_eq!(alone[g], beside[g]);
        }
        assert_eq!(
            feature_names(["gateway.networking.x-k8s.io"])["gateway.networking.x-k8s.io"],
            "gateway-networking-x-k8s"
        );
        assert_eq!(group_client_name("core", "v1"), "CoreV1Client");
        assert_eq!(
            group_accessor("admissionregistration", "v1alpha1"),
            "admissionregistration_v1alpha1"
        );
    }
}
