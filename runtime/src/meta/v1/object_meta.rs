//! `ObjectMeta` and the types only it uses: `ManagedFieldsEntry`, `OwnerReference`.

use super::{FieldsV1, Time};
use crate::meta::zero_on_null::zero_on_null;
use serde::{Deserialize, Serialize};

/// Annotation where `kubectl apply` keeps the whole applied object (a Secret's data included).
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Metadata every persisted object carries: identity, labels, ownership, lifecycle.
///
/// `Debug` shows the [`LAST_APPLIED_ANNOTATION`] by size only: it copies the whole object,
/// credentials included when the object is a Secret.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    /// Free-form key/value data for tools; not used for selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<crate::Map<crate::Str, crate::Str>>,
    /// When the server created the object (set by the server, read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<Time>,
    /// Seconds the object has to terminate gracefully once deletion was requested (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_grace_period_seconds: Option<i64>,
    /// When the object will be deleted; set once deletion was requested (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<Time>,
    /// Names of controllers that must finish cleanup before the object is removed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::codec::de_opt_seq"
    )]
    pub finalizers: Option<Vec<crate::Str>>,
    /// Prefix from which the server generates a unique name when `name` is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generate_name: Option<crate::Str>,
    /// Sequence number of the desired state, bumped by the server on spec changes (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<i64>,
    /// Key/value pairs used to select and group objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<crate::Map<crate::Str, crate::Str>>,
    /// Which manager owns which fields (server-side apply bookkeeping).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::codec::de_opt_seq"
    )]
    pub managed_fields: Option<Vec<ManagedFieldsEntry>>,
    /// Name, unique within a namespace (or the cluster for cluster-scoped kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<crate::Str>,
    /// Namespace the object lives in; empty for cluster-scoped kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<crate::Str>,
    /// Objects this one depends on; garbage collection deletes it when they are gone.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::codec::de_opt_seq"
    )]
    pub owner_references: Option<Vec<OwnerReference>>,
    /// Opaque version used for optimistic concurrency and watches (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<crate::Str>,
    /// Deprecated URL of the object; no longer set by servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<crate::Str>,
    /// Unique id for the object's whole lifetime (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<crate::Str>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

/// Annotations for Debug: the last-applied copy of the object replaced by its size.
struct DebugAnnotations<'a>(&'a crate::Map<crate::Str, crate::Str>);

impl std::fmt::Debug for DebugAnnotations<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (k, v) in self.0 {
            if k == LAST_APPLIED_ANNOTATION {
                map.entry(k, &format_args!("<redacted {} bytes>", v.len()));
            } else {
                map.entry(k, v);
            }
        }
        map.finish()
    }
}

impl std::fmt::Debug for ObjectMeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectMeta")
            .field(
                "annotations",
                &self.annotations.as_ref().map(DebugAnnotations),
            )
            .field("creation_timestamp", &self.creation_timestamp)
            .field(
                "deletion_grace_period_seconds",
                &self.deletion_grace_period_seconds,
            )
            .field("deletion_timestamp", &self.deletion_timestamp)
            .field("finalizers", &self.finalizers)
            .field("generate_name", &self.generate_name)
            .field("generation", &self.generation)
            .field("labels", &self.labels)
            .field("managed_fields", &self.managed_fields)
            .field("name", &self.name)
            .field("namespace", &self.namespace)
            .field("owner_references", &self.owner_references)
            .field("resource_version", &self.resource_version)
            .field("self_link", &self.self_link)
            .field("uid", &self.uid)
            .finish()
    }
}

/// One manager's claim on a set of fields, recorded by server-side apply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedFieldsEntry {
    /// Version of the schema `fieldsV1` is expressed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<crate::Str>,
    /// Format of the field set; only `FieldsV1` exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields_type: Option<crate::Str>,
    /// The owned fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields_v1: Option<FieldsV1>,
    /// Name of the workflow that manages the fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<crate::Str>,
    /// The operation that created the entry: `Apply` or `Update`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<crate::Str>,
    /// Subresource the fields were changed through, empty for the main resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subresource: Option<crate::Str>,
    /// When the entry was last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Time>,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

