//! [`Informer<K>`]: a local cache of one kind kept current by list + watch (client-go's
//! reflector and shared informer), with event handlers, indexes, periodic resync and a
//! transform to trim objects before they are stored.
//!
//! The reflector lists in pages of 500 (a consistent snapshot), then watches from the list's
//! resourceVersion with bookmarks and a random 5–10 minute server timeout, re-watching from the
//! last seen version when a watch ends. A 410 Gone (history compacted) relists; objects that
//! vanished meanwhile are reported as [`Deleted::FinalStateUnknown`] tombstones. Errors back off
//! exponentially (0.8 s to 30 s with jitter, as client-go's reflector), and the backoff starts
//! over once two minutes pass without a failure; a watch that ends within a second without an
//! event counts as a failure (client-go's "very short watch").
//!
//! Handlers run on the informer's task, in event order, one event at a time; a slow handler
//! delays the cache (hand work to a [`super::WorkQueue`] instead, as controllers do).
//!
//! The lists and watches come from a [`ListerWatcher`]: the [`ResourceClient`] given to
//! [`Informer::new`], or one of the caller's ([`Informer::from_lister_watcher`]).

use super::store::{key_of, IndexFunc, Store};
use super::{Lister, ListerWatcher};
use crate::client::ResourceClient;
use crate::flowcontrol::Backoff;
use crate::meta::v1::{ListOptions, WatchEvent};
use crate::resource::{verbs, Resource};
use crate::rest::Error;
use futures_util::StreamExt;
use rand::Rng;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
// tokio's clock, not std's: the same in production, and paused-clock tests can advance it.
use tokio::time::Instant;

/// How a deleted object is reported.
#[derive(Debug, Clone)]
pub enum Deleted<K> {
    /// Seen deleted by the watch: its last state.
    Object(Arc<K>),
    /// Gone while the watch was down, found missing by a relist: the last state the cache had
    /// (client-go's `DeletedFinalStateUnknown`).
    FinalStateUnknown {
        /// `namespace/name`.
        key: String,
        /// The last state in the cache.
        last: Arc<K>,
    },
}

impl<K> Deleted<K> {
    /// The object as last known.
    pub fn object(&self) -> &Arc<K> {
        match self {
            Deleted::Object(o) | Deleted::FinalStateUnknown { last: o, .. } => o,
        }
    }
}

/// What a handler is told.
#[derive(Debug, Clone)]
pub enum Event<K> {
    /// A new object; `initial_list` when it came with the first list.
    Added {
        /// The object.
        obj: Arc<K>,
        /// Part of the initial list (before [`Informer::has_synced`]).
        initial_list: bool,
    },
    /// A changed object, or every object again on resync (then `old` and `new` are the same).
    Updated {
        /// Previous state.
        old: Arc<K>,
        /// New state.
        new: Arc<K>,
    },
    /// A deleted object.
    Deleted(Deleted<K>),
}

/// Receives informer events (client-go's `ResourceEventHandler`). Closures taking `&Event<K>`
/// are handlers.
pub trait EventHandler<K>: Send + Sync + 'static {
    /// One event.
    fn handle(&self, event: &Event<K>);
}

impl<K, F: Fn(&Event<K>) + Send + Sync + 'static> EventHandler<K> for F {
    fn handle(&self, event: &Event<K>) {
        self(event)
    }
}

type Transform<K> = Arc<dyn Fn(&mut K) + Send + Sync>;

/// Tunables, with client-go's defaults.
#[derive(Clone, Debug)]
struct Settings {
    label_selector: Option<String>,
    field_selector: Option<String>,
    page_size: i64,
    watch_timeout: (Duration, Duration),
    resync: Option<Duration>,
    backoff: (Duration, Duration),
    /// A failure this long after the previous one starts the backoff over.
    backoff_reset: Duration,
}

/// A watch that ends sooner than this without an event is a failure, not a normal end.
const SHORT_WATCH: Duration = Duration::from_secs(1);

