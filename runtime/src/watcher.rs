//! [`watcher`]: one kind as an endless stream of events over list + watch, as kube-rs's
//! `watcher()` and client-go's Reflector keep one current.
//!
//! It lists (in pages, see [`crate::pager`]) and reports the whole state between
//! [`WatcherEvent::Init`] and [`WatcherEvent::InitDone`], then watches from the list's
//! resourceVersion with bookmarks, so a watch that ends (server timeout, dropped connection)
//! resumes from the last version seen and nothing is reported twice or missed. When that
//! version is no longer served (410 Gone / `Expired`) it lists again: a new `Init` ..
//! `InitDone` round whose objects replace everything known before (what is missing from it
//! was deleted meanwhile). Errors are yielded as items, for logging, and the next attempt waits
//! an exponential backoff (0.8 s doubling to 30 s with jitter, as the Reflector); the stream
//! itself never ends: drop it to stop.

use crate::client::ResourceClient;
use crate::flowcontrol::Backoff;
use crate::meta::v1::{ListOptions, WatchEvent};
use crate::pager::{Pager, DEFAULT_PAGE_SIZE};
use crate::resource::{verbs, Resource};
use crate::rest::{Error, Result, WatchStream};
use futures_util::{Stream, StreamExt};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// What the watcher reports.
#[derive(Debug, Clone, PartialEq)]
pub enum WatcherEvent<K> {
    /// A list begins: the objects until [`WatcherEvent::InitDone`] are the whole state.
    Init,
    /// One object of the list.
    InitApply(K),
    /// The list is complete; anything known before and not listed is gone.
    InitDone,
    /// An object was created or changed.
    Apply(K),
    /// An object was deleted (its last state).
    Delete(K),
}

/// What to watch and how patiently.
#[derive(Debug, Clone)]
pub struct WatcherConfig {
    /// Only objects matching this label selector.
    pub label_selector: Option<String>,
    /// Only objects matching this field selector.
    pub field_selector: Option<String>,
    /// List page size (0: one request).
    pub page_size: i64,
    /// Server-side timeout of each watch request (it is then resumed).
    pub watch_timeout: Duration,
    /// Ask for bookmarks, so a resumed watch starts from a recent version.
    pub bookmarks: bool,
    /// First and longest wait after a failure.
    pub backoff: (Duration, Duration),
}

impl Default for WatcherConfig {
    fn default() -> Self {
        WatcherConfig {
            label_selector: None,
            field_selector: None,
            page_size: DEFAULT_PAGE_SIZE,
            // Below the 5 min many load balancers cut idle connections at.
            watch_timeout: Duration::from_secs(290),
            bookmarks: true,
            backoff: (Duration::from_millis(800), Duration::from_secs(30)),
        }
    }
}

impl WatcherConfig {
    /// Only objects matching this label selector.
    pub fn labels(mut self, selector: impl Into<String>) -> Self {
        self.label_selector = Some(selector.into());
        self
    }

    /// Only objects matching this field selector.
    pub fn fields(mut self, selector: impl Into<String>) -> Self {
        self.field_selector = Some(selector.into());
        self
    }
}

/// A watch closing sooner than this without an event counts as a failure (client-go's "very
/// short watch"): a server that closes every watch at once is not asked again at once.
const SHORT_WATCH: Duration = Duration::from_secs(1);

enum Phase<K> {
    List,
    Watch {
        rv: String,
        stream: Option<(WatchStream<K>, Instant, u64)>,
    },
}

struct State<K> {
    client: ResourceClient<K>,
    config: WatcherConfig,
    phase: Phase<K>,
    backoff: Backoff,
    /// Wait this long before the next request (set by a failure).
    delay: Option<Duration>,
    pending: VecDeque<WatcherEvent<K>>,
}

/// The events of `client`'s kind (in its namespace, or all), forever; see the module docs.
///
/// ```no_run
/// # async fn demo<K: kubeclient_runtime::resource::verbs::List + kubeclient_runtime::resource::verbs::Watch>(c: kubeclient_runtime::client::ResourceClient<K>) {
/// use futures_util::StreamExt;
/// use kubeclient_runtime::watcher::{watcher, WatcherConfig, WatcherEvent};
/// let mut events = std::pin::pin!(watcher(c, WatcherConfig::default().labels("app=web")));
/// while let Some(event) = events.next().await {
///     match event {
///         Ok(WatcherEvent::Apply(obj) | WatcherEvent::InitApply(obj)) => { let _ = obj; }
///         Ok(_) => {}
///         Err(e) => eprintln!("watch failed, retrying: {e}"),
///     }
/// }
/// # }
/// ```
pub fn watcher<K>(
    client: ResourceClient<K>,
    config: WatcherConfig,
) -> impl Stream<Item = Result<WatcherEvent<K>>> + Send
where
    K: Resource + verbs::List + verbs::Watch + Send + 'static,
{
    let backoff = Backoff::new(config.backoff.0, config.backoff.1).with_jitter(1.0);
    let state = State {
        client,
        config,
        phase: Phase::List,
        backoff,
        delay: None,
        pending: VecDeque::new(),
    };
    futures_util::stream::unfold(state, |mut s| async move {
        let item = s.step().await;
        Some((item, s))
    })
}

