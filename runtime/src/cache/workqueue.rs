//! [`WorkQueue<T>`]: the controller work queue of client-go (`util/workqueue`): an item queued
//! several times before a worker takes it is processed once; an item re-added while a worker
//! holds it is queued again only when that worker calls [`WorkQueue::done`], so no two workers
//! ever process the same item at once. Failed items come back after a per-item exponential
//! delay (5 ms doubling to 1000 s) that is also limited overall (10 per second, burst 100), the
//! default controller rate limiter.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// client-go's `DefaultControllerRateLimiter`: the larger of a per-item exponential backoff and
/// an overall token bucket.
#[derive(Debug)]
pub struct RateLimiter<T> {
    base: Duration,
    max: Duration,
    failures: HashMap<T, u32>,
    qps: f64,
    burst: f64,
    tokens: f64,
    last: Option<Instant>,
}

impl<T: Hash + Eq + Clone> Default for RateLimiter<T> {
    fn default() -> Self {
        Self::new(
            Duration::from_millis(5),
            Duration::from_secs(1000),
            10.0,
            100,
        )
    }
}

impl<T: Hash + Eq + Clone> RateLimiter<T> {
    /// Per-item delay `base * 2^failures` up to `max`, and at most `qps` items per second
    /// overall after a burst of `burst`.
    pub fn new(base: Duration, max: Duration, qps: f64, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        RateLimiter {
            base,
            max,
            failures: HashMap::new(),
            qps: qps.max(f64::MIN_POSITIVE),
            burst,
            tokens: burst,
            last: None,
        }
    }

    /// How long `item` should wait before its next try; counts a failure.
    pub fn when(&mut self, item: &T) -> Duration {
        let n = self.failures.entry(item.clone()).or_insert(0);
        let exp = self
            .base
            .saturating_mul(1u32.checked_shl(*n).unwrap_or(u32::MAX))
            .min(self.max);
        *n = n.saturating_add(1);
        exp.max(self.reserve())
    }

    /// Take a token from the bucket; the wait until it is really there.
    fn reserve(&mut self) -> Duration {
        let now = Instant::now();
        if let Some(last) = self.last {
            self.tokens =
                (self.tokens + now.duration_since(last).as_secs_f64() * self.qps).min(self.burst);
        }
        self.last = Some(now);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.qps)
        }
    }

    /// Failures counted for `item`.
    pub fn num_requeues(&self, item: &T) -> u32 {
        self.failures.get(item).copied().unwrap_or(0)
    }

    /// Stop tracking `item` (it succeeded).
    pub fn forget(&mut self, item: &T) {
        self.failures.remove(item);
    }
}

#[derive(Debug)]
struct State<T> {
    queue: VecDeque<T>,
    dirty: HashSet<T>,
    processing: HashSet<T>,
    shutting_down: bool,
}

#[derive(Debug)]
struct Inner<T> {
    state: Mutex<State<T>>,
    limiter: Mutex<RateLimiter<T>>,
    ready: Notify,
}

/// A deduplicating, rate-limited queue of work items. Cloning shares the queue.
///
/// A worker loop, as client-go controllers write it:
/// ```no_run
/// # async fn demo(queue: kubeclient_runtime::cache::WorkQueue<String>) {
/// async fn reconcile(_key: &str) -> Result<(), String> { Ok(()) }
/// while let Some(key) = queue.get().await {
///     match reconcile(&key).await {
///         Ok(()) => queue.forget(&key),              // reset its backoff
///         Err(_) => queue.add_rate_limited(key.clone()), // retry later, backing off
///     }
///     queue.done(&key);
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct WorkQueue<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Clone for WorkQueue<T> {
    fn clone(&self) -> Self {
        WorkQueue {
            inner: self.inner.clone(),
        }
    }
}

impl<T: Hash + Eq + Clone + Send + 'static> Default for WorkQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

