//! Client-side rate limiting and backoff (client-go `util/flowcontrol`).
//!
//! One [`RateLimiter`] is shared by every request of a clientset, so a program that builds many
//! group clients from one config still sends at most `qps` requests per second on average.

mod backoff;
mod clock;
mod token_bucket;

pub use backoff::Backoff;
pub use clock::TokioClock;
pub use token_bucket::{NoLimit, TokenBucket};

use std::sync::Arc;

/// A client-side rate limiter shared by every request of a clientset.
pub trait RateLimiter: Send + Sync + std::fmt::Debug {
    /// Wait until a request may be sent. Cancel-safe: dropping the future gives the slot back
    /// or never took it.
    fn acquire(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>>;
    /// Take a slot if one is free now (client-go `TryAccept`).
    fn try_accept(&self) -> bool;
}

/// The limiter client-go's `NewForConfig` would build: the config's own limiter if it has one,
/// none when `qps` is negative (or infinite), otherwise a token bucket of `qps`/`burst`
/// (`qps == 0` or NaN take the defaults, as client-go's defaulting does).
pub fn limiter_for(config: &crate::rest::Config) -> Arc<dyn RateLimiter> {
    if let Some(limiter) = &config.rate_limiter {
        return limiter.clone();
    }
    let qps = config.qps;
    if qps < 0.0 || qps.is_infinite() {
        return Arc::new(NoLimit);
    }
    let qps = if qps > 0.0 {
        qps
    } else {
        crate::rest::config::DEFAULT_QPS
    };
    let burst = if config.burst > 0 {
        config.burst
    } else {
        crate::rest::config::DEFAULT_BURST
    };
    Arc::new(TokenBucket::new(qps, burst))
}
