//! The request builder (client-go `rest.Request`): path pieces, query parameters, body, and the
//! terminals that send it through the rate limiter, credentials and retry policy.

use super::client::{sensitive_header, RestClient};
use super::config::Credentials;
use super::error::{status_from_response, Error, Result};
use super::retry;
use super::warnings::parse_warning_header;
use super::watch;
use super::{ByteStream, WatchStream};
use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, WARNING};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// The patch formats the API server accepts, with their content types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    /// RFC 6902 JSON patch, `application/json-patch+json`.
    Json,
    /// RFC 7386 merge patch, `application/merge-patch+json`.
    Merge,
    /// Kubernetes strategic merge patch, `application/strategic-merge-patch+json`.
    StrategicMerge,
    /// Server-side apply, `application/apply-patch+yaml` (JSON is valid YAML).
    Apply,
}

impl PatchType {
    /// The `Content-Type` of this patch format.
    pub fn content_type(self) -> &'static str {
        match self {
            PatchType::Json => "application/json-patch+json",
            PatchType::Merge => "application/merge-patch+json",
            PatchType::StrategicMerge => "application/strategic-merge-patch+json",
            PatchType::Apply => "application/apply-patch+yaml",
        }
    }
}

/// One API request being built. Build errors (a bad name, a body that does not serialize) are
/// kept and returned by the terminal, so the builder chains without `?`, like client-go's.
#[must_use = "a request does nothing until a terminal such as do_raw() is awaited"]
pub struct Request {
    client: RestClient,
    verb: Method,
    abs_path: Option<Vec<String>>,
    prefix: Vec<String>,
    namespace: Option<String>,
    resource: Option<String>,
    name: Option<String>,
    sub_resource: Vec<String>,
    params: Vec<(String, String)>,
    content_type: Option<&'static str>,
    accept: Option<std::borrow::Cow<'static, str>>,
    body: Option<Bytes>,
    /// The JSON form of a protobuf body, sent instead when the server answers 415.
    json_fallback: Option<JsonFallback>,
    timeout: Option<Duration>,
    error: Option<Error>,
    /// Set by [`Request::upgrade`]: a WebSocket handshake over HTTP/1.1.
    upgrade: Option<super::upgrade::Offer>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body may be a Secret object being created: show its size, never its bytes.
        f.debug_struct("Request")
            .field("verb", &self.verb)
            .field(
                "url",
                &self
                    .url()
                    .map(|u| crate::secret::redact_url(&u))
                    .unwrap_or_default(),
            )
            .field("content_type", &self.content_type)
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Request {
    pub(crate) fn new(client: RestClient, verb: Method) -> Self {
        let timeout = client.inner.config.timeout;
        Request {
            client,
            verb,
            abs_path: None,
            prefix: Vec::new(),
            namespace: None,
            resource: None,
            name: None,
            sub_resource: Vec::new(),
            params: Vec::new(),
            content_type: None,
            accept: None,
            body: None,
            json_fallback: None,
            timeout,
            error: None,
            upgrade: None,
        }
    }

    pub(crate) fn with_upgrade(mut self, offer: super::upgrade::Offer) -> Self {
        self.upgrade = Some(offer);
        self
    }

    /// Send the upgrade request: the response is `101 Switching Protocols` or another 2xx
    /// (the caller decides); non-2xx answers are errors as for every request.
    pub(crate) async fn send_upgrade(self) -> Result<(reqwest::Response, String)> {
        self.send(true).await
    }

    /// Record a build error; the terminal returns the first one without sending.
    pub(crate) fn fail(mut self, err: Error) -> Self {
        self.error.get_or_insert(err);
        self
    }

    /// Append path segments after the client's base path (client-go `Prefix`).
    pub fn prefix(mut self, path: &str) -> Self {
        self.prefix
            .extend(path.split('/').filter(|s| !s.is_empty()).map(str::to_owned));
        self
    }

    /// Ignore the client's base path and root the request at `path` (client-go `AbsPath`).
    pub fn abs_path(mut self, path: &str) -> Self {
        self.abs_path = Some(
            path.split('/')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        );
        self
    }

    /// `namespaces/{ns}/` before the resource; `""` means all namespaces (no segment).
    pub fn namespace(self, ns: &str) -> Self {
        if ns.is_empty() {
            return self;
        }
        match check_segment("namespace", ns) {
            Ok(()) => Request {
                namespace: Some(ns.to_owned()),
                ..self
            },
            Err(e) => self.fail(e),
        }
    }

    /// The resource plural.
    pub fn resource(self, plural: &str) -> Self {
        match check_segment("resource", plural) {
            Ok(()) => Request {
                resource: Some(plural.to_owned()),
                ..self
            },
            Err(e) => self.fail(e),
        }
    }

    /// The object name; must not be empty.
    pub fn name(self, name: &str) -> Self {
        match check_segment("name", name) {
            Ok(()) => Request {
                name: Some(name.to_owned()),
                ..self
            },
            Err(e) => self.fail(e),
        }
    }

    /// Subresource path (`status`, `scale`, `log`); may hold several segments.
    pub fn sub_resource(mut self, sub: &str) -> Self {
        self.sub_resource
            .extend(sub.split('/').filter(|s| !s.is_empty()).map(str::to_owned));
        self
    }

    /// Add a query parameter (repeatable).
    pub fn param(mut self, key: &str, value: impl Into<String>) -> Self {
        self.params.push((key.to_owned(), value.into()));
        self
    }

    /// Add query parameters, e.g. from `ListOptions::query_pairs()`.
    pub fn params<K: AsRef<str>, V: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.params.extend(
            pairs
                .into_iter()
                .map(|(k, v)| (k.as_ref().to_owned(), v.into())),
        );
        self
    }

