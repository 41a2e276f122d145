//! Retry policy (client-go `with_retry.go`).
//!
//! - A response with status 429 or 5xx *and* a `Retry-After` header (whole seconds) is retried
//!   after that delay, for every verb: client-go retries whenever the body can be replayed, and
//!   ours are always buffered bytes (client-go's POST bodies are too, so it retries POST alike).
//! - A connection reset / premature EOF is retried with jittered backoff only for GET, as
//!   client-go does: a write may have reached the server.
//! - Both count against one budget of `max_retries` (10); after that the last answer is returned.

use super::super::flowcontrol::Backoff;
use reqwest::{Method, StatusCode};
use std::error::Error as _;
use std::time::Duration;

/// Longest `Retry-After` we honour, so a confused server cannot park a client for days.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);

/// The wait a 429/5xx response asks for, if it carries `Retry-After: <seconds>`.
pub(crate) fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let status = response.status();
    if status != StatusCode::TOO_MANY_REQUESTS && !status.is_server_error() {
        return None;
    }
    let value = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    let secs: u64 = value.trim().parse().ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// Backoff between retries after connection errors.
pub(crate) fn transport_backoff() -> Backoff {
    Backoff::new(Duration::from_millis(100), Duration::from_secs(5)).with_jitter(0.2)
}

/// Whether a failed send is worth repeating: only GET, and only when the connection broke.
pub(crate) fn transport_error_retryable(verb: &Method, err: &reqwest::Error) -> bool {
    if *verb != Method::GET || err.is_timeout() || err.is_builder() || err.is_redirect() {
        return false;
    }
    let mut source = err.source();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
            ) {
                return true;
            }
        }
        // hyper reports a server that closed the connection mid-answer only through its text.
        let text = e.to_string();
        if text.contains("connection closed before message completed")
            || text.contains("connection reset")
        {
            return true;
        }
        source = e.source();
    }
    false
}
