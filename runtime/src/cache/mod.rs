//! Informer caches, as client-go's `tools/cache` and `util/workqueue`: an [`Informer`] keeps a
//! local, indexed copy of one kind current by list + watch and tells handlers what changed; a
//! [`Lister`] reads that copy; a [`WorkQueue`] hands the keys of changed objects to workers.
//! The informer's lists and watches come through a [`ListerWatcher`] (a `ResourceClient`, or
//! one of your own).
//!
//! ```no_run
//! use kubeclient_runtime::cache::{key_of, Event, Informer, WorkQueue};
//! use kubeclient_runtime::client::ResourceClient;
//! use kubeclient_runtime::resource::verbs::{List, Watch};
//!
//! async fn controller<K: List + Watch>(client: ResourceClient<K>) {
//!     let informer = Informer::new(client);
//!     let queue = WorkQueue::new();
//!     let q = queue.clone();
//!     informer.add_handler(move |e: &Event<K>| match e {
//!         Event::Added { obj, .. } | Event::Updated { new: obj, .. } => q.add(key_of(obj.as_ref())),
//!         Event::Deleted(d) => q.add(key_of(d.object().as_ref())),
//!     });
//!     let _running = informer.start(); // stops when dropped
//!     informer.wait_for_sync().await;
//!     while let Some(key) = queue.get().await {
//!         let _current = informer.store().get(&key); // None: it was deleted
//!         queue.done(&key);
//!     }
//! }
//! ```

mod factory;
mod informer;
mod lister;
mod lister_watcher;
mod store;
mod workqueue;

pub use factory::InformerFactory;
pub use informer::{
    drop_managed_fields, Deleted, Event, EventHandler, Informer, InformerBuilder, InformerHandle,
};
pub use lister::Lister;
pub use lister_watcher::ListerWatcher;
pub use store::{key_of, IndexFunc, Store, NAMESPACE_INDEX};
pub use workqueue::{RateLimiter, WorkQueue};
