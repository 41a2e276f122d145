//! Token bucket on governor's GCRA, the equivalent of client-go's `NewTokenBucketRateLimiter`.

use super::clock::TokioClock;
use super::RateLimiter;
use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::Quota;
use std::fmt;
use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::time::Duration;

/// Allows `burst` requests at once and `qps` per second on average.
///
/// The clock is a type parameter so tests can drive it: [`TokioClock`] (the default) follows
/// tokio's paused clock; governor's `FakeRelativeClock` works with [`RateLimiter::try_accept`]
/// (waiting with [`RateLimiter::acquire`] needs a clock that advances while tokio sleeps).
pub struct TokenBucket<C: Clock = TokioClock> {
    limiter: governor::RateLimiter<NotKeyed, InMemoryState, C, NoOpMiddleware<C::Instant>>,
    clock: C,
    qps: f32,
    burst: u32,
}

impl TokenBucket<TokioClock> {
    /// A bucket of `qps` tokens per second holding at most `burst` (at least 1).
    /// A `qps` that is not positive and finite is treated as client-go's default of 5.
    pub fn new(qps: f32, burst: u32) -> Self {
        Self::with_clock(qps, burst, TokioClock::new())
    }
}

impl<C: Clock + Clone> TokenBucket<C> {
    /// Like [`TokenBucket::new`] with an explicit clock.
    pub fn with_clock(qps: f32, burst: u32, clock: C) -> Self {
        let qps = if qps.is_finite() && qps > 0.0 {
            qps
        } else {
            crate::rest::config::DEFAULT_QPS
        };
        let burst = burst.max(1);
        // One token every 1/qps seconds; at least 1 ns so governor accepts the period.
        let period = Duration::from_secs_f64(1.0 / f64::from(qps)).max(Duration::from_nanos(1));
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN));
        TokenBucket {
            limiter: governor::RateLimiter::direct_with_clock(quota, clock.clone()),
            clock,
            qps,
            burst,
        }
    }

    /// Average rate in tokens per second.
    pub fn qps(&self) -> f32 {
        self.qps
    }

    /// Size of the bucket.
    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// How long until a token is free (zero if one is free now). Takes the token when one is
    /// free, so call it only to acquire.
    fn take_or_wait_time(&self) -> Option<Duration> {
        match self.limiter.check() {
            Ok(()) => None,
            Err(not_until) => Some(not_until.wait_time_from(self.clock.now())),
        }
    }
}

impl<C: Clock> fmt::Debug for TokenBucket<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenBucket")
            .field("qps", &self.qps)
            .field("burst", &self.burst)
            .finish()
    }
}

impl<C> RateLimiter for TokenBucket<C>
where
    C: Clock + Clone + Send + Sync + 'static,
    C::Instant: Send + Sync,
{
    fn acquire(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        // Cancel-safe: a token is only taken by a successful `check`, which happens
        // synchronously; dropping the future while it sleeps takes nothing.
        Box::pin(async move {
            while let Some(wait) = self.take_or_wait_time() {
                tokio::time::sleep(wait.max(Duration::from_micros(1))).await;
            }
        })
    }

    fn try_accept(&self) -> bool {
        self.limiter.check().is_ok()
    }
}

/// A limiter that never waits (`Config.qps < 0`).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoLimit;

impl RateLimiter for NoLimit {
    fn acquire(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(std::future::ready(()))
    }

    fn try_accept(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    #[test]
    fn flowcontrol_fake_clock_qps5_burst10_allows_60_in_10s() {
        let clock = FakeRelativeClock::default();
        let bucket = TokenBucket::with_clock(5.0, 10, clock.clone());
        let mut accepted = 0;
        // Try every millisecond for 10 s, like a busy client.
        for _ in 0..10_000 {
            while bucket.try_accept() {
                accepted += 1;
            }
            clock.advance(Duration::from_millis(1));
        }
        assert!((59..=61).contains(&accepted), "accepted {accepted}");
    }

    #[test]
    fn flowcontrol_burst_is_available_at_once_then_refills() {
        let clock = FakeRelativeClock::default();
        let bucket = TokenBucket::with_clock(5.0, 10, clock.clone());
        assert_eq!((0..20).filter(|_| bucket.try_accept()).count(), 10);
        clock.advance(Duration::from_millis(200));
        assert!(bucket.try_accept());
        assert!(!bucket.try_accept());
    }

    #[tokio::test(start_paused = true)]
    async fn flowcontrol_acquire_waits_on_tokio_clock() {
        let bucket = TokenBucket::new(5.0, 10);
        let start = tokio::time::Instant::now();
        let mut n = 0;
        while start.elapsed() < Duration::from_secs(10) {
            bucket.acquire().await;
            if start.elapsed() <= Duration::from_secs(10) {
                n += 1;
            }
        }
        assert!((59..=61).contains(&n), "acquired {n}");
    }

    #[tokio::test(start_paused = true)]
    async fn flowcontrol_cancelled_acquire_takes_no_token() {
        let bucket = TokenBucket::new(1.0, 1);
        bucket.acquire().await;
        // This waiter is cancelled before its token is due.
        let cancelled = tokio::time::timeout(Duration::from_millis(500), bucket.acquire()).await;
        assert!(cancelled.is_err());
        tokio::time::advance(Duration::from_millis(600)).await;
        assert!(
            bucket.try_accept(),
            "the cancelled waiter must not have taken the token"
        );
    }

    #[test]
    fn flowcontrol_no_limit_always_accepts() {
        assert!((0..10_000).all(|_| NoLimit.try_accept()));
    }
}
