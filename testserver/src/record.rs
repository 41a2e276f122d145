//! Recording of every request, for assertions in tests. Credentials are never recorded.

use hyper::Request;
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

/// The list of recorded requests.
#[derive(Debug, Default)]
pub struct Recorder(Mutex<Vec<RecordedRequest>>);

impl Recorder {
    /// Append one.
    pub fn record(&self, r: RecordedRequest) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(r);
    }
    /// Everything recorded so far.
    pub fn snapshot(&self) -> Vec<RecordedRequest> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
    /// Forget everything recorded.
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}
