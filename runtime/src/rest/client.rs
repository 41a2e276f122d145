//! [`RestClient`]: one connection pool, one rate limiter and one set of credentials, shared by
//! every clone (client-go `RESTClient`).

use super::config::{Config, Impersonation};
use super::error::{Error, Result};
use super::request::{PatchType, Request};
use super::transport::{build_http_client, CertClientCache};
use super::warnings::{DedupWarningLogger, WarningHandler};
use crate::flowcontrol::{limiter_for, RateLimiter};
use base64::Engine;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use std::fmt;
use std::sync::Arc;

/// Default number of retries for 429/5xx answers carrying `Retry-After` (client-go `maxRetries`).
pub const DEFAULT_MAX_RETRIES: u32 = 10;

/// A client for one API server. Cloning is cheap and clones share the connection pool, the
/// rate limiter and the credential cache, so every group client of a clientset is limited
/// together, as with client-go's `NewForConfig`.
#[derive(Clone)]
pub struct RestClient {
    pub(crate) inner: Arc<Inner>,
    /// Path segments every request starts with (`api/v1`, `apis/apps/v1`, or none).
    pub(crate) base_path: Arc<[String]>,
    pub(crate) warnings: Arc<dyn WarningHandler>,
    pub(crate) max_retries: u32,
}

pub(crate) struct Inner {
    pub(crate) base_url: Url,
    pub(crate) http: reqwest::Client,
    pub(crate) config: Config,
    pub(crate) limiter: Arc<dyn RateLimiter>,
    /// `Authorization` from the static token or basic auth, marked sensitive.
    pub(crate) static_auth: Option<HeaderValue>,
    pub(crate) impersonation: HeaderMap,
    pub(crate) cert_clients: CertClientCache,
    /// HTTP/1.1-only client for WebSocket upgrades, built on first use.
    http1: std::sync::OnceLock<reqwest::Client>,
    /// The server answered 415 to a protobuf body: typed clients send JSON from then on.
    pub(crate) protobuf_refused: std::sync::atomic::AtomicBool,
}

impl Inner {
    /// The client WebSocket upgrades go through: same TLS, proxy and User-Agent, HTTP/1.1 only.
    pub(crate) fn http1_client(&self) -> Result<reqwest::Client> {
        if let Some(c) = self.http1.get() {
            return Ok(c.clone());
        }
        let client = build_http_client(&self.config, None, true)?;
        // Two first users may race; either client is the same.
        Ok(self.http1.get_or_init(|| client).clone())
    }
}

impl RestClient {
    /// Build a client for `config`: parses the host, builds TLS and the HTTP pool, and the rate
    /// limiter (`config.rate_limiter`, or a token bucket of `qps`/`burst`, none if `qps < 0`).
    pub fn new(config: &Config) -> Result<RestClient> {
        let base_url = parse_host(&config.host)?;
        let http = build_http_client(config, None, false)?;
        let static_auth = static_auth_header(config)?;
        let impersonation = impersonation_headers(&config.impersonate)?;
        Ok(RestClient {
            inner: Arc::new(Inner {
                base_url,
                http,
                config: config.clone(),
                limiter: limiter_for(config),
                static_auth,
                impersonation,
                cert_clients: CertClientCache::default(),
                http1: std::sync::OnceLock::new(),
                protobuf_refused: std::sync::atomic::AtomicBool::new(false),
            }),
            base_path: Arc::from(Vec::new()),
            warnings: Arc::new(DedupWarningLogger::default()),
            max_retries: DEFAULT_MAX_RETRIES,
        })
    }

    /// A clone whose requests are rooted at `/api/{version}` for the core group (`""`) or
    /// `/apis/{group}/{version}` otherwise. Shares limiter and connections with `self`.
    pub fn for_group_version(&self, group: &str, version: &str) -> RestClient {
        let path = if group.is_empty() {
            format!("api/{version}")
        } else {
            format!("apis/{group}/{version}")
        };
        self.with_base_path(&path)
    }

    /// A clone whose requests are rooted at `path` (below the host's own path).
    pub fn with_base_path(&self, path: &str) -> RestClient {
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        RestClient {
            base_path: Arc::from(segments),
            ..self.clone()
        }
    }

    /// A clone that reports `Warning` headers to `handler` instead of logging them.
    pub fn with_warning_handler(&self, handler: Arc<dyn WarningHandler>) -> RestClient {
        RestClient {
            warnings: handler,
            ..self.clone()
        }
    }

    /// A clone that retries 429/5xx answers with `Retry-After` at most `n` times.
    pub fn with_max_retries(&self, n: u32) -> RestClient {
        RestClient {
            max_retries: n,
            ..self.clone()
        }
    }

    /// The limiter every request of this client (and its clones) waits on.
    pub fn rate_limiter(&self) -> &Arc<dyn RateLimiter> {
        &self.inner.limiter
    }

    /// The server URL from the config.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The path segments requests are rooted at (`["apis", "apps", "v1"]`).
    pub fn base_path(&self) -> &[String] {
        &self.base_path
    }

