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
//! - [`apply`]: server-side apply configurations and `extract` (client-go `applyconfigurations`).
//! - [`client`]: the generic typed client `ResourceClient<K>`, patches, log options.
//! - [`clientcmd`]: kubeconfig loading, overrides, exec plugins, in-cluster config.
//! - [`discovery`]: the static resource table the generator emits, and live discovery.
//! - [`controller`]: the reconcile loop of operators, with predicates on its inputs.
//! - [`cache`]: informers, indexed stores, listers and the work queue.
//! - [`portforward`]: streams to a pod's ports, and a local listener forwarding to one.
//! - [`remotecommand`]: exec and attach sessions over WebSocket (client-go `remotecommand`).
//! - [`dynamic`]: any resource as JSON with typed metadata (client-go's dynamic client).
//! - [`helpers`]: retry on conflict, status conditions, owner references, finalizers.
//! - [`labels`]: label selector parsing and matching.
//! - [`map`]: [`Map`], the sorted-vector map of every map field.
//! - [`leaderelection`]: leader election on a Lease.
//! - [`events`]: an Event recorder, as client-go's.
//! - [`pager`]: list in chunks, falling back to a full list when the continue token expires.
//! - [`watcher`]: list + watch as one endless event stream that resumes and re-lists.
//! - [`secret`]: a string that never shows in `Debug` output or logs.
//! - [`sharing`]: equal managedFields texts kept once while decoding a list.
//!
//! `codec` holds the serde support generated code calls into; it is public for that code only
//! and hidden from the docs.
//!
//! The `client` feature (on by default) is everything that talks to a server: `rest`,
//! `client`, `clientcmd`, `flowcontrol`, `cache`, `dynamic`, `events`, `leaderelection` and
//! live discovery. Without it the crate is types only and pulls no HTTP stack.

pub mod apply;
#[cfg(feature = "client")]
pub mod cache;
#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod clientcmd;
#[doc(hidden)]
pub mod codec;
#[cfg(feature = "client")]
pub mod controller;
pub mod discovery;
#[cfg(feature = "client")]
pub mod dynamic;
#[cfg(feature = "client")]
pub mod events;
#[cfg(feature = "client")]
pub mod flowcontrol;
pub mod helpers;
mod json_reader;
pub mod labels;
#[cfg(feature = "client")]
pub mod leaderelection;
pub mod map;
pub mod meta;
#[cfg(feature = "client")]
pub mod pager;
#[cfg(feature = "client")]
pub mod portforward;
pub mod proto;
#[cfg(feature = "client")]
pub mod remotecommand;
pub mod resource;
#[cfg(feature = "client")]
pub mod rest;
pub mod secret;
pub mod sharing;
#[cfg(feature = "client")]
pub mod watcher;
#[cfg(feature = "client")]
mod yaml_depth;

pub use map::Map;
pub use resource::{Resource, Scope};

/// The string type of every string field and map key of the API types.
///
/// A `String` with its text held inline up to 24 bytes (most names, enum values, label keys and
/// values), so decoding a pod makes about 100 fewer allocations. It derefs to `str`, converts from
/// `&str` and `String` with `.into()`, and borrows as `str` (so `map.get("app")` works).
pub use compact_str::CompactString as Str;

/// The serde this runtime is built with. Code generated for CRDs into a user's crate names it
/// (and [`serde_json`]) through `kubeclient::runtime`, so that crate needs neither as a
/// dependency of its own.
#[doc(hidden)]
pub use serde;
/// The serde_json this runtime is built with: `serde_json::Value` appears in the API of
/// dynamic objects and of types with free-form fields.
pub use serde_json;
