//! `Condition`: the standard shape of an entry in `status.conditions`.

use super::Time;
use crate::meta::zero_on_null::zero_on_null;
use serde::{Deserialize, Serialize};

/// One aspect of an object's current state (`Ready`, `Available`, ...), as used by most
/// controllers' `status.conditions`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// When the status last changed.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub last_transition_time: Time,
    /// Human-readable details of the transition; may be empty.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub message: crate::Str,
    /// `metadata.generation` the condition was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// CamelCase machine-readable reason for the last transition.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub reason: crate::Str,
    /// `True`, `False` or `Unknown`.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub status: crate::Str,
    /// Condition type in CamelCase (or `domain/Type`).
    #[serde(default, deserialize_with = "zero_on_null", rename = "type")]
    pub type_: crate::Str,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_and_missing_required_fields_are_zero() {
        let c: Condition = serde_json::from_str(
            r#"{"type":"Ready","status":"True","lastTransitionTime":null,"message":null}"#,
        )
        .unwrap();
        assert_eq!(c.type_, "Ready");
        assert_eq!(c.last_transition_time, Time::default());
        assert_eq!(c.message, "");
        assert_eq!(c.reason, "");
        let text = serde_json::to_string(&c).unwrap();
        assert!(
            text.contains(r#""type":"Ready""#) && text.contains(r#""lastTransitionTime":null"#),
            "{text}"
        );
    }
}
