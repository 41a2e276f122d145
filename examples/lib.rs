//! Examples of kubeclient. [`operator`] is a complete operator for the `Greeting` CRD of
//! `crds/greeting.yaml`, whose types and client `build.rs` generates into [`crds`].

/// Types and the typed client generated from `crds/greeting.yaml`.
#[allow(missing_docs, clippy::all)]
pub mod crds {
    include!(concat!(env!("OUT_DIR"), "/lib.rs"));
}

pub mod operator;
