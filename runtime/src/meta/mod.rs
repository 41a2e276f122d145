//! apimachinery types, handwritten once (being written).
pub mod v1;
