//! Client-side rate limiting (client-go `util/flowcontrol`) (being written).

/// A client-side rate limiter shared by every request of a clientset.
pub trait RateLimiter: Send + Sync + std::fmt::Debug {
    /// Wait until a request may be sent. Cancel-safe: dropping the future gives the slot back
    /// or never took it.
    fn acquire(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>>;
    /// Take a slot if one is free now (client-go `TryAccept`).
    fn try_accept(&self) -> bool;
}
