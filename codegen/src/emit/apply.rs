//! Apply configurations (client-go `applyconfigurations`): for every struct a served kind
//! reaches, `FooApplyConfiguration`, a builder over `kubeclient_runtime::apply::Object` that
//! holds only the fields that were set.
//!
//! Kept thin for compile time: one newtype per struct, `#[inline]` setters (compiled only where
//! called), and behaviour (JSON building, `extract`) once in the runtime.

use super::docs::code;
use super::paths::{ty_tokens, type_path, Root};
use crate::ir::{Ir, StructDef, Ty, TypeDef, TypeKind};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeSet;

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const SUFFIX: &str = "ApplyConfiguration";

/// Spec names of the structs that get an apply configuration: served kinds and every struct
/// their fields reach. Computed once per emit.
pub fn applicable(ir: &Ir) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = ir
        .types
        .iter()
        .filter(|(_, t)| matches!(&t.kind, TypeKind::Struct(s) if s.resource.is_some()))
        .map(|(n, _)| n.as_str())
        .collect();
    while let Some(name) = stack.pop() {
        let Some(TypeDef {
            kind: TypeKind::Struct(s),
            ..
        }) = ir.types.get(name)
        else {
            continue;
        };
        if seen.insert(name.to_owned()) {
            stack.extend(s.fields.iter().filter_map(|f| f.ty.named()));
        }
    }
    seen
}

fn ac_ident(t: &TypeDef) -> syn::Ident {
    format_ident!("{}{}", t.rust_name, SUFFIX)
}

