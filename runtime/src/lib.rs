//! kubeclient-runtime: the handwritten half of kubeclient.
//!
//! The generated crate (`kubeclient`) only declares types and binds them to the generic
//! machinery here, the way client-go's typed clients wrap `gentype`:
//!
//! - [`meta`]: apimachinery meta/v1 types, `Quantity`, `IntOrString`, `Time`, `List<K>`.
//! - [`proto`]: the protobuf wire format (`k8s\0` envelope, generated messages, watch frames).
//! - [`resource`]: the [`Resource`] trait and the verb / subresource marker traits.
//! - [`rest`]: `Config`, the REST client, request builder, errors, watch decoding.
//! - [`flowcontrol`]: token-bucket rate limiting and backoff.
//! - [`client`]: the generic typed client `ResourceClient<K>`, patches, log options.
//! - [`clientcmd`]: kubeconfig loading, overrides, exec plugins, in-cluster config.
//! - [`discovery`]: the static resource table the generator emits, and live discovery.
//! - [`cache`]: informers, indexed stores, listers and the work queue.
//! - [`dynamic`]: any resource as JSON with typed metadata (client-go's dynamic client).
//! - [`labels`]: label selector parsing and matching.
//! - [`leaderelection`]: leader election on a Lease.
//! - [`events`]: an Event recorder, as client-go's.
//! - [`secret`]: a string that never shows in `Debug` output or logs.
//!
//! `codec` holds the serde support generated code calls into; it is public for that code only
//! and hidden from the docs.

pub mod cache;
pub mod client;
pub mod clientcmd;
#[doc(hidden)]
pub mod codec;
pub mod discovery;
pub mod dynamic;
pub mod events;
pub mod flowcontrol;
pub mod labels;
pub mod leaderelection;
pub mod meta;
pub mod proto;
pub mod resource;
pub mod rest;
pub mod secret;
mod yaml_depth;

pub use resource::{Resource, Scope};
