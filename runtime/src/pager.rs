//! [`Pager`]: list a kind in chunks with `limit` + `continue`, as client-go's `tools/pager`.
//!
//! Large lists come back in pages of 500 by default, so neither side holds one huge response.
//! When a continue token expires mid-list (the snapshot behind it was compacted away: 410
//! `Expired`), the pager falls back to one full list from the start, as client-go's does; what
//! was collected from the broken snapshot is dropped so the result stays one consistent view.

use crate::client::ResourceClient;
use crate::meta::v1::{List, ListOptions};
use crate::resource::verbs;
use crate::rest::Result;

/// client-go's `defaultPageSize`.
pub const DEFAULT_PAGE_SIZE: i64 = 500;

/// What [`Pager::pages`] hands out.
#[derive(Debug)]
pub enum Page<K> {
    /// The objects of one page.
    Items(Vec<K>),
    /// The continue token expired: forget the pages so far, a full list follows.
    Restart,
}

/// Lists one kind page by page.
///
/// ```no_run
/// # async fn demo<K: kubeclient_runtime::resource::verbs::List>(c: kubeclient_runtime::client::ResourceClient<K>) -> kubeclient_runtime::rest::Result<()> {
/// use kubeclient_runtime::pager::Pager;
/// let all = Pager::new(c).page_size(100).list(&Default::default()).await?;
/// println!("{} objects at resourceVersion {:?}", all.items.len(), all.metadata.resource_version);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Pager<K> {
    client: ResourceClient<K>,
    page_size: i64,
}

impl<K: crate::Resource> std::fmt::Debug for Pager<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pager")
            .field("client", &self.client)
            .field("page_size", &self.page_size)
            .finish()
    }
}

impl<K: verbs::List> Pager<K> {
    /// A pager with pages of [`DEFAULT_PAGE_SIZE`].
    pub fn new(client: ResourceClient<K>) -> Self {
        Pager {
            client,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }

    /// Objects per page; 0 lists in one request.
    pub fn page_size(mut self, n: i64) -> Self {
        self.page_size = n.max(0);
        self
    }

    /// Every object matching `opts` (its `limit` and `continue_` are the pager's), with the
    /// list's resourceVersion, from one consistent snapshot.
    ///
    /// # Errors
    /// The first failed request's error (an expired continue token is not one: it restarts
    /// the list in one request).
    pub async fn list(&self, opts: &ListOptions) -> Result<List<K>> {
        let mut items = Vec::new();
        let metadata = self
            .pages(opts, |page| match page {
                Page::Restart => items.clear(),
                Page::Items(page) => items.extend(page),
            })
            .await?;
        Ok(List { metadata, items })
    }

    /// Hand each page's objects to `f` as they arrive, without holding the whole list; returns
    /// the last page's list metadata (its resourceVersion is the list's). After a fallback to a
    /// full list, `f` is told [`Page::Restart`] and sees every object again: the pages before
    /// it were from an expired snapshot.
    ///
    /// # Errors
    /// As [`Self::list`].
    pub async fn pages(
        &self,
        opts: &ListOptions,
        mut f: impl FnMut(Page<K>),
    ) -> Result<crate::meta::v1::ListMeta> {
        let mut opts = ListOptions {
            limit: (self.page_size > 0).then_some(self.page_size),
            continue_: None,
            ..opts.clone()
        };
        loop {
            let page = match self.client.list(&opts).await {
                Ok(p) => p,
                Err(e) if opts.continue_.is_some() && e.is_resource_expired() => {
                    tracing::debug!(error = %e, "continue token expired; listing in full");
                    opts.continue_ = None;
                    opts.limit = None;
                    f(Page::Restart);
                    continue;
                }
                Err(e) => return Err(e),
            };
            f(Page::Items(page.items));
            match page.metadata.continue_.clone().filter(|c| !c.is_empty()) {
                Some(next) => opts.continue_ = Some(next),
                None => return Ok(page.metadata),
            }
        }
    }
}
