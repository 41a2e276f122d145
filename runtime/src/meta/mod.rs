//! apimachinery types, written by hand once instead of generated.
//!
//! The generator maps every `io.k8s.apimachinery.*` definition of the Kubernetes OpenAPI spec to
//! a type here: [`v1`] holds `meta/v1` (ObjectMeta, Status, List, WatchEvent, options ...), this
//! module holds the scalar-like types (`Quantity`, `IntOrString`, `RawExtension`, `ByteString`)
//! and [`version`] holds the server's `/version` answer.

mod byte_string;
mod int_or_string;
mod quantity;
mod raw_extension;
mod type_meta;
mod unknown_fields;
pub mod v1;
pub mod version;
mod zero_on_null;

#[cfg(test)]
mod spec_drift_tests;

pub use byte_string::ByteString;
pub use int_or_string::IntOrString;
pub use quantity::Quantity;
pub use raw_extension::RawExtension;
pub use type_meta::TypeMetaPresence;
pub use unknown_fields::UnknownFields;