    /// Set the body's content type (the patch verbs set it already).
    pub fn content_type(mut self, content_type: &'static str) -> Self {
        self.content_type = Some(content_type);
        self
    }

    /// Ask for another response format than JSON objects (aggregated discovery, Tables).
    pub fn accept(mut self, accept: &'static str) -> Self {
        self.accept = Some(std::borrow::Cow::Borrowed(accept));
        self
    }

    /// Set the `Accept` header to a value known only at run time (`Config::accept_content_types`).
    pub fn accept_owned(mut self, accept: String) -> Self {
        self.accept = Some(std::borrow::Cow::Owned(accept));
        self
    }

    /// A protobuf body (`k8s\0` envelope); `json` makes its JSON form should the server refuse
    /// protobuf with 415 (as the test server or an aggregated API may), after which the client
    /// sends JSON (see [`RestClient::prefers_protobuf`]).
    pub fn body_protobuf(
        mut self,
        body: std::result::Result<Vec<u8>, crate::proto::EncodeError>,
        json: JsonFallback,
    ) -> Self {
        match body {
            Ok(bytes) => {
                self.content_type = Some(crate::proto::CONTENT_TYPE);
                self.body = Some(Bytes::from(bytes));
                self.json_fallback = Some(json);
                self
            }
            Err(e) => self.fail(Error::InvalidRequest(e.to_string())),
        }
    }

