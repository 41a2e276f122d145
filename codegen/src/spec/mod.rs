//! Stage 1: a serde model of the input specs. Only what the generator reads is typed; every
//! `x-kubernetes-*` extension it knows is a field, and anything else is kept in `extra` so
//! nothing is lost silently.

/// Extension the CRD frontend puts on a kind's definition to carry `spec.names.shortNames`
/// (upstream specs have no place for short names; kube-apiserver's registry declares them).
pub const SHORT_NAMES_EXTENSION: &str = "x-kubeclient-short-names";

pub mod crd;
pub mod hoist;
pub mod openapi_v3;
pub mod proto;
pub mod swagger;

pub use swagger::{
    ref_target, AdditionalProperties, Gvk, Operation, Parameter, PathItem, Response, Schema,
    Swagger,
};
