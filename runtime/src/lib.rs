//! kubeclient-runtime: the handwritten half of kubeclient.
//!
//! The generated crate (`kubeclient`) only declares types and binds them to the generic
//! machinery here, the way client-go's typed clients wrap `gentype`:
//!
//! - [`meta`]: apimachinery meta/v1 types, `Quantity`, `IntOrString`, `Time`, `List<K>`.
//! - [`resource`]: the [`Resource`] trait and the verb / subresource marker traits.
//! - [`codec`]: compact serde support that generated types call into.
//! - [`rest`]: `Config`, the REST client, request builder, errors, watch decoding.
//! - [`flowcontrol`]: token-bucket rate limiting.
//! - [`client`]: the generic typed client `ResourceClient<K>`.
//! - [`discovery`]: the static resource table the generator emits.
//! - [`clientcmd`]: kubeconfig loading.

pub mod cache;
pub mod client;
pub mod clientcmd;
pub mod codec;
pub mod discovery;
pub mod dynamic;
pub mod events;
pub mod flowcontrol;
pub mod labels;
pub mod leaderelection;
pub mod meta;
pub mod resource;
pub mod rest;
pub mod secret;
mod yaml_depth;

pub use resource::{Resource, Scope};
