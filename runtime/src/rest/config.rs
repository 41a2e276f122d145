//! `rest::Config`: everything needed to talk to one API server, as client-go's `rest.Config`.

use crate::flowcontrol::RateLimiter;
use crate::secret::Secret;
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// Default queries per second of a client's token bucket (client-go `DefaultQPS`).
pub const DEFAULT_QPS: f32 = 5.0;
/// Default burst of a client's token bucket (client-go `DefaultBurst`).
pub const DEFAULT_BURST: u32 = 10;

/// Connection, authentication and client-side limits for one API server.
#[derive(Clone)]
pub struct Config {
    /// Base URL, e.g. `https://127.0.0.1:6443` (a path prefix is allowed).
    pub host: String,
    /// TLS settings.
    pub tls: TlsConfig,
    /// Static bearer token.
    pub bearer_token: Option<Secret>,
    /// Basic-auth user name.
    pub username: Option<String>,
    /// Basic-auth password.
    pub password: Option<Secret>,
    /// Dynamic credentials (token file, exec plugin); consulted per request, takes precedence
    /// over `bearer_token`.
    pub credentials: Option<Arc<dyn CredentialSource>>,
    /// Impersonation headers.
    pub impersonate: Impersonation,
    /// HTTP(S) or SOCKS5 proxy URL.
    pub proxy_url: Option<String>,
    /// Ask for uncompressed responses.
    pub disable_compression: bool,
    /// Queries per second; negative disables client-side rate limiting.
    pub qps: f32,
    /// Token-bucket burst.
    pub burst: u32,
    /// A limiter to use instead of building one from `qps`/`burst` (shared between clients).
    pub rate_limiter: Option<Arc<dyn RateLimiter>>,
    /// Whole-request timeout (`None`: no timeout; watches are never cut by it).
    pub timeout: Option<Duration>,
    /// User-Agent header; default `kubeclient/<version> (<os>/<arch>)`.
    pub user_agent: Option<String>,
    /// Wire format of the bodies typed clients send (client-go's `ContentType`). `None`, the
    /// default as in client-go since 1.32: protobuf (`application/vnd.kubernetes.protobuf`)
    /// for Kubernetes' built-in kinds, JSON for CRDs and dynamic objects. `application/json`:
    /// JSON for everything.
    pub content_type: Option<String>,
    /// `Accept` header of typed clients (client-go's `AcceptContentTypes`). `None`: protobuf
    /// then JSON for built-in kinds when they speak protobuf, JSON otherwise. Responses are
    /// decoded by their `Content-Type` either way.
    pub accept_content_types: Option<String>,
}

impl Config {
    /// A config for `host` with client-go's defaults (QPS 5, burst 10, no auth).
    pub fn new(host: impl Into<String>) -> Self {
        Config {
            host: host.into(),
            tls: TlsConfig::default(),
            bearer_token: None,
            username: None,
            password: None,
            credentials: None,
            impersonate: Impersonation::default(),
            proxy_url: None,
            disable_compression: false,
            qps: DEFAULT_QPS,
            burst: DEFAULT_BURST,
            rate_limiter: None,
            timeout: None,
            user_agent: None,
            content_type: None,
            accept_content_types: None,
        }
    }
}

// Written out so credentials in the host or proxy URL never reach Debug output.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("host", &crate::secret::redact_url_userinfo(&self.host))
            .field("tls", &self.tls)
            .field("bearer_token", &self.bearer_token)
            .field("username", &self.username)
            .field("password", &self.password)
            .field("credentials", &self.credentials)
            .field("impersonate", &self.impersonate)
            .field(
                "proxy_url",
                &self
                    .proxy_url
                    .as_deref()
                    .map(crate::secret::redact_url_userinfo),
            )
            .field("disable_compression", &self.disable_compression)
            .field("qps", &self.qps)
            .field("burst", &self.burst)
            .field("rate_limiter", &self.rate_limiter)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("content_type", &self.content_type)
            .field("accept_content_types", &self.accept_content_types)
            .finish()
    }
}

/// TLS settings of a [`Config`]. PEM data, never file paths: clientcmd reads the files.
#[derive(Clone, Default)]
pub struct TlsConfig {
    /// Skip server certificate verification.
    pub insecure: bool,
    /// Name to verify the server certificate against instead of the URL's host.
    pub server_name: Option<String>,
    /// PEM bundle of trusted CAs; `None` uses the platform/webpki roots.
    pub ca_data: Option<Vec<u8>>,
    /// PEM client certificate (chain).
    pub cert_data: Option<Vec<u8>>,
    /// PEM client private key.
    pub key_data: Option<Secret>,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("insecure", &self.insecure)
            .field("server_name", &self.server_name)
            .field(
                "ca_data",
                &self
                    .ca_data
                    .as_ref()
                    .map(|d| format!("<{} bytes>", d.len())),
            )
            .field(
                "cert_data",
                &self
                    .cert_data
                    .as_ref()
                    .map(|d| format!("<{} bytes>", d.len())),
            )
            .field("key_data", &self.key_data)
            .finish()
    }
}

/// Impersonation headers (`Impersonate-User`, `-Uid`, `-Group`, `-Extra-<key>`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Impersonation {
    /// User to act as.
    pub user: Option<String>,
    /// UID to act as.
    pub uid: Option<String>,
    /// Groups to act as (one header each).
    pub groups: Vec<String>,
    /// Extra fields (one header per value).
    pub extra: BTreeMap<String, Vec<String>>,
}

/// Credentials attached to one request.
#[derive(Clone, Debug)]
pub enum Credentials {
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// `Authorization: Basic ...`.
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: Secret,
    },
    /// A client certificate to present (exec plugins may return one); PEM.
    ClientCertificate {
        /// PEM certificate chain.
        cert_pem: Vec<u8>,
        /// PEM private key.
        key_pem: Secret,
    },
}

/// Boxed future returned by [`CredentialSource::credentials`].
pub type CredentialsFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialError>> + Send + 'a>>;

/// A source of credentials that can change over time: a token file re-read periodically, an
/// exec plugin cached until expiry. The REST client asks before each request and calls
/// [`CredentialSource::invalidate`] after a 401 so the next request fetches fresh ones.
pub trait CredentialSource: Send + Sync + fmt::Debug {
    /// Current credentials (cached by the source as it sees fit).
    fn credentials(&self) -> CredentialsFuture<'_>;
    /// Forget cached credentials (called after a 401 Unauthorized).
    fn invalidate(&self);
}

/// Why a [`CredentialSource`] could not produce credentials. The message must not contain the
/// secret itself.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CredentialError(pub String);