/// A reference from an object to the object that owns it (same namespace or cluster scope).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerReference {
    /// API version of the owner.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub api_version: crate::Str,
    /// If true, the owner cannot be deleted in foreground before this reference is removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_owner_deletion: Option<bool>,
    /// If true, the owner is the managing controller (at most one per object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<bool>,
    /// Kind of the owner.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub kind: crate::Str,
    /// Name of the owner.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub name: crate::Str,
    /// UID of the owner.
    #[serde(default, deserialize_with = "zero_on_null")]
    pub uid: crate::Str,
    /// Properties this type has no field for (added upstream after it was written), kept
    /// as JSON and written back, so a read-modify-write loses nothing.
    #[serde(flatten)]
    pub extra: crate::meta::UnknownFields,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const POD_META: &str = r#"{
        "name": "web-7d4b9c8f6d-x2x9z",
        "generateName": "web-7d4b9c8f6d-",
        "namespace": "default",
        "uid": "3f1e5f8e-2f4e-4c47-9d2a-0c8f2d0f1a11",
        "resourceVersion": "123456",
        "generation": 1,
        "creationTimestamp": "2024-01-02T03:04:05Z",
        "labels": {"app": "web", "pod-template-hash": "7d4b9c8f6d"},
        "annotations": {"kubernetes.io/psp": "restricted"},
        "finalizers": ["example.com/cleanup"],
        "ownerReferences": [{
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d4b9c8f6d",
            "uid": "8c1d1b4a-0000-4c47-9d2a-0c8f2d0f1a11", "controller": true, "blockOwnerDeletion": true
        }],
        "managedFields": [{
            "manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
            "time": "2024-01-02T03:04:05Z", "fieldsType": "FieldsV1",
            "fieldsV1": {"f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}},
                "f:ownerReferences": {".": {}, "k:{\"uid\":\"8c1d1b4a-0000-4c47-9d2a-0c8f2d0f1a11\"}": {}}}}
        }, {
            "manager": "kubelet", "operation": "Update", "apiVersion": "v1",
            "time": "2024-01-02T03:04:09Z", "fieldsType": "FieldsV1", "subresource": "status",
            "fieldsV1": {"f:status": {"f:conditions": {}}}
        }]
    }"#;

    #[test]
    fn realistic_pod_metadata_round_trips() {
        let meta: ObjectMeta = serde_json::from_str(POD_META).unwrap();
        assert_eq!(meta.name.as_deref(), Some("web-7d4b9c8f6d-x2x9z"));
        let owners = meta.owner_references.as_ref().unwrap();
        assert_eq!(owners[0].kind, "ReplicaSet");
        assert_eq!(owners[0].controller, Some(true));
        let managed = meta.managed_fields.as_ref().unwrap();
        assert_eq!(managed[1].subresource.as_deref(), Some("status"));
        assert!(managed[0]
            .fields_v1
            .as_ref()
            .unwrap()
            .as_str()
            .contains("f:generateName"));

        let back = serde_json::to_value(&meta).unwrap();
        let original: serde_json::Value = serde_json::from_str(POD_META).unwrap();
        assert_eq!(back, original);
        let again: ObjectMeta =
            serde_json::from_str(&serde_json::to_string(&meta).unwrap()).unwrap();
        assert_eq!(again, meta);
    }

    #[test]
    fn empty_metadata_serializes_to_empty_object() {
        assert_eq!(
            serde_json::to_value(ObjectMeta::default()).unwrap(),
            json!({})
        );
    }

    #[test]
    fn null_required_fields_take_zero_values() {
        let r: OwnerReference =
            serde_json::from_str(r#"{"apiVersion":null,"kind":"ReplicaSet","name":null}"#).unwrap();
        assert_eq!(r.api_version, "");
        assert_eq!(r.kind, "ReplicaSet");
        assert_eq!(r.name, "");
        assert_eq!(r.uid, "");
    }
}
