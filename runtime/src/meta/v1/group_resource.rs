//! `GroupResource`: a resource named without its version.

use crate::meta::zero_on_null::zero_on_null;
use serde::{Deserialize, Serialize};

/// A resource identified by group and plural name, version-independent (`deployments.apps`).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GroupResource {
    /// API group, empty for the core group.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub group: String,
    /// Plural resource name.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub resource: String,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}
