//! `UnknownFields`: the properties a handwritten apimachinery struct has no field for.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, DerefMut};

/// Properties of an object that its handwritten type does not name (added upstream after the
/// type was written), kept as JSON and written back on encode, so decoding and re-encoding an
/// object from a newer Kubernetes loses nothing. The generator reports each such property.
///
/// Ordered and hashed by the JSON text of its values, so key types such as `GroupResource`
/// keep `Ord` and `Hash`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnknownFields(pub BTreeMap<String, serde_json::Value>);

impl Deref for UnknownFields {
    type Target = BTreeMap<String, serde_json::Value>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for UnknownFields {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Hash for UnknownFields {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for (k, v) in &self.0 {
            k.hash(state);
            v.to_string().hash(state);
        }
    }
}

impl PartialOrd for UnknownFields {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for UnknownFields {
    fn cmp(&self, other: &Self) -> Ordering {
        let text = |m: &BTreeMap<String, serde_json::Value>| -> Vec<(String, String)> {
            m.iter().map(|(k, v)| (k.clone(), v.to_string())).collect()
        };
        if self.0.is_empty() && other.0.is_empty() {
            return Ordering::Equal;
        }
        text(&self.0).cmp(&text(&other.0))
    }
}

#[cfg(test)]
mod tests {
    use crate::meta::v1::{GroupResource, ListMeta};
    use serde_json::json;

    #[test]
    fn a_property_from_a_newer_kubernetes_survives() {
        let input = json!({"resourceVersion": "7", "shardInfo": {"index": 1, "count": 4}});
        let meta: ListMeta = serde_json::from_value(input.clone()).unwrap();
        assert_eq!(meta.resource_version.as_deref(), Some("7"));
        assert_eq!(meta.extra["shardInfo"], json!({"index": 1, "count": 4}));
        assert_eq!(serde_json::to_value(&meta).unwrap(), input);
    }

    #[test]
    fn key_types_stay_ordered() {
        let a: GroupResource =
            serde_json::from_value(json!({"group": "a", "resource": "x"})).unwrap();
        let b: GroupResource =
            serde_json::from_value(json!({"group": "a", "resource": "x", "new": 1})).unwrap();
        assert!(a < b && a != b);
    }
}