    /// JSON-encode `body`; the content type stays the patch type's when one is set.
    pub fn body_json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.content_type.get_or_insert("application/json");
                self.body = Some(Bytes::from(bytes));
                self
            }
            Err(e) => self.fail(Error::Encode(e)),
        }
    }

    /// Raw body bytes with their content type.
    pub fn body_bytes(mut self, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        self.content_type = Some(content_type);
        self.body = Some(body.into());
        self
    }

    /// Per-request timeout for the buffered terminals (overrides `Config.timeout`; streams
    /// never time out).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The URL this request goes to.
    pub fn url(&self) -> Result<Url> {
        let mut url = self.client.inner.base_url.clone();
        {
            let mut segs = url.path_segments_mut().map_err(|()| Error::Config {
                field: "host",
                message: "cannot be a base URL".into(),
            })?;
            segs.pop_if_empty();
            let base = self.abs_path.as_deref().unwrap_or(&self.client.base_path);
            segs.extend(base);
            segs.extend(&self.prefix);
            if let Some(ns) = &self.namespace {
                segs.extend(["namespaces", ns.as_str()]);
            }
            segs.extend(&self.resource);
            segs.extend(&self.name);
            segs.extend(&self.sub_resource);
        }
        if !self.params.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in &self.params {
                q.append_pair(k, v);
            }
        }
        Ok(url)
    }

    /// Send and return the whole 2xx body.
    pub async fn do_raw(self) -> Result<Bytes> {
        let verb = self.verb.clone();
        let (response, url) = self.send(false).await?;
        response.bytes().await.map_err(|source| Error::Transport {
            verb: verb.to_string(),
            url,
            source: source.without_url(),
        })
    }

    /// Send and decode the 2xx body as JSON into `T` (from the whole buffered body, which is
    /// serde_json's fastest path).
    pub async fn do_<T: DeserializeOwned>(self) -> Result<T> {
        let body = self.do_raw().await?;
        decode_json(&body)
    }

    /// Send, then decode the body by its `Content-Type`: protobuf with `proto`, else JSON.
    pub async fn do_either<T: DeserializeOwned>(
        self,
        proto: fn(&[u8]) -> std::result::Result<T, crate::proto::DecodeError>,
    ) -> Result<T> {
        let verb = self.verb.clone();
        let (response, url) = self.send(false).await?;
        let is_protobuf = response_is_protobuf(&response);
        let body = response.bytes().await.map_err(|source| Error::Transport {
            verb: verb.to_string(),
            url,
            source: source.without_url(),
        })?;
        if is_protobuf {
            proto(&body).map_err(|e| Error::Protobuf {
                target: std::any::type_name::<T>(),
                source: e,
            })
        } else {
            decode_json(&body)
        }
    }

    /// Watch, decoding protobuf frames with `proto` when the server answers in protobuf
    /// (`;stream=watch`), JSON events otherwise.
    pub async fn watch_either<T: DeserializeOwned + Send + 'static>(
        mut self,
        proto: fn(&[u8]) -> std::result::Result<T, crate::proto::DecodeError>,
    ) -> Result<WatchStream<T>> {
        if !self.params.iter().any(|(k, _)| k == "watch") {
            self.params.push(("watch".into(), "true".into()));
        }
        let verb = self.verb.to_string();
        let (response, url) = self.send(true).await?;
        let is_protobuf = response_is_protobuf(&response);
        let body = Box::pin(response.bytes_stream().map(move |r| {
            r.map_err(|source| Error::Transport {
                verb: verb.clone(),
                url: url.clone(),
                source: source.without_url(),
            })
        }));
        if is_protobuf {
            Ok(Box::pin(watch::decode_protobuf_stream(body, proto)))
        } else {
            Ok(Box::pin(watch::decode_stream(body)))
        }
    }

    /// Send and stream the 2xx body as it arrives (logs with `follow`, raw watches).
    pub async fn stream(self) -> Result<ByteStream> {
        let verb = self.verb.to_string();
        let (response, url) = self.send(true).await?;
        Ok(Box::pin(response.bytes_stream().map(move |r| {
            r.map_err(|source| Error::Transport {
                verb: verb.clone(),
                url: url.clone(),
                source: source.without_url(),
            })
        })))
    }

    /// Send as a watch (adds `watch=true` unless present) and decode the events. `ERROR`
    /// events come out as `Err(Error::Api(status))`, so an expired resourceVersion is
    /// `is_gone()`; the stream ends when the server closes the response.
    pub async fn watch<T: DeserializeOwned + Send + 'static>(mut self) -> Result<WatchStream<T>> {
        if !self.params.iter().any(|(k, _)| k == "watch") {
            self.params.push(("watch".into(), "true".into()));
        }
        let body = self.stream().await?;
        Ok(Box::pin(watch::decode_stream(body)))
    }

    /// Send through limiter, credentials and retries; returns a 2xx response and the URL text.
    async fn send(self, streaming: bool) -> Result<(reqwest::Response, String)> {
        if let Some(err) = self.error {
            return Err(err);
        }
        let url = self.url()?;
        // Errors quote the URL: never with a `user:password@` part.
        let url_text = crate::secret::redact_url(&url);
        let span = tracing::debug_span!(
            "kube_request",
            verb = %self.verb,
            path = %url.path(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        // One deadline for the whole request, as client-go's context: credentials, every
        // attempt and every wait between attempts count against it.
        let deadline = self.timeout.filter(|_| !streaming);
        let attempts = self
            .send_with_retries(url, streaming, deadline.map(|t| started + t))
            .instrument(span.clone());
        let timed_out = |t| Error::Timeout {
            verb: self.verb.to_string(),
            url: url_text.clone(),
            timeout: t,
        };
        let result = match deadline {
            Some(t) => match tokio::time::timeout(t, attempts).await {
                // reqwest's timer for the same deadline may fire first: one error either way.
                Ok(Err(Error::Transport { source, .. }))
                    if source.is_timeout() && started.elapsed() >= t =>
                {
                    Err(timed_out(t))
                }
                Ok(r) => r,
                Err(_) => Err(timed_out(t)),
            },
            None => attempts.await,
        };
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(r) => span.record("status", r.status().as_u16()),
            Err(Error::Api(s)) => span.record("status", s.code.unwrap_or_default()),
            Err(_) => span.record("status", "error"),
        };
        result.map(|r| (r, url_text))
    }

    async fn send_with_retries(
        &self,
        url: Url,
        streaming: bool,
        deadline: Option<Instant>,
    ) -> Result<reqwest::Response> {
        let inner = &self.client.inner;
        let mut retries = 0u32;
        let mut refreshed_credentials = false;
        let mut backoff = retry::transport_backoff();
        let mut json_body: Option<Bytes> = None;
        let accept = match &self.accept {
            Some(a) => HeaderValue::from_str(a).map_err(|_| Error::Config {
                field: "accept_content_types",
                message: format!("{a:?} is not a valid header value"),
            })?,
            None => HeaderValue::from_static("application/json"),
        };
        loop {
            inner.limiter.acquire().await;
            let (http, auth) = self.client_and_auth().await?;
            let mut builder = http
                .request(self.verb.clone(), url.clone())
                .headers(inner.impersonation.clone());
            if let Some(offer) = &self.upgrade {
                // Upgrades exist in HTTP/1.1 only (the client for them never offers h2).
                builder = builder
                    .version(reqwest::Version::HTTP_11)
                    .headers(offer.headers()?);
            }
            if let Some(auth) = auth {
                builder = builder.header(AUTHORIZATION, auth);
            }
            builder = builder.header(ACCEPT, accept.clone());
            let (content_type, body) = match &json_body {
                Some(json) => (Some("application/json"), Some(json)),
                None => (self.content_type, self.body.as_ref()),
            };
            if let Some(ct) = content_type {
                builder = builder.header(CONTENT_TYPE, HeaderValue::from_static(ct));
            }
            if let Some(body) = body {
                // Bodies are buffered bytes, so every attempt can replay them.
                builder = builder.body(body.clone());
            }
            // Reading the body happens after `send` returns: reqwest's own timeout keeps it
            // within what is left of the deadline.
            if let (Some(d), false) = (deadline, streaming) {
                builder = builder.timeout(d.saturating_duration_since(Instant::now()));
            }
            let response = match builder.send().await {
                Ok(r) => r,
                Err(source) => {
                    if retry::transport_error_retryable(&self.verb, &source)
                        && retries < self.client.max_retries
                    {
                        retries += 1;
                        let wait = backoff.next_delay();
                        tracing::debug!(
                            attempt = retries,
                            ?wait,
                            "retrying after connection error: {source}"
                        );
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(Error::Transport {
                        verb: self.verb.to_string(),
                        url: crate::secret::redact_url(&url),
                        source: source.without_url(),
                    });
                }
            };
            self.report_warnings(&response);
            let status = response.status();
            tracing::Span::current().record("attempts", retries + 1);
            if status == StatusCode::UNAUTHORIZED && !refreshed_credentials {
                if let Some(source) = &inner.config.credentials {
                    // The token or certificate may have rotated: ask once more for fresh ones.
                    source.invalidate();
                    refreshed_credentials = true;
                    drain(response).await;
                    continue;
                }
            }
            if let Some(wait) = retry::retry_after(&response) {
                if retries < self.client.max_retries {
                    retries += 1;
                    tracing::debug!(
                        attempt = retries,
                        ?wait,
                        status = status.as_u16(),
                        "server asked to retry"
                    );
                    drain(response).await;
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            if status.is_success()
                || (self.upgrade.is_some() && status == StatusCode::SWITCHING_PROTOCOLS)
            {
                return Ok(response);
            }
            if status == StatusCode::UNSUPPORTED_MEDIA_TYPE && json_body.is_none() {
                if let Some(json) = &self.json_fallback {
                    // The server does not take protobuf: send JSON, now and from now on.
                    inner
                        .protobuf_refused
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                    json_body = Some(json().map_err(Error::Encode)?);
                    drain(response).await;
                    continue;
                }
            }
            let body = response.bytes().await.map_err(|source| Error::Transport {
                verb: self.verb.to_string(),
                url: crate::secret::redact_url(&url),
                source: source.without_url(),
            })?;
            return Err(Error::Api(Box::new(status_from_response(status, &body))));
        }
    }

    /// The HTTP client and `Authorization` header for this attempt: dynamic credentials first,
    /// then the config's static token or basic auth.
    async fn client_and_auth(&self) -> Result<(reqwest::Client, Option<HeaderValue>)> {
        let inner = &self.client.inner;
        let http1_only = self.upgrade.is_some();
        let http = || -> Result<reqwest::Client> {
            if http1_only {
                inner.http1_client()
            } else {
                Ok(inner.http.clone())
            }
        };
        let Some(source) = &inner.config.credentials else {
            return Ok((http()?, inner.static_auth.clone()));
        };
        match source.credentials().await? {
            Credentials::Bearer(token) => Ok((
                http()?,
                Some(sensitive_header(
                    &format!("Bearer {}", token.expose()),
                    "credentials",
                )?),
            )),
            Credentials::Basic { username, password } => {
                use base64::Engine;
                let raw = format!("{username}:{}", password.expose());
                let value = format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                );
                Ok((http()?, Some(sensitive_header(&value, "credentials")?)))
            }
            Credentials::ClientCertificate { cert_pem, key_pem } => {
                let http = inner.cert_clients.get_or_build(
                    &inner.config,
                    &cert_pem,
                    key_pem.expose().as_bytes(),
                    http1_only,
                )?;
                Ok((http, None))
            }
        }
    }

    fn report_warnings(&self, response: &reqwest::Response) {
        for value in response.headers().get_all(WARNING) {
            let Ok(text) = value.to_str() else { continue };
            for w in parse_warning_header(text) {
                self.client
                    .warnings
                    .handle_warning(w.code, &w.agent, &w.text);
            }
        }
    }
}

/// A closure making the JSON form of a request body.
pub type JsonFallback =
    std::sync::Arc<dyn Fn() -> std::result::Result<Bytes, serde_json::Error> + Send + Sync>;

fn response_is_protobuf(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with(crate::proto::CONTENT_TYPE))
}

/// Decode a whole JSON body, equal managedFields sets kept once (see [`crate::sharing`]); the
/// error describes the body without quoting it.
pub fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    crate::sharing::scope(|| crate::codec::from_json_bytes(body))
        .map_err(|e| super::error::decode_error(std::any::type_name::<T>(), body, &e))
}

