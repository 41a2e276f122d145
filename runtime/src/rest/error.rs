//! Errors of the REST layer and the predicates client-go's `apierrors` offers.

use crate::meta::v1::Status;
use reqwest::StatusCode;

/// Longest excerpt of a response body quoted in an error.
pub const EXCERPT_LIMIT: usize = 512;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with a non-2xx status; the `metav1.Status` it sent (or one made up
    /// from the HTTP code when the body was not a Status).
    #[error("{}", describe_status(.0))]
    Api(Box<Status>),
    /// The request could not be sent or its response not read (connect, TLS, reset, timeout).
    #[error("{verb} {url}: {}", source_chain(source))]
    Transport {
        /// HTTP method.
        verb: String,
        /// Request URL (never carries credentials).
        url: String,
        /// What reqwest reported.
        #[source]
        source: reqwest::Error,
    },
    /// The request's timeout (`Config.timeout` or [`crate::rest::Request::timeout`]) passed;
    /// it bounds the whole request: credentials, every retry and the waits between them.
    #[error("{verb} {url}: no answer within the request timeout of {timeout:?}")]
    Timeout {
        /// HTTP method.
        verb: String,
        /// Request URL (never carries credentials).
        url: String,
        /// The timeout that passed.
        timeout: std::time::Duration,
    },
    /// A 2xx body (or a watch event) is not the JSON the caller asked for. Nothing of the body
    /// is quoted (it may be a Secret): only where decoding stopped and what the body looks like.
    #[error("decoding {target} failed: {message} (body: {body})")]
    Decode {
        /// Rust type that was being decoded.
        target: &'static str,
        /// serde_json's message with any quoted input value taken out, and its position.
        message: String,
        /// What serde_json's error was (syntax, data, EOF, I/O).
        category: serde_json::error::Category,
        /// Size and shape of the body, e.g. `1234 bytes, starts like HTML`.
        body: String,
    },
    /// A 2xx protobuf body (or watch frame) could not be decoded; the error names the path of
    /// fields where decoding stopped.
    #[error("decoding {target} from protobuf failed: {source}")]
    Protobuf {
        /// Rust type that was being decoded.
        target: &'static str,
        /// Where and why.
        #[source]
        source: crate::proto::DecodeError,
    },
    /// A watch stream broke its framing (not a sequence of JSON objects) or an event exceeded
    /// [`crate::rest::watch::MAX_EVENT_BYTES`]. Nothing of the stream is quoted.
    #[error("watch stream is malformed: {message}")]
    Watch {
        /// What is wrong and where (byte offsets into the stream).
        message: String,
    },
    /// A request body could not be encoded as JSON.
    #[error("encoding the request body failed: {0}")]
    Encode(#[source] serde_json::Error),
    /// The request is malformed before anything is sent (empty or invalid name, missing field).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The `rest::Config` cannot be used (bad host URL, unreadable PEM, bad proxy).
    #[error("invalid config field `{field}`: {message}")]
    Config {
        /// The config field at fault, e.g. `tls.ca_data`.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// A streaming subresource (exec, attach, port-forward) failed outside the HTTP exchange:
    /// the connection was not switched to WebSocket, or the peer broke the channel protocol or
    /// the connection. Nothing the streams carried is quoted.
    #[error("stream: {message}")]
    Stream {
        /// What went wrong.
        message: String,
    },
    /// The credential source (token file, exec plugin) failed.
    #[error("getting credentials failed: {0}")]
    Credentials(#[from] crate::rest::config::CredentialError),
}

/// Result of REST operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Most characters of a server's message an error's text quotes (the Status keeps it whole).
pub const MESSAGE_LIMIT: usize = 1024;

fn describe_status(s: &Status) -> String {
    let code = s.code.unwrap_or_default();
    let reason = capped(s.reason.as_deref().unwrap_or("Unknown"), 64);
    match s.message.as_deref() {
        Some(m) if !m.is_empty() => {
            format!("API error {code} {reason}: {}", capped(m, MESSAGE_LIMIT))
        }
        _ => format!("API error {code} {reason}"),
    }
}

/// `text` cut to `limit` characters, saying how much was left out.
fn capped(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        None => text.to_owned(),
        Some((at, _)) => format!("{}... ({} more bytes)", &text[..at], text.len() - at),
    }
}

/// An error and its sources as `outer: inner: innermost`, skipping a source whose text the
/// outer one already shows (reqwest's "error sending request" hides the TLS reason three
/// levels down).
fn source_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut next = err.source();
    while let Some(e) = next {
        let part = e.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        next = e.source();
    }
    capped(&text, MESSAGE_LIMIT)
}

/// A decode error for `body` as `target`, quoting nothing of the body.
pub fn decode_error(target: &'static str, body: &[u8], err: &serde_json::Error) -> Error {
    Error::Decode {
        target,
        message: crate::secret::redact_serde_message(&err.to_string()),
        category: err.classify(),
        body: describe_body(body),
    }
}

/// Size and shape of a body, for messages that must not quote it.
pub fn describe_body(body: &[u8]) -> String {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let shape = match first {
        None => "empty or blank",
        Some(b'{') => "a JSON object",
        Some(b'[') => "a JSON array",
        Some(b'"') => "a JSON string",
        Some(b'<') => "HTML or XML",
        Some(b) if b.is_ascii_digit() || *b == b'-' => "a number",
        Some(b) if b.is_ascii_graphic() => "text",
        Some(_) => "binary or non-ASCII",
    };
    format!("{} bytes, starts like {shape}", body.len())
}

/// The first [`EXCERPT_LIMIT`] bytes of `body` as text, cut on a character boundary.
pub fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(EXCERPT_LIMIT)];
    let text = String::from_utf8_lossy(cut);
    if body.len() > EXCERPT_LIMIT {
        format!("{text}...")
    } else {
        text.into_owned()
    }
}

