//! [`InformerFactory`]: one informer per kind and namespace, shared by everything that asks for
//! it (client-go's `SharedInformerFactory`), so several controllers watching pods cost one
//! list and one watch, and one cache.

use super::{Informer, InformerHandle};
use crate::client::ResourceClient;
use crate::resource::{verbs, Resource};
use std::any::{Any, TypeId};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

type SyncFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// (apiVersion, plural, namespace, Rust type) of an informer: a typed and a dynamic informer
/// of one resource are two informers, not one replacing the other.
type Key = (String, String, String, TypeId);

/// A registered informer, with what the factory needs without knowing its kind.
struct Entry {
    informer: Box<dyn Any + Send + Sync>,
    start: Box<dyn Fn() -> InformerHandle + Send + Sync>,
    synced: Box<dyn Fn() -> SyncFuture + Send + Sync>,
    handle: Option<InformerHandle>,
}

/// Hands out shared informers and starts them together. Cloning shares the factory.
#[derive(Clone, Default)]
pub struct InformerFactory {
    entries: Arc<Mutex<BTreeMap<Key, Entry>>>,
    resync: Option<Duration>,
}

impl std::fmt::Debug for InformerFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InformerFactory")
            .field("informers", &self.lock().keys().collect::<Vec<_>>())
            .finish()
    }
}

impl InformerFactory {
    /// A factory whose informers do not resync.
    pub fn new() -> Self {
        Self::default()
    }

    /// Informers created from now on resync this often.
    pub fn with_resync(mut self, every: Duration) -> Self {
        self.resync = Some(every);
        self
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<Key, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The informer for `client`'s kind and namespace, created on first use. Informers asked
    /// for after [`start`](Self::start) start at once.
    pub fn informer<K: Resource + verbs::List + verbs::Watch>(
        &self,
        client: ResourceClient<K>,
    ) -> Informer<K> {
        let key = (
            client.api_resource().api_version(),
            client.api_resource().plural.to_string(),
            client.namespace().unwrap_or("").to_string(),
            TypeId::of::<K>(),
        );
        let mut entries = self.lock();
        if let Some(existing) = entries
            .get(&key)
            .and_then(|e| e.informer.downcast_ref::<Informer<K>>())
        {
            return existing.clone();
        }
        let mut builder = Informer::builder(client);
        if let Some(every) = self.resync {
            builder = builder.resync(every);
        }
        let informer = builder.build();
        let (for_start, for_sync) = (informer.clone(), informer.clone());
        let started = entries.values().any(|e| e.handle.is_some());
        let mut entry = Entry {
            informer: Box::new(informer.clone()),
            start: Box::new(move || for_start.start()),
            synced: Box::new(move || {
                let i = for_sync.clone();
                Box::pin(async move { i.wait_for_sync().await })
            }),
            handle: None,
        };
        if started {
            entry.handle = Some((entry.start)());
        }
        entries.insert(key, entry);
        informer
    }

    /// Start every informer not yet running. They stop when the factory (and its clones) are
    /// dropped or [`shutdown`](Self::shutdown) is called.
    pub fn start(&self) {
        for entry in self.lock().values_mut() {
            if entry.handle.is_none() {
                entry.handle = Some((entry.start)());
            }
        }
    }

    /// Wait until every informer has stored its first list.
    pub async fn wait_for_sync(&self) {
        let waits: Vec<SyncFuture> = self.lock().values().map(|e| (e.synced)()).collect();
        for w in waits {
            w.await;
        }
    }

    /// Stop every informer (their caches stay readable).
    pub fn shutdown(&self) {
        for entry in self.lock().values_mut() {
            entry.handle = None;
        }
    }
}