/// Read (a bounded part of) a body we will not use, so the connection can be reused.
async fn drain(mut response: reqwest::Response) {
    let mut read = 0usize;
    while let Ok(Some(chunk)) = response.chunk().await {
        read += chunk.len();
        if read > 64 * 1024 {
            break;
        }
    }
}

fn check_segment(what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::InvalidRequest(format!("{what} may not be empty")));
    }
    if value == "." || value == ".." || value.contains('/') || value.contains('%') {
        return Err(Error::InvalidRequest(format!(
            "{what} {value:?} may not be '.', '..' or contain '/' or '%'"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rest::Config;

    #[test]
    fn debug_shows_body_size_not_content() {
        let rest = RestClient::new(&Config::new("https://127.0.0.1:6443")).expect("client");
        let req = rest
            .for_group_version("", "v1")
            .post()
            .namespace("ns")
            .resource("secrets")
            .body_json(&serde_json::json!({"stringData": {"password": "hunter2"}}));
        let text = format!("{req:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("/api/v1/namespaces/ns/secrets"), "{text}");
    }

    #[test]
    fn patch_types_have_their_content_types() {
        assert_eq!(
            PatchType::Apply.content_type(),
            "application/apply-patch+yaml"
        );
        assert_eq!(
            PatchType::StrategicMerge.content_type(),
            "application/strategic-merge-patch+json"
        );
    }
}
