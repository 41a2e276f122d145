//! [`Lister<K>`]: reads from an informer's cache (client-go's generated listers, generic here):
//! no request reaches the server.

use super::store::{Store, NAMESPACE_INDEX};
use crate::labels::{ParseError, Selector};
use crate::resource::Resource;
use std::sync::Arc;

/// Reads an informer's cache, across namespaces or in one.
#[derive(Debug, Clone)]
pub struct Lister<K> {
    store: Store<K>,
    namespace: Option<String>,
}

impl<K: Resource> Lister<K> {
    /// A lister over `store` across all namespaces.
    pub fn new(store: Store<K>) -> Self {
        Lister {
            store,
            namespace: None,
        }
    }

    /// The same cache, restricted to namespace `ns` (client-go's `Pods(ns)` lister).
    pub fn namespace(&self, ns: &str) -> Lister<K> {
        Lister {
            store: self.store.clone(),
            namespace: Some(ns.to_string()),
        }
    }

    /// Objects whose labels match `selector` (`""` for all), sorted by namespace and name.
    pub fn list(&self, selector: &str) -> Result<Vec<Arc<K>>, ParseError> {
        let selector = Selector::parse(selector)?;
        let candidates = match &self.namespace {
            Some(ns) => self.store.by_index(NAMESPACE_INDEX, ns).unwrap_or_default(),
            None => self.store.list(),
        };
        let mut out: Vec<Arc<K>> = candidates
            .into_iter()
            .filter(|o| selector.matches(o.metadata().labels.as_ref()))
            .collect();
        out.sort_by(|a, b| {
            let key = |o: &K| (o.metadata().namespace.clone(), o.metadata().name.clone());
            key(a).cmp(&key(b))
        });
        Ok(out)
    }

    /// One object by name (in this lister's namespace; cluster-scoped kinds need none).
    pub fn get(&self, name: &str) -> Option<Arc<K>> {
        match &self.namespace {
            Some(ns) => self.store.get(&format!("{ns}/{name}")),
            None => self.store.get(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::store::tests::thing;
    use std::collections::BTreeMap;

    #[test]
    fn by_namespace_and_label() {
        let store = Store::new(BTreeMap::new());
        let mut labelled = (*thing("a", "x", "red")).clone();
        labelled.metadata.labels = Some([("app".into(), "web".into())].into());
        store.upsert(Arc::new(labelled));
        store.upsert(thing("a", "y", "red"));
        store.upsert(thing("b", "z", "red"));
        let all = Lister::new(store);
        assert_eq!(all.list("").expect("all").len(), 3);
        assert_eq!(all.list("app=web").expect("selected").len(), 1);
        let a = all.namespace("a");
        let names: Vec<_> = a
            .list("")
            .expect("ns")
            .iter()
            .filter_map(|t| t.metadata.name.clone())
            .collect();
        assert_eq!(names, ["x", "y"]);
        assert!(a.get("y").is_some() && a.get("z").is_none());
        assert!(all.list("a in b").is_err());
    }
}
