//! `impl Resource` and the verb / subresource marker impls for a served kind. The markers are
//! empty impls: the generic `ResourceClient<K>` in the runtime offers a method only when its
//! marker exists, so each typed client has exactly the spec's verbs with no code generated here.

use super::paths::{type_path, Root};
use crate::ir::{Ir, ResourceImpl, TypeDef, Verb};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Tokens for the `Resource` impl and markers of `t`.
pub fn resource_impls(ir: &Ir, root: &Root, t: &TypeDef, r: &ResourceImpl) -> TokenStream {
    let name = format_ident!("{}", t.rust_name);
    let (group, version, kind, plural) = (&r.gvk.group, &r.gvk.version, &r.gvk.kind, &r.plural);
    let api_version = r.gvk.api_version();
    let scope = if r.namespaced {
        quote!(Namespaced)
    } else {
        quote!(Cluster)
    };
    let verbs = r.verbs.iter().filter_map(|v| {
        let marker = match v {
            Verb::Get => "Get",
            Verb::List => "List",
            Verb::Watch => "Watch",
            Verb::Create => "Create",
            Verb::Update => "Update",
            Verb::Patch => "Patch",
            Verb::Delete => "Delete",
            Verb::DeleteCollection => "DeleteCollection",
            Verb::Connect => return None,
        };
        let marker = format_ident!("{}", marker);
        Some(quote! { impl ::kubeclient_runtime::resource::verbs::#marker for #name {} })
    });
    let subs = r.subresources.values().filter_map(|s| {
        let body = |ir: &Ir| {
            s.body_type
                .as_deref()
                .map(|b| type_path(ir, root, b, &t.module))
        };
        let sub = quote!(::kubeclient_runtime::resource::subresources);
        Some(match s.name.as_str() {
            "status" => quote! { impl #sub::Status for #name {} },
            "log" => quote! { impl #sub::Log for #name {} },
            "ephemeralcontainers" => quote! { impl #sub::EphemeralContainers for #name {} },
            "resize" => quote! { impl #sub::Resize for #name {} },
            "approval" => quote! { impl #sub::Approval for #name {} },
            "finalize" => quote! { impl #sub::Finalize for #name {} },
            "exec" => quote! { impl #sub::Exec for #name {} },
            "attach" => quote! { impl #sub::Attach for #name {} },
            "portforward" => quote! { impl #sub::PortForward for #name {} },
            // `proxy` and `proxy/{path}` share one marker: emit it once.
            "proxy" => quote! { impl #sub::Proxy for #name {} },
            "proxy/{path}" if !r.subresources.contains_key("proxy") => {
                quote! { impl #sub::Proxy for #name {} }
            }
            "scale" => {
                let b = body(ir)?;
                quote! { impl #sub::Scale for #name { type Scale = #b; } }
            }
            "eviction" => {
                let b = body(ir)?;
                quote! { impl #sub::Eviction for #name { type Eviction = #b; } }
            }
            "binding" => {
                let b = body(ir)?;
                quote! { impl #sub::Binding for #name { type Binding = #b; } }
            }
            "token" => {
                let b = body(ir)?;
                quote! { impl #sub::Token for #name { type TokenRequest = #b; } }
            }
            // Anything else is in the generator's report and stays reachable through the REST
            // builder (and listed in the discovery table).
            _ => return None,
        })
    });
    let has_protobuf =
        ir.protobuf && matches!(&t.kind, crate::ir::TypeKind::Struct(s) if s.proto.is_some());
    let protobuf = has_protobuf.then(|| {
        quote! {
            #[inline]
            fn protobuf() -> ::core::option::Option<::kubeclient_runtime::proto::ProtobufCodec<Self>> {
                ::core::option::Option::Some(::kubeclient_runtime::proto::ProtobufCodec::of())
            }
        }
    });
    quote! {
        impl ::kubeclient_runtime::Resource for #name {
            const GROUP: &'static str = #group;
            const VERSION: &'static str = #version;
            const API_VERSION: &'static str = #api_version;
            const KIND: &'static str = #kind;
            const PLURAL: &'static str = #plural;
            const SCOPE: ::kubeclient_runtime::Scope = ::kubeclient_runtime::Scope::#scope;
            #[inline]
            fn metadata(&self) -> &::kubeclient_runtime::meta::v1::ObjectMeta {
                &self.metadata
            }
            #[inline]
            fn metadata_mut(&mut self) -> &mut ::kubeclient_runtime::meta::v1::ObjectMeta {
                &mut self.metadata
            }
            #protobuf
        }
        #(#verbs)*
        #(#subs)*
    }
}
