//! `List<K>`: the body of a `list` call for any kind.

use super::ListMeta;
use crate::resource::Resource;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;

/// A page of objects of one kind, as returned by `list` (`PodList`, `DeploymentList`, ...).
///
/// One generic type replaces the per-kind `XxxList` definitions: they differ only in the item
/// type. Serialization writes `apiVersion` and `kind` (`<Kind>List`) from the item's
/// [`Resource`] impl; decoding ignores them and treats `items: null` as empty.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct List<K> {
    /// Resource version of the list and the continue token for the next page.
    pub metadata: ListMeta,
    /// The objects.
    pub items: Vec<K>,
}

impl<K> IntoIterator for List<K> {
    type Item = K;
    type IntoIter = std::vec::IntoIter<K>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, K> IntoIterator for &'a List<K> {
    type Item = &'a K;
    type IntoIter = std::slice::Iter<'a, K>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<K: Resource> Serialize for List<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(4))?;
        map.serialize_entry("apiVersion", K::API_VERSION)?;
        map.serialize_entry("kind", &format_args!("{}List", K::KIND).to_string())?;
        map.serialize_entry("metadata", &self.metadata)?;
        map.serialize_entry("items", &self.items)?;
        map.end()
    }
}

impl<'de, K: Deserialize<'de>> Deserialize<'de> for List<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ListVisitor(PhantomData))
    }
}

struct ListVisitor<K>(PhantomData<K>);

impl<'de, K: Deserialize<'de>> Visitor<'de> for ListVisitor<K> {
    type Value = List<K>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Kubernetes list object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List<K>, A::Error> {
        let mut out = List {
            metadata: ListMeta::default(),
            items: Vec::new(),
        };
        while let Some(key) = map.next_key::<crate::codec::Key<'de>>()? {
            match key.as_str() {
                "metadata" => {
                    out.metadata = map.next_value::<Option<ListMeta>>()?.unwrap_or_default()
                }
                "items" => {
                    out.items = map
                        .next_value::<Option<crate::codec::ExactVec<K>>>()
                        .map_err(|e| de::Error::custom(format_args!("items: {e}")))?
                        .map_or_else(Vec::new, |v| v.0)
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::meta::v1::ObjectMeta;
    use crate::resource::Scope;
    use serde_json::json;

    /// The smallest possible kind, for tests of the generic meta types.
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    pub(crate) struct Widget {
        #[serde(default)]
        pub metadata: ObjectMeta,
        #[serde(default)]
        pub size: i32,
    }

    impl Resource for Widget {
        const GROUP: &'static str = "example.com";
        const VERSION: &'static str = "v1";
        const API_VERSION: &'static str = "example.com/v1";
        const KIND: &'static str = "Widget";
        const PLURAL: &'static str = "widgets";
        const SCOPE: Scope = Scope::Namespaced;

        fn metadata(&self) -> &ObjectMeta {
            &self.metadata
        }
        fn metadata_mut(&mut self) -> &mut ObjectMeta {
            &mut self.metadata
        }
    }

    fn widget(name: &str, size: i32) -> Widget {
        Widget {
            metadata: ObjectMeta {
                name: Some(name.into()),
                ..Default::default()
            },
            size,
        }
    }

    #[test]
    fn serializes_with_list_kind() {
        let list = List {
            metadata: ListMeta {
                resource_version: Some("9".into()),
                ..Default::default()
            },
            items: vec![widget("a", 1)],
        };
        assert_eq!(
            serde_json::to_value(&list).unwrap(),
            json!({"apiVersion":"example.com/v1","kind":"WidgetList","metadata":{"resourceVersion":"9"},
                   "items":[{"metadata":{"name":"a"},"size":1}]})
        );
    }

    #[test]
    fn decodes_ignoring_kind_and_null_items() {
        let list: List<Widget> = serde_json::from_str(
            r#"{"kind":"Whatever","apiVersion":"x","items":null,"metadata":{"continue":"c"}}"#,
        )
        .unwrap();
        assert!(list.items.is_empty());
        assert_eq!(list.metadata.continue_.as_deref(), Some("c"));

        let list: List<Widget> = serde_json::from_str(
            r#"{"items":[{"metadata":{"name":"a"},"size":1},{"metadata":{"name":"b"},"size":2}]}"#,
        )
        .unwrap();
        assert_eq!(list.items, vec![widget("a", 1), widget("b", 2)]);
        assert_eq!(list.into_iter().map(|w| w.size).sum::<i32>(), 3);
    }

    #[test]
    fn bad_item_error_says_items() {
        let err = serde_json::from_str::<List<Widget>>(r#"{"items":[{"size":"big"}]}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("items"), "{err}");
    }
}