    /// Whether typed clients of kinds with a protobuf form use it: `Config::content_type` is
    /// unset or protobuf, and the server has not refused a protobuf body (415) before.
    pub fn prefers_protobuf(&self) -> bool {
        let configured = match self.inner.config.content_type.as_deref() {
            None => true,
            Some(ct) => ct.starts_with(crate::proto::CONTENT_TYPE),
        };
        configured
            && !self
                .inner
                .protobuf_refused
                .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The config this client was built from.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// A request with an arbitrary method.
    pub fn verb(&self, method: Method) -> Request {
        Request::new(self.clone(), method)
    }
    /// A GET request.
    pub fn get(&self) -> Request {
        self.verb(Method::GET)
    }
    /// A POST request.
    pub fn post(&self) -> Request {
        self.verb(Method::POST)
    }
    /// A PUT request.
    pub fn put(&self) -> Request {
        self.verb(Method::PUT)
    }
    /// A DELETE request.
    pub fn delete(&self) -> Request {
        self.verb(Method::DELETE)
    }
    /// A PATCH request whose body has `patch_type`'s content type.
    pub fn patch(&self, patch_type: PatchType) -> Request {
        self.verb(Method::PATCH)
            .content_type(patch_type.content_type())
    }

    /// Number of clients built for exec-plugin client certificates (for tests and metrics).
    pub fn cached_certificate_clients(&self) -> usize {
        self.inner.cert_clients.len()
    }
}

impl fmt::Debug for RestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestClient")
            .field("base_url", &crate::secret::redact_url(&self.inner.base_url))
            .field("base_path", &self.base_path.join("/"))
            .field("limiter", &self.inner.limiter)
            .finish_non_exhaustive()
    }
}

fn parse_host(host: &str) -> Result<Url> {
    if host.is_empty() {
        return Err(Error::Config {
            field: "host",
            message: "is empty".into(),
        });
    }
    // client-go accepts `host:port` and defaults the scheme; so do we (https).
    let with_scheme = if host.contains("://") {
        host.to_owned()
    } else {
        format!("https://{host}")
    };
    let url = Url::parse(&with_scheme).map_err(|e| Error::Config {
        field: "host",
        message: format!("{:?}: {e}", crate::secret::redact_url_userinfo(host)),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Config {
            field: "host",
            message: format!(
                "{:?}: scheme must be http or https",
                crate::secret::redact_url_userinfo(host)
            ),
        });
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config {
            field: "host",
            message: format!(
                "{:?}: must not have a query or fragment",
                crate::secret::redact_url_userinfo(host)
            ),
        });
    }
    Ok(url)
}

fn static_auth_header(config: &Config) -> Result<Option<HeaderValue>> {
    let (value, field) = if let Some(token) = config.bearer_token.as_ref().filter(|t| !t.is_empty())
    {
        (format!("Bearer {}", token.expose()), "bearer_token")
    } else if let Some(user) = &config.username {
        let password = config
            .password
            .as_ref()
            .map(|p| p.expose())
            .unwrap_or_default();
        let raw = format!("{user}:{password}");
        (
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            ),
            "username",
        )
    } else {
        return Ok(None);
    };
    Ok(Some(sensitive_header(&value, field)?))
}

/// A header value marked sensitive so hyper/h2 never index or log it. The error names the
/// field but never the value.
pub(crate) fn sensitive_header(value: &str, field: &'static str) -> Result<HeaderValue> {
    let mut v = HeaderValue::from_str(value).map_err(|_| Error::Config {
        field,
        message: "contains characters not allowed in an HTTP header".into(),
    })?;
    v.set_sensitive(true);
    Ok(v)
}

fn impersonation_headers(imp: &Impersonation) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    let value = |v: &str| {
        HeaderValue::from_str(v).map_err(|_| Error::Config {
            field: "impersonate",
            message: format!("{v:?} is not a valid header value"),
        })
    };
    if let Some(user) = &imp.user {
        headers.append("impersonate-user", value(user)?);
    }
    if let Some(uid) = &imp.uid {
        headers.append("impersonate-uid", value(uid)?);
    }
    for group in &imp.groups {
        headers.append("impersonate-group", value(group)?);
    }
    for (key, values) in &imp.extra {
        // Header names are case-insensitive, so keys are percent-encoded as client-go does.
        let name = format!("impersonate-extra-{}", escape_extra_key(key));
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| Error::Config {
            field: "impersonate.extra",
            message: format!("{key:?} cannot be a header name"),
        })?;
        for v in values {
            headers.append(name.clone(), value(v)?);
        }
    }
    Ok(headers)
}

/// Percent-encode everything but unreserved characters of a header-name token.
fn escape_extra_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b"-!#$&'*+.^_`|~".contains(&b) {
            out.push(char::from(b.to_ascii_lowercase()));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_without_scheme_defaults_to_https() {
        assert_eq!(
            parse_host("10.0.0.1:6443")
                .map(|u| u.scheme().to_owned())
                .ok()
                .as_deref(),
            Some("https")
        );
        assert!(parse_host("").is_err());
        assert!(parse_host("ftp://x").is_err());
    }

    #[test]
    fn extra_keys_are_escaped() {
        assert_eq!(escape_extra_key("scopes/Team"), "scopes%2Fteam");
    }
}
