//! Retrying a read-modify-write that lost a race, as client-go's `retry.RetryOnConflict`.

use crate::rest::Error;
use std::future::Future;
use std::time::Duration;

/// How often and how long to wait between attempts (client-go's `wait.Backoff`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// Attempts in all (the first included).
    pub steps: u32,
    /// Wait before the second attempt.
    pub duration: Duration,
    /// Each wait is the previous one times this.
    pub factor: f64,
    /// Each wait is lengthened by up to this fraction, at random.
    pub jitter: f64,
}

/// client-go's `retry.DefaultRetry`: 5 attempts, 10 ms apart (with 10% jitter), for conflicts
/// that a fresh read resolves.
pub const DEFAULT_RETRY: Backoff = Backoff {
    steps: 5,
    duration: Duration::from_millis(10),
    factor: 1.0,
    jitter: 0.1,
};

/// client-go's `retry.DefaultBackoff`: 4 attempts, 10 ms growing fivefold, for errors a busy
/// server needs time to clear.
pub const DEFAULT_BACKOFF: Backoff = Backoff {
    steps: 4,
    duration: Duration::from_millis(10),
    factor: 5.0,
    jitter: 0.1,
};

/// Runs `attempt` until it succeeds, fails with an error `retriable` refuses, or `backoff`'s
/// steps are used up (then the last error is returned).
///
/// # Errors
/// The last error of `attempt`.
pub async fn on_error<T, F, Fut>(
    backoff: Backoff,
    retriable: impl Fn(&Error) -> bool,
    mut attempt: F,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut wait = backoff.duration;
    let mut left = backoff.steps.max(1);
    loop {
        match attempt().await {
            Ok(v) => return Ok(v),
            Err(e) if left > 1 && retriable(&e) => {
                left -= 1;
                let jitter = wait.mul_f64(backoff.jitter * rand::random::<f64>());
                tokio::time::sleep(wait + jitter).await;
                wait = wait.mul_f64(backoff.factor.max(1.0));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Runs `attempt` (which should read the object afresh, change it and write it) again while it
/// fails with `409 Conflict`, with [`DEFAULT_RETRY`]'s spacing.
///
/// ```no_run
/// use kubeclient_runtime::client::ResourceClient;
/// use kubeclient_runtime::helpers::retry::retry_on_conflict;
/// use kubeclient_runtime::resource::verbs::{Get, Update};
///
/// async fn mark_seen<K: Get + Update>(c: &ResourceClient<K>) -> Result<K, kubeclient_runtime::rest::Error> {
///     retry_on_conflict(|| async {
///         let mut obj = c.get("settings", &Default::default()).await?;
///         let labels = obj.metadata_mut().labels.get_or_insert_with(Default::default);
///         labels.insert("seen".into(), "yes".into());
///         c.update(&obj, &Default::default()).await
///     })
///     .await
/// }
/// ```
///
/// # Errors
/// The last error: anything but a conflict at once, a conflict after the last attempt.
pub async fn retry_on_conflict<T, F, Fut>(attempt: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    on_error(DEFAULT_RETRY, Error::is_conflict, attempt).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::v1::Status;
    use std::cell::Cell;

    fn status(reason: &str, code: i32) -> Error {
        Error::Api(Box::new(Status {
            reason: Some(reason.into()),
            code: Some(code),
            ..Default::default()
        }))
    }

    #[tokio::test(start_paused = true)]
    async fn conflicts_are_retried_until_the_steps_run_out() {
        let calls = Cell::new(0);
        let ok = retry_on_conflict(|| {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move {
                if n < 3 {
                    Err(status("Conflict", 409))
                } else {
                    Ok(n)
                }
            }
        })
        .await
        .unwrap();
        assert_eq!(ok, 3);

        calls.set(0);
        let err = retry_on_conflict(|| {
            calls.set(calls.get() + 1);
            async { Err::<(), _>(status("Conflict", 409)) }
        })
        .await
        .unwrap_err();
        assert!(err.is_conflict());
        assert_eq!(calls.get(), DEFAULT_RETRY.steps);

        // Anything else is returned at once.
        calls.set(0);
        let err = retry_on_conflict(|| {
            calls.set(calls.get() + 1);
            async { Err::<(), _>(status("NotFound", 404)) }
        })
        .await
        .unwrap_err();
        assert!(err.is_not_found());
        assert_eq!(calls.get(), 1);
    }
}
