//! Group-version clients (`AppsV1Client`) and the `Clientset`, as client-go's `typed/<group>/<version>`
//! and `kubernetes.Clientset`. Every method is a one-line `#[inline]` constructor, so nothing is
//! compiled into the generated crate until a user calls it.

use super::docs::code;
use super::paths::{type_path, Root};
use crate::ir::{GroupVersion, Ir};
use crate::naming;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Module path of a group-version client: `typed::<feature>::<version>`.
pub fn client_module(feature: &str, version: &str) -> Vec<String> {
    vec![
        "typed".to_owned(),
        naming::module_name(feature),
        naming::module_name(version),
    ]
}

/// The client of one group version.
pub fn group_client(ir: &Ir, root: &Root, feature: &str, gv: &GroupVersion) -> TokenStream {
    let module = client_module(feature, &gv.version);
    let client = format_ident!("{}", naming::group_client_name(feature, &gv.version));
    let api_version = if gv.group.is_empty() {
        gv.version.clone()
    } else {
        format!("{}/{}", gv.group, gv.version)
    };
    let doc = format!(
        " Client for the {} API: one accessor per resource.",
        code(&api_version)
    );
    let methods = gv.resources.iter().filter_map(|def| {
        let (t, _, r) = ir.resource(def)?;
        let method = format_ident!("{}", naming::resource_method(&t.rust_name, &r.plural));
        let ty = type_path(ir, root, def, &module);
        Some(if r.namespaced {
            let doc = format!(" {} in `namespace` (`\"\"` for all namespaces).", code(&r.plural));
            quote! {
                #[doc = #doc]
                #[inline]
                pub fn #method(&self, namespace: &str) -> ::kubeclient_runtime::client::ResourceClient<#ty> {
                    ::kubeclient_runtime::client::ResourceClient::namespaced(self.rest.clone(), namespace)
                }
            }
        } else {
            let doc = format!(" {} (cluster scoped).", code(&r.plural));
            quote! {
                #[doc = #doc]
                #[inline]
                pub fn #method(&self) -> ::kubeclient_runtime::client::ResourceClient<#ty> {
                    ::kubeclient_runtime::client::ResourceClient::cluster(self.rest.clone())
                }
            }
        })
    });
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug)]
        pub struct #client {
            rest: ::kubeclient_runtime::rest::RestClient,
        }

        impl #client {
            /// Wrap a REST client already rooted at this group version.
            #[inline]
            pub fn new(rest: ::kubeclient_runtime::rest::RestClient) -> Self {
                Self { rest }
            }

            /// The REST client, for requests the typed methods do not cover.
            #[inline]
            pub fn rest_client(&self) -> &::kubeclient_runtime::rest::RestClient {
                &self.rest
            }

            #(#methods)*
        }
    }
}

/// The `Clientset`: one HTTP client and one rate limiter shared by every group client.
pub fn clientset(ir: &Ir, root: &Root, opts: &super::Options) -> TokenStream {
    let accessors = ir.groups.values().flat_map(|g| {
        g.versions.values().map(move |gv| {
            let feature = &g.feature;
            let accessor = format_ident!("{}", naming::group_accessor(feature, &gv.version));
            let client = format_ident!("{}", naming::group_client_name(feature, &gv.version));
            let module: Vec<_> = client_module(feature, &gv.version).into_iter().map(|s| format_ident!("{}", s)).collect();
            let (group, version) = (&gv.group, &gv.version);
            let root = &root.0;
            let cfg = opts.cfg(feature);
            let api_version = if group.is_empty() { version.clone() } else { format!("{group}/{version}") };
            let doc = format!(" Client for {}.", code(&api_version));
            quote! {
                #cfg
                #[doc = #doc]
                #[inline]
                pub fn #accessor(&self) -> #root #(:: #module)* :: #client {
                    #root #(:: #module)* :: #client::new(self.rest.for_group_version(#group, #version))
                }
            }
        })
    });
    quote! {
        /// Typed clients for every API group version, sharing one HTTP client and one rate
        /// limiter (client-go `kubernetes.NewForConfig`).
        #[derive(Clone, Debug)]
        pub struct Clientset {
            rest: ::kubeclient_runtime::rest::RestClient,
        }

        impl Clientset {
            /// Build the shared HTTP client and rate limiter from `config`. No request is
            /// made: a wrong server or credentials show on the first call.
            ///
            /// # Errors
            /// `rest::Error::Config` naming the field when the configuration cannot make a
            /// client: a malformed server URL, unreadable or invalid CA or client
            /// certificates, or an unusable proxy.
            pub fn new(config: ::kubeclient_runtime::rest::Config) -> ::core::result::Result<Self, ::kubeclient_runtime::rest::Error> {
                Ok(Self { rest: ::kubeclient_runtime::rest::RestClient::new(&config)? })
            }

            /// Use an existing REST client (its limiter stays shared).
            #[inline]
            pub fn from_rest_client(rest: ::kubeclient_runtime::rest::RestClient) -> Self {
                Self { rest }
            }

            /// The underlying REST client.
            #[inline]
            pub fn rest_client(&self) -> &::kubeclient_runtime::rest::RestClient {
                &self.rest
            }

            #(#accessors)*
        }
    }
}
