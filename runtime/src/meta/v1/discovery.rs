//! Discovery documents: `/api`, `/apis`, `/apis/<group>/<version>`.

use crate::meta::zero_on_null::zero_on_null;
use serde::{Deserialize, Serialize};

/// An API group and the versions it serves (an entry of `/apis`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct APIGroup {
    /// API version of this representation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of this representation (`APIGroup`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Group name, e.g. `apps`.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub name: String,
    /// The version clients should use when they have no preference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_version: Option<GroupVersionForDiscovery>,
    /// Server addresses to use per client network; clients pick the most specific CIDR match.
    #[serde(
        default,
        rename = "serverAddressByClientCIDRs",
        skip_serializing_if = "Option::is_none"
    )]
    pub server_address_by_client_cidrs: Option<Vec<ServerAddressByClientCIDR>>,
    /// Versions the group serves.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub versions: Vec<GroupVersionForDiscovery>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

/// All API groups a server serves (`GET /apis`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct APIGroupList {
    /// API version of this representation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// The groups.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub groups: Vec<APIGroup>,
    /// Kind of this representation (`APIGroupList`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

/// One resource served in a group version and what can be done with it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct APIResource {
    /// Groupings the resource belongs to, e.g. `all`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// Group of the resource when it differs from the containing group version (subresources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind of the resource's objects.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub kind: String,
    /// Plural name; subresources look like `pods/status`.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub name: String,
    /// Whether the resource is namespaced.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub namespaced: bool,
    /// Short names kubectl accepts, e.g. `po`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_names: Option<Vec<String>>,
    /// Singular name, e.g. `pod`.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub singular_name: String,
    /// Hash of the storage version; changes when storage migrates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_version_hash: Option<String>,
    /// Supported verbs (`get`, `list`, `watch`, ...).
    #[serde(default, deserialize_with = "zero_on_null")]
    pub verbs: Vec<String>,
    /// Version of the resource when it differs from the containing group version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

/// The resources of one group version (`GET /apis/<group>/<version>`, `GET /api/v1`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct APIResourceList {
    /// API version of this representation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// The group version described, e.g. `apps/v1`.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub group_version: String,
    /// Kind of this representation (`APIResourceList`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The resources.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub resources: Vec<APIResource>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

/// The versions of the legacy core group (`GET /api`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct APIVersions {
    /// API version of this representation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of this representation (`APIVersions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Server addresses to use per client network.
    #[serde(
        default,
        rename = "serverAddressByClientCIDRs",
        deserialize_with = "zero_on_null"
    )]
    pub server_address_by_client_cidrs: Vec<ServerAddressByClientCIDR>,
    /// Served versions, e.g. `v1`.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub versions: Vec<String>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

/// A group version as listed in discovery.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupVersionForDiscovery {
    /// `group/version`, e.g. `apps/v1`.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub group_version: String,
    /// The version alone, e.g. `v1`.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub version: String,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

/// The server address clients in a given network should use.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerAddressByClientCIDR {
    /// Client network, e.g. `10.0.0.0/8`.
    #[serde(default, rename = "clientCIDR", deserialize_with = "zero_on_null")]
    pub client_cidr: String,
    /// `host:port` (or IP:port) to reach the server from that network.
    #[serde(default, rename = "serverAddress", deserialize_with = "zero_on_null")]
    pub server_address: String,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_core_discovery_with_nulls() {
        let v: APIVersions = serde_json::from_str(
            r#"{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"10.0.0.1:6443"}]}"#,
        )
        .unwrap();
        assert_eq!(
            v.server_address_by_client_cidrs[0].server_address,
            "10.0.0.1:6443"
        );
        let r: APIResourceList =
            serde_json::from_str(r#"{"groupVersion":"v1","resources":[{"name":"pods","singularName":"","namespaced":true,"kind":"Pod","verbs":null}]}"#)
                .unwrap();
        assert!(r.resources[0].namespaced);
        assert!(r.resources[0].verbs.is_empty());
    }
}
