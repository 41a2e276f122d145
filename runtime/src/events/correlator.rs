//! What becomes of each recorded event, as client-go's `EventCorrelator`
//! (tools/record/events_cache.go) and the series cache of tools/events decide it:
//!
//! - **aggregation**: more than 10 events within 10 minutes that differ only in their message
//!   (same source, object, type and reason) are combined into one whose message starts with
//!   `(combined from similar events): `;
//! - **counting**: a repeat of an event already written (for `events.k8s.io/v1`: within 6
//!   minutes) updates that Event (`count` / `series.count`) instead of creating another;
//! - **spam filter**: a token bucket per source and object (burst 25, refilled one per 5
//!   minutes) drops what exceeds it, so one flapping object cannot flood the API server.
//!
//! Every cache is bounded (4096 entries, client-go's LRU size): the oldest entries go first.

use super::{EventType, Regarding};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::time::Duration;
use tokio::time::Instant;

/// client-go's `maxLruCacheEntries`.
const CACHE_ENTRIES: usize = 4096;
/// Distinct messages per reason before they are combined (`defaultAggregateMaxEvents`).
const AGGREGATE_MAX_EVENTS: usize = 10;
/// `defaultAggregateIntervalInSeconds`.
const AGGREGATE_WINDOW: Duration = Duration::from_secs(600);
/// tools/events' `finishTime`: a series ends after this long without a repeat.
const SERIES_WINDOW: Duration = Duration::from_secs(360);
/// `defaultSpamBurst` and `defaultSpamQPS` (one every 300 s).
const SPAM_BURST: f64 = 25.0;
const SPAM_QPS: f64 = 1.0 / 300.0;

/// The prefix of a combined event's message.
pub const COMBINED_PREFIX: &str = "(combined from similar events): ";

/// One event to record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Occurrence {
    /// The object it is about.
    pub regarding: Regarding,
    /// Normal or Warning.
    pub type_: EventType,
    /// Short, CamelCase reason (`Created`, `FailedSync`).
    pub reason: String,
    /// What was done (events.k8s.io `action`, e.g. `Reconcile`).
    pub action: String,
    /// Human-readable message (events.k8s.io `note`).
    pub message: String,
}

/// Where a written event lives, once the server named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Namespace of the Event.
    pub namespace: String,
    /// Name of the Event.
    pub name: String,
}

/// What to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Dropped by the spam filter.
    Skip,
    /// Create a new Event (message possibly combined); `key` is passed back to
    /// [`Correlator::created`] once it exists.
    Create {
        /// The event, message as it should be written.
        event: Occurrence,
        /// Cache key of its count.
        key: u64,
    },
    /// Bump the existing Event to `count` occurrences.
    Update {
        /// The Event to change.
        target: Written,
        /// Its message now (combined events keep changing it).
        event: Occurrence,
        /// Occurrences so far (≥ 2).
        count: u64,
        /// Cache key, for [`Correlator::forget`] when the Event was deleted meanwhile.
        key: u64,
    },
}

#[derive(Debug)]
struct Aggregate {
    messages: HashSet<String>,
    last: Instant,
}

#[derive(Debug)]
struct Count {
    written: Option<Written>,
    count: u64,
    last: Instant,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// The correlator's state; one per recorder.
#[derive(Debug, Default)]
pub struct Correlator {
    aggregates: HashMap<(Regarding, EventType, String), Aggregate>,
    counts: HashMap<u64, Count>,
    buckets: HashMap<(Regarding, EventType), Bucket>,
    /// How long a repeat still updates the same Event (10 min for core/v1, 6 for v1 series).
    count_window: Option<Duration>,
}

fn hash_of(x: &impl Hash) -> u64 {
    use std::hash::{DefaultHasher, Hasher};
    let mut h = DefaultHasher::new();
    x.hash(&mut h);
    h.finish()
}

/// Keep a cache bounded: past capacity, drop the least recently used entry.
fn bound<K: Clone + Eq + Hash, V>(map: &mut HashMap<K, V>, last: impl Fn(&V) -> Instant) {
    if map.len() > CACHE_ENTRIES {
        if let Some(oldest) = map
            .iter()
            .min_by_key(|(_, v)| last(v))
            .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
    }
}

impl Correlator {
    /// For core/v1 Events: repeats update `count` for as long as the aggregation window.
    pub fn core_v1() -> Self {
        Correlator {
            count_window: Some(AGGREGATE_WINDOW),
            ..Default::default()
        }
    }

    /// For events.k8s.io/v1 Events: repeats extend a `series` until 6 minutes pass without one.
    pub fn events_v1() -> Self {
        Correlator {
            count_window: Some(SERIES_WINDOW),
            ..Default::default()
        }
    }