/// Decode a non-2xx body into a Status; when it is not one, make one from the HTTP code the
/// way client-go's `newUnstructuredResponseError` does, quoting a bounded excerpt of the body.
pub fn status_from_response(code: StatusCode, body: &[u8]) -> Status {
    // A protobuf client gets protobuf errors from kube-apiserver.
    if body.starts_with(crate::proto::MAGIC) {
        if let Ok(mut status) = crate::proto::decode_status(body) {
            if status.code.unwrap_or(0) == 0 {
                status.code = Some(i32::from(code.as_u16()));
            }
            return status;
        }
    }
    if let Ok(mut status) = serde_json::from_slice::<Status>(body) {
        if status.kind.as_deref() == Some("Status") {
            if status.code.unwrap_or(0) == 0 {
                status.code = Some(i32::from(code.as_u16()));
            }
            return status;
        }
    }
    let (reason, message) = reason_for_code(code);
    let body_text = excerpt(body);
    let message = if body_text.trim().is_empty() {
        message.to_owned()
    } else {
        format!("{message} (body: {body_text})")
    };
    Status {
        api_version: Some("v1".into()),
        kind: Some("Status".into()),
        status: Some("Failure".into()),
        code: Some(i32::from(code.as_u16())),
        reason: Some(reason.into()),
        message: Some(message),
        ..Status::default()
    }
}

/// Reason and message client-go uses for a bare HTTP code.
fn reason_for_code(code: StatusCode) -> (&'static str, &'static str) {
    match code.as_u16() {
        400 => ("BadRequest", "the server rejected our request for an unknown reason"),
        401 => ("Unauthorized", "the server has asked for the client to provide credentials"),
        403 => ("Forbidden", "the server does not allow access to the requested resource"),
        404 => ("NotFound", "the server could not find the requested resource"),
        405 => ("MethodNotAllowed", "the server does not allow this method on the requested resource"),
        406 => ("NotAcceptable", "the server was unable to respond with a content type that the client supports"),
        409 => ("Conflict", "the server reported a conflict"),
        410 => ("Gone", "the server has asked for the client to retry the request"),
        413 => ("RequestEntityTooLarge", "the server has rejected the request because it is too large"),
        415 => ("UnsupportedMediaType", "the server was unable to respond with a content type that the client supports"),
        422 => ("Invalid", "the server rejected our request due to an error in our request"),
        429 => ("TooManyRequests", "the server has received too many requests and has asked us to try again later"),
        500 => ("InternalError", "an error on the server has prevented the request from succeeding"),
        503 => ("ServiceUnavailable", "the server is currently unable to handle the request"),
        504 => ("Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request"),
        _ => ("Unknown", "an error on the server has prevented the request from succeeding"),
    }
}

impl Error {
    /// The server's Status when this is an [`Error::Api`].
    pub fn status(&self) -> Option<&Status> {
        match self {
            Error::Api(s) => Some(s),
            _ => None,
        }
    }

