//! `DeleteOptions` (the body of DELETE) and its `Preconditions`.

use serde::{Deserialize, Serialize};

/// How a delete is carried out; sent as the body of `delete` and `deletecollection`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteOptions {
    /// API version of this representation, usually omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// `["All"]` to validate without persisting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<Vec<String>>,
    /// Seconds the object gets to terminate; 0 deletes immediately.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<i64>,
    /// Delete even if the object cannot be read from storage (decode or transform failure).
    /// Dangerous: may break the cluster. Not in 1.31 specs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_store_read_error_with_cluster_breaking_potential: Option<bool>,
    /// Kind of this representation, usually omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Deprecated: use `propagation_policy`. Whether dependents are orphaned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orphan_dependents: Option<bool>,
    /// Conditions that must hold or the delete fails with a conflict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preconditions: Option<Preconditions>,
    /// Garbage collection of dependents: `Orphan`, `Background` or `Foreground`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagation_policy: Option<String>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

impl DeleteOptions {
    /// These options with `propagationPolicy` set (the field stays a string: it is also the
    /// protobuf wire field, and a newer server may define more values).
    pub fn with_propagation_policy(mut self, policy: super::PropagationPolicy) -> Self {
        self.propagation_policy = Some(policy.as_str().to_owned());
        self
    }

    /// These options with `dryRun` set.
    pub fn with_dry_run(mut self, dry_run: super::DryRun) -> Self {
        self.dry_run = Some(vec![dry_run.as_str().to_owned()]);
        self
    }

    /// These options with `gracePeriodSeconds` set.
    pub fn with_grace_period_seconds(mut self, seconds: i64) -> Self {
        self.grace_period_seconds = Some(seconds);
        self
    }
}

/// Conditions checked before an operation (delete) is carried out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preconditions {
    /// The object must still have this resource version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    /// The object must still have this UID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_an_empty_body() {
        assert_eq!(
            serde_json::to_string(&DeleteOptions::default()).unwrap(),
            "{}"
        );
        let d = DeleteOptions {
            propagation_policy: Some("Foreground".into()),
            preconditions: Some(Preconditions {
                uid: Some("u".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"preconditions":{"uid":"u"},"propagationPolicy":"Foreground"}"#
        );
    }
}
