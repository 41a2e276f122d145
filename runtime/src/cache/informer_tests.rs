//! The informer's reflector logic against a scripted [`ListerWatcher`]: paging, resource
//! versions, bookmarks, relists on 410 with tombstones, backoff. Time is tokio's paused clock,
//! so backoffs cost nothing and their lengths can be read off the recorded call times.

use super::*;
use crate::cache::store::tests::Thing;
use crate::meta::v1::{List, ListMeta, ObjectMeta, Status};
use crate::rest::WatchStream;
use futures_util::future::BoxFuture;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One step of a scripted watch stream; the stream ends after the last.
// A handful per test: boxing the event would only add noise to the scripts.
#[allow(clippy::large_enum_variant)]
enum Step {
    Event(WatchEvent<Thing>),
    Err(Error),
    /// Nothing happens for this long.
    Wait(Duration),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Verb {
    List,
    Watch,
}

#[derive(Clone, Debug)]
struct Call {
    verb: Verb,
    opts: ListOptions,
    at: Instant,
}

/// Answers list and watch calls from queues and records every call. Once a queue is empty the
/// call never completes (a list) or gives a stream that never ends (a watch): the informer
/// then sits still and the test can look at it.
struct FakeLw {
    lists: Mutex<VecDeque<Result<List<Thing>, Error>>>,
    watches: Mutex<VecDeque<Result<Vec<Step>, Error>>>,
    calls: Mutex<Vec<Call>>,
    count: watch::Sender<usize>,
}

impl FakeLw {
    fn new(
        lists: Vec<Result<List<Thing>, Error>>,
        watches: Vec<Result<Vec<Step>, Error>>,
    ) -> Arc<Self> {
        Arc::new(FakeLw {
            lists: Mutex::new(lists.into()),
            watches: Mutex::new(watches.into()),
            calls: Mutex::new(Vec::new()),
            count: watch::channel(0).0,
        })
    }

    fn record(&self, verb: Verb, opts: &ListOptions) {
        self.calls.lock().unwrap().push(Call {
            verb,
            opts: opts.clone(),
            at: Instant::now(),
        });
        self.count.send_modify(|n| *n += 1);
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// Wait until the informer has made `n` calls, then long enough for any further call to
    /// show; returns them, failing if there are not exactly `n`.
    async fn settle(&self, n: usize) -> Vec<Call> {
        let mut count = self.count.subscribe();
        let reached =
            tokio::time::timeout(Duration::from_secs(3600), count.wait_for(|c| *c >= n)).await;
        assert!(
            reached.is_ok(),
            "informer made fewer than {n} calls: {:#?}",
            self.calls()
        );
        tokio::time::sleep(Duration::from_secs(600)).await;
        let calls = self.calls();
        assert_eq!(calls.len(), n, "{calls:#?}");
        calls
    }
}

impl ListerWatcher<Thing> for FakeLw {
    fn list<'a>(&'a self, opts: &'a ListOptions) -> BoxFuture<'a, Result<List<Thing>, Error>> {
        self.record(Verb::List, opts);
        let next = self.lists.lock().unwrap().pop_front();
        Box::pin(async move {
            match next {
                Some(answer) => answer,
                None => std::future::pending().await,
            }
        })
    }

    fn watch<'a>(
        &'a self,
        opts: &'a ListOptions,
    ) -> BoxFuture<'a, Result<WatchStream<Thing>, Error>> {
        self.record(Verb::Watch, opts);
        let next = self.watches.lock().unwrap().pop_front();
        Box::pin(async move {
            let steps = match next {
                Some(answer) => answer?,
                None => return Ok(Box::pin(futures_util::stream::pending()) as WatchStream<_>),
            };
            let stream = futures_util::stream::unfold(steps.into_iter(), |mut steps| async move {
                loop {
                    match steps.next()? {
                        Step::Wait(d) => tokio::time::sleep(d).await,
                        Step::Event(e) => return Some((Ok(e), steps)),
                        Step::Err(e) => return Some((Err(e), steps)),
                    }
                }
            });
            Ok(Box::pin(stream) as WatchStream<_>)
        })
    }
}

