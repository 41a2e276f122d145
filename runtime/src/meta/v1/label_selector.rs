//! Label and field selectors in structured form.

use crate::meta::zero_on_null::zero_on_null;
use serde::{Deserialize, Serialize};

/// Selects objects by labels: all `match_labels` and all `match_expressions` must hold. An empty
/// selector matches everything; a missing one (`None` in the parent) matches nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    /// Requirements on labels, ANDed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::codec::de_opt_seq"
    )]
    pub match_expressions: Option<Vec<LabelSelectorRequirement>>,
    /// Exact label values required, ANDed (each is `key In [value]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_labels: Option<crate::Map<crate::Str, crate::Str>>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

/// One label requirement: `key operator values`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelectorRequirement {
    /// Label key.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub key: crate::Str,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub operator: crate::Str,
    /// Values for `In`/`NotIn`; empty for `Exists`/`DoesNotExist`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::codec::de_opt_seq"
    )]
    pub values: Option<Vec<crate::Str>>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

/// One field requirement: `key operator values` (used by e.g. ResourceClaim device selection
/// and authorization field selectors).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldSelectorRequirement {
    /// Field path the requirement applies to.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub key: crate::Str,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub operator: crate::Str,
    /// Values for `In`/`NotIn`; empty otherwise.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::codec::de_opt_seq"
    )]
    pub values: Option<Vec<crate::Str>>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}
