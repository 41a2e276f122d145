//! `Status`: the API server's answer for errors and for operations without an object result.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::ListMeta;

/// Result of an operation that does not return an object, and the body of every error response.
///
/// Every field is optional and unknown fields are ignored, so anything shaped like a Status
/// (including proxies' partial answers) decodes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// API version of this representation (`v1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Suggested HTTP status code, 0 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
    /// Extra reason-specific data (the object involved, field causes, retry hint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<StatusDetails>,
    /// Kind of this representation (`Status`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Human-readable description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// List metadata (unused by most answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ListMeta>,
    /// Machine-readable reason in CamelCase (`NotFound`, `AlreadyExists`, `Conflict`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `Success` or `Failure`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

/// Reason-specific data attached to a [`Status`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusDetails {
    /// Individual causes, e.g. one per invalid field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causes: Option<Vec<StatusCause>>,
    /// API group of the object involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind (or resource) of the object involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name of the object involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Seconds the client should wait before retrying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<i32>,
    /// UID of the object involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

/// One cause of a failure, usually tied to a field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusCause {
    /// Path of the offending field (`spec.containers[0].image`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Human-readable description of the cause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Machine-readable cause (`FieldValueRequired`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

impl Status {
    /// Whether the server reported `status: Success`.
    pub fn is_success(&self) -> bool {
        self.status.as_deref() == Some("Success")
    }
}

impl fmt::Display for Status {
    /// `Reason: message`, falling back to whatever is present (code, status) so an
    /// empty-looking Status still says something.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = self.reason.as_deref().filter(|s| !s.is_empty());
        let message = self.message.as_deref().filter(|s| !s.is_empty());
        match (reason, message) {
            (Some(r), Some(m)) => write!(f, "{r}: {m}"),
            (Some(r), None) => f.write_str(r),
            (None, Some(m)) => f.write_str(m),
            (None, None) => {
                let status = self
                    .status
                    .as_deref()
                    .filter(|s| !s.is_empty())
                    .unwrap_or("unknown status");
                match self.code {
                    Some(code) if code != 0 => write!(f, "{status} (code {code})"),
                    _ => f.write_str(status),
                }
            }
        }
    }
}

impl std::error::Error for Status {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_not_found_and_displays_reason_and_message() {
        let s: Status = serde_json::from_str(
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
               "message":"pods \"x\" not found","reason":"NotFound",
               "details":{"name":"x","kind":"pods"},"code":404,"extra":{"ignored":true}}"#,
        )
        .unwrap();
        assert!(!s.is_success());
        assert_eq!(s.code, Some(404));
        assert_eq!(s.details.as_ref().unwrap().name.as_deref(), Some("x"));
        assert_eq!(s.to_string(), "NotFound: pods \"x\" not found");
    }

    #[test]
    fn tolerates_missing_everything() {
        let s: Status = serde_json::from_str("{}").unwrap();
        assert_eq!(s, Status::default());
        assert_eq!(s.to_string(), "unknown status");
        let s: Status = serde_json::from_str(r#"{"status":"Success","code":200}"#).unwrap();
        assert!(s.is_success());
        assert_eq!(s.to_string(), "Success (code 200)");
    }
}
