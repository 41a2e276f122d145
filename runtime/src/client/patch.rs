//! The patch body of typed `patch` calls, tagged with its format.

use crate::rest::PatchType;

/// A patch together with its format, which decides the request's content type.
#[derive(Clone, Debug, PartialEq)]
pub enum Patch {
    /// RFC 6902 JSON patch (an array of operations).
    Json(serde_json::Value),
    /// RFC 7386 JSON merge patch.
    Merge(serde_json::Value),
    /// Kubernetes strategic merge patch.
    Strategic(serde_json::Value),
    /// Server-side apply configuration; `PatchOptions::field_manager` is required.
    Apply(serde_json::Value),
}

impl Patch {
    /// The patch format.
    pub fn patch_type(&self) -> PatchType {
        match self {
            Patch::Json(_) => PatchType::Json,
            Patch::Merge(_) => PatchType::Merge,
            Patch::Strategic(_) => PatchType::StrategicMerge,
            Patch::Apply(_) => PatchType::Apply,
        }
    }

    /// The patch document.
    pub fn body(&self) -> &serde_json::Value {
        match self {
            Patch::Json(v) | Patch::Merge(v) | Patch::Strategic(v) | Patch::Apply(v) => v,
        }
    }
}