// Locks are only held for a few map operations; a poisoned one still holds consistent sets.
fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<T: Hash + Eq + Clone + Send + 'static> WorkQueue<T> {
    /// A queue with the default controller rate limiter.
    pub fn new() -> Self {
        Self::with_rate_limiter(RateLimiter::default())
    }

    /// A queue with `limiter` for [`WorkQueue::add_rate_limited`].
    pub fn with_rate_limiter(limiter: RateLimiter<T>) -> Self {
        WorkQueue {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    queue: VecDeque::new(),
                    dirty: HashSet::new(),
                    processing: HashSet::new(),
                    shutting_down: false,
                }),
                limiter: Mutex::new(limiter),
                ready: Notify::new(),
            }),
        }
    }

    /// Queue `item` unless it is already waiting; if a worker holds it, it is queued again when
    /// the worker calls [`done`](Self::done). Ignored after shutdown.
    pub fn add(&self, item: T) {
        let mut s = lock(&self.inner.state);
        if s.shutting_down || !s.dirty.insert(item.clone()) {
            return;
        }
        if !s.processing.contains(&item) {
            s.queue.push_back(item);
            drop(s);
            self.inner.ready.notify_one();
        }
    }

    /// The next item, waiting for one; `None` once the queue is shut down and drained.
    pub async fn get(&self) -> Option<T> {
        loop {
            let ready = self.inner.ready.notified();
            tokio::pin!(ready);
            // Registered before looking, so an add between the look and the wait still wakes us.
            ready.as_mut().enable();
            {
                let mut s = lock(&self.inner.state);
                if let Some(item) = s.queue.pop_front() {
                    s.dirty.remove(&item);
                    s.processing.insert(item.clone());
                    return Some(item);
                }
                if s.shutting_down {
                    return None;
                }
            }
            ready.await;
        }
    }

    /// The worker finished `item`; if it was added meanwhile, it is queued again.
    pub fn done(&self, item: &T) {
        let mut s = lock(&self.inner.state);
        s.processing.remove(item);
        if s.dirty.contains(item) {
            s.queue.push_back(item.clone());
            drop(s);
            self.inner.ready.notify_one();
        }
    }

    /// Queue `item` after `delay` (on a tokio task).
    pub fn add_after(&self, item: T, delay: Duration) {
        if delay.is_zero() {
            return self.add(item);
        }
        let queue = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            queue.add(item);
        });
    }

    /// Queue `item` again after its rate-limited delay (it failed).
    pub fn add_rate_limited(&self, item: T) {
        let delay = lock(&self.inner.limiter).when(&item);
        self.add_after(item, delay);
    }

    /// Stop counting failures of `item` (it succeeded).
    pub fn forget(&self, item: &T) {
        lock(&self.inner.limiter).forget(item);
    }

    /// How often `item` was re-queued through [`add_rate_limited`](Self::add_rate_limited).
    pub fn num_requeues(&self, item: &T) -> u32 {
        lock(&self.inner.limiter).num_requeues(item)
    }

    /// Items waiting (not counting those being processed).
    pub fn len(&self) -> usize {
        lock(&self.inner.state).queue.len()
    }

    /// Nothing waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Refuse new items; workers drain what is queued, then [`get`](Self::get) returns `None`.
    pub fn shut_down(&self) {
        lock(&self.inner.state).shutting_down = true;
        self.inner.ready.notify_waiters();
    }

    /// Whether [`shut_down`](Self::shut_down) was called.
    pub fn is_shutting_down(&self) -> bool {
        lock(&self.inner.state).shutting_down
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn deduplicates_and_never_hands_out_an_item_twice_at_once() {
        let q = WorkQueue::new();
        q.add("a");
        q.add("b");
        q.add("a");
        assert_eq!(q.len(), 2);
        let a = q.get().await.expect("a");
        assert_eq!(a, "a");
        q.add("a"); // while processing: waits for done
        assert_eq!(q.get().await, Some("b"));
        assert!(q.is_empty());
        q.done(&a);
        assert_eq!(q.get().await, Some("a"));
        q.done(&"a");
        q.done(&"b");
        q.shut_down();
        q.add("c");
        assert_eq!(q.get().await, None);
    }

    #[tokio::test]
    async fn a_waiting_worker_wakes_on_add_and_on_shutdown() {
        let q: WorkQueue<u32> = WorkQueue::new();
        let worker = {
            let q = q.clone();
            tokio::spawn(async move { (q.get().await, q.get().await) })
        };
        tokio::task::yield_now().await;
        q.add(7);
        tokio::task::yield_now().await;
        q.shut_down();
        assert_eq!(worker.await.expect("worker"), (Some(7), None));
    }

    #[tokio::test(start_paused = true)]
    async fn failures_back_off_exponentially_and_forget_resets() {
        let mut l: RateLimiter<&str> = RateLimiter::default();
        let delays: Vec<Duration> = (0..4).map(|_| l.when(&"x")).collect();
        assert_eq!(delays, [5, 10, 20, 40].map(Duration::from_millis));
        assert_eq!(l.num_requeues(&"x"), 4);
        l.forget(&"x");
        assert_eq!(l.when(&"x"), Duration::from_millis(5));
        for _ in 0..40 {
            l.when(&"x");
        }
        assert_eq!(l.when(&"x"), Duration::from_secs(1000), "capped");

        // The overall bucket: after a burst of 100, items are spaced at 10 per second.
        let mut b: RateLimiter<u32> = RateLimiter::default();
        let waits: Vec<Duration> = (0..102).map(|i| b.when(&i)).collect();
        assert!(waits[..100].iter().all(|d| *d == Duration::from_millis(5)));
        assert_eq!(waits[100], Duration::from_millis(100));
        assert_eq!(waits[101], Duration::from_millis(200));

        let q = WorkQueue::new();
        q.add_rate_limited("y");
        assert!(q.is_empty());
        tokio::time::sleep(Duration::from_millis(6)).await;
        assert_eq!(q.get().await, Some("y"));
        assert_eq!(q.num_requeues(&"y"), 1);
    }
}