impl Default for Settings {
    fn default() -> Self {
        Settings {
            label_selector: None,
            field_selector: None,
            page_size: 500,
            watch_timeout: (Duration::from_secs(300), Duration::from_secs(600)),
            resync: None,
            backoff: (Duration::from_millis(800), Duration::from_secs(30)),
            // client-go's reflector: `NewExponentialBackoffManager(800ms, 30s, 2min, ...)`.
            backoff_reset: Duration::from_secs(120),
        }
    }
}

struct Shared<K> {
    lister_watcher: Arc<dyn ListerWatcher<K>>,
    /// For `Debug` and logs.
    kind: Cow<'static, str>,
    store: Store<K>,
    /// Also held while the store changes, so a handler being added sees each change either in
    /// its replay of the store or as an event, never both and never neither.
    handlers: Mutex<Vec<Arc<dyn EventHandler<K>>>>,
    synced: watch::Sender<bool>,
    transform: Option<Transform<K>>,
    settings: Settings,
    /// The running loop, shared by every [`InformerHandle`] of this informer.
    running: Mutex<Weak<Running>>,
}

impl<K: Resource> Shared<K> {
    /// Change the store and hand the events it produces to the handlers registered at that
    /// moment. Handlers run after the lock is released (they may add handlers themselves).
    fn apply(&self, change: impl FnOnce(&Store<K>) -> Vec<Event<K>>) {
        let (events, handlers) = {
            let handlers = self.handlers.lock().unwrap_or_else(|e| e.into_inner());
            (change(&self.store), handlers.clone())
        };
        for event in &events {
            for h in &handlers {
                h.handle(event);
            }
        }
    }

    fn prepare(&self, mut obj: K) -> Arc<K> {
        if let Some(t) = &self.transform {
            t(&mut obj);
        }
        Arc::new(obj)
    }
}

/// Builds an [`Informer`].
pub struct InformerBuilder<K> {
    lister_watcher: Arc<dyn ListerWatcher<K>>,
    kind: Cow<'static, str>,
    indexers: BTreeMap<String, IndexFunc<K>>,
    transform: Option<Transform<K>>,
    settings: Settings,
}

impl<K: Resource> InformerBuilder<K> {
    /// An informer over what `lister_watcher` lists and watches (client-go's
    /// `NewSharedIndexInformer(lw, ...)`); `kind` names it in `Debug` output and logs.
    pub fn with_lister_watcher(
        lister_watcher: Arc<dyn ListerWatcher<K>>,
        kind: impl Into<Cow<'static, str>>,
    ) -> Self {
        InformerBuilder {
            lister_watcher,
            kind: kind.into(),
            indexers: BTreeMap::new(),
            transform: None,
            settings: Settings::default(),
        }
    }

    /// Only objects matching this label selector.
    pub fn label_selector(mut self, s: impl Into<String>) -> Self {
        self.settings.label_selector = Some(s.into());
        self
    }

    /// Only objects matching this field selector.
    pub fn field_selector(mut self, s: impl Into<String>) -> Self {
        self.settings.field_selector = Some(s.into());
        self
    }

    /// An extra index (the namespace index is always there).
    pub fn indexer(
        mut self,
        name: impl Into<String>,
        f: impl Fn(&K) -> Vec<String> + Send + Sync + 'static,
    ) -> Self {
        self.indexers.insert(name.into(), Arc::new(f));
        self
    }

    /// Hand every object to handlers again as an update this often (client-go's resync).
    pub fn resync(mut self, every: Duration) -> Self {
        self.settings.resync = (!every.is_zero()).then_some(every);
        self
    }

    /// Change each object before it is cached and handed out (e.g. [`drop_managed_fields`]).
    pub fn transform(mut self, f: impl Fn(&mut K) + Send + Sync + 'static) -> Self {
        self.transform = Some(Arc::new(f));
        self
    }

    /// List page size (default 500; 0 lists in one response).
    pub fn page_size(mut self, n: i64) -> Self {
        self.settings.page_size = n.max(0);
        self
    }

