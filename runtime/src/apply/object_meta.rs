//! `ObjectMetaApplyConfiguration`: the metadata of an object embedded in another (a pod
//! template's), as client-go's `metav1.ObjectMetaApplyConfiguration`. Top-level kinds have the
//! same setters on themselves.

use super::Object;
use crate::meta::v1::OwnerReference;
use serde::{Serialize, Serializer};

/// Metadata fields a manager can own: name, namespace, labels, annotations, owner references
/// and finalizers. Everything else in `ObjectMeta` is written by the server.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObjectMetaApplyConfiguration(pub Object);

impl ObjectMetaApplyConfiguration {
    /// Nothing set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set `name`.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.0.set("name", name.into());
        self
    }

    /// Set `generateName`.
    pub fn with_generate_name(mut self, prefix: impl Into<String>) -> Self {
        self.0.set("generateName", prefix.into());
        self
    }

    /// Set `namespace`.
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.0.set("namespace", namespace.into());
        self
    }

    /// Add `labels` (replacing ones with the same keys).
    pub fn with_labels(
        mut self,
        labels: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
    ) -> Self {
        self.0
            .insert_entries("labels", labels.into_iter().map(|(k, v)| (k, v.into())));
        self
    }

    /// Add `annotations` (replacing ones with the same keys).
    pub fn with_annotations(
        mut self,
        annotations: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
    ) -> Self {
        self.0.insert_entries(
            "annotations",
            annotations.into_iter().map(|(k, v)| (k, v.into())),
        );
        self
    }

    /// Append owner references.
    pub fn with_owner_references(mut self, refs: impl IntoIterator<Item = OwnerReference>) -> Self {
        self.0.extend("ownerReferences", refs);
        self
    }

    /// Append finalizers.
    pub fn with_finalizers(
        mut self,
        finalizers: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.0
            .extend("finalizers", finalizers.into_iter().map(Into::into));
        self
    }
}

impl Serialize for ObjectMetaApplyConfiguration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}
