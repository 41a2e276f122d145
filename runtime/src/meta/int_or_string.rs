//! `IntOrString`: fields such as ports and rollout percentages that take either form.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A value that is either a 32-bit integer or a string (`8080` or `"http"`, `1` or `"25%"`).
/// The JSON form decides the variant. The default is `Int(0)`, Go's zero value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IntOrString {
    /// A JSON number.
    Int(i32),
    /// A JSON string.
    String(String),
}

impl Default for IntOrString {
    fn default() -> Self {
        IntOrString::Int(0)
    }
}

impl From<i32> for IntOrString {
    fn from(v: i32) -> Self {
        IntOrString::Int(v)
    }
}

impl From<&str> for IntOrString {
    fn from(v: &str) -> Self {
        IntOrString::String(v.to_owned())
    }
}

impl From<String> for IntOrString {
    fn from(v: String) -> Self {
        IntOrString::String(v)
    }
}

impl fmt::Display for IntOrString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrString::Int(i) => write!(f, "{i}"),
            IntOrString::String(s) => f.write_str(s),
        }
    }
}

impl Serialize for IntOrString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            IntOrString::Int(i) => s.serialize_i32(*i),
            IntOrString::String(v) => s.serialize_str(v),
        }
    }
}

impl<'de> Deserialize<'de> for IntOrString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntOrStringVisitor)
    }
}

/// A hand-written visitor instead of `#[serde(untagged)]`: no buffering, and errors that say
/// what was wrong (an out-of-range number) instead of "did not match any variant".
struct IntOrStringVisitor;

impl Visitor<'_> for IntOrStringVisitor {
    type Value = IntOrString;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an int32 or a string (IntOrString)")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntOrString, E> {
        i32::try_from(v)
            .map(IntOrString::Int)
            .map_err(|_| E::custom(format_args!("IntOrString: {v} does not fit in an int32")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntOrString, E> {
        i32::try_from(v)
            .map(IntOrString::Int)
            .map_err(|_| E::custom(format_args!("IntOrString: {v} does not fit in an int32")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<IntOrString, E> {
        Ok(IntOrString::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<IntOrString, E> {
        Ok(IntOrString::String(v))
    }

    /// Go leaves the zero value (`Int(0)`) for `null`.
    fn visit_unit<E: de::Error>(self) -> Result<IntOrString, E> {
        Ok(IntOrString::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_round_trip() {
        let i: IntOrString = serde_json::from_str("8080").unwrap();
        assert_eq!(i, IntOrString::Int(8080));
        assert_eq!(serde_json::to_string(&i).unwrap(), "8080");
        let s: IntOrString = serde_json::from_str(r#""25%""#).unwrap();
        assert_eq!(s, IntOrString::String("25%".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""25%""#);
        let n: IntOrString = serde_json::from_str("-3").unwrap();
        assert_eq!(n, IntOrString::Int(-3));
        assert_eq!(IntOrString::default(), IntOrString::Int(0));
        let v: Vec<IntOrString> = serde_json::from_str("[null]").unwrap();
        assert_eq!(v, vec![IntOrString::Int(0)]);
    }

    #[test]
    fn rejects_out_of_range_and_other_types() {
        let err = serde_json::from_str::<IntOrString>("4294967296")
            .unwrap_err()
            .to_string();
        assert!(err.contains("4294967296"), "{err}");
        assert!(serde_json::from_str::<IntOrString>("1.5").is_err());
        assert!(serde_json::from_str::<IntOrString>("true").is_err());
    }
}
