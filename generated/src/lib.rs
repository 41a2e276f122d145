//! kubeclient: typed Kubernetes clients for Rust, generated from the Kubernetes OpenAPI spec the
//! way client-go's are, on a small handwritten runtime.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use kubeclient::meta::v1::ListOptions;
//! let cs = kubeclient::Clientset::new(kubeclient::clientcmd::load_default()?)?;
//! let pods = cs.core_v1().pods("default");
//! let list = pods.list(&ListOptions { label_selector: Some("app=web".into()), ..Default::default() }).await?;
//! for p in &list.items {
//!     println!("{}", p.metadata.name.as_deref().unwrap_or_default());
//! }
//! # Ok(()) }
//! ```
//!
//! - [`api`]: every Kubernetes type, by package and version (`api::apps::v1::Deployment`);
//! - [`typed`]: one client per API group version (`typed::apps::v1::AppsV1Client`);
//! - [`Clientset`]: all of them over one HTTP client and one rate limiter;
//! - [`discovery`]: the static resource table;
//! - the runtime, re-exported: [`rest`], [`clientcmd`], [`meta`], [`client`], [`helpers`], [`Resource`].
//!
//! Each API group is a cargo feature (`core`, `apps`, `batch`, ...; all on by default). The
//! `client` feature (on by default) adds [`typed`], [`Clientset`] and the runtime's HTTP stack;
//! without it the crate is the types alone (serde, serde_json, jiff and base64 are all it
//! pulls in), for webhooks, wasm front ends and tools that only read and write objects.
// Doc comments are the spec's descriptions: prose written for Go, not markdown. The generator
// escapes what would change their meaning; list-indentation style is left as upstream wrote it.
#![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]

pub use kubeclient_runtime as runtime;
pub use kubeclient_runtime::{apply, helpers, labels, meta, resource, Map, Resource, Scope, Str};
#[cfg(feature = "client")]
pub use kubeclient_runtime::{
    cache, client, clientcmd, controller, dynamic, events, flowcontrol, leaderelection, pager,
    portforward, remotecommand, rest, watcher,
};

/// Kubernetes version the crate was generated for (`KUBECLIENT_K8S_VERSION` at build time).
pub const KUBERNETES_VERSION: &str = env!("KUBECLIENT_GENERATED_FOR");

#[cfg(feature = "kinds")]
pub mod kinds;

include!(concat!(env!("OUT_DIR"), "/lib.rs"));
