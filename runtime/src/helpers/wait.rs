//! Waiting until an object meets a condition (kube-rs's `await_condition`, what `kubectl wait`
//! does): a watch on the one object, so no polling, with a deadline.

use crate::client::ResourceClient;
use crate::resource::{verbs, Resource};
use crate::rest::Error;
use crate::watcher::{watcher, WatcherConfig, WatcherEvent};
use futures_util::StreamExt;
use std::time::Duration;

/// Why [`wait_for`] gave up.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// The condition did not hold before the deadline; the last watch error, if any, says why
    /// nothing was seen.
    #[error("condition not met within {timeout:?}{}", .last_error.as_ref().map(|e| format!(" (last error: {e})")).unwrap_or_default())]
    Timeout {
        /// The deadline given.
        timeout: Duration,
        /// The last error of the watch.
        last_error: Option<Error>,
    },
}

/// Wait until `cond` holds for object `name` and return its state then (`None`: `cond` held
/// for "no such object", e.g. waiting for a deletion). `cond` sees `None` while the object does
/// not exist. Watch errors are retried until `timeout`.
///
/// ```no_run
/// # async fn demo<K: kubeclient_runtime::resource::verbs::List + kubeclient_runtime::resource::verbs::Watch + Send + 'static>(c: kubeclient_runtime::client::ResourceClient<K>) -> Result<(), kubeclient_runtime::helpers::wait::WaitError> {
/// use kubeclient_runtime::helpers::wait::wait_for;
/// use std::time::Duration;
/// // Until it is gone:
/// wait_for(&c, "web", Duration::from_secs(30), |obj: Option<&K>| obj.is_none()).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`WaitError::Timeout`] when `cond` did not hold in time.
pub async fn wait_for<K>(
    client: &ResourceClient<K>,
    name: &str,
    timeout: Duration,
    cond: impl Fn(Option<&K>) -> bool,
) -> Result<Option<K>, WaitError>
where
    K: Resource + verbs::List + verbs::Watch + Send + 'static,
{
    let config = WatcherConfig::default().fields(format!("metadata.name={name}"));
    let mut events = std::pin::pin!(watcher(client.clone(), config));
    let mut last_error = None;
    let mut current: Option<K> = None;
    // Inside a list round "absent" may only mean "not listed yet": judge once it is complete.
    let mut listing = false;
    let watch = async {
        while let Some(event) = events.next().await {
            match event {
                Ok(WatcherEvent::Init) => (current, listing) = (None, true),
                Ok(WatcherEvent::InitApply(o) | WatcherEvent::Apply(o)) => current = Some(o),
                Ok(WatcherEvent::Delete(_)) => current = None,
                Ok(WatcherEvent::InitDone) => listing = false,
                Err(e) => last_error = Some(e),
            }
            if !listing && cond(current.as_ref()) {
                return Some(current.take());
            }
        }
        None
    };
    let result = tokio::time::timeout(timeout, watch).await;
    match result {
        Ok(Some(found)) => Ok(found),
        _ => Err(WaitError::Timeout {
            timeout,
            last_error,
        }),
    }
}
