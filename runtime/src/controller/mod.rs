//! [`Controller<K>`]: the reconcile loop every operator writes, on our informers and work
//! queue (kube-runtime's `Controller`, client-go's sample-controller wiring).
//!
//! An informer on the primary kind queues the key of every object that changes; `owns` queues
//! the controlling owner of changed dependents (by their controller owner reference); `watches`
//! queues whatever a mapper names. Workers (bounded, default 1) take keys and call `reconcile`
//! with the object as cached: [`Action::requeue`] brings it back after a delay,
//! [`Action::await_change`] waits for the next change, and an error retries with the
//! per-key exponential backoff of client-go's `DefaultControllerRateLimiter` (5 ms doubling to
//! 1000 s, 10 qps overall). The work queue never hands one key to two workers at once, and a
//! key changed while being reconciled is reconciled again after.
//!
//! [`Controller::run`] returns when its shutdown future completes: no new reconcile starts,
//! running ones finish, then it returns. Dropping the future instead (as
//! [`crate::leaderelection::LeaderElector::run`] does on lost leadership) aborts every worker
//! and informer it started: nothing keeps reconciling.
//!
//! ```no_run
//! # async fn demo<K>(client: kubeclient_runtime::client::ResourceClient<K>, shutdown: tokio::sync::oneshot::Receiver<()>)
//! # where K: kubeclient_runtime::resource::verbs::List + kubeclient_runtime::resource::verbs::Watch + Send + Sync + 'static {
//! use kubeclient_runtime::controller::{predicates, Action, Controller};
//! use std::time::Duration;
//! Controller::new(client)
//!     .filter(predicates::generation_changed)
//!     .concurrency(4)
//!     .run(
//!         |obj| async move {
//!             let _ = obj; // make the world match obj's spec; write its status
//!             Ok::<_, kubeclient_runtime::rest::Error>(Action::requeue(Duration::from_secs(300)))
//!         },
//!         async { let _ = shutdown.await; }, // e.g. on SIGTERM
//!     )
//!     .await;
//! # }
//! ```

pub mod predicates;

use crate::cache::{Event, Informer, InformerHandle, Store, WorkQueue};
use crate::client::ResourceClient;
use crate::helpers::owners::controller_of;
use crate::resource::{verbs, Resource, Scope};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What to do with an object after a successful reconcile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Reconcile it again after this long, even without a change (drift checks).
    Requeue(Duration),
    /// Reconcile it again only when it (or something mapped to it) changes.
    AwaitChange,
}

impl Action {
    /// Reconcile again after `after`.
    pub fn requeue(after: Duration) -> Self {
        Action::Requeue(after)
    }

    /// Reconcile again on the next change.
    pub fn await_change() -> Self {
        Action::AwaitChange
    }
}

/// Names one object of the primary kind: what the queue holds and mappers return.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    /// Namespace (`None` for cluster-scoped kinds).
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
}

impl ObjectRef {
    /// `name` in `namespace`.
    pub fn new(namespace: Option<&str>, name: &str) -> Self {
        ObjectRef {
            namespace: namespace.filter(|n| !n.is_empty()).map(str::to_owned),
            name: name.to_owned(),
        }
    }

    /// The reference to `obj`.
    pub fn of<K: Resource>(obj: &K) -> Self {
        let m = obj.metadata();
        Self::new(m.namespace.as_deref(), m.name.as_deref().unwrap_or(""))
    }

    /// The informer store's key (`namespace/name`, or `name`).
    fn store_key(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.store_key())
    }
}

type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;
/// Starts one input's informer: its handle and a future that completes once it has synced.
type Starter = Box<dyn FnOnce() -> (InformerHandle, BoxFuture) + Send>;
type Filter<K> = Arc<dyn Fn(&Event<K>) -> bool + Send + Sync>;

/// A controller for kind `K`; see the module docs.
pub struct Controller<K> {
    primary: Informer<K>,
    queue: WorkQueue<ObjectRef>,
    filter: Option<Filter<K>>,
    inputs: Vec<Starter>,
    concurrency: usize,
}

impl<K: Resource> fmt::Debug for Controller<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Controller")
            .field("kind", &K::KIND)
            .field("inputs", &self.inputs.len())
            .field("concurrency", &self.concurrency)
            .finish()
    }
}

/// Queue the refs `map` finds in each object an event is about (both states of an update).
fn queue_mapped<C>(
    queue: &WorkQueue<ObjectRef>,
    event: &Event<C>,
    map: &(impl Fn(&C) -> Vec<ObjectRef> + ?Sized),
) {
    let objs: Vec<&C> = match event {
        Event::Added { obj, .. } => vec![obj],
        Event::Updated { old, new } => vec![old, new],
        Event::Deleted(d) => vec![d.object()],
    };
    for obj in objs {
        for r in map(obj) {
            queue.add(r);
        }
    }
}

