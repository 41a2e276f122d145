//! Programmable faults: the next N requests matching a filter get an error status, a delay, a
//! truncated body or a dropped connection, or (for watches) a stream cut after K events.

use std::sync::Mutex;
use std::time::Duration;

/// What happens to a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultAction {
    /// Answer with this status code (`429`, `500`, `503`, ...) and a `Status` body, with a
    /// `Retry-After` header when given (seconds).
    Status {
        /// HTTP status code.
        code: u16,
        /// `Retry-After` seconds.
        retry_after: Option<u64>,
    },
    /// Wait this long, then handle the request normally.
    Delay(Duration),
    /// Handle the request, then send only the first half of the body and close the connection.
    TruncateBody,
    /// Close the connection without answering.
    DropConnection,
    /// For watches: end the stream cleanly after this many events.
    CutWatchAfter(usize),
}

/// A fault and the requests it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    action: FaultAction,
    method: Option<String>,
    path_contains: Option<String>,
    watch_only: bool,
    remaining: usize,
}

impl Fault {
    /// A fault that applies to the next request of any kind, once.
    pub fn new(action: FaultAction) -> Self {
        Fault {
            action,
            method: None,
            path_contains: None,
            watch_only: false,
            remaining: 1,
        }
    }
    /// Only requests with this HTTP method (`GET`, `PUT`, ...).
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }
    /// Only requests whose path contains `fragment` (e.g. `/configmaps`).
    pub fn path_contains(mut self, fragment: &str) -> Self {
        self.path_contains = Some(fragment.to_string());
        self
    }
    /// Only watch requests.
    pub fn watches_only(mut self) -> Self {
        self.watch_only = true;
        self
    }
    /// Apply to the next `n` matching requests (default 1).
    pub fn times(mut self, n: usize) -> Self {
        self.remaining = n;
        self
    }

    fn matches(&self, method: &str, path: &str, is_watch: bool) -> bool {
        self.method.as_deref().is_none_or(|m| m == method)
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
            && (!self.watch_only || is_watch)
    }
}

/// The armed faults, consumed in the order they were added.
#[derive(Debug, Default)]
pub struct Faults(Mutex<Vec<Fault>>);

impl Faults {
    /// Arm a fault.
    pub fn add(&self, f: Fault) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(f);
    }
    /// Disarm everything.
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
    /// The action for this request, if an armed fault matches (using up one of its times).
    pub fn take(&self, method: &str, path: &str, is_watch: bool) -> Option<FaultAction> {
        let mut faults = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let i = faults
            .iter()
            .position(|f| f.remaining > 0 && f.matches(method, path, is_watch))?;
        faults[i].remaining -= 1;
        let action = faults[i].action.clone();
        if faults[i].remaining == 0 {
            faults.remove(i);
        }
        Some(action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_match_and_run_out() {
        let f = Faults::default();
        f.add(
            Fault::new(FaultAction::DropConnection)
                .method("get")
                .path_contains("/pods")
                .times(2),
        );
        assert_eq!(f.take("PUT", "/api/v1/namespaces/d/pods/x", false), None);
        assert_eq!(f.take("GET", "/api/v1/nodes", false), None);
        assert_eq!(
            f.take("GET", "/api/v1/pods", false),
            Some(FaultAction::DropConnection)
        );
        assert_eq!(
            f.take("GET", "/api/v1/pods", false),
            Some(FaultAction::DropConnection)
        );
        assert_eq!(f.take("GET", "/api/v1/pods", false), None);
        f.add(Fault::new(FaultAction::CutWatchAfter(1)).watches_only());
        assert_eq!(f.take("GET", "/api/v1/pods", false), None);
        assert!(f.take("GET", "/api/v1/pods", true).is_some());
    }
}
