//! `FieldsV1`: the server-side-apply field set, kept as raw JSON text.

use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use std::fmt;
use std::sync::Arc;

/// The set of fields a manager owns (server-side apply's `f:`/`k:` trie), kept as the JSON text
/// the server sent.
///
/// managedFields are about a third of a typical pod's JSON and clients rarely look inside them,
/// so holding the text avoids building a `serde_json::Value` tree per object. Parse it with
/// `serde_json::from_str(fields.as_str())` when you need the structure.
///
/// As Go's `FieldsV1.Raw`, text read from protobuf is not checked to be JSON when it is read,
/// only when it is written as JSON: serializing a set that is not JSON is an error.
///
/// Equal sets decoded in one [`sharing::scope`](crate::sharing::scope) (every response body the
/// REST client decodes) share one allocation, so cloning is cheap too.
///
/// Decoding from JSON needs a `serde_json` deserializer (`from_str`, `from_slice`,
/// `from_reader`, or `from_value`, which re-renders the value as text).
#[derive(Clone, PartialEq, Eq)]
pub struct FieldsV1(Arc<str>);

impl FieldsV1 {
    /// The set held as this JSON text, which must be valid JSON.
    ///
    /// # Errors
    /// When `json` is not one JSON value.
    pub fn from_json(json: String) -> Result<Self, serde_json::Error> {
        RawValue::from_string(json).map(|raw| FieldsV1(crate::sharing::text(raw.get())))
    }

    /// The set as text read from the wire, checked to be JSON only when it is written as JSON.
    pub(crate) fn from_unchecked_text(text: &str) -> Self {
        FieldsV1(crate::sharing::text(text))
    }

    /// The JSON text (equality compares it, so differently spaced but equal sets differ).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for FieldsV1 {
    /// An empty field set, `{}`.
    fn default() -> Self {
        FieldsV1("{}".into())
    }
}

impl fmt::Debug for FieldsV1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FieldsV1").field(&self.as_str()).finish()
    }
}

impl Serialize for FieldsV1 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Borrowing parse: checks the text without copying it (Go's json.Marshal also checks
        // what FieldsV1.MarshalJSON returns).
        let raw: &RawValue = serde_json::from_str(&self.0)
            .map_err(|e| S::Error::custom(format!("FieldsV1 is not JSON: {e}")))?;
        raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for FieldsV1 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::json_reader::raw_text(d, |raw| FieldsV1(crate::sharing::text(raw)))
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
    fn text_that_is_not_json_fails_to_serialize_not_to_read() {
        let f = FieldsV1::from_unchecked_text("{\"f:spec\":");
        let err = serde_json::to_string(&f).unwrap_err().to_string();
        assert!(err.contains("FieldsV1 is not JSON"), "{err}");
        assert!(FieldsV1::from_json("{".to_owned()).is_err());
        assert_eq!(
            FieldsV1::from_json("{}".to_owned()).unwrap(),
            FieldsV1::default()
        );
    }

    #[test]
    fn default_is_empty_object() {
        assert_eq!(FieldsV1::default().as_str(), "{}");
    }
}
