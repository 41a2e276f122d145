//! `ListMeta`: metadata of list responses.

use serde::{Deserialize, Serialize};

/// Metadata of a list: the version it was read at and how to fetch the next page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMeta {
    /// Token for the next page when the list was paginated with `limit`; may expire (410).
    #[serde(rename = "continue", default, skip_serializing_if = "Option::is_none")]
    pub continue_: Option<String>,
    /// Estimated number of items after this page, when the server can tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_item_count: Option<i64>,
    /// Resource version the list was read at; start a watch from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    /// Deprecated URL of the list; no longer set by servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_keeps_its_wire_name() {
        let m: ListMeta =
            serde_json::from_str(r#"{"continue":"abc","resourceVersion":"7"}"#).unwrap();
        assert_eq!(m.continue_.as_deref(), Some("abc"));
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"continue":"abc","resourceVersion":"7"}"#
        );
    }
}
