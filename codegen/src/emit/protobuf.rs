//! Protobuf impls of generated types: `Message` for structs matched to a message (one call per
//! field into `kubeclient_runtime::proto`, fields in ascending number order as Go writes them)
//! and `Value` for string newtypes (a message's `Value` is the runtime's blanket impl).

use super::paths::{ty_tokens, type_path, Root};
use crate::ir::{Field, Ir, ProtoSpecial, StructDef, Ty, TypeDef, TypeKind};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeMap;

/// The runtime's protobuf module.
fn pb() -> TokenStream {
    quote!(::kubeclient_runtime::proto)
}

/// `Value` of a string newtype: the string itself.
pub fn newtype_value(name: &syn::Ident) -> TokenStream {
    let pb = pb();
    quote! {
        impl #pb::Value for #name {
            #[inline]
            fn encode_value(&self, field: u32, w: &mut #pb::Writer) {
                #pb::Value::encode_value(&self.0, field, w)
            }
            #[inline]
            fn merge_value(&mut self, wire: #pb::WireType, r: &mut #pb::Reader<'_>) -> ::core::result::Result<(), #pb::DecodeError> {
                #pb::Value::merge_value(&mut self.0, wire, r)
            }
        }
    }
}

/// A field or the message of an embedded Go struct holding more fields, by number.
enum Node<'a> {
    Field(&'a Field),
    Embedded(BTreeMap<u32, Node<'a>>),
}

fn tree(s: &StructDef) -> BTreeMap<u32, Node<'_>> {
    let mut top: BTreeMap<u32, Node<'_>> = BTreeMap::new();
    for f in &s.fields {
        if let Some(p) = &f.proto {
            insert(&mut top, &p.embedded_in, p.number, f);
        }
    }
    top
}

fn insert<'a>(level: &mut BTreeMap<u32, Node<'a>>, path: &[u32], number: u32, f: &'a Field) {
    match path.split_first() {
        None => {
            level.insert(number, Node::Field(f));
        }
        Some((n, rest)) => {
            let node = level
                .entry(*n)
                .or_insert_with(|| Node::Embedded(BTreeMap::new()));
            // The IR never puts a field and an embedded message at one number.
            if let Node::Embedded(children) = node {
                insert(children, rest, number, f);
            }
        }
    }
}

/// `Message` of a struct with a protobuf message.
pub fn struct_impls(
    ir: &Ir,
    root: &Root,
    t: &TypeDef,
    s: &StructDef,
    name: &syn::Ident,
) -> TokenStream {
    let pb = pb();
    let nodes = tree(s);
    let encode = encode_nodes(ir, root, t, &nodes);
    let arms = merge_arms(ir, root, t, &nodes);
    let body = if nodes.is_empty() {
        quote! {
            let _ = field;
            r.skip(wire)
        }
    } else {
        quote! {
            match field {
                #(#arms)*
                _ => r.skip(wire),
            }
        }
    };
    // An embedded object's apiVersion/kind are never in protobuf (Go leaves them empty there).
    let mark_nested = s.type_meta_field.as_ref().map(|n| {
        let ident = format_ident!("{}", n);
        quote! {
            #[inline]
            fn mark_nested(&mut self) {
                self.#ident = ::kubeclient_runtime::meta::TypeMetaPresence::Omitted;
            }
        }
    });
    let encode_body = if nodes.is_empty() {
        quote!(let _ = (self, w);)
    } else {
        encode
    };
    // `Value` comes from the runtime's blanket impl for every `Message`.
    quote! {
        impl #pb::Message for #name {
            #[inline]
            fn encode_fields(&self, w: &mut #pb::Writer) {
                #encode_body
            }
            #[inline]
            fn merge_field(&mut self, field: u32, wire: #pb::WireType, r: &mut #pb::Reader<'_>) -> ::core::result::Result<(), #pb::DecodeError> {
                #body
            }
            #mark_nested
        }
    }
}