/// Path of the apply configuration of `spec_name` from module `from`, or `None` when it has
/// none (not a generated struct).
fn ac_path(ir: &Ir, root: &Root, spec_name: &str, from: &[String]) -> Option<TokenStream> {
    if spec_name == OBJECT_META {
        return Some(quote!(
            ::kubeclient_runtime::apply::ObjectMetaApplyConfiguration
        ));
    }
    let t = ir.types.get(spec_name)?;
    if !matches!(t.kind, TypeKind::Struct(_)) {
        return None;
    }
    let name = ac_ident(t);
    Some(if t.module == from {
        quote!(#name)
    } else {
        let root = &root.0;
        let segs = t.module.iter().map(|s| format_ident!("{}", s));
        quote!(#root #(:: #segs)* :: #name)
    })
}

/// How a setter takes one value: its parameter type, and whether it is text (taken as
/// `impl Into<String>`, set through the runtime's `_string` methods).
fn value_param(ir: &Ir, root: &Root, ty: &Ty, from: &[String]) -> (TokenStream, bool) {
    match ty {
        Ty::String => (
            quote!(impl ::core::convert::Into<::std::string::String>),
            true,
        ),
        Ty::Named(n) => match ac_path(ir, root, n, from) {
            Some(p) => (p, false),
            None => (type_path(ir, root, n, from), false),
        },
        other => (ty_tokens(ir, root, other, from), false),
    }
}

fn setter_ident(rust_name: &str) -> syn::Ident {
    format_ident!("with_{}", rust_name.trim_start_matches("r#"))
}

/// The setter of one field: set a value, append to a list, or add map entries. Each is one call
/// into the runtime's `Object`, with no closure, to keep the thousands of them cheap to compile.
fn setter(ir: &Ir, root: &Root, t: &TypeDef, json: &str, rust: &str, ty: &Ty) -> TokenStream {
    let ident = setter_ident(rust);
    let from = &t.module;
    let (doc, params, call) = match ty {
        Ty::Vec(item) => {
            let (param, text) = value_param(ir, root, item, from);
            let method = if text {
                quote!(extend_strings)
            } else {
                quote!(extend)
            };
            (
                format!(" Append to {}.", code(json)),
                quote!(items: impl ::core::iter::IntoIterator<Item = #param>),
                quote!(#method(#json, items)),
            )
        }
        Ty::Map(value) => {
            let (param, text) = value_param(ir, root, value, from);
            let method = if text {
                quote!(insert_string_entries)
            } else {
                quote!(insert_entries)
            };
            (
                format!(
                    " Add entries to {}, replacing ones with the same keys.",
                    code(json)
                ),
                quote!(entries: impl ::core::iter::IntoIterator<Item = (impl ::core::convert::Into<::std::string::String>, #param)>),
                quote!(#method(#json, entries)),
            )
        }
        _ => {
            let (param, text) = value_param(ir, root, ty, from);
            let method = if text {
                quote!(set_string)
            } else {
                quote!(set)
            };
            (
                format!(" Set {}.", code(json)),
                quote!(v: #param),
                quote!(#method(#json, v)),
            )
        }
    };
    quote! {
        #[doc = #doc]
        #[inline]
        pub fn #ident(mut self, #params) -> Self {
            self.0.#call;
            self
        }
    }
}

/// `with_name`, `with_labels`, ... on a top-level kind, writing into its `metadata` as
/// client-go's embedded `ObjectMetaApplyConfiguration` does; those whose names are not `taken`.
fn meta_setters(taken: &BTreeSet<String>) -> TokenStream {
    let fns = meta_items()
        .into_iter()
        .filter(|(rust, _, _)| !taken.contains(*rust))
        .map(|(_, json, f)| {
            let doc = format!(" Set `metadata.{json}` (lists and maps: add to them).");
            quote!(#[doc = #doc] #[inline] #f)
        });
    quote!(#(#fns)*)
}

/// Whether a field of the kind has the Rust name of a metadata setter's field.
fn meta_taken(taken: &BTreeSet<String>) -> bool {
    meta_items()
        .iter()
        .any(|(rust, _, _)| taken.contains(*rust))
}

/// The metadata setters: the Rust and JSON name of each field and its function.
fn meta_items() -> [(&'static str, &'static str, TokenStream); 7] {
    let rt = quote!(::kubeclient_runtime::apply);
    [
        (
            "name",
            "name",
            quote! {
                pub fn with_name(mut self, v: impl ::core::convert::Into<::std::string::String>) -> Self {
                    self.0.set_in(&["metadata"], "name", #rt::string(v)); self
                }
            },
        ),
        (
            "generate_name",
            "generateName",
            quote! {
                pub fn with_generate_name(mut self, v: impl ::core::convert::Into<::std::string::String>) -> Self {
                    self.0.set_in(&["metadata"], "generateName", #rt::string(v)); self
                }
            },
        ),
        (
            "namespace",
            "namespace",
            quote! {
                pub fn with_namespace(mut self, v: impl ::core::convert::Into<::std::string::String>) -> Self {
                    self.0.set_in(&["metadata"], "namespace", #rt::string(v)); self
                }
            },
        ),
        (
            "labels",
            "labels",
            quote! {
                pub fn with_labels(mut self, entries: impl ::core::iter::IntoIterator<Item = (impl ::core::convert::Into<::std::string::String>, impl ::core::convert::Into<::std::string::String>)>) -> Self {
                    self.0.insert_entries_in(&["metadata"], "labels", entries.into_iter().map(|(k, v)| (k, #rt::string(v)))); self
                }
            },
        ),
        (
            "annotations",
            "annotations",
            quote! {
                pub fn with_annotations(mut self, entries: impl ::core::iter::IntoIterator<Item = (impl ::core::convert::Into<::std::string::String>, impl ::core::convert::Into<::std::string::String>)>) -> Self {
                    self.0.insert_entries_in(&["metadata"], "annotations", entries.into_iter().map(|(k, v)| (k, #rt::string(v)))); self
                }
            },
        ),
        (
            "owner_references",
            "ownerReferences",
            quote! {
                pub fn with_owner_references(mut self, items: impl ::core::iter::IntoIterator<Item = ::kubeclient_runtime::meta::v1::OwnerReference>) -> Self {
                    self.0.extend_in(&["metadata"], "ownerReferences", items); self
                }
            },
        ),
        (
            "finalizers",
            "finalizers",
            quote! {
                pub fn with_finalizers(mut self, items: impl ::core::iter::IntoIterator<Item = impl ::core::convert::Into<::std::string::String>>) -> Self {
                    self.0.extend_in(&["metadata"], "finalizers", items.into_iter().map(#rt::string)); self
                }
            },
        ),
    ]
}

/// `Apply<T>`, at the root of the generated module tree: the one struct behind every
/// `FooApplyConfiguration` (an alias of `Apply<Foo>`). Its traits are implemented once here,
/// generically, rather than derived for each of hundreds of types: the derives were a fifth of
/// the generated crate's compile time. So are the methods most types share: the metadata
/// setters of kinds (`ApplyMetadata`), `new()` of structs that are not kinds (`ApplyNested`) and
/// `extract` of served kinds; a type opts in by an empty marker impl.
pub fn apply_root(cfg: Option<&TokenStream>) -> TokenStream {
    let rt = quote!(::kubeclient_runtime::apply);
    let meta = meta_setters(&BTreeSet::new());
    quote! {
        #cfg
        /// The apply configuration of `T` (client-go's `TApplyConfiguration`): a builder that holds
        /// only the fields that were set, so a server-side apply owns exactly those. Each kind and
        /// each struct they reach names it by an alias, `DeploymentApplyConfiguration` for
        /// `Apply<Deployment>`, with `new` and a `with_` setter per field.
        pub struct Apply<T>(pub #rt::Object, ::core::marker::PhantomData<fn() -> T>);

        #cfg
        impl<T> Apply<T> {
            /// A configuration holding `object`'s fields as they are.
            #[inline]
            pub fn from_object(object: #rt::Object) -> Self {
                Apply(object, ::core::marker::PhantomData)
            }
        }

        #cfg
        impl<T> ::core::clone::Clone for Apply<T> {
            #[inline]
            fn clone(&self) -> Self {
                Self::from_object(self.0.clone())
            }
        }

        #cfg
        impl<T> ::core::default::Default for Apply<T> {
            #[inline]
            fn default() -> Self {
                Self::from_object(#rt::Object::default())
            }
        }

        #cfg
        impl<T> ::core::cmp::PartialEq for Apply<T> {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }

        #cfg
        impl<T> ::core::fmt::Debug for Apply<T> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let kind = ::core::any::type_name::<T>().rsplit("::").next().unwrap_or("");
                f.debug_tuple(&::std::format!("{kind}ApplyConfiguration")).field(&self.0).finish()
            }
        }

        #cfg
        impl<T> ::serde::Serialize for Apply<T> {
            #[inline]
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                ::serde::Serialize::serialize(&self.0, s)
            }
        }

        #cfg
        impl<T: ::kubeclient_runtime::Resource> #rt::ApplyConfiguration for Apply<T> {
            type Resource = T;
            #[inline]
            fn object(&self) -> &#rt::Object {
                &self.0
            }
        }

        #cfg
        /// Kinds whose apply configuration sets their `metadata` directly (`with_name`,
        /// `with_labels`, ...), as client-go's embedded `ObjectMetaApplyConfiguration` does:
        /// every kind, except one with a field of its own named like one of those setters.
        pub trait ApplyMetadata {}

        #cfg
        impl<T: ApplyMetadata> Apply<T> {
            #meta
        }

        #cfg
        /// Structs that are not kinds, only reached from them (a `Container`): their apply
        /// configuration starts empty.
        pub trait ApplyNested {}

        #cfg
        impl<T: ApplyNested> Apply<T> {
            /// Nothing set.
            #[inline]
            pub fn new() -> Self {
                Self::default()
            }
        }

        #cfg
        impl<T: ::kubeclient_runtime::Resource> Apply<T> {
            /// The fields `field_manager` owns in `obj` through apply, as a configuration
            /// (client-go `Extract`): change it and apply it again to keep owning exactly
            /// those fields.
            ///
            /// # Errors
            /// When `obj`'s managed fields or the object are not valid JSON.
            #[inline]
            pub fn extract(obj: &T, field_manager: &str) -> ::core::result::Result<Self, #rt::ExtractError> {
                #rt::extract(obj, field_manager, "").map(Self::from_object)
            }
        }
    }
}

/// The apply configuration of struct `t`, or nothing when `t` gets none.
/// `cfg` gates every item (the crate's `apply` feature), or is empty.
pub fn apply_def(
    ir: &Ir,
    root: &Root,
    t: &TypeDef,
    s: &StructDef,
    wanted: &BTreeSet<String>,
    cfg: Option<&TokenStream>,
) -> TokenStream {
    if !wanted.contains(&t.spec_name) {
        return TokenStream::new();
    }
    let name = ac_ident(t);
    let ty = type_path(ir, root, &t.spec_name, &t.module);
    let doc = format!(
        " Apply configuration of [`{}`]: only the fields set are sent, so a server-side apply owns exactly those (client-go `{}{SUFFIX}`).",
        t.rust_name, t.rust_name
    );
    let rt = quote!(::kubeclient_runtime::apply);
    let setters = s
        .fields
        .iter()
        .map(|f| setter(ir, root, t, &f.json_name, &f.rust_name, &f.ty));
    let top_level = s.gvk.is_some()
        && s.fields
            .iter()
            .any(|f| f.json_name == "metadata" && f.ty == Ty::Named(OBJECT_META.into()));
    let taken: BTreeSet<String> = s
        .fields
        .iter()
        .map(|f| f.rust_name.trim_start_matches("r#").to_owned())
        .collect();
    let root_path = &root.0;
    // The shared metadata setters, unless a field's setter has one of their names: then only
    // the others, here.
    let (meta, meta_marker) = if !top_level {
        (None, None)
    } else if meta_taken(&taken) {
        (Some(meta_setters(&taken)), None)
    } else {
        let marker = quote! {
            #cfg
            impl #root_path::ApplyMetadata for #ty {}
        };
        (None, Some(marker))
    };
    let type_meta = s.gvk.as_ref().map(|g| {
        let (api_version, kind) = (g.api_version(), &g.kind);
        quote! {
            o.set("apiVersion", #api_version);
            o.set("kind", #kind);
        }
    });
    let (ctor, nested_marker) = match (&s.resource, &type_meta) {
        (Some(r), _) if r.namespaced => (
            Some(quote! {
                /// A configuration of the object `name` in `namespace` (client-go's constructor).
                #[inline]
                pub fn new(name: impl ::core::convert::Into<::std::string::String>, namespace: impl ::core::convert::Into<::std::string::String>) -> Self {
                    let mut o = #rt::Object::default();
                    #type_meta
                    o.set_in(&["metadata"], "name", #rt::string(name));
                    o.set_in(&["metadata"], "namespace", #rt::string(namespace));
                    Self::from_object(o)
                }
            }),
            None,
        ),
        (Some(_), _) => (
            Some(quote! {
                /// A configuration of the object `name` (client-go's constructor).
                #[inline]
                pub fn new(name: impl ::core::convert::Into<::std::string::String>) -> Self {
                    let mut o = #rt::Object::default();
                    #type_meta
                    o.set_in(&["metadata"], "name", #rt::string(name));
                    Self::from_object(o)
                }
            }),
            None,
        ),
        (None, Some(type_meta)) => (
            Some(quote! {
                /// Nothing set but the kind.
                #[inline]
                pub fn new() -> Self {
                    let mut o = #rt::Object::default();
                    #type_meta
                    Self::from_object(o)
                }
            }),
            None,
        ),
        (None, None) => (
            None,
            Some(quote! {
                #cfg
                impl #root_path::ApplyNested for #ty {}
            }),
        ),
    };
    let extract_status = s
        .resource
        .as_ref()
        .filter(|r| r.subresources.contains_key("status"))
        .map(|_| {
            quote! {
                /// The status fields `field_manager` owns through apply on `/status`.
                ///
                /// # Errors
                /// When `obj`'s managed fields or the object are not valid JSON.
                #[inline]
                pub fn extract_status(obj: &#ty, field_manager: &str) -> ::core::result::Result<Self, #rt::ExtractError> {
                    #rt::extract(obj, field_manager, "status").map(Self::from_object)
                }
            }
        });
    quote! {
        #cfg
        #[doc = #doc]
        pub type #name = #root_path::Apply<#ty>;

        #meta_marker
        #nested_marker

        #cfg
        impl #name {
            #ctor
            #meta
            #extract_status
            #(#setters)*
        }
    }
}