impl<K> Controller<K>
where
    K: Resource + verbs::List + verbs::Watch + Send + Sync + 'static,
{
    /// A controller of what `client` lists (one namespace or all).
    pub fn new(client: ResourceClient<K>) -> Self {
        Self::for_informer(Informer::new(client))
    }

    /// A controller on an informer already built (with a selector, transform or indexes).
    pub fn for_informer(primary: Informer<K>) -> Self {
        Controller {
            primary,
            queue: WorkQueue::new(),
            filter: None,
            inputs: Vec::new(),
            concurrency: 1,
        }
    }

    /// Queue a primary object only for events `keep` accepts (see [`predicates`]). Deletions
    /// always pass: nothing is reconciled for an object no longer cached anyway.
    pub fn filter(mut self, keep: impl Fn(&Event<K>) -> bool + Send + Sync + 'static) -> Self {
        self.filter = Some(Arc::new(keep));
        self
    }

    /// Reconcile the controlling owner (of kind `K`) of every `C` that changes: what `K`
    /// creates and marks with [`crate::helpers::owners::controller_reference`].
    pub fn owns<C>(self, client: ResourceClient<C>) -> Self
    where
        C: Resource + verbs::List + verbs::Watch + Send + Sync + 'static,
    {
        self.watches(client, |child: &C| {
            let meta = child.metadata();
            let owner = controller_of(meta)
                .filter(|r| r.kind == K::KIND && r.api_version == K::API_VERSION);
            owner
                .map(|r| {
                    let ns = match K::SCOPE {
                        Scope::Namespaced => meta.namespace.as_deref(),
                        Scope::Cluster => None,
                    };
                    ObjectRef::new(ns, &r.name)
                })
                .into_iter()
                .collect()
        })
    }

    /// Reconcile the primary objects `map` names whenever a `C` changes.
    pub fn watches<C>(
        self,
        client: ResourceClient<C>,
        map: impl Fn(&C) -> Vec<ObjectRef> + Send + Sync + 'static,
    ) -> Self
    where
        C: Resource + verbs::List + verbs::Watch + Send + Sync + 'static,
    {
        self.watches_informer(Informer::new(client), map)
    }

    /// As [`Self::watches`], on an informer already built (shared with other code, say).
    pub fn watches_informer<C>(
        mut self,
        informer: Informer<C>,
        map: impl Fn(&C) -> Vec<ObjectRef> + Send + Sync + 'static,
    ) -> Self
    where
        C: Resource + verbs::List + verbs::Watch + Send + Sync + 'static,
    {
        let queue = self.queue.clone();
        self.inputs.push(Box::new(move || {
            informer.add_handler(move |e: &Event<C>| queue_mapped(&queue, e, &map));
            let handle = informer.start();
            (
                handle,
                Box::pin(async move { informer.wait_for_sync().await }),
            )
        }));
        self
    }

    /// Reconcile up to `n` different objects at once (default 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The primary kind's cache (what `reconcile` is handed objects from).
    pub fn store(&self) -> Store<K> {
        self.primary.store()
    }

    /// Queue `obj` for reconciling (e.g. from outside events).
    pub fn trigger(&self, obj: ObjectRef) {
        self.queue.add(obj);
    }

    /// Run until `shutdown` completes: start the informers, wait until they have synced, then
    /// reconcile queued objects with up to [`Self::concurrency`] workers. On shutdown no new
    /// reconcile starts and the running ones finish before this returns.
    pub async fn run<R, Fut, E>(self, reconcile: R, shutdown: impl Future<Output = ()>)
    where
        R: Fn(Arc<K>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Action, E>> + Send + 'static,
        E: fmt::Display + Send + 'static,
    {
        let Controller {
            primary,
            queue,
            filter,
            inputs,
            concurrency,
        } = self;
        let q = queue.clone();
        primary.add_handler(move |e: &Event<K>| {
            let deleted = matches!(e, Event::Deleted(_));
            if deleted || filter.as_ref().is_none_or(|keep| keep(e)) {
                queue_mapped(&q, e, &|obj: &K| vec![ObjectRef::of(obj)]);
            }
        });
        // Dropped with this future: the informers stop with the controller.
        let mut handles = vec![primary.start()];
        let mut synced: Vec<BoxFuture> = Vec::new();
        for start in inputs {
            let (handle, sync) = start();
            handles.push(handle);
            synced.push(sync);
        }
        tokio::pin!(shutdown);
        let all_synced = async {
            primary.wait_for_sync().await;
            futures_util::future::join_all(synced).await;
        };
        tokio::select! {
            () = all_synced => {}
            () = &mut shutdown => return,
        }
        tracing::debug!(
            kind = K::KIND,
            concurrency,
            "caches synced; starting workers"
        );

        let stopping = Arc::new(AtomicBool::new(false));
        let reconcile = Arc::new(reconcile);
        // A JoinSet aborts its tasks when dropped: losing this future stops every worker.
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..concurrency {
            let worker = Worker {
                queue: queue.clone(),
                store: primary.store(),
                stopping: stopping.clone(),
                reconcile: reconcile.clone(),
            };
            workers.spawn(worker.run());
        }
        shutdown.await;
        stopping.store(true, Ordering::SeqCst);
        queue.shut_down();
        while workers.join_next().await.is_some() {}
        drop(handles);
    }
}

struct Worker<K, R> {
    queue: WorkQueue<ObjectRef>,
    store: Store<K>,
    stopping: Arc<AtomicBool>,
    reconcile: Arc<R>,
}

impl<K, R, Fut, E> Worker<K, R>
where
    K: Resource + Send + Sync + 'static,
    R: Fn(Arc<K>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Action, E>> + Send + 'static,
    E: fmt::Display + Send + 'static,
{
    async fn run(self) {
        while let Some(key) = self.queue.get().await {
            if self.stopping.load(Ordering::SeqCst) {
                self.queue.done(&key);
                break;
            }
            match self.store.get(&key.store_key()) {
                // Deleted: nothing to reconcile (finalizers keep objects that need clean-up).
                None => self.queue.forget(&key),
                Some(obj) => match (self.reconcile)(obj).await {
                    Ok(Action::AwaitChange) => self.queue.forget(&key),
                    Ok(Action::Requeue(after)) => {
                        self.queue.forget(&key);
                        self.queue.add_after(key.clone(), after);
                    }
                    Err(e) => {
                        let retries = self.queue.num_requeues(&key);
                        tracing::warn!(kind = K::KIND, object = %key, retries, error = %e, "reconcile failed");
                        self.queue.add_rate_limited(key.clone());
                    }
                },
            }
            self.queue.done(&key);
        }
    }
}