    /// The server-side timeout of each watch is random in `[min, max]` (default 5–10 minutes).
    pub fn watch_timeout(mut self, min: Duration, max: Duration) -> Self {
        self.settings.watch_timeout = (min, max.max(min));
        self
    }

    /// Backoff between failed list or watch attempts (default 0.8 s doubling to 30 s).
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.settings.backoff = (initial, max);
        self
    }

    /// After this long without a failure the backoff starts over from its initial delay
    /// (default 2 minutes, as client-go's reflector).
    pub fn backoff_reset(mut self, quiet: Duration) -> Self {
        self.settings.backoff_reset = quiet;
        self
    }

    /// The informer (not running yet: see [`Informer::start`]).
    pub fn build(self) -> Informer<K> {
        let (synced, _) = watch::channel(false);
        Informer {
            shared: Arc::new(Shared {
                lister_watcher: self.lister_watcher,
                kind: self.kind,
                store: Store::new(self.indexers),
                handlers: Mutex::new(Vec::new()),
                synced,
                transform: self.transform,
                settings: self.settings,
                running: Mutex::new(Weak::new()),
            }),
        }
    }
}

/// A cache of one kind, kept current by list + watch. Cloning shares it.
pub struct Informer<K> {
    shared: Arc<Shared<K>>,
}

impl<K> Clone for Informer<K> {
    fn clone(&self) -> Self {
        Informer {
            shared: self.shared.clone(),
        }
    }
}

impl<K: Resource> std::fmt::Debug for Informer<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Informer")
            .field("kind", &self.shared.kind)
            .field("synced", &*self.shared.synced.borrow())
            .field("store", &self.shared.store)
            .finish()
    }
}

