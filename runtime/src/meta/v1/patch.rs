//! `PatchBody`: the spec's `meta/v1.Patch` definition, the raw body of a PATCH request.

use serde::{Deserialize, Serialize};

/// The body of a PATCH request: a JSON merge patch, strategic merge patch, JSON patch (an array)
/// or apply configuration. Its meaning depends on the request's content type, so it is held as
/// plain JSON. The default is an empty object, a no-op merge patch. To send a patch, use
/// `client::Patch`, which carries its format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PatchBody(pub serde_json::Value);

impl Default for PatchBody {
    fn default() -> Self {
        PatchBody(serde_json::Value::Object(serde_json::Map::new()))
    }
}
