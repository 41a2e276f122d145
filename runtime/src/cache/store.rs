//! The informer's local copy of the objects: a thread-safe map keyed by `namespace/name` with
//! secondary indexes, as client-go's `cache.Indexer` (threadSafeMap).

use crate::resource::Resource;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// An index function: the index values an object is filed under.
pub type IndexFunc<K> = Arc<dyn Fn(&K) -> Vec<String> + Send + Sync>;

/// Name of the built-in index by namespace.
pub const NAMESPACE_INDEX: &str = "namespace";

/// `namespace/name`, or `name` for cluster-scoped objects (client-go's
/// `MetaNamespaceKeyFunc`).
pub fn key_of<K: Resource>(obj: &K) -> String {
    let meta = obj.metadata();
    let name = meta.name.as_deref().unwrap_or("");
    match meta.namespace.as_deref().filter(|ns| !ns.is_empty()) {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}

struct Inner<K> {
    items: HashMap<String, Arc<K>>,
    /// index name -> index value -> keys.
    indices: HashMap<String, HashMap<String, BTreeSet<String>>>,
}

/// Objects by key, plus indexes. Cloning shares the same store.
pub struct Store<K> {
    inner: Arc<RwLock<Inner<K>>>,
    indexers: Arc<BTreeMap<String, IndexFunc<K>>>,
}

impl<K> Clone for Store<K> {
    fn clone(&self) -> Self {
        Store {
            inner: self.inner.clone(),
            indexers: self.indexers.clone(),
        }
    }
}

impl<K> std::fmt::Debug for Store<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field(
                "len",
                &self
                    .inner
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .items
                    .len(),
            )
            .field("indexers", &self.indexers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl<K: Resource> Store<K> {
    /// An empty store with the namespace index and `indexers`.
    pub fn new(indexers: BTreeMap<String, IndexFunc<K>>) -> Self {
        let mut all = indexers;
        all.entry(NAMESPACE_INDEX.to_string()).or_insert_with(|| {
            Arc::new(|o: &K| {
                o.metadata()
                    .namespace
                    .iter()
                    .filter(|ns| !ns.is_empty())
                    .map(|ns| ns.to_string())
                    .collect()
            })
        });
        Store {
            inner: Arc::new(RwLock::new(Inner {
                items: HashMap::new(),
                indices: HashMap::new(),
            })),
            indexers: Arc::new(all),
        }
    }

    // A poisoned lock means a panic elsewhere mid-update of a map of Arcs; the data is still a
    // consistent map, so keep serving it.
    fn read(&self) -> RwLockReadGuard<'_, Inner<K>> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner<K>> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Insert or replace an object; returns the previous version.
    pub fn upsert(&self, obj: Arc<K>) -> Option<Arc<K>> {
        let key = key_of(obj.as_ref());
        let mut inner = self.write();
        let old = inner.items.insert(key.clone(), obj.clone());
        if let Some(old) = &old {
            self.unindex(&mut inner, &key, old);
        }
        for (name, f) in self.indexers.iter() {
            let index = inner.indices.entry(name.clone()).or_default();
            for value in f(&obj) {
                index.entry(value).or_default().insert(key.clone());
            }
        }
        old
    }

    /// Remove the object stored under `key`.
    pub fn remove(&self, key: &str) -> Option<Arc<K>> {
        let mut inner = self.write();
        let old = inner.items.remove(key)?;
        self.unindex(&mut inner, key, &old);
        Some(old)
    }

    fn unindex(&self, inner: &mut Inner<K>, key: &str, obj: &K) {
        for (name, f) in self.indexers.iter() {
            let Some(index) = inner.indices.get_mut(name) else {
                continue;
            };
            for value in f(obj) {
                if let Some(keys) = index.get_mut(&value) {
                    keys.remove(key);
                    if keys.is_empty() {
                        index.remove(&value);
                    }
                }
            }
        }
    }

    /// The object under `key` (`namespace/name` or `name`).
    pub fn get(&self, key: &str) -> Option<Arc<K>> {
        self.read().items.get(key).cloned()
    }

    /// Every object.
    pub fn list(&self) -> Vec<Arc<K>> {
        self.read().items.values().cloned().collect()
    }

    /// Every key.
    pub fn keys(&self) -> Vec<String> {
        self.read().items.keys().cloned().collect()
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.read().items.len()
    }

    /// No objects.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Objects filed under `value` in index `index`; `None` when there is no such index.
    pub fn by_index(&self, index: &str, value: &str) -> Option<Vec<Arc<K>>> {
        if !self.indexers.contains_key(index) {
            return None;
        }
        let inner = self.read();
        let keys = inner.indices.get(index).and_then(|i| i.get(value));
        Some(
            keys.into_iter()
                .flatten()
                .filter_map(|k| inner.items.get(k).cloned())
                .collect(),
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::meta::v1::ObjectMeta;

    /// A minimal kind for store tests.
    #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    pub(crate) struct Thing {
        pub metadata: ObjectMeta,
        #[serde(default)]
        pub color: String,
    }

    impl Resource for Thing {
        const GROUP: &'static str = "example.com";
        const VERSION: &'static str = "v1";
        const API_VERSION: &'static str = "example.com/v1";
        const KIND: &'static str = "Thing";
        const PLURAL: &'static str = "things";
        const SCOPE: crate::resource::Scope = crate::resource::Scope::Namespaced;
        fn metadata(&self) -> &ObjectMeta {
            &self.metadata
        }
        fn metadata_mut(&mut self) -> &mut ObjectMeta {
            &mut self.metadata
        }
    }

    pub(crate) fn thing(ns: &str, name: &str, color: &str) -> Arc<Thing> {
        Arc::new(Thing {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some(ns.into()),
                ..Default::default()
            },
            color: color.into(),
        })
    }

    #[test]
    fn indexes_follow_updates_and_removals() {
        let by_color: IndexFunc<Thing> = Arc::new(|t: &Thing| vec![t.color.clone()]);
        let store = Store::new([("color".to_string(), by_color)].into());
        store.upsert(thing("a", "x", "red"));
        store.upsert(thing("b", "y", "red"));
        assert_eq!(store.by_index("color", "red").map(|v| v.len()), Some(2));
        assert_eq!(
            store.by_index(NAMESPACE_INDEX, "a").map(|v| v.len()),
            Some(1)
        );
        let old = store.upsert(thing("a", "x", "blue")).expect("replaced");
        assert_eq!(old.color, "red");
        assert_eq!(store.by_index("color", "red").map(|v| v.len()), Some(1));
        assert_eq!(
            store.get("a/x").map(|t| t.color.clone()),
            Some("blue".into())
        );
        store.remove("b/y");
        assert_eq!(store.by_index("color", "red").map(|v| v.len()), Some(0));
        assert!(store.by_index("shape", "round").is_none());
        assert_eq!(store.len(), 1);
    }
}