/// The informer's loop; aborted when the last handle to it is dropped.
#[derive(Debug)]
struct Running(JoinHandle<()>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The running informer's task; when every handle from [`Informer::start`] is dropped the
/// informer stops.
#[derive(Debug)]
pub struct InformerHandle {
    _running: Arc<Running>,
}

impl<K: Resource + verbs::List + verbs::Watch> Informer<K> {
    /// An informer over what `client` lists: one namespace, all namespaces or cluster-wide.
    pub fn builder(client: ResourceClient<K>) -> InformerBuilder<K> {
        let kind = client.api_resource().kind.clone();
        InformerBuilder::with_lister_watcher(Arc::new(client), kind)
    }

    /// An informer with the defaults.
    pub fn new(client: ResourceClient<K>) -> Self {
        Self::builder(client).build()
    }
}

impl<K: Resource> Informer<K> {
    /// An informer with the defaults over what `lister_watcher` lists and watches; `kind` names
    /// it in `Debug` output and logs. [`InformerBuilder::with_lister_watcher`] sets more.
    pub fn from_lister_watcher(
        lister_watcher: Arc<dyn ListerWatcher<K>>,
        kind: impl Into<Cow<'static, str>>,
    ) -> Self {
        InformerBuilder::with_lister_watcher(lister_watcher, kind).build()
    }

    /// Add a handler. It is first told about every object already cached as
    /// `Added { initial_list: true }`, as client-go's `AddEventHandler` does, then about every
    /// later change: none twice, none missed, even while the informer runs.
    pub fn add_handler(&self, handler: impl EventHandler<K>) {
        let handler: Arc<dyn EventHandler<K>> = Arc::new(handler);
        // The store changes only under this lock: the replay and the live events meet exactly.
        let mut handlers = self
            .shared
            .handlers
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        for obj in self.shared.store.list() {
            handler.handle(&Event::Added {
                obj,
                initial_list: true,
            });
        }
        handlers.push(handler);
    }

    /// The cache itself.
    pub fn store(&self) -> Store<K> {
        self.shared.store.clone()
    }

    /// A lister over the cache.
    pub fn lister(&self) -> Lister<K> {
        Lister::new(self.shared.store.clone())
    }

    /// Whether the first list has been stored.
    pub fn has_synced(&self) -> bool {
        *self.shared.synced.borrow()
    }

    /// Wait until the first list has been stored.
    pub async fn wait_for_sync(&self) {
        let mut rx = self.shared.synced.subscribe();
        // The sender lives in `self`, so it cannot be dropped while we wait.
        let _ = rx.wait_for(|s| *s).await;
    }

    /// Run on a tokio task until every handle is dropped. Starting a running informer returns
    /// another handle to the same loop (never a second loop on one store).
    pub fn start(&self) -> InformerHandle {
        let mut running = self
            .shared
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(existing) = running.upgrade() {
            return InformerHandle { _running: existing };
        }
        let shared = self.shared.clone();
        let task = Arc::new(Running(tokio::spawn(async move { run(shared).await })));
        *running = Arc::downgrade(&task);
        InformerHandle { _running: task }
    }
}

/// Drop `metadata.managedFields` (often a third of an object's memory; client-go users do this
/// with a transform too).
pub fn drop_managed_fields<K: Resource>(obj: &mut K) {
    obj.metadata_mut().managed_fields = None;
}

fn rv_of<K: Resource>(obj: &K) -> Option<String> {
    obj.metadata()
        .resource_version
        .as_deref()
        .filter(|rv| !rv.is_empty())
        .map(str::to_owned)
}

async fn run<K: Resource>(shared: Arc<Shared<K>>) {
    let s = &shared.settings;
    let mut backoff = Backoff::new(s.backoff.0, s.backoff.1).with_jitter(1.0);
    let mut last_failure: Option<Instant> = None;
    // client-go's backoff manager: a failure after a quiet period starts from the initial delay.
    let mut delay = move |backoff: &mut Backoff| {
        if last_failure.is_some_and(|t| t.elapsed() >= s.backoff_reset) {
            backoff.reset();
        }
        last_failure = Some(Instant::now());
        backoff.next_delay()
    };
    let mut resync = s.resync.map(|every| {
        let mut t = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    });
    loop {
        let mut rv = match list_all(&shared).await {
            Ok(rv) => rv,
            Err(e) => {
                tracing::warn!(kind = %shared.kind, error = %e, "informer list failed; retrying");
                tokio::time::sleep(delay(&mut backoff)).await;
                continue;
            }
        };
        backoff.reset();
        // Watch until the history we need is gone.
        loop {
            match watch_once(&shared, &mut rv, resync.as_mut()).await {
                WatchEnd::Relist => break,
                WatchEnd::Rewatch => {}
                WatchEnd::Failed(e) => {
                    tracing::warn!(kind = %shared.kind, error = %e, "informer watch failed; retrying");
                    tokio::time::sleep(delay(&mut backoff)).await;
                }
            }
        }
    }
}

/// List everything (paged), replace the cache, tell handlers; returns the list's version.
async fn list_all<K: Resource>(shared: &Shared<K>) -> Result<String, Error> {
    let s = &shared.settings;
    let mut items = Vec::new();
    let mut opts = ListOptions {
        label_selector: s.label_selector.clone(),
        field_selector: s.field_selector.clone(),
        limit: (s.page_size > 0).then_some(s.page_size),
        ..Default::default()
    };
    let rv = loop {
        let page = match shared.lister_watcher.list(&opts).await {
            Ok(p) => p,
            // The snapshot behind the continue token is gone: start over in one request.
            Err(e) if opts.continue_.is_some() && e.is_resource_expired() => {
                items.clear();
                opts.continue_ = None;
                opts.limit = None;
                continue;
            }
            Err(e) => return Err(e),
        };
        items.extend(page.items);
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(next) => opts.continue_ = Some(next),
            None => break page.metadata.resource_version.unwrap_or_default(),
        }
    };
    replace(shared, items);
    Ok(rv)
}