    fn reason_or_code(&self, reason: &str, code: u16) -> bool {
        match self.status() {
            Some(s) => match s.reason.as_deref() {
                Some(r) if !r.is_empty() && r != "Unknown" => r == reason,
                _ => s.code == Some(i32::from(code)),
            },
            None => false,
        }
    }

    /// 404 / `NotFound`.
    pub fn is_not_found(&self) -> bool {
        self.reason_or_code("NotFound", 404)
    }
    /// 409 `AlreadyExists`.
    pub fn is_already_exists(&self) -> bool {
        self.status()
            .is_some_and(|s| s.reason.as_deref() == Some("AlreadyExists"))
    }
    /// 409 `Conflict` (stale resourceVersion).
    pub fn is_conflict(&self) -> bool {
        self.reason_or_code("Conflict", 409)
    }
    /// 403 / `Forbidden`.
    pub fn is_forbidden(&self) -> bool {
        self.reason_or_code("Forbidden", 403)
    }
    /// 401 / `Unauthorized`.
    pub fn is_unauthorized(&self) -> bool {
        self.reason_or_code("Unauthorized", 401)
    }
    /// 410: `Gone` or `Expired` (a watch or list continue token too old; relist).
    pub fn is_gone(&self) -> bool {
        self.status().is_some_and(|s| {
            matches!(s.reason.as_deref(), Some("Gone") | Some("Expired")) || s.code == Some(410)
        })
    }
    /// `Expired` (resourceVersion too old), client-go `IsResourceExpired`.
    pub fn is_resource_expired(&self) -> bool {
        self.status()
            .is_some_and(|s| s.reason.as_deref() == Some("Expired"))
    }
    /// 429 / `TooManyRequests`.
    pub fn is_too_many_requests(&self) -> bool {
        self.reason_or_code("TooManyRequests", 429)
    }
    /// 422 / `Invalid`.
    pub fn is_invalid(&self) -> bool {
        self.reason_or_code("Invalid", 422)
    }
    /// `Timeout` (504) or `ServerTimeout`.
    pub fn is_timeout(&self) -> bool {
        self.status().is_some_and(|s| {
            matches!(s.reason.as_deref(), Some("Timeout") | Some("ServerTimeout"))
                || s.code == Some(504)
        })
    }
    /// 400 / `BadRequest`.
    pub fn is_bad_request(&self) -> bool {
        self.reason_or_code("BadRequest", 400)
    }
    /// 500 / `InternalError`.
    pub fn is_internal_error(&self) -> bool {
        self.reason_or_code("InternalError", 500)
    }
    /// 503 / `ServiceUnavailable`.
    pub fn is_service_unavailable(&self) -> bool {
        self.reason_or_code("ServiceUnavailable", 503)
    }
}

macro_rules! free_predicates {
    ($($name:ident),*) => {$(
        #[doc = concat!("Free-function form of [`Error::", stringify!($name), "`], as client-go's `apierrors`.")]
        pub fn $name(err: &Error) -> bool {
            err.$name()
        }
    )*};
}

free_predicates!(
    is_not_found,
    is_already_exists,
    is_conflict,
    is_forbidden,
    is_unauthorized,
    is_gone,
    is_resource_expired,
    is_too_many_requests,
    is_invalid,
    is_timeout,
    is_bad_request,
    is_internal_error,
    is_service_unavailable
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_body_is_used_as_is() {
        let body = br#"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"AlreadyExists","code":409,"message":"x exists"}"#;
        let err = Error::Api(Box::new(status_from_response(StatusCode::CONFLICT, body)));
        assert!(err.is_already_exists());
        assert!(!err.is_conflict());
        assert_eq!(err.to_string(), "API error 409 AlreadyExists: x exists");
    }

    #[test]
    fn html_body_is_synthesized_and_bounded() {
        let body = format!("<html>{}</html>", "x".repeat(10_000));
        let status = status_from_response(StatusCode::SERVICE_UNAVAILABLE, body.as_bytes());
        assert_eq!(status.reason.as_deref(), Some("ServiceUnavailable"));
        assert!(status.message.as_deref().is_some_and(|m| m.len() < 1_000));
    }

    #[test]
    fn excerpt_cuts_on_char_boundary() {
        let s = "é".repeat(EXCERPT_LIMIT);
        let e = excerpt(s.as_bytes());
        assert!(e.ends_with("..."));
    }
}