    /// Decide what to write for `event`, seen now.
    pub fn observe(&mut self, mut event: Occurrence) -> Decision {
        let now = Instant::now();
        // Aggregation: the 11th distinct message for one reason switches to a combined event.
        let agg_key = (event.regarding.clone(), event.type_, event.reason.clone());
        let agg = self.aggregates.entry(agg_key).or_insert_with(|| Aggregate {
            messages: HashSet::new(),
            last: now,
        });
        if now.duration_since(agg.last) > AGGREGATE_WINDOW {
            agg.messages.clear();
        }
        agg.last = now;
        if agg.messages.len() < AGGREGATE_MAX_EVENTS || agg.messages.contains(&event.message) {
            agg.messages.insert(event.message.clone());
        } else {
            event.message = format!("{COMBINED_PREFIX}{}", event.message);
        }
        bound(&mut self.aggregates, |a| a.last);
        // A combined event counts under its reason alone, whatever its message.
        let key = if event.message.starts_with(COMBINED_PREFIX) {
            hash_of(&(&event.regarding, event.type_, &event.reason, &event.action))
        } else {
            hash_of(&event)
        };

        // The spam filter sees every event, repeats included.
        let bucket = self
            .buckets
            .entry((event.regarding.clone(), event.type_))
            .or_insert(Bucket {
                tokens: SPAM_BURST,
                last: now,
            });
        bucket.tokens = (bucket.tokens + now.duration_since(bucket.last).as_secs_f64() * SPAM_QPS)
            .min(SPAM_BURST);
        bucket.last = now;
        if bucket.tokens < 1.0 {
            return Decision::Skip;
        }
        bucket.tokens -= 1.0;
        bound(&mut self.buckets, |b| b.last);

        let window = self.count_window.unwrap_or(AGGREGATE_WINDOW);
        let count = self.counts.entry(key).or_insert(Count {
            written: None,
            count: 0,
            last: now,
        });
        if now.duration_since(count.last) > window {
            count.written = None;
            count.count = 0;
        }
        count.count += 1;
        count.last = now;
        let decision = match &count.written {
            Some(target) => Decision::Update {
                target: target.clone(),
                event,
                count: count.count,
                key,
            },
            None => {
                count.count = 1;
                Decision::Create { event, key }
            }
        };
        bound(&mut self.counts, |c| c.last);
        decision
    }

    /// The Event for `key` was created as `written`: later repeats update it.
    pub fn created(&mut self, key: u64, written: Written) {
        if let Some(c) = self.counts.get_mut(&key) {
            c.written = Some(written);
        }
    }

    /// The Event for `key` is gone (deleted, expired): the next repeat creates a new one.
    pub fn forget(&mut self, key: u64) {
        self.counts.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn occurrence(message: &str) -> Occurrence {
        Occurrence {
            regarding: Regarding {
                api_version: "v1".into(),
                kind: "Pod".into(),
                namespace: "ns".into(),
                name: "p".into(),
                uid: "u".into(),
            },
            type_: EventType::Warning,
            reason: "Failed".into(),
            action: "Sync".into(),
            message: message.into(),
        }
    }

    fn written(n: &str) -> Written {
        Written {
            namespace: "ns".into(),
            name: n.into(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn repeats_count_similar_messages_combine_and_spam_is_dropped() {
        let mut c = Correlator::core_v1();
        let Decision::Create { key, .. } = c.observe(occurrence("boom")) else {
            panic!("first is created")
        };
        c.created(key, written("e1"));
        match c.observe(occurrence("boom")) {
            Decision::Update { target, count, .. } => {
                assert_eq!((target.name.as_str(), count), ("e1", 2))
            }
            d => panic!("repeat updates: {d:?}"),
        }
        // Nine more distinct messages fit; the 11th distinct one is combined.
        for i in 0..9 {
            assert!(matches!(
                c.observe(occurrence(&format!("m{i}"))),
                Decision::Create { .. }
            ));
        }
        let Decision::Create { event, key } = c.observe(occurrence("m9")) else {
            panic!("combined is created")
        };
        assert_eq!(event.message, format!("{COMBINED_PREFIX}m9"));
        c.created(key, written("combined"));
        let Decision::Update {
            target,
            event,
            count,
            ..
        } = c.observe(occurrence("m10"))
        else {
            panic!("the next combined one updates it")
        };
        assert_eq!((target.name.as_str(), count), ("combined", 2));
        assert_eq!(event.message, format!("{COMBINED_PREFIX}m10"));
        // 13 events so far; the bucket holds 25.
        for _ in 0..12 {
            assert_ne!(c.observe(occurrence("boom")), Decision::Skip);
        }
        assert_eq!(
            c.observe(occurrence("boom")),
            Decision::Skip,
            "26th within the burst"
        );
        tokio::time::advance(Duration::from_secs(301)).await;
        assert_ne!(
            c.observe(occurrence("boom")),
            Decision::Skip,
            "refilled one"
        );
        assert_eq!(c.observe(occurrence("boom")), Decision::Skip);
    }
}