fn encode_nodes(ir: &Ir, root: &Root, t: &TypeDef, nodes: &BTreeMap<u32, Node<'_>>) -> TokenStream {
    let pb = pb();
    let stmts = nodes
        .iter()
        .map(|(n, node)| (Literal::u32_unsuffixed(*n), node))
        .map(|(n, node)| match node {
            Node::Field(f) => {
                let ident = format_ident!("{}", f.rust_name);
                match f.proto.as_ref().and_then(|p| p.special.as_ref()) {
                    Some(special) => {
                        let codec = codec(ir, root, t, f, special);
                        quote!(#pb::codec::encode_with::<#codec>(&self.#ident, #n, w);)
                    }
                    None if f.always_written && !f.required => {
                        quote!(#pb::by_value(&self.#ident, #n, w);)
                    }
                    None => quote!(#pb::Value::encode_value(&self.#ident, #n, w);),
                }
            }
            Node::Embedded(children) => {
                let inner = encode_nodes(ir, root, t, children);
                quote!(w.nested(#n, |w| { #inner });)
            }
        });
    quote!(#(#stmts)*)
}

fn merge_arms(
    ir: &Ir,
    root: &Root,
    t: &TypeDef,
    nodes: &BTreeMap<u32, Node<'_>>,
) -> Vec<TokenStream> {
    let pb = pb();
    nodes
        .iter()
        .map(|(n, node)| (Literal::u32_unsuffixed(*n), node))
        .map(|(n, node)| match node {
            Node::Field(f) => {
                let ident = format_ident!("{}", f.rust_name);
                let key = &f.json_name;
                match f.proto.as_ref().and_then(|p| p.special.as_ref()) {
                    Some(special) => {
                        let codec = codec(ir, root, t, f, special);
                        quote!(#n => #pb::codec::merge_with::<#codec>(&mut self.#ident, wire, r, #key),)
                    }
                    None => quote!(#n => #pb::field(&mut self.#ident, wire, r, #key),),
                }
            }
            Node::Embedded(children) => {
                let arms = merge_arms(ir, root, t, children);
                quote! {
                    #n => #pb::embedded(wire, r, |field, wire, r| match field {
                        #(#arms)*
                        _ => r.skip(wire),
                    }),
                }
            }
        })
        .collect()
}

/// The codec type of a field whose Rust type is not its protobuf shape.
fn codec(ir: &Ir, root: &Root, t: &TypeDef, f: &Field, special: &ProtoSpecial) -> TokenStream {
    let pb = pb();
    let inner = codec_of(ir, root, t, &f.ty, special);
    if f.required {
        inner
    } else {
        quote!(#pb::codec::Opt<#inner>)
    }
}

fn codec_of(ir: &Ir, root: &Root, t: &TypeDef, ty: &Ty, special: &ProtoSpecial) -> TokenStream {
    let pb = pb();
    let schema = |def: &str| type_path(ir, root, def, &t.module);
    match (ty, special) {
        (Ty::Map(v), ProtoSpecial::WrappedMapValues) => {
            let v = ty_tokens(ir, root, v, &t.module);
            quote!(#pb::codec::Entries<#pb::codec::Wrapped<#pb::codec::Plain<#v>>>)
        }
        (Ty::Vec(e), _) => {
            let e = codec_of(ir, root, t, e, special);
            quote!(#pb::codec::Rep<#e>)
        }
        (Ty::Map(v), _) => {
            let v = codec_of(ir, root, t, v, special);
            quote!(#pb::codec::Entries<#v>)
        }
        (_, ProtoSpecial::RawJson) if is_json(ir, ty) => quote!(#pb::codec::RawJson),
        (_, ProtoSpecial::OrBool(d)) if is_json(ir, ty) => {
            let p = schema(d);
            quote!(#pb::codec::OrBool<#p>)
        }
        (_, ProtoSpecial::OrArray(d)) if is_json(ir, ty) => {
            let p = schema(d);
            quote!(#pb::codec::OrArray<#p>)
        }
        (_, ProtoSpecial::OrStringArray(d)) if is_json(ir, ty) => {
            let p = schema(d);
            quote!(#pb::codec::OrStringArray<#p>)
        }
        _ => {
            let ty = ty_tokens(ir, root, ty, &t.module);
            quote!(#pb::codec::Plain<#ty>)
        }
    }
}

fn is_json(ir: &Ir, ty: &Ty) -> bool {
    match ty {
        Ty::Json => true,
        Ty::Named(n) => matches!(ir.types.get(n).map(|t| &t.kind), Some(TypeKind::Json)),
        _ => false,
    }
}
