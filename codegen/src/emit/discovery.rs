//! The static discovery table (`discovery::resources()`): what `/api` and `/apis` would list,
//! so the test server and REST mapping need no round trip.

use crate::ir::{Ir, Verb};
use crate::naming;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Short names are not part of the OpenAPI spec; kube-apiserver's registry declares them.
/// These are the built-in ones kubectl users type.
const SHORT_NAMES: &[(&str, &str, &[&str])] = &[
    ("", "componentstatuses", &["cs"]),
    ("", "configmaps", &["cm"]),
    ("", "endpoints", &["ep"]),
    ("", "events", &["ev"]),
    ("", "limitranges", &["limits"]),
    ("", "namespaces", &["ns"]),
    ("", "nodes", &["no"]),
    ("", "persistentvolumeclaims", &["pvc"]),
    ("", "persistentvolumes", &["pv"]),
    ("", "pods", &["po"]),
    ("", "replicationcontrollers", &["rc"]),
    ("", "resourcequotas", &["quota"]),
    ("", "serviceaccounts", &["sa"]),
    ("", "services", &["svc"]),
    (
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        &["crd", "crds"],
    ),
    ("apps", "daemonsets", &["ds"]),
    ("apps", "deployments", &["deploy"]),
    ("apps", "replicasets", &["rs"]),
    ("apps", "statefulsets", &["sts"]),
    ("autoscaling", "horizontalpodautoscalers", &["hpa"]),
    ("batch", "cronjobs", &["cj"]),
    (
        "certificates.k8s.io",
        "certificatesigningrequests",
        &["csr"],
    ),
    ("events.k8s.io", "events", &["ev"]),
    ("networking.k8s.io", "ingresses", &["ing"]),
    ("networking.k8s.io", "networkpolicies", &["netpol"]),
    ("policy", "poddisruptionbudgets", &["pdb"]),
    ("scheduling.k8s.io", "priorityclasses", &["pc"]),
    ("storage.k8s.io", "storageclasses", &["sc"]),
];

fn verb_names(v: &std::collections::BTreeSet<Verb>) -> Vec<&'static str> {
    v.iter().map(|v| v.discovery_name()).collect()
}

/// Tokens of the discovery module body.
pub fn discovery(ir: &Ir, opts: &super::Options) -> TokenStream {
    let mut consts = Vec::new();
    let mut pushes = Vec::new();
    for g in ir.groups.values() {
        let ident = format_ident!("{}", naming::module_name(&g.feature).to_uppercase());
        let entries = g.versions.values().flat_map(|gv| gv.resources.iter()).filter_map(|def| {
            let (_, _, r) = ir.resource(def)?;
            let (group, version, kind, plural) = (&r.gvk.group, &r.gvk.version, &r.gvk.kind, &r.plural);
            let singular = kind.to_lowercase();
            let short: Vec<&str> = match SHORT_NAMES.iter().find(|(gr, p, _)| gr == group && p == plural) {
                Some((_, _, s)) => s.to_vec(),
                None => r.short_names.iter().map(String::as_str).collect(),
            };
            let namespaced = r.namespaced;
            let verbs = verb_names(&r.verbs);
            let subs = r.subresources.values().map(|s| {
                let name = &s.name;
                let (sg, sv, sk) = match &s.body {
                    Some(b) => (b.group.clone(), b.version.clone(), b.kind.clone()),
                    None => (group.clone(), version.clone(), kind.clone()),
                };
                let verbs = verb_names(&s.verbs);
                quote! {
                    ::kubeclient_runtime::discovery::SubresourceInfo {
                        name: #name, group: #sg, version: #sv, kind: #sk, verbs: &[#(#verbs),*],
                    }
                }
            });
            Some(quote! {
                ::kubeclient_runtime::discovery::ApiResourceInfo {
                    group: #group, version: #version, kind: #kind, plural: #plural, singular: #singular,
                    short_names: &[#(#short),*], namespaced: #namespaced, verbs: &[#(#verbs),*],
                    subresources: &[#(#subs),*],
                }
            })
        });
        let cfg = opts.cfg(&g.feature);
        let doc = format!(
            " Resources of API group {}.",
            super::docs::code(if g.name.is_empty() { "core" } else { &g.name })
        );
        consts.push(quote! {
            #cfg
            #[doc = #doc]
            pub const #ident: &[::kubeclient_runtime::discovery::ApiResourceInfo] = &[#(#entries),*];
        });
        pushes.push(quote! {
            #cfg
            out.extend_from_slice(#ident);
        });
    }
    // Each definition's entry is compiled only with the feature of its package, so a build
    // with few API groups does not carry (or const-evaluate) the whole table.
    let feature_of: std::collections::BTreeMap<&str, &str> = ir
        .packages
        .values()
        .flat_map(|p| {
            p.types
                .iter()
                .map(move |t| (t.as_str(), p.feature.as_str()))
        })
        .collect();
    let patch_types = ir.patch.iter().map(|(name, fields)| {
        let cfg = feature_of.get(name.as_str()).and_then(|f| opts.cfg(f));
        let fields = fields.iter().map(|f| {
            let d = quote!(::kubeclient_runtime::discovery);
            let n = &f.name;
            let shape = match f.shape {
                "list" => quote!(#d::FieldShape::List),
                "map" => quote!(#d::FieldShape::Map),
                _ => quote!(#d::FieldShape::Object),
            };
            let some = |s: &str| if s.is_empty() { quote!(None) } else { quote!(Some(#s)) };
            let (strategy, key, item) = (some(&f.strategy), some(&f.merge_key), some(&f.item_type));
            let list_type = match f.list_type {
                "atomic" => quote!(Some(#d::ListType::Atomic)),
                "set" => quote!(Some(#d::ListType::Set)),
                "map" => quote!(Some(#d::ListType::Map)),
                _ => quote!(None),
            };
            let (keys, atomic) = (&f.list_keys, f.atomic);
            quote! {
                ::kubeclient_runtime::discovery::PatchField {
                    name: #n, shape: #shape, strategy: #strategy, merge_key: #key, item_type: #item,
                    list_type: #list_type, list_keys: &[#(#keys),*], atomic: #atomic,
                }
            }
        });
        quote! { #cfg ::kubeclient_runtime::discovery::PatchSchema { name: #name, fields: &[#(#fields),*] } }
    });
    let kinds = ir
        .groups
        .values()
        .flat_map(|g| g.versions.values())
        .flat_map(|gv| gv.resources.iter())
        .filter_map(|def| {
            let (_, _, r) = ir.resource(def)?;
            let (group, version, kind) = (&r.gvk.group, &r.gvk.version, &r.gvk.kind);
            Some(quote! { (#group, #version, #kind, #def) })
        });
    let kinds_cfg = opts.kinds_cfg();
    quote! {
        #(#consts)*

        /// Strategic-merge-patch metadata of every definition, sorted by spec name (look up with
        /// `kubeclient_runtime::discovery::find_patch_schema`).
        #kinds_cfg
        pub static PATCH_TYPES: &[::kubeclient_runtime::discovery::PatchSchema] = &[#(#patch_types),*];

        /// `(group, version, kind, spec definition name)` of every served kind, for
        /// [`PATCH_TYPES`] lookups.
        #kinds_cfg
        pub static KIND_DEFINITIONS: &[(&str, &str, &str, &str)] = &[#(#kinds),*];

        /// Every resource of the enabled API groups.
        pub fn resources() -> Vec<::kubeclient_runtime::discovery::ApiResourceInfo> {
            #[allow(unused_mut)]
            let mut out = Vec::new();
            #(#pushes)*
            out
        }
    }
}