fn thing(name: &str, color: &str, rv: &str) -> Thing {
    Thing {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some("ns".into()),
            resource_version: Some(rv.into()),
            ..Default::default()
        },
        color: color.into(),
    }
}

/// What a BOOKMARK carries: only a resource version.
fn bookmark(rv: &str) -> Step {
    Step::Event(WatchEvent::Bookmark(Thing {
        metadata: ObjectMeta {
            resource_version: Some(rv.into()),
            ..Default::default()
        },
        ..Default::default()
    }))
}

fn page(items: Vec<Thing>, rv: &str, continue_: Option<&str>) -> Result<List<Thing>, Error> {
    Ok(List {
        metadata: ListMeta {
            resource_version: Some(rv.into()),
            continue_: continue_.map(Into::into),
            ..Default::default()
        },
        items,
    })
}

fn status(code: i32, reason: &str) -> Status {
    Status {
        code: Some(code),
        reason: Some(reason.into()),
        status: Some("Failure".into()),
        ..Default::default()
    }
}

/// An API error as the REST layer builds it.
fn api_error(code: i32, reason: &str) -> Error {
    Error::Api(Box::new(status(code, reason)))
}

/// The first list request's options.
fn first_page() -> ListOptions {
    ListOptions {
        limit: Some(500),
        ..Default::default()
    }
}

fn describe(e: &Event<Thing>) -> String {
    match e {
        Event::Added { obj, initial_list } => format!(
            "added {} {}{}",
            key_of(obj.as_ref()),
            obj.color,
            if *initial_list { " (initial)" } else { "" }
        ),
        Event::Updated { old, new } => {
            format!(
                "updated {} {} -> {}",
                key_of(new.as_ref()),
                old.color,
                new.color
            )
        }
        Event::Deleted(Deleted::Object(o)) => format!("deleted {} {}", key_of(o.as_ref()), o.color),
        Event::Deleted(Deleted::FinalStateUnknown { key, last }) => {
            assert_eq!(key, &key_of(last.as_ref()));
            format!("tombstone {key} {}", last.color)
        }
    }
}

/// An informer over `fake` whose backoff starts at a round 1 s (doubling to 30 s), so the
/// backoff tests can state their gaps in whole seconds.
fn round_backoff(fake: &Arc<FakeLw>) -> InformerBuilder<Thing> {
    InformerBuilder::with_lister_watcher(fake.clone(), "Thing")
        .backoff(Duration::from_secs(1), Duration::from_secs(30))
}

/// Every event the informer hands out, described.
fn record(informer: &Informer<Thing>) -> watch::Receiver<Vec<String>> {
    let (tx, rx) = watch::channel(Vec::new());
    informer.add_handler(move |e: &Event<Thing>| tx.send_modify(|v| v.push(describe(e))));
    rx
}

fn events(rx: &watch::Receiver<Vec<String>>) -> Vec<String> {
    rx.borrow().clone()
}

fn colors(informer: &Informer<Thing>) -> Vec<(String, String)> {
    let mut v: Vec<_> = informer
        .store()
        .list()
        .iter()
        .map(|t| (key_of(t.as_ref()), t.color.clone()))
        .collect();
    v.sort();
    v
}

fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn verbs_of(calls: &[Call]) -> Vec<Verb> {
    calls.iter().map(|c| c.verb).collect()
}

/// `later - earlier` is within `[lo, hi]` milliseconds (plus the timer's 1 ms granularity).
#[track_caller]
fn gap(earlier: &Call, later: &Call, lo: u64, hi: u64) {
    let d = later.at - earlier.at;
    assert!(
        d >= Duration::from_millis(lo) && d <= Duration::from_millis(hi + 1),
        "{d:?} is not within {lo}..={hi} ms"
    );
}

