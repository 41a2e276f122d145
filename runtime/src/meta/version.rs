//! `version::Info`: the answer of the server's `/version` endpoint.

use crate::meta::zero_on_null::zero_on_null;
use serde::{Deserialize, Serialize};

/// The server's build and version information (`GET /version`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    /// Build time, RFC 3339.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub build_date: String,
    /// Go compiler used (`gc`).
    #[serde(default, deserialize_with = "zero_on_null")]
    pub compiler: String,
    /// Major version the server emulates (compatibility versions, 1.31+).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emulation_major: Option<String>,
    /// Minor version the server emulates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emulation_minor: Option<String>,
    /// Git commit the binary was built from.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub git_commit: String,
    /// `clean` or `dirty`.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub git_tree_state: String,
    /// Full version string, e.g. `v1.35.0`.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub git_version: String,
    /// Go version used to build.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub go_version: String,
    /// Major version, e.g. `1`.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub major: String,
    /// Oldest major version the server can be rolled back to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_compatibility_major: Option<String>,
    /// Oldest minor version the server can be rolled back to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_compatibility_minor: Option<String>,
    /// Minor version, e.g. `35` (may carry a `+` on some distributions).
    #[serde(default, deserialize_with = "zero_on_null")]
    pub minor: String,
    /// `os/arch` of the server binary.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub platform: String,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_real_answer_and_tolerates_null() {
        let i: Info = serde_json::from_str(
            r#"{"major":"1","minor":"35","gitVersion":"v1.35.0","gitCommit":"abc","gitTreeState":"clean",
               "buildDate":"2025-12-17T12:00:00Z","goVersion":"go1.25.5","compiler":"gc","platform":"linux/amd64",
               "emulationMajor":"1","emulationMinor":"35"}"#,
        )
        .unwrap();
        assert_eq!(i.git_version, "v1.35.0");
        assert_eq!(i.emulation_minor.as_deref(), Some("35"));
        let i: Info = serde_json::from_str(r#"{"major":null}"#).unwrap();
        assert_eq!(i, Info::default());
    }
}
