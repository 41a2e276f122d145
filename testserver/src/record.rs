//! Recording of every request, for assertions in tests. Credentials are never recorded.

use hyper::Request;
use std::collections::VecDeque;
use std::sync::Mutex;

/// Headers that carry credentials and are left out of recordings.
const SECRET_HEADERS: &[&str] = &["authorization", "proxy-authorization", "cookie"];

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Raw query string (`""` when none).
    pub query: String,
    /// Headers, lower-case names, credentials removed.
    pub headers: Vec<(String, String)>,
    /// Authenticated user, if any.
    pub user: Option<String>,
}

impl RecordedRequest {
    /// Capture a request's line and headers.
    pub fn from_request<B>(req: &Request<B>, user: Option<String>) -> Self {
        RecordedRequest {
            method: req.method().to_string(),
            path: req.uri().path().to_string(),
            query: req.uri().query().unwrap_or("").to_string(),
            headers: req
                .headers()
                .iter()
                .filter(|(k, _)| !SECRET_HEADERS.contains(&k.as_str()))
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            user,
        }
    }
}

/// Most requests kept: a long-running server (benchmarks, a user's soak test) must not grow
/// without bound; the oldest are dropped first.
pub const RECORDER_CAPACITY: usize = 10_000;

/// The most recent requests, at most [`RECORDER_CAPACITY`].
#[derive(Debug, Default)]
pub struct Recorder(Mutex<VecDeque<RecordedRequest>>);

impl Recorder {
    /// Append one, dropping the oldest when full.
    pub fn record(&self, r: RecordedRequest) {
        let mut list = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if list.len() >= RECORDER_CAPACITY {
            list.pop_front();
        }
        list.push_back(r);
    }
    /// The recorded requests, oldest first.
    pub fn snapshot(&self) -> Vec<RecordedRequest> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }
    /// How many requests are held.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Forget everything recorded.
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}
