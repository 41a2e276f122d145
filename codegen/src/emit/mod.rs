//! Stage 4: IR -> Rust source files. Each submodule emits one concept with `quote!`; this module
//! decides the file layout, formats with prettyplease and prefixes every file with a header that
//! says it is generated and where from.

mod apply;
mod clients;
mod discovery;
pub mod docs;
mod paths;
mod protobuf;
mod resource;
mod types;

pub use paths::Root;
mod rebase;

use crate::ir::{Ir, TypeKind};
use crate::Error;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::{BTreeMap, BTreeSet};

/// How the root module reaches the leaf files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `lib.rs` with inline modules that `include!` files from `OUT_DIR` (build scripts).
    IncludeFromOutDir,
    /// A normal module tree (`mod.rs` files) to read or vendor.
    ModuleTree,
}

/// Emission settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// Path of the module the output is mounted at (`crate` for the `kubeclient` crate).
    pub root: String,
    /// File layout.
    pub layout: Layout,
    /// Gate API groups behind cargo features named after them.
    pub cfg_features: bool,
    /// Features never gated even with `cfg_features`: groups the crate's `Cargo.toml` does not
    /// declare (a Kubernetes version newer than the table), compiled unconditionally instead of
    /// behind an undeclared feature.
    pub ungated: BTreeSet<String>,
    /// Spec version string for headers (e.g. `v1.35.0`).
    pub spec_version: String,
    /// Folder below the output directory every file goes to (empty: none); include paths of
    /// [`Layout::IncludeFromOutDir`] follow it.
    pub out_subdir: String,
    /// Path the output names the runtime by (`::kubeclient::runtime`), with serde and
    /// serde_json reached through it; `None`: the `kubeclient_runtime`, `serde` and
    /// `serde_json` crates directly.
    pub runtime_crate: Option<String>,
}