#[tokio::test(start_paused = true)]
async fn initial_list_comes_in_pages_then_syncs() {
    let fake = FakeLw::new(
        vec![
            page(
                vec![thing("a", "red", "5"), thing("b", "red", "6")],
                "",
                Some("c1"),
            ),
            page(vec![thing("c", "red", "7")], "10", None),
        ],
        vec![],
    );
    let informer = InformerBuilder::with_lister_watcher(fake.clone(), "Thing")
        .label_selector("app=web")
        .field_selector("spec.x=y")
        .build();
    let rx = record(&informer);
    assert!(!informer.has_synced());

    let _run = informer.start();
    let calls = fake.settle(3).await;

    assert_eq!(verbs_of(&calls), [Verb::List, Verb::List, Verb::Watch]);
    let selected = ListOptions {
        label_selector: Some("app=web".into()),
        field_selector: Some("spec.x=y".into()),
        ..first_page()
    };
    assert_eq!(calls[0].opts, selected);
    assert_eq!(
        calls[1].opts,
        ListOptions {
            continue_: Some("c1".into()),
            ..selected.clone()
        }
    );
    assert_eq!(calls[2].opts.label_selector, selected.label_selector);
    assert_eq!(calls[2].opts.field_selector, selected.field_selector);
    assert_eq!(
        events(&rx),
        [
            "added ns/a red (initial)",
            "added ns/b red (initial)",
            "added ns/c red (initial)"
        ]
    );
    assert!(informer.has_synced());
    informer.wait_for_sync().await;
    assert_eq!(informer.store().len(), 3);
    assert!(format!("{informer:?}").contains(r#"kind: "Thing""#));
}

#[tokio::test(start_paused = true)]
async fn watch_events_and_bookmarks_move_the_version_of_the_next_watch() {
    // Each watch ends after one event: the next watch's resourceVersion shows what moved it.
    let fake = FakeLw::new(
        vec![page(vec![thing("a", "red", "10")], "10", None)],
        vec![
            Ok(vec![Step::Event(WatchEvent::Added(thing(
                "b", "green", "11",
            )))]),
            Ok(vec![Step::Event(WatchEvent::Modified(thing(
                "a", "blue", "12",
            )))]),
            Ok(vec![Step::Event(WatchEvent::Deleted(thing(
                "b", "green", "13",
            )))]),
            Ok(vec![bookmark("20")]),
        ],
    );
    let informer = Informer::from_lister_watcher(fake.clone(), "Thing");
    let rx = record(&informer);
    let _run = informer.start();
    let calls = fake.settle(6).await;

    // No relist: a watch that ends after events is simply started again.
    assert_eq!(
        verbs_of(&calls),
        [
            Verb::List,
            Verb::Watch,
            Verb::Watch,
            Verb::Watch,
            Verb::Watch,
            Verb::Watch
        ]
    );
    let rvs: Vec<_> = calls[1..]
        .iter()
        .map(|c| c.opts.resource_version.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(rvs, ["10", "11", "12", "13", "20"]);
    for c in &calls[1..] {
        assert_eq!(c.opts.allow_watch_bookmarks, Some(true));
        assert!(matches!(c.opts.timeout_seconds, Some(300..=600)), "{c:?}");
        assert_eq!((c.opts.limit, &c.opts.continue_), (None, &None));
        // Immediately: ending after events is no failure.
        assert_eq!(c.at, calls[0].at);
    }
    // The bookmark told nobody anything.
    assert_eq!(
        events(&rx),
        [
            "added ns/a red (initial)",
            "added ns/b green",
            "updated ns/a red -> blue",
            "deleted ns/b green"
        ]
    );
    assert_eq!(colors(&informer), kv(&[("ns/a", "blue")]));
}

#[tokio::test(start_paused = true)]
async fn quiet_watch_that_lasted_a_second_is_rewatched_at_once() {
    let fake = FakeLw::new(
        vec![page(vec![thing("a", "red", "10")], "10", None)],
        vec![Ok(vec![Step::Wait(Duration::from_secs(2))])],
    );
    let informer = Informer::from_lister_watcher(fake.clone(), "Thing");
    let _run = informer.start();
    let calls = fake.settle(3).await;

    assert_eq!(verbs_of(&calls), [Verb::List, Verb::Watch, Verb::Watch]);
    assert_eq!(calls[2].opts.resource_version.as_deref(), Some("10"));
    // The two seconds of the watch itself, no backoff after it.
    gap(&calls[1], &calls[2], 2000, 2000);
}

#[tokio::test(start_paused = true)]
async fn gone_watch_call_relists_with_tombstones() {
    let fake = FakeLw::new(
        vec![
            page(
                vec![
                    thing("a", "red", "1"),
                    thing("b", "red", "2"),
                    thing("c", "red", "3"),
                ],
                "10",
                None,
            ),
            page(
                vec![
                    thing("a", "blue", "15"),
                    thing("c", "red", "3"),
                    thing("d", "green", "16"),
                ],
                "20",
                None,
            ),
        ],
        vec![Err(api_error(410, "Gone"))],
    );
    let informer = Informer::from_lister_watcher(fake.clone(), "Thing");
    let rx = record(&informer);
    let _run = informer.start();
    let calls = fake.settle(4).await;

    assert_eq!(
        verbs_of(&calls),
        [Verb::List, Verb::Watch, Verb::List, Verb::Watch]
    );
    // A relist is a fresh paged list, at once.
    assert_eq!(calls[2].opts, first_page());
    assert_eq!(calls[2].at, calls[1].at);
    assert_eq!(calls[3].opts.resource_version.as_deref(), Some("20"));
    assert_eq!(
        events(&rx)[3..],
        [
            "updated ns/a red -> blue",
            "updated ns/c red -> red",
            "added ns/d green",
            "tombstone ns/b red"
        ]
    );
    assert_eq!(
        colors(&informer),
        kv(&[("ns/a", "blue"), ("ns/c", "red"), ("ns/d", "green")])
    );
}

#[tokio::test(start_paused = true)]
async fn gone_inside_the_watch_relists_as_event_or_error() {
    let fake = FakeLw::new(
        vec![
            page(vec![thing("a", "red", "1")], "10", None),
            page(
                vec![thing("a", "red", "1"), thing("c", "green", "11")],
                "20",
                None,
            ),
            page(vec![thing("c", "green", "11")], "30", None),
        ],
        vec![
            // An ERROR event as the decoded object...
            Ok(vec![
                Step::Event(WatchEvent::Added(thing("c", "green", "11"))),
                Step::Event(WatchEvent::Error(status(410, "Expired"))),
            ]),
            // ...and as the REST layer's watch stream hands it over.
            Ok(vec![Step::Err(api_error(410, "Expired"))]),
        ],
    );
    let informer = Informer::from_lister_watcher(fake.clone(), "Thing");
    let rx = record(&informer);
    let _run = informer.start();
    let calls = fake.settle(6).await;

    assert_eq!(
        verbs_of(&calls),
        [
            Verb::List,
            Verb::Watch,
            Verb::List,
            Verb::Watch,
            Verb::List,
            Verb::Watch
        ]
    );
    let rvs: Vec<_> = [1, 3, 5]
        .iter()
        .map(|&i| calls[i].opts.resource_version.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(rvs, ["10", "20", "30"]);
    assert!(calls.iter().all(|c| c.at == calls[0].at), "no backoff");
    assert_eq!(
        events(&rx),
        [
            "added ns/a red (initial)",
            "added ns/c green",
            "updated ns/a red -> red",
            "updated ns/c green -> green",
            "updated ns/c green -> green",
            "tombstone ns/a red"
        ]
    );
    assert_eq!(colors(&informer), kv(&[("ns/c", "green")]));
}

#[tokio::test(start_paused = true)]
async fn expired_continue_token_restarts_the_list_in_one_request() {
    let fake = FakeLw::new(
        vec![
            page(
                vec![thing("a", "red", "1"), thing("b", "red", "2")],
                "",
                Some("c1"),
            ),
            Err(api_error(410, "Expired")),
            page(
                vec![thing("b", "blue", "25"), thing("c", "red", "26")],
                "30",
                None,
            ),
        ],
        vec![],
    );
    let informer = InformerBuilder::with_lister_watcher(fake.clone(), "Thing")
        .label_selector("app=web")
        .build();
    let rx = record(&informer);
    let _run = informer.start();
    let calls = fake.settle(4).await;

    assert_eq!(
        verbs_of(&calls),
        [Verb::List, Verb::List, Verb::List, Verb::Watch]
    );
    let selected = ListOptions {
        label_selector: Some("app=web".into()),
        ..Default::default()
    };
    assert_eq!(calls[1].opts.continue_.as_deref(), Some("c1"));
    // Selectors kept, no limit, no continue token; at once.
    assert_eq!(calls[2].opts, selected);
    assert_eq!(calls[2].at, calls[1].at);
    assert_eq!(calls[3].opts.resource_version.as_deref(), Some("30"));
    // The first page was thrown away: nothing of it was stored or told.
    assert_eq!(
        events(&rx),
        ["added ns/b blue (initial)", "added ns/c red (initial)"]
    );
    assert_eq!(colors(&informer), kv(&[("ns/b", "blue"), ("ns/c", "red")]));
    assert!(informer.has_synced());
}

#[tokio::test(start_paused = true)]
async fn short_quiet_watches_are_failures_and_back_off() {
    let fake = FakeLw::new(
        vec![page(vec![thing("a", "red", "1")], "10", None)],
        vec![Ok(vec![Step::Wait(Duration::from_millis(500))]), Ok(vec![])],
    );
    let informer = round_backoff(&fake).build();
    let rx = record(&informer);
    let _run = informer.start();
    let calls = fake.settle(4).await;

    assert_eq!(
        verbs_of(&calls),
        [Verb::List, Verb::Watch, Verb::Watch, Verb::Watch]
    );
    // The half second of the watch, then 1 s doubling, with up to 100% jitter.
    gap(&calls[1], &calls[2], 1500, 2500);
    gap(&calls[2], &calls[3], 2000, 4000);
    for c in &calls[2..] {
        assert_eq!(c.opts.resource_version.as_deref(), Some("10"));
    }
    assert_eq!(events(&rx), ["added ns/a red (initial)"]);
}

#[tokio::test(start_paused = true)]
async fn watch_errors_back_off_and_resume_from_the_last_version() {
    let fake = FakeLw::new(
        vec![page(vec![thing("a", "red", "1")], "10", None)],
        vec![
            Err(api_error(500, "InternalError")),
            Ok(vec![
                Step::Event(WatchEvent::Added(thing("b", "red", "11"))),
                Step::Event(WatchEvent::Error(status(500, "InternalError"))),
            ]),
        ],
    );
    let informer = round_backoff(&fake).build();
    let rx = record(&informer);
    let _run = informer.start();
    let calls = fake.settle(4).await;

    // Not a relist: only a 410 loses the history.
    assert_eq!(
        verbs_of(&calls),
        [Verb::List, Verb::Watch, Verb::Watch, Verb::Watch]
    );
    gap(&calls[1], &calls[2], 1000, 2000);
    gap(&calls[2], &calls[3], 2000, 4000);
    assert_eq!(calls[2].opts.resource_version.as_deref(), Some("10"));
    assert_eq!(calls[3].opts.resource_version.as_deref(), Some("11"));
    assert_eq!(events(&rx), ["added ns/a red (initial)", "added ns/b red"]);
}

#[tokio::test(start_paused = true)]
async fn list_errors_retry_after_backoff() {
    let fake = FakeLw::new(
        vec![
            Err(api_error(500, "InternalError")),
            Err(api_error(503, "ServiceUnavailable")),
            page(vec![thing("a", "red", "1")], "10", None),
        ],
        vec![Ok(vec![])],
    );
    let informer = round_backoff(&fake).build();
    let rx = record(&informer);
    let _run = informer.start();
    let mut count = fake.count.subscribe();
    let _ = count.wait_for(|c| *c >= 2).await;
    assert!(!informer.has_synced());
    let calls = fake.settle(5).await;

    assert_eq!(
        verbs_of(&calls),
        [Verb::List, Verb::List, Verb::List, Verb::Watch, Verb::Watch]
    );
    assert!(calls[..3].iter().all(|c| c.opts == first_page()));
    gap(&calls[0], &calls[1], 1000, 2000);
    gap(&calls[1], &calls[2], 2000, 4000);
    assert_eq!(calls[3].at, calls[2].at);
    // A good list starts the backoff over: the short watch waits 1–2 s, not 4–8 s.
    gap(&calls[3], &calls[4], 1000, 2000);
    assert!(informer.has_synced());
    assert_eq!(events(&rx), ["added ns/a red (initial)"]);
}

#[tokio::test(start_paused = true)]
async fn backoff_starts_over_after_a_quiet_spell() {
    let fake = FakeLw::new(
        vec![page(vec![thing("a", "red", "1")], "10", None)],
        vec![
            Ok(vec![]),
            Ok(vec![]),
            // A healthy watch that lasts past the reset period.
            Ok(vec![
                Step::Event(WatchEvent::Added(thing("b", "red", "11"))),
                Step::Wait(Duration::from_secs(200)),
            ]),
            Ok(vec![]),
        ],
    );
    let informer = round_backoff(&fake)
        .backoff_reset(Duration::from_secs(120))
        .build();
    let _run = informer.start();
    let calls = fake.settle(6).await;

    assert_eq!(verbs_of(&calls)[1..], [Verb::Watch; 5]);
    gap(&calls[1], &calls[2], 1000, 2000);
    gap(&calls[2], &calls[3], 2000, 4000);
    gap(&calls[3], &calls[4], 200_000, 200_000);
    // 1–2 s again, not 4–8 s.
    gap(&calls[4], &calls[5], 1000, 2000);
}

#[tokio::test(start_paused = true)]
async fn transform_runs_before_objects_are_stored() {
    let fake = FakeLw::new(
        vec![
            page(
                vec![thing("a", "red", "1"), thing("b", "red", "2")],
                "10",
                None,
            ),
            page(vec![thing("c", "green", "13")], "20", None),
        ],
        vec![
            Ok(vec![
                Step::Event(WatchEvent::Modified(thing("a", "blue", "11"))),
                Step::Event(WatchEvent::Deleted(thing("b", "red", "12"))),
                Step::Event(WatchEvent::Added(thing("c", "green", "13"))),
            ]),
            Err(api_error(410, "Expired")),
        ],
    );
    let transformed = Arc::new(AtomicUsize::new(0));
    let counter = transformed.clone();
    let informer = InformerBuilder::with_lister_watcher(fake.clone(), "Thing")
        .transform(move |t: &mut Thing| {
            counter.fetch_add(1, Ordering::Relaxed);
            t.color = t.color.to_uppercase();
        })
        .build();
    let rx = record(&informer);
    let _run = informer.start();
    fake.settle(5).await;

    // Handlers, tombstones and the store only ever see transformed objects.
    assert_eq!(
        events(&rx),
        [
            "added ns/a RED (initial)",
            "added ns/b RED (initial)",
            "updated ns/a RED -> BLUE",
            "deleted ns/b RED",
            "added ns/c GREEN",
            "updated ns/c GREEN -> GREEN",
            "tombstone ns/a BLUE"
        ]
    );
    assert_eq!(colors(&informer), kv(&[("ns/c", "GREEN")]));
    // Once per object received: 2 listed, 3 watched, 1 relisted.
    assert_eq!(transformed.load(Ordering::Relaxed), 6);
}

#[tokio::test(start_paused = true)]
async fn resync_hands_every_object_out_again() {
    let fake = FakeLw::new(
        vec![page(
            vec![thing("a", "red", "1"), thing("b", "red", "2")],
            "10",
            None,
        )],
        vec![],
    );
    let informer = InformerBuilder::with_lister_watcher(fake.clone(), "Thing")
        .resync(Duration::from_secs(30))
        .build();
    let mut rx = record(&informer);
    let started = Instant::now();
    let _run = informer.start();
    let resynced = tokio::time::timeout(Duration::from_secs(60), rx.wait_for(|v| v.len() >= 4))
        .await
        .is_ok();
    assert!(resynced, "{:?}", events(&rx));

    assert!(started.elapsed() >= Duration::from_secs(30));
    let mut again = events(&rx)[2..].to_vec();
    again.sort();
    assert_eq!(
        again,
        ["updated ns/a red -> red", "updated ns/b red -> red"]
    );
    assert_eq!(verbs_of(&fake.calls()), [Verb::List, Verb::Watch]);
}