fn rv_of<K: Resource>(obj: &K) -> Option<String> {
    obj.metadata()
        .resource_version
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

impl<K: Resource + verbs::List + verbs::Watch> State<K> {
    fn fail(&mut self, e: Error) -> Result<WatcherEvent<K>> {
        self.delay = Some(self.backoff.next_delay());
        Err(e)
    }

    fn options(&self) -> ListOptions {
        ListOptions {
            label_selector: self.config.label_selector.clone(),
            field_selector: self.config.field_selector.clone(),
            ..Default::default()
        }
    }

    /// The next item: loops over the steps that report nothing (bookmarks, watch restarts).
    async fn step(&mut self) -> Result<WatcherEvent<K>> {
        loop {
            if let Some(ev) = self.pending.pop_front() {
                return Ok(ev);
            }
            if let Some(d) = self.delay.take() {
                tokio::time::sleep(d).await;
            }
            let base = self.options();
            match &mut self.phase {
                Phase::List => {
                    let pager = Pager::new(self.client.clone()).page_size(self.config.page_size);
                    match pager.list(&base).await {
                        Ok(list) => {
                            self.pending.push_back(WatcherEvent::Init);
                            self.pending
                                .extend(list.items.into_iter().map(WatcherEvent::InitApply));
                            self.pending.push_back(WatcherEvent::InitDone);
                            let rv = list.metadata.resource_version.unwrap_or_default();
                            self.phase = Phase::Watch { rv, stream: None };
                        }
                        Err(e) => return self.fail(e),
                    }
                }
                Phase::Watch { rv, stream: None } => {
                    let opts = ListOptions {
                        resource_version: Some(rv.clone()),
                        allow_watch_bookmarks: self.config.bookmarks.then_some(true),
                        timeout_seconds: Some(self.config.watch_timeout.as_secs().max(1) as i64),
                        ..base
                    };
                    match self.client.watch(&opts).await {
                        Ok(w) => {
                            self.phase = Phase::Watch {
                                rv: rv.clone(),
                                stream: Some((w, Instant::now(), 0)),
                            }
                        }
                        Err(e) if e.is_gone() => self.phase = Phase::List,
                        Err(e) => return self.fail(e),
                    }
                }
                Phase::Watch {
                    rv,
                    stream: Some((w, started, seen)),
                } => match w.next().await {
                    None if *seen == 0 && started.elapsed() < SHORT_WATCH => {
                        let message = format!(
                            "very short watch: closed after {:?} with no events",
                            started.elapsed()
                        );
                        self.phase = Phase::Watch {
                            rv: rv.clone(),
                            stream: None,
                        };
                        return self.fail(Error::Watch { message });
                    }
                    None => {
                        self.phase = Phase::Watch {
                            rv: rv.clone(),
                            stream: None,
                        }
                    }
                    Some(Err(e)) if e.is_gone() => self.phase = Phase::List,
                    Some(Err(e)) => {
                        self.phase = Phase::Watch {
                            rv: rv.clone(),
                            stream: None,
                        };
                        return self.fail(e);
                    }
                    Some(Ok(ev)) => {
                        *seen += 1;
                        self.backoff.reset();
                        let (obj, deleted) = match ev {
                            WatchEvent::Added(o) | WatchEvent::Modified(o) => (o, false),
                            WatchEvent::Deleted(o) => (o, true),
                            WatchEvent::Bookmark(o) => {
                                if let Some(v) = rv_of(&o) {
                                    *rv = v;
                                }
                                continue;
                            }
                            WatchEvent::Error(status) if status.code == Some(410) => {
                                self.phase = Phase::List;
                                continue;
                            }
                            WatchEvent::Error(status) => {
                                self.phase = Phase::Watch {
                                    rv: rv.clone(),
                                    stream: None,
                                };
                                return self.fail(Error::Api(Box::new(status)));
                            }
                        };
                        if let Some(v) = rv_of(&obj) {
                            *rv = v;
                        }
                        return Ok(if deleted {
                            WatcherEvent::Delete(obj)
                        } else {
                            WatcherEvent::Apply(obj)
                        });
                    }
                },
            }
        }
    }
}
