//! Stage 1: a serde model of the input specs. Only what the generator reads is typed; every
//! `x-kubernetes-*` extension it knows is a field, and anything else is kept in `extra` so
//! nothing is lost silently.

pub mod crd;
pub mod openapi_v3;
pub mod swagger;

pub use swagger::{
    ref_target, AdditionalProperties, Gvk, Operation, Parameter, PathItem, Response, Schema, Swagger,
};
