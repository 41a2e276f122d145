//! `RawWatchEvent`: the apimachinery `WatchEvent` definition as plain data.

use crate::meta::RawExtension;
use serde::{Deserialize, Serialize};

/// A watch event as Go's `metav1.WatchEvent` holds it: any `type` string and the object as raw
/// JSON. This is the type of the spec's `WatchEvent` definition, so an event of a type this
/// crate does not know (or a fuzzed one, as upstream's fixtures hold) still decodes and
/// re-encodes exactly. Typed watch streams use [`super::WatchEvent`] instead.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawWatchEvent {
    /// `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`, `ERROR`, or anything a server sends.
    #[serde(
        rename = "type",
        default,
        deserialize_with = "crate::meta::zero_on_null::zero_on_null"
    )]
    pub type_: String,
    /// The object (a `Status` for `ERROR`).
    #[serde(default)]
    pub object: RawExtension,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn any_type_string_round_trips() {
        let v =
            json!({"type": "typeValue", "object": {"apiVersion": "example.com/v1", "kind": "X"}});
        let e: RawWatchEvent = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(e.type_, "typeValue");
        assert_eq!(serde_json::to_value(&e).unwrap(), v);
    }
}
