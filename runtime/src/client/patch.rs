//! The patch body of typed `patch` calls, tagged with its format.

use crate::rest::PatchType;

/// A patch together with its format, which decides the request's content type. The document
/// is anything that serializes: `serde_json::json!(...)` (the default), a typed struct of
/// just the fields to change, or a list of JSON-patch operations.
///
/// ```
/// use kubeclient_runtime::client::Patch;
/// #[derive(serde::Serialize)]
/// struct Replicas { spec: Spec }
/// #[derive(serde::Serialize)]
/// struct Spec { replicas: i32 }
/// let typed = Patch::Merge(Replicas { spec: Spec { replicas: 3 } });
/// let untyped = Patch::Merge(serde_json::json!({"spec": {"replicas": 3}}));
/// assert_eq!(serde_json::to_value(typed.body()).ok(), Some(untyped.body().clone()));
/// ```
///
/// For server-side apply prefer the generated apply configurations and `ResourceClient::apply`.
#[derive(Clone, Debug, PartialEq)]
pub enum Patch<T = serde_json::Value> {
    /// RFC 6902 JSON patch (an array of operations).
    Json(T),
    /// RFC 7386 JSON merge patch.
    Merge(T),
    /// Kubernetes strategic merge patch.
    Strategic(T),
    /// Server-side apply configuration; `PatchOptions::field_manager` is required.
    Apply(T),
}

impl<T> Patch<T> {
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
    pub fn body(&self) -> &T {
        match self {
            Patch::Json(v) | Patch::Merge(v) | Patch::Strategic(v) | Patch::Apply(v) => v,
        }
    }
}