impl Options {
    /// With [`Options::cfg_features`], `#[cfg(feature = "client")]` for what needs the runtime's
    /// HTTP stack (the `typed` clients and the `Clientset`), so the crate builds as types only.
    pub fn client_cfg(&self) -> Option<TokenStream> {
        self.cfg_features
            .then(|| quote!(#[cfg(feature = "client")]))
    }
    /// With [`Options::cfg_features`], `#[cfg(feature = "apply")]` for the apply
    /// configurations, which cost compile time users without server-side apply need not pay.
    pub fn apply_cfg(&self) -> Option<TokenStream> {
        self.cfg_features.then(|| quote!(#[cfg(feature = "apply")]))
    }
    /// With [`Options::cfg_features`], `#[cfg(feature = "kinds")]` for the run-time tables a
    /// server needs (strategic-merge-patch schemas by definition); a client never reads them.
    pub fn kinds_cfg(&self) -> Option<TokenStream> {
        self.cfg_features.then(|| quote!(#[cfg(feature = "kinds")]))
    }
    /// The `#[cfg(feature = ...)]` attribute for `feature`, if it is gated.
    pub fn cfg(&self, feature: &str) -> Option<TokenStream> {
        (self.cfg_features && !feature.is_empty() && !self.ungated.contains(feature))
            .then(|| quote!(#[cfg(feature = #feature)]))
    }
}

/// Output files: relative path -> contents. `BTreeMap` keeps writing order deterministic.
pub type Files = BTreeMap<String, String>;

enum Unit<'a> {
    Package(&'a crate::ir::Package),
    GroupClient {
        feature: &'a str,
        gv: &'a crate::ir::GroupVersion,
    },
    Clientset,
    Discovery,
}

/// Emit every file for `ir`.
pub fn emit(ir: &Ir, opts: &Options) -> Result<Files, Error> {
    Root::parse(&opts.root).map_err(|source| Error::BadOption {
        option: "root",
        value: opts.root.clone(),
        what: format!("not a Rust path: {source}"),
    })?;
    let mut units: Vec<(String, Unit<'_>)> = Vec::new();
    for p in ir.packages.values() {
        units.push((format!("{}.rs", p.module.join("/")), Unit::Package(p)));
    }
    for g in ir.groups.values() {
        for gv in g.versions.values() {
            let module = clients::client_module(&g.feature, &gv.version);
            units.push((
                format!("{}.rs", module.join("/")),
                Unit::GroupClient {
                    feature: &g.feature,
                    gv,
                },
            ));
        }
    }
    units.push(("clientset.rs".into(), Unit::Clientset));
    units.push(("discovery.rs".into(), Unit::Discovery));

    // Formatting dominates; split the units over the available cores.
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = units.len().div_ceil(threads).max(1);
    let results: Vec<Result<Vec<(String, String)>, Error>> = std::thread::scope(|s| {
        let handles: Vec<_> = units
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(file, unit)| render(ir, opts, file, unit))
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(panicked())))
            .collect()
    });
    let mut files = Files::new();
    for r in results {
        files.extend(r?);
    }
    let root = root_files(ir, opts);
    for (file, tokens, header) in root {
        let text = format_file(opts, &file, tokens)?;
        files.insert(file, format!("{header}{text}"));
    }
    if !opts.out_subdir.is_empty() {
        files = files
            .into_iter()
            .map(|(f, t)| (format!("{}/{f}", opts.out_subdir), t))
            .collect();
    }
    Ok(files)
}

fn panicked() -> Error {
    Error::Internal {
        file: "<all files>".into(),
        what: "a formatter thread panicked".into(),
    }
}

fn render(ir: &Ir, opts: &Options, file: &str, unit: &Unit<'_>) -> Result<(String, String), Error> {
    // Root holds tokens, which cannot cross threads; parse it per unit.
    let root = Root::parse(&opts.root).map_err(|source| Error::Format {
        file: file.to_owned(),
        source,
    })?;
    let (tokens, source) = match unit {
        Unit::Package(p) => {
            let wanted = apply::applicable(ir);
            let apply_cfg = opts.apply_cfg();
            let items = p
                .types
                .iter()
                .filter_map(|name| ir.types.get(name))
                .map(|t| {
                    let def = types::type_def(ir, &root, t);
                    let (res, ac) = match &t.kind {
                        TypeKind::Struct(s) => (
                            s.resource
                                .as_ref()
                                .map(|r| resource::resource_impls(ir, &root, t, r)),
                            Some(apply::apply_def(
                                ir,
                                &root,
                                t,
                                s,
                                &wanted,
                                apply_cfg.as_ref(),
                            )),
                        ),
                        _ => (None, None),
                    };
                    quote!(#def #res #ac)
                });
            (
                quote!(#(#items)*),
                format!("definitions `{}.*`", p.spec_name),
            )
        }
        Unit::GroupClient { feature, gv } => {
            let api = if gv.group.is_empty() {
                gv.version.clone()
            } else {
                format!("{}/{}", gv.group, gv.version)
            };
            (
                clients::group_client(ir, &root, feature, gv),
                format!("the paths of `{api}`"),
            )
        }
        Unit::Clientset => (
            clients::clientset(ir, &root, opts),
            "every API group version".into(),
        ),
        Unit::Discovery => (discovery::discovery(ir, opts), "every resource path".into()),
    };
    let text = format_file(opts, file, tokens)?;
    Ok((file.to_owned(), format!("{}{text}", header(opts, &source))))
}

fn header(opts: &Options, source: &str) -> String {
    // Spec-derived names must not end the comment line and become code.
    let (spec_version, source) = (docs::one_line(&opts.spec_version), docs::one_line(source));
    format!(
        "// @generated by kubeclient-codegen. Do not edit: regenerate instead.\n// Source: Kubernetes OpenAPI spec {}, {source}.\n\n",
        spec_version
    )
}

fn format_file(opts: &Options, file: &str, tokens: TokenStream) -> Result<String, Error> {
    let tokens = match &opts.runtime_crate {
        Some(path) => {
            let runtime: TokenStream = path.parse().map_err(|_| Error::BadOption {
                option: "runtime_crate",
                value: path.clone(),
                what: "not a Rust path".into(),
            })?;
            rebase::rebase_runtime(tokens, &runtime)
        }
        None => tokens,
    };
    let parsed: syn::File = syn::parse2(tokens).map_err(|source| Error::Format {
        file: file.to_owned(),
        source,
    })?;
    Ok(unparse_spaced(parsed))
}

/// A tree of module names -> leaf file (for the root module).
#[derive(Default)]
struct Tree {
    children: BTreeMap<String, Tree>,
    leaf: Option<(String, Option<String>, String)>, // (file, feature, doc)
}

fn module_tree(ir: &Ir) -> Tree {
    let mut tree = Tree::default();
    let mut insert = |module: &[String], file: String, feature: Option<String>, doc: String| {
        let mut node = &mut tree;
        for seg in module {
            node = node.children.entry(seg.clone()).or_default();
        }
        node.leaf = Some((file, feature, doc));
    };
    for p in ir.packages.values() {
        insert(
            &p.module,
            format!("{}.rs", p.module.join("/")),
            // apimachinery packages have no feature: every group may use them.
            Some(p.feature.clone()).filter(|f| !f.is_empty()),
            format!(" Types of {}.", docs::code(&p.spec_name)),
        );
    }
    for g in ir.groups.values() {
        for gv in g.versions.values() {
            let module = clients::client_module(&g.feature, &gv.version);
            let api = if gv.group.is_empty() {
                gv.version.clone()
            } else {
                format!("{}/{}", gv.group, gv.version)
            };
            insert(
                &module,
                format!("{}.rs", module.join("/")),
                Some(g.feature.clone()),
                format!(" Typed client of {}.", docs::code(&api)),
            );
        }
    }
    tree
}

const TOP_DOCS: &[(&str, &str)] = &[
    (
        "api",
        " Kubernetes types by package and version (`api::apps::v1::Deployment`).",
    ),
    (
        "apimachinery",
        " apimachinery types without a handwritten runtime type, generated from the spec.",
    ),
    (
        "typed",
        " Group-version clients (`typed::apps::v1::AppsV1Client`).",
    ),
];

/// Doc of a module that only holds other modules.
fn branch_doc(top: &dyn Fn(&str) -> &'static str, name: &str) -> String {
    match top(name) {
        "" => format!(" Versions of {}.", docs::code(name)),
        doc => doc.to_owned(),
    }
}

fn root_files(ir: &Ir, opts: &Options) -> Vec<(String, TokenStream, String)> {
    let tree = module_tree(ir);
    let top_doc = |name: &str| {
        TOP_DOCS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, d)| *d)
            .unwrap_or("")
    };
    let cfg = |feature: &Option<String>| {
        feature
            .as_deref()
            .and_then(|f| opts.cfg(f))
            .unwrap_or_default()
    };
    let hdr = header(opts, "module tree");
    // The struct every apply configuration aliases, at the root in either layout.
    let apply_root = apply::apply_root(opts.apply_cfg().as_ref());
    match opts.layout {
        Layout::IncludeFromOutDir => {
            fn inline(
                tree: &Tree,
                cfg: &dyn Fn(&Option<String>) -> TokenStream,
                top: &dyn Fn(&str) -> &'static str,
                prefix: &str,
                client_cfg: Option<&TokenStream>,
            ) -> TokenStream {
                let mods = tree.children.iter().map(|(name, child)| {
                    let ident = format_ident!("{}", name);
                    // Only the top level passes `client_cfg`: it gates the `typed` tree.
                    let client_cfg = client_cfg.filter(|_| name == "typed");
                    if let Some((file, feature, doc)) = &child.leaf {
                        let path = format!("{prefix}/{file}");
                        let cfg = cfg(feature);
                        quote! {
                            #cfg
                            #[doc = #doc]
                            pub mod #ident { include!(concat!(env!("OUT_DIR"), #path)); }
                        }
                    } else {
                        let inner = inline(child, cfg, top, prefix, None);
                        let doc = branch_doc(top, name);
                        quote! { #client_cfg #[doc = #doc] pub mod #ident { #inner } }
                    }
                });
                quote!(#(#mods)*)
            }
            let prefix = if opts.out_subdir.is_empty() {
                String::new()
            } else {
                format!("/{}", opts.out_subdir)
            };
            let client_cfg = opts.client_cfg();
            let mods = inline(&tree, &cfg, &top_doc, &prefix, client_cfg.as_ref());
            let (clientset, discovery) = (
                format!("{prefix}/clientset.rs"),
                format!("{prefix}/discovery.rs"),
            );
            let lib = quote! {
                #mods
                #apply_root
                #client_cfg
                mod clientset { include!(concat!(env!("OUT_DIR"), #clientset)); }
                #client_cfg
                pub use clientset::Clientset;
                /// Static table of every served resource.
                pub mod discovery { include!(concat!(env!("OUT_DIR"), #discovery)); }
            };
            vec![("lib.rs".into(), lib, hdr)]
        }
        Layout::ModuleTree => {
            let mut out = Vec::new();
            fn walk(
                tree: &Tree,
                dir: &str,
                cfg: &dyn Fn(&Option<String>) -> TokenStream,
                top: &dyn Fn(&str) -> &'static str,
                hdr: &str,
                root: Option<&RootItems>,
                out: &mut Vec<(String, TokenStream, String)>,
            ) {
                let client_cfg = root.and_then(|r| r.client_cfg.as_ref());
                let mods = tree.children.iter().map(|(name, child)| {
                    let ident = format_ident!("{}", name);
                    // Only the top level has `client_cfg`: it gates the `typed` tree.
                    let client_cfg = client_cfg.filter(|_| name == "typed");
                    match &child.leaf {
                        Some((_, feature, doc)) => {
                            let cfg = cfg(feature);
                            quote! { #cfg #[doc = #doc] pub mod #ident; }
                        }
                        None => {
                            let doc = branch_doc(top, name);
                            quote! { #client_cfg #[doc = #doc] pub mod #ident; }
                        }
                    }
                });
                let body = quote!(#(#mods)*);
                if !dir.is_empty() {
                    out.push((format!("{dir}/mod.rs"), body, hdr.to_owned()));
                } else {
                    let apply_root = root.map(|r| &r.apply_root);
                    out.push((
                        "mod.rs".into(),
                        quote! {
                            #body
                            #apply_root
                            #client_cfg
                            mod clientset;
                            #client_cfg
                            pub use clientset::Clientset;
                            /// Static table of every served resource.
                            pub mod discovery;
                        },
                        hdr.to_owned(),
                    ));
                }
                for (name, child) in &tree.children {
                    if child.leaf.is_none() {
                        let sub = if dir.is_empty() {
                            name.clone()
                        } else {
                            format!("{dir}/{name}")
                        };
                        walk(child, &sub, cfg, top, hdr, None, out);
                    }
                }
            }
            let root = RootItems {
                client_cfg: opts.client_cfg(),
                apply_root,
            };
            walk(&tree, "", &cfg, &top_doc, &hdr, Some(&root), &mut out);
            out
        }
    }
}

/// What only the root module of a module tree holds.
struct RootItems {
    /// Gates the typed clients and the Clientset.
    client_cfg: Option<TokenStream>,
    /// The generic struct behind every apply configuration.
    apply_root: TokenStream,
}

/// Features used by the IR, with the closure of each (for the generated crate's Cargo.toml).
pub fn feature_table(ir: &Ir) -> BTreeMap<String, BTreeSet<String>> {
    ir.features()
        .into_iter()
        .map(|f| {
            let c = ir.feature_closure(&f);
            (f, c)
        })
        .collect()
}

/// Pretty-print with a blank line between top-level items (prettyplease puts none), so a
/// generated file reads like a handwritten one. Items are printed one by one rather than
/// patching the text afterwards, which could not tell an item's end from a string's contents.
fn unparse_spaced(file: syn::File) -> String {
    let syn::File {
        shebang,
        attrs,
        items,
    } = file;
    let mut parts = Vec::with_capacity(items.len() + 1);
    if shebang.is_some() || !attrs.is_empty() {
        parts.push(prettyplease::unparse(&syn::File {
            shebang,
            attrs,
            items: Vec::new(),
        }));
    }
    parts.extend(items.into_iter().map(|item| {
        prettyplease::unparse(&syn::File {
            shebang: None,
            attrs: Vec::new(),
            items: vec![item],
        })
    }));
    parts.join("\n")
}
