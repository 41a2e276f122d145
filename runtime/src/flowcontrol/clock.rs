//! A governor clock that reads tokio's clock, so tests with paused time control the limiter.

use governor::clock::Clock;
use governor::nanos::Nanos;

/// Monotonic clock backed by `tokio::time::Instant`. Under `#[tokio::test(start_paused = true)]`
/// it advances only when the test runtime does, which makes rate-limiter tests deterministic.
#[derive(Clone, Copy, Debug)]
pub struct TokioClock {
    start: tokio::time::Instant,
}

impl TokioClock {
    /// A clock whose zero is now.
    pub fn new() -> Self {
        TokioClock {
            start: tokio::time::Instant::now(),
        }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TokioClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        // u64 nanoseconds cover 584 years of uptime; saturate rather than panic beyond that.
        let nanos = u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        Nanos::new(nanos)
    }
}
