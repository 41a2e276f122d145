//! [`Map`], the map type of every map field of the API types (labels, annotations, resource
//! lists, config data).
//!
//! Kubernetes maps are small: two labels, a few annotations, `cpu` and `memory`. A `BTreeMap`
//! puts even one entry in a 544-byte node; a pod's six maps held about 3.3 KB that way. `Map` is a
//! sorted vector of entries ([`litemap::LiteMap`]), allocated at exactly its length when decoded,
//! so the same six maps hold a few hundred bytes. Lookups are binary searches; inserts shift the
//! tail, which is cheap at these sizes. Go sorts map keys when it writes JSON and protobuf, so a
//! decoded map is built by appending.

use litemap::LiteMap;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

/// A map ordered by key, stored as a sorted vector of entries.
///
/// It derefs to [`litemap::LiteMap`], which has the `BTreeMap` methods most code uses: `get`,
/// `get_mut`, `contains_key`, `insert`, `remove`, `entry`, `retain`, `iter`, `keys`, `values`,
/// `len`. Build one with `Map::from([("app".into(), "web".into())])`, `collect()` or `insert`.
/// Iteration is in key order, as with `BTreeMap`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Map<K, V>(LiteMap<K, V>);

impl<K, V> Map<K, V> {
    /// An empty map (no allocation).
    pub const fn new() -> Self {
        Map(LiteMap::new_vec())
    }

    /// The entries as a sorted vector.
    pub fn into_entries(self) -> Vec<(K, V)> {
        self.0.into_tuple_vec()
    }
}

impl<K: Ord, V> Map<K, V> {
    /// A map of `entries`, which may come in any order; for equal keys the last one wins, as
    /// with repeated `insert`s. The allocation is trimmed to the number of entries.
    pub fn from_entries(mut entries: Vec<(K, V)>) -> Self {
        if !entries.is_sorted_by(|a, b| a.0 < b.0) {
            // Stable: equal keys keep their order.
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            // `dedup_by` keeps the first of a run and drops the later ones: hand the later
            // value to the kept entry as it goes, so the last value wins.
            entries.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    std::mem::swap(&mut later.1, &mut kept.1);
                }
                same
            });
        }
        entries.shrink_to_fit();
        Map(LiteMap::from_sorted_store_unchecked(entries))
    }

    /// Room for exactly `additional` more entries (`LiteMap::reserve` rounds up to four).
    pub(crate) fn reserve_exact(&mut self, additional: usize) {
        let mut entries = std::mem::take(&mut self.0).into_tuple_vec();
        entries.reserve_exact(additional);
        self.0 = LiteMap::from_sorted_store_unchecked(entries);
    }

    /// Add an entry that is expected to sort after every key already present (decoders see keys
    /// in order); anything else is inserted in its place.
    #[inline]
    pub(crate) fn push_sorted(&mut self, key: K, value: V) {
        if let Some((key, value)) = self.0.try_append(key, value) {
            self.0.insert(key, value);
        }
    }
}

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Map::new()
    }
}

impl<K, V> Deref for Map<K, V> {
    type Target = LiteMap<K, V>;
    fn deref(&self) -> &LiteMap<K, V> {
        &self.0
    }
}

impl<K, V> DerefMut for Map<K, V> {
    fn deref_mut(&mut self) -> &mut LiteMap<K, V> {
        &mut self.0
    }
}

/// `map["app"]`, by anything the key borrows as (`LiteMap` indexes by `&K` only). Panics when
/// the key is absent, as `BTreeMap` does.
impl<K, V, Q> std::ops::Index<&Q> for Map<K, V>
where
    K: std::borrow::Borrow<Q> + Ord,
    Q: Ord + ?Sized,
{
    type Output = V;
    // `Index` has no way to fail but a panic; `get` is the checked lookup.
    #[allow(clippy::expect_used)]
    fn index(&self, key: &Q) -> &V {
        self.0.get(key).expect("no entry found for key")
    }
}

/// Printed as a map, `{"app": "web"}`, like `BTreeMap`.
impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Map<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter()).finish()
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for Map<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        Map::from_entries(entries.into())
    }
}

impl<K: Ord, V> From<std::collections::BTreeMap<K, V>> for Map<K, V> {
    fn from(map: std::collections::BTreeMap<K, V>) -> Self {
        // Already sorted and unique.
        Map(LiteMap::from_sorted_store_unchecked(
            map.into_iter().collect(),
        ))
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for Map<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Map::from_entries(iter.into_iter().collect())
    }
}

impl<K: Ord, V> Extend<(K, V)> for Map<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.0.insert(k, v);
        }
    }
}

impl<K, V> IntoIterator for Map<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_tuple_vec().into_iter()
    }
}

impl<'a, K: 'a, V: 'a> IntoIterator for &'a Map<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = <&'a LiteMap<K, V> as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (&self.0).into_iter()
    }
}

impl<'a, K: 'a, V: 'a> IntoIterator for &'a mut Map<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = <&'a mut LiteMap<K, V> as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (&mut self.0).into_iter()
    }
}

impl<K: Serialize, V: Serialize> Serialize for Map<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Deserialize<'de> for Map<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MapVisitor(PhantomData))
    }
}

struct MapVisitor<K, V>(PhantomData<(K, V)>);

impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Visitor<'de> for MapVisitor<K, V> {
    type Value = Map<K, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Map<K, V>, A::Error> {
        let entries = crate::codec::gather_exact(|| access.next_entry())?;
        Ok(Map::from_entries(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_in_any_order_are_sorted_and_the_last_of_equal_keys_wins() {
        let m = Map::from([("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5)]);
        assert_eq!(m.into_entries(), vec![("a", 5), ("b", 3), ("c", 4)]);
    }

    #[test]
    fn json_keeps_key_order_takes_the_last_duplicate_and_allocates_exactly() {
        let m: Map<String, u32> = serde_json::from_str(r#"{"z":1,"a":2,"z":3}"#).unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"a":2,"z":3}"#);
        let sorted: Map<String, u32> = serde_json::from_str(r#"{"a":1,"b":2,"c":3}"#).unwrap();
        assert_eq!(sorted.len(), 3);
        assert_eq!(sorted.into_entries().capacity(), 3);
    }

    #[test]
    fn prints_like_a_btreemap_and_looks_up_by_str() {
        let m: Map<crate::Str, crate::Str> = Map::from([("app".into(), "web".into())]);
        assert_eq!(format!("{m:?}"), r#"{"app": "web"}"#);
        assert_eq!(m.get("app").map(|v| v.as_str()), Some("web"));
        assert_eq!(m["app"], "web");
    }

    #[test]
    fn push_sorted_appends_in_order_and_inserts_out_of_order() {
        let mut m = Map::new();
        m.push_sorted("a", 1);
        m.push_sorted("c", 3);
        m.push_sorted("b", 2);
        m.push_sorted("c", 4);
        assert_eq!(m.into_entries(), vec![("a", 1), ("b", 2), ("c", 4)]);
    }
}
