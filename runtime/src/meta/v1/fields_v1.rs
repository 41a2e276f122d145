//! `FieldsV1`: the server-side-apply field set, kept as raw JSON text.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use std::fmt;

/// The set of fields a manager owns (server-side apply's `f:`/`k:` trie), kept as the JSON text
/// the server sent.
///
/// managedFields are about a third of a typical pod's JSON and clients rarely look inside them,
/// so holding the text avoids building a `serde_json::Value` tree per object. Parse it with
/// `serde_json::from_str(fields.0.get())` when you need the structure.
///
/// Decoding needs a `serde_json` deserializer (`from_str`, `from_slice`, `from_reader`, or
/// `from_value`, which re-renders the value as text).
pub struct FieldsV1(pub Box<RawValue>);

impl FieldsV1 {
    /// The JSON text.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }
}

impl Default for FieldsV1 {
    /// An empty field set, `{}`.
    fn default() -> Self {
        // Constant valid JSON, so this never falls back; `Box::default()` (`null`) avoids a panic.
        FieldsV1(RawValue::from_string("{}".to_owned()).unwrap_or_default())
    }
}

impl Clone for FieldsV1 {
    fn clone(&self) -> Self {
        FieldsV1(self.0.clone())
    }
}

impl PartialEq for FieldsV1 {
    /// Compares the JSON text, so differently spaced but equal documents are not equal.
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Eq for FieldsV1 {}

impl fmt::Debug for FieldsV1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FieldsV1").field(&self.0.get()).finish()
    }
}

impl Serialize for FieldsV1 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for FieldsV1 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(d).map(FieldsV1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_text_and_round_trips() {
        let json = r#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}"#;
        let f: FieldsV1 = serde_json::from_str(json).unwrap();
        assert_eq!(f.as_str(), json);
        assert_eq!(serde_json::to_string(&f).unwrap(), json);
        assert_eq!(f.clone(), f);
    }

    #[test]
    fn decodes_from_a_value_too() {
        let f: FieldsV1 = serde_json::from_value(serde_json::json!({"f:spec": {}})).unwrap();
        assert_eq!(f.as_str(), r#"{"f:spec":{}}"#);
    }

    #[test]
    fn default_is_empty_object() {
        assert_eq!(FieldsV1::default().as_str(), "{}");
    }
}
