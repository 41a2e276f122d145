//! Exponential backoff with jitter (client-go `wait.Backoff` / `flowcontrol.Backoff`).

use rand::Rng;
use std::time::Duration;

/// Exponential backoff: each [`Backoff::next_delay`] multiplies the delay by `factor` up to
/// `max`, then adds up to `jitter` × delay of randomness so many clients do not retry in step.
#[derive(Clone, Debug)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    factor: f64,
    jitter: f64,
    current: Duration,
    attempts: u32,
}

impl Backoff {
    /// Start at `initial`, double each time, never exceed `max`, jitter 10%.
    pub fn new(initial: Duration, max: Duration) -> Self {
        Backoff {
            initial,
            max: max.max(initial),
            factor: 2.0,
            jitter: 0.1,
            current: initial,
            attempts: 0,
        }
    }

    /// Multiply the delay by `factor` (at least 1) after each step.
    pub fn with_factor(mut self, factor: f64) -> Self {
        self.factor = if factor.is_finite() && factor >= 1.0 {
            factor
        } else {
            1.0
        };
        self
    }

    /// Add up to `jitter` × delay of random extra wait (0 disables; clamped to 0..=1).
    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// The delay to wait now; advances the backoff.
    pub fn next_delay(&mut self) -> Duration {
        let base = self.current;
        self.attempts = self.attempts.saturating_add(1);
        self.current = base.mul_f64(self.factor).min(self.max);
        let extra = if self.jitter > 0.0 {
            base.mul_f64(self.jitter * rand::rng().random::<f64>())
        } else {
            Duration::ZERO
        };
        (base + extra).min(self.max)
    }

    /// Back to the initial delay (after a success).
    pub fn reset(&mut self) {
        self.current = self.initial;
        self.attempts = 0;
    }

    /// How many delays were handed out since the last reset.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flowcontrol_backoff_doubles_caps_and_resets() {
        let mut b =
            Backoff::new(Duration::from_millis(10), Duration::from_millis(50)).with_jitter(0.0);
        let delays: Vec<_> = (0..5).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(delays, vec![10, 20, 40, 50, 50]);
        assert_eq!(b.attempts(), 5);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(10));
    }

    #[test]
    fn flowcontrol_backoff_jitter_stays_in_range() {
        let mut b =
            Backoff::new(Duration::from_millis(100), Duration::from_secs(10)).with_jitter(0.5);
        let first = b.next_delay();
        assert!(
            first >= Duration::from_millis(100) && first <= Duration::from_millis(150),
            "{first:?}"
        );
    }
}
