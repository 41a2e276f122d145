//! Rust paths for IR types, from the module a reference is emitted in.

use crate::ir::{Ir, Ty, TypeKind};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Where generated modules live: `crate` for the `kubeclient` crate, or a module path such as
/// `crate::k8s` when sources are vendored into another crate.
#[derive(Debug, Clone)]
pub struct Root(pub TokenStream);

impl Root {
    /// Parse a root path like `crate` or `crate::k8s`.
    pub fn parse(s: &str) -> Result<Root, syn::Error> {
        let p: syn::Path = syn::parse_str(s)?;
        Ok(Root(quote!(#p)))
    }
}

/// Path of a definition's type as seen from module `from`.
pub fn type_path(ir: &Ir, root: &Root, spec_name: &str, from: &[String]) -> TokenStream {
    let Some(t) = ir.types.get(spec_name) else {
        // Build guarantees every reference resolves; keep output valid if one slips through.
        return quote!(::serde_json::Value);
    };
    if let TypeKind::Runtime(path) = &t.kind {
        return syn::parse_str::<syn::Type>(path)
            .map(|t| quote!(#t))
            .unwrap_or_else(|_| quote!(::serde_json::Value));
    }
    let name = format_ident!("{}", t.rust_name);
    if t.module == from {
        quote!(#name)
    } else {
        let root = &root.0;
        let segs = t.module.iter().map(|s| format_ident!("{}", s));
        quote!(#root #(:: #segs)* :: #name)
    }
}

/// Tokens for a field type.
pub fn ty_tokens(ir: &Ir, root: &Root, ty: &Ty, from: &[String]) -> TokenStream {
    match ty {
        Ty::Bool => quote!(bool),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        Ty::F64 => quote!(f64),
        Ty::String => quote!(::kubeclient_runtime::Str),
        Ty::Bytes => quote!(::kubeclient_runtime::meta::ByteString),
        Ty::Json => quote!(::serde_json::Value),
        Ty::Named(n) => type_path(ir, root, n, from),
        Ty::Vec(t) => {
            let t = ty_tokens(ir, root, t, from);
            quote!(::std::vec::Vec<#t>)
        }
        Ty::Map(t) => {
            let t = ty_tokens(ir, root, t, from);
            quote!(::kubeclient_runtime::Map<::kubeclient_runtime::Str, #t>)
        }
    }
}