/// Make the cache exactly `items`: adds, updates, and tombstones for what vanished.
fn replace<K: Resource>(shared: &Shared<K>, items: Vec<K>) {
    let initial = !*shared.synced.borrow();
    let mut seen = HashSet::with_capacity(items.len());
    for item in items {
        let obj = shared.prepare(item);
        seen.insert(key_of(obj.as_ref()));
        shared.apply(|store| {
            vec![match store.upsert(obj.clone()) {
                None => Event::Added {
                    obj,
                    initial_list: initial,
                },
                Some(old) => Event::Updated { old, new: obj },
            }]
        });
    }
    for key in shared.store.keys() {
        if !seen.contains(&key) {
            shared.apply(|store| {
                store
                    .remove(&key)
                    .map(|last| Event::Deleted(Deleted::FinalStateUnknown { key, last }))
                    .into_iter()
                    .collect()
            });
        }
    }
    shared.synced.send_replace(true);
}

enum WatchEnd {
    /// 410 Gone: the version is no longer served; list again.
    Relist,
    /// The watch ended normally (timeout, connection closed); watch again from the last version.
    Rewatch,
    /// The watch could not start or broke with an error; back off, then watch again.
    Failed(Error),
}

async fn watch_once<K: Resource>(
    shared: &Shared<K>,
    rv: &mut String,
    mut resync: Option<&mut tokio::time::Interval>,
) -> WatchEnd {
    let s = &shared.settings;
    let (min, max) = s.watch_timeout;
    let timeout = if max > min {
        rand::rng().random_range(min..=max)
    } else {
        min
    };
    let opts = ListOptions {
        label_selector: s.label_selector.clone(),
        field_selector: s.field_selector.clone(),
        resource_version: Some(rv.clone()),
        allow_watch_bookmarks: Some(true),
        timeout_seconds: Some(timeout.as_secs().max(1) as i64),
        ..Default::default()
    };
    let started = Instant::now();
    let mut events = 0u64;
    let mut stream = match shared.lister_watcher.watch(&opts).await {
        Ok(s) => s,
        Err(e) if e.is_gone() || e.is_resource_expired() => return WatchEnd::Relist,
        Err(e) => return WatchEnd::Failed(e),
    };
    loop {
        let next = match resync.as_deref_mut() {
            Some(tick) => tokio::select! {
                ev = stream.next() => ev,
                _ = tick.tick() => {
                    shared.apply(|store| {
                        store
                            .list()
                            .into_iter()
                            .map(|obj| Event::Updated { old: obj.clone(), new: obj })
                            .collect()
                    });
                    continue;
                }
            },
            None => stream.next().await,
        };
        let event = match next {
            // A server that closes every watch at once would otherwise be asked again at once,
            // thousands of times a second.
            None if events == 0 && started.elapsed() < SHORT_WATCH => {
                return WatchEnd::Failed(Error::Watch {
                    message: format!(
                        "very short watch: closed after {:?} with no events",
                        started.elapsed()
                    ),
                })
            }
            None => return WatchEnd::Rewatch,
            Some(Err(e)) if e.is_gone() || e.is_resource_expired() => return WatchEnd::Relist,
            Some(Err(e)) => return WatchEnd::Failed(e),
            Some(Ok(ev)) => ev,
        };
        events += 1;
        match event {
            WatchEvent::Added(o) | WatchEvent::Modified(o) => {
                if let Some(v) = rv_of(&o) {
                    *rv = v;
                }
                let obj = shared.prepare(o);
                shared.apply(|store| {
                    vec![match store.upsert(obj.clone()) {
                        None => Event::Added {
                            obj,
                            initial_list: false,
                        },
                        Some(old) => Event::Updated { old, new: obj },
                    }]
                });
            }
            WatchEvent::Deleted(o) => {
                if let Some(v) = rv_of(&o) {
                    *rv = v;
                }
                let obj = shared.prepare(o);
                shared.apply(|store| {
                    store.remove(&key_of(obj.as_ref()));
                    vec![Event::Deleted(Deleted::Object(obj))]
                });
            }
            WatchEvent::Bookmark(o) => {
                if let Some(v) = rv_of(&o) {
                    *rv = v;
                }
            }
            WatchEvent::Error(status) if status.code == Some(410) => return WatchEnd::Relist,
            WatchEvent::Error(status) => return WatchEnd::Failed(Error::Api(Box::new(status))),
        }
    }
}

#[cfg(test)]
#[path = "informer_tests.rs"]
mod tests;
