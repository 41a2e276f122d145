//! The generic typed client generated code wraps (client-go `gentype`).
//!
//! A generated typed client binds a kind to [`ResourceClient<K>`]; every verb and subresource
//! method is generic and gated by the marker traits of [`crate::resource`], so a kind offers
//! exactly the operations its spec declares and nothing is instantiated in the generated crate.

mod connect;
mod log_options;
mod patch;
mod resource_client;

pub use log_options::LogOptions;
pub use patch::Patch;
pub use resource_client::{ApiResource, ResourceClient};
