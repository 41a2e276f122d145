//! Type definitions: structs with compact serde impls (see `kubeclient_runtime::codec`), string
//! newtypes, JSON aliases and `List<K>` aliases.

use super::docs::{code, doc_attrs};
use super::paths::{ty_tokens, type_path, Root};
use crate::ir::{Field, Ir, StructDef, Ty, TypeDef, TypeKind};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Tokens for one definition (type plus its trait impls).
pub fn type_def(ir: &Ir, root: &Root, t: &TypeDef) -> TokenStream {
    let name = format_ident!("{}", t.rust_name);
    let origin = format!("Generated from definition {}.", code(&t.spec_name));
    let docs = doc_attrs(t.doc.as_deref(), &[origin]);
    match &t.kind {
        TypeKind::Runtime(_) => TokenStream::new(),
        TypeKind::Json => quote! {
            #docs
            pub type #name = ::serde_json::Value;
        },
        TypeKind::List { item } => {
            let item = type_path(ir, root, item, &t.module);
            quote! {
                #docs
                pub type #name = ::kubeclient_runtime::meta::v1::List<#item>;
            }
        }
        TypeKind::StringNewtype => {
            let pb = ir.protobuf.then(|| super::protobuf::newtype_value(&name));
            quote! {
            #docs
            #[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
            pub struct #name(pub ::std::string::String);

            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                    s.serialize_str(&self.0)
                }
            }

            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                    <::std::string::String as ::serde::Deserialize>::deserialize(d).map(#name)
                }
            }

            #pb
            }
        }
        TypeKind::Struct(s) => struct_def(ir, root, t, s, &name, docs),
    }
}

fn field_ty(ir: &Ir, root: &Root, t: &TypeDef, f: &Field) -> TokenStream {
    let inner = ty_tokens(ir, root, &f.ty, &t.module);
    let inner = if f.boxed {
        quote!(::std::boxed::Box<#inner>)
    } else {
        inner
    };
    if f.required {
        inner
    } else {
        quote!(::core::option::Option<#inner>)
    }
}

fn struct_def(
    ir: &Ir,
    root: &Root,
    t: &TypeDef,
    s: &StructDef,
    name: &syn::Ident,
    docs: TokenStream,
) -> TokenStream {
    let fields = s.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.rust_name);
        let ty = field_ty(ir, root, t, f);
        let fallback = if f.doc.as_deref().is_some_and(|d| !d.trim().is_empty()) {
            Vec::new()
        } else {
            vec![format!(
                "The {} property (undocumented in the spec).",
                code(&f.json_name)
            )]
        };
        let docs = doc_attrs(f.doc.as_deref(), &fallback);
        quote! { #docs pub #ident: #ty, }
    });
    let extra = s.unknown_fields.as_ref().map(|n| {
        let ident = format_ident!("{}", n);
        quote! {
            /// Fields the schema does not name, kept because it preserves unknown fields.
            pub #ident: ::std::collections::BTreeMap<::std::string::String, ::serde_json::Value>,
        }
    });
    let type_meta = s.type_meta_field.as_ref().map(|n| {
        let ident = format_ident!("{}", n);
        quote! {
            /// Whether `apiVersion` and `kind` are written: objects of this kind embedded in
            /// others (templates) leave them out unless they were given, as Go does.
            pub #ident: ::kubeclient_runtime::meta::TypeMetaPresence,
        }
    });
    // Debug is not derived: a derived `fmt` is compiled into the generated crate for every type.
    // The serde-driven one in the runtime is generic, so it is compiled only where it is used.
    let derives = quote!(#[derive(Clone, Default, PartialEq)]);
    let debug = if !s.debug_by_field {
        let label = t.rust_name.as_str();
        quote! {
            impl ::core::fmt::Debug for #name {
                #[inline]
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    ::kubeclient_runtime::codec::debug_struct(self, #label, f)
                }
            }
        }
    } else {
        redacting_debug(s, name)
    };
    let de = de_impl(t, s, name);
    let ser = ser_impl(s, name);
    let pb = (ir.protobuf && s.proto.is_some())
        .then(|| super::protobuf::struct_impls(ir, root, t, s, name));
    quote! {
        #docs
        #derives
        pub struct #name { #(#fields)* #extra #type_meta }
        #debug
        #de
        #ser
        #pb
    }
}

