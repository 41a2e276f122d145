//! `ByteString`: binary data (`format: byte`), base64 on the wire.

use base64::Engine as _;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Binary data, encoded as standard base64 in JSON (Secret `data`, ConfigMap `binaryData`, CSR
/// requests).
///
/// `null` decodes to empty bytes, as Go does for a `[]byte`.
///
/// `Debug` prints only the length: this type holds Secret values, which must not end up in logs.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct ByteString(pub Vec<u8>);

impl fmt::Debug for ByteString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ByteString(<{} bytes>)", self.0.len())
    }
}

impl From<Vec<u8>> for ByteString {
    fn from(v: Vec<u8>) -> Self {
        ByteString(v)
    }
}

impl From<&[u8]> for ByteString {
    fn from(v: &[u8]) -> Self {
        ByteString(v.to_vec())
    }
}

impl Serialize for ByteString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for ByteString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ByteStringVisitor)
    }
}

struct ByteStringVisitor;

impl Visitor<'_> for ByteStringVisitor {
    type Value = ByteString;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a base64 string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ByteString, E> {
        // The text may be a secret: report its length and the decoder's complaint, not the text.
        base64::engine::general_purpose::STANDARD
            .decode(v)
            .map(ByteString)
            .map_err(|e| {
                E::custom(format_args!(
                    "invalid base64 in a {}-character byte string: {e}",
                    v.len()
                ))
            })
    }

    fn visit_unit<E: de::Error>(self) -> Result<ByteString, E> {
        Ok(ByteString::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        let b = ByteString(b"hunter2".to_vec());
        assert_eq!(serde_json::to_string(&b).unwrap(), r#""aHVudGVyMg==""#);
        let back: ByteString = serde_json::from_str(r#""aHVudGVyMg==""#).unwrap();
        assert_eq!(back, b);
        assert_eq!(
            serde_json::from_str::<ByteString>(r#""""#).unwrap(),
            ByteString::default()
        );
        let data: std::collections::BTreeMap<String, ByteString> =
            serde_json::from_str(r#"{"a":null}"#).unwrap();
        assert!(data["a"].0.is_empty());
        assert!(serde_json::from_str::<ByteString>("12").is_err());
    }

    #[test]
    fn debug_shows_only_length() {
        let dbg = format!("{:?}", ByteString(b"hunter2".to_vec()));
        assert_eq!(dbg, "ByteString(<7 bytes>)");
        assert!(!dbg.contains("hunter2") && !dbg.contains("aHVudGVyMg"));
    }

    #[test]
    fn bad_base64_does_not_echo_the_text() {
        let err = serde_json::from_str::<ByteString>(r#""s3cr3t!!""#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("base64") && !err.contains("s3cr3t"), "{err}");
    }
}
