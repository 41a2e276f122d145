//! [`ListerWatcher<K>`]: where an [`super::Informer`] gets its lists and watches (client-go's
//! `cache.ListerWatcher`). A [`ResourceClient`] is one; a test, a proxy or a cache of another
//! process can supply its own with [`super::Informer::from_lister_watcher`].

use crate::client::ResourceClient;
use crate::meta::v1::{List, ListOptions};
use crate::resource::verbs;
use crate::rest::{Error, WatchStream};
use futures_util::future::BoxFuture;

/// Lists and watches one kind for an informer (client-go's `ListerWatcher`).
///
/// The informer builds every option itself (selectors, `limit`/`continue` paging,
/// `resourceVersion`, bookmarks, the watch timeout) and only hands them over, so an
/// implementation passes them on as they are. Errors keep the server's meaning, which decides
/// what the informer does next: a watch's 410 Gone or `Expired` ([`Error::is_gone`]) relists; a
/// list page's `Expired` continue token ([`Error::is_resource_expired`]) restarts the list in one
/// unpaged request; anything else backs off and tries again. Object safe: the informer holds an
/// `Arc<dyn ListerWatcher<K>>`; `opts` lives as long as the future, so it need not be cloned.
pub trait ListerWatcher<K>: Send + Sync {
    /// One page of objects, as [`ResourceClient::list`].
    fn list<'a>(&'a self, opts: &'a ListOptions) -> BoxFuture<'a, Result<List<K>, Error>>;

    /// Events from `opts.resource_version`, as [`ResourceClient::watch`]: the stream ends when
    /// the watch does, and an `ERROR` event may come as `Err(Error::Api(status))` or as
    /// `Ok(WatchEvent::Error(status))`.
    fn watch<'a>(&'a self, opts: &'a ListOptions) -> BoxFuture<'a, Result<WatchStream<K>, Error>>;
}

impl<K: verbs::List + verbs::Watch> ListerWatcher<K> for ResourceClient<K> {
    fn list<'a>(&'a self, opts: &'a ListOptions) -> BoxFuture<'a, Result<List<K>, Error>> {
        Box::pin(ResourceClient::list(self, opts))
    }

    fn watch<'a>(&'a self, opts: &'a ListOptions) -> BoxFuture<'a, Result<WatchStream<K>, Error>> {
        Box::pin(ResourceClient::watch(self, opts))
    }
}