/// `Debug` that prints `<redacted>` for credential fields (Secret data, issued tokens) and
/// every other field through its own `Debug`, so nested redacting types stay redacted.
fn redacting_debug(s: &StructDef, name: &syn::Ident) -> TokenStream {
    let label = name.to_string();
    let fields = s.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.rust_name);
        let key = &f.rust_name;
        if !s.sensitive.contains(&f.json_name) {
            quote! { .field(#key, &self.#ident) }
        } else if f.required {
            quote! { .field(#key, &"<redacted>") }
        } else {
            quote! { .field(#key, &self.#ident.as_ref().map(|_| "<redacted>")) }
        }
    });
    let extra = s.unknown_fields.as_ref().map(|n| {
        let ident = format_ident!("{}", n);
        quote! { .field(#n, &self.#ident) }
    });
    quote! {
        impl ::core::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(#label) #(#fields)* #extra .finish()
            }
        }
    }
}

fn de_impl(t: &TypeDef, s: &StructDef, name: &syn::Ident) -> TokenStream {
    let label = t.rust_name.as_str();
    let codec = quote!(::kubeclient_runtime::codec);
    let mut arms: Vec<TokenStream> = Vec::new();
    if let Some(gvk) = &s.gvk {
        let api_version = gvk.api_version();
        let kind = &gvk.kind;
        let seen = s.type_meta_field.as_ref().map(|n| {
            let ident = format_ident!("{}", n);
            quote!(self.#ident = ::kubeclient_runtime::meta::TypeMetaPresence::Written;)
        });
        arms.push(quote! { "apiVersion" => { #seen #codec::const_field(map, "apiVersion", #api_version, Self::NAME) } });
        arms.push(
            quote! { "kind" => { #seen #codec::const_field(map, "kind", #kind, Self::NAME) } },
        );
    }
    for f in &s.fields {
        let key = &f.json_name;
        let ident = format_ident!("{}", f.rust_name);
        // Lists get exactly the capacity of their length (`codec::ExactVec`).
        let list = matches!(f.ty, Ty::Vec(_)) && !f.boxed;
        arms.push(match (f.required, list) {
            (true, true) => quote! { #key => #codec::req_seq(map, &mut self.#ident), },
            (true, false) => quote! { #key => #codec::req_field(map, &mut self.#ident), },
            (false, true) => quote! { #key => #codec::opt_seq(map, &mut self.#ident), },
            (false, false) => quote! { #key => #codec::opt_field(map, &mut self.#ident), },
        });
    }
    let unknown = match &s.unknown_fields {
        Some(n) => {
            let ident = format_ident!("{}", n);
            quote!(#codec::unknown_field(map, key, &mut self.#ident))
        }
        None => quote!(::core::result::Result::Ok(false)),
    };
    let body = if arms.is_empty() && s.unknown_fields.is_none() {
        quote! {
            let _ = (key, map);
            ::core::result::Result::Ok(false)
        }
    } else {
        quote! {
            match key {
                #(#arms)*
                _ => #unknown,
            }
        }
    };
    let before = s.type_meta_field.as_ref().map(|n| {
        let ident = format_ident!("{}", n);
        quote! {
            #[inline]
            fn before_fields(&mut self) {
                self.#ident = ::kubeclient_runtime::meta::TypeMetaPresence::Omitted;
            }
        }
    });
    quote! {
        impl #codec::DeStruct for #name {
            const NAME: &'static str = #label;
            #before
            fn de_field<'de, A: ::serde::de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> ::core::result::Result<bool, A::Error> {
                #body
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                #codec::deserialize_struct(d)
            }
        }
    }
}

fn ser_impl(s: &StructDef, name: &syn::Ident) -> TokenStream {
    let codec = quote!(::kubeclient_runtime::codec);
    let mut stmts: Vec<TokenStream> = Vec::new();
    if let Some(gvk) = &s.gvk {
        let api_version = gvk.api_version();
        let kind = &gvk.kind;
        let write = quote! {
            w.req("apiVersion", #api_version);
            w.req("kind", #kind);
        };
        stmts.push(match &s.type_meta_field {
            Some(n) => {
                let ident = format_ident!("{}", n);
                quote! { if self.#ident.is_written() { #write } }
            }
            None => write,
        });
    }
    for f in &s.fields {
        let key = &f.json_name;
        let ident = format_ident!("{}", f.rust_name);
        stmts.push(if f.required && f.ty == Ty::Bytes {
            quote! { w.req_bytes(#key, &self.#ident); }
        } else if f.required {
            quote! { w.req(#key, &self.#ident); }
        } else if f.always_written {
            quote! { w.opt_or_empty(#key, &self.#ident); }
        } else {
            quote! { w.opt(#key, &self.#ident); }
        });
    }
    if let Some(n) = &s.unknown_fields {
        let ident = format_ident!("{}", n);
        stmts.push(quote! { w.extra(&self.#ident); });
    }
    let body = if stmts.is_empty() {
        quote! {
            let _ = map;
            ::core::result::Result::Ok(())
        }
    } else {
        quote! {
            let mut w = #codec::FieldWriter::new(map);
            #(#stmts)*
            w.finish()
        }
    };
    quote! {
        impl #codec::SerStruct for #name {
            fn ser_fields<M: ::serde::ser::SerializeMap>(&self, map: &mut M) -> ::core::result::Result<(), M::Error> {
                #body
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                #codec::serialize_struct(self, s)
            }
        }
    }
}
