//! Builds `reqwest::Client`s from a [`Config`]: TLS, proxy (HTTP(S), SOCKS5), compression,
//! User-Agent.
//! Per-request concerns (auth headers, impersonation, timeouts) live in the request code.

use super::config::Config;
use super::error::Error;
use super::tls::{self, Identity};
use std::sync::Mutex;

/// `kubeclient/<version> (<os>/<arch>)`, client-go's User-Agent shape.
pub fn default_user_agent() -> String {
    format!(
        "kubeclient/{} ({}/{})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// A reqwest client for `config`, presenting `identity` instead of the config's own client
/// certificate when given (exec-plugin certificates). `http1_only` for WebSocket upgrades,
/// which HTTP/2 does not carry: ALPN then offers only `http/1.1`.
pub(crate) fn build_http_client(
    config: &Config,
    identity: Option<Identity<'_>>,
    http1_only: bool,
) -> Result<reqwest::Client, Error> {
    let identity = identity.or_else(|| match (&config.tls.cert_data, &config.tls.key_data) {
        (Some(cert), Some(key)) => Some(Identity {
            cert_pem: cert,
            key_pem: key.expose().as_bytes(),
        }),
        _ => None,
    });
    let mut tls = tls::client_config(&config.tls, identity)?;
    if http1_only {
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    }
    let user_agent = config.user_agent.clone().unwrap_or_else(default_user_agent);
    let mut builder = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .user_agent(user_agent)
        // Kubernetes API servers never redirect API calls; following one could leak the token.
        .redirect(reqwest::redirect::Policy::none());
    if config.disable_compression {
        builder = builder.no_gzip();
    }
    if http1_only {
        builder = builder.http1_only();
    }
    if let Some(proxy) = &config.proxy_url {
        builder = builder.proxy(proxy_for(proxy)?);
    }
    builder.build().map_err(|e| Error::Config {
        field: "tls",
        message: e.to_string(),
    })
}

/// Proxy URL schemes accepted in `proxy_url`: client-go's `http`, `https` and `socks5`, plus
/// `socks5h`, where the proxy (not this process) resolves the API server's host name.
const PROXY_SCHEMES: [&str; 4] = ["http", "https", "socks5", "socks5h"];

/// The proxy every request of a client goes through. Messages name the field and the scheme but
/// never quote the URL's userinfo: proxy URLs may carry a password.
fn proxy_for(raw: &str) -> Result<reqwest::Proxy, Error> {
    let invalid = |message: String| Error::Config {
        field: "proxy_url",
        message,
    };
    // `url::ParseError` never quotes its input, so nothing of `raw` leaks through it.
    let url = reqwest::Url::parse(raw).map_err(|e| invalid(format!("not an absolute URL: {e}")))?;
    if !PROXY_SCHEMES.contains(&url.scheme()) {
        return Err(invalid(format!(
            "unsupported proxy scheme {:?} (supported: {})",
            url.scheme(),
            PROXY_SCHEMES.join(", ")
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(format!("{} proxy URL has no host", url.scheme())));
    }
    reqwest::Proxy::all(url.as_str()).map_err(|e| {
        let mut message = format!(
            "{} is not a usable proxy: {}",
            crate::secret::redact_url_userinfo(url.as_str()),
            e.without_url()
        );
        if let Some(password) = url.password().filter(|p| !p.is_empty()) {
            message = message.replace(password, "<redacted>");
        }
        invalid(message)
    })
}

/// How many distinct exec-plugin certificates keep a client around (rotation keeps one or two).
const CERT_CLIENT_CACHE: usize = 4;

/// Clients keyed by the client certificate they present (and whether they are HTTP/1.1-only).
#[derive(Default)]
pub(crate) struct CertClientCache {
    entries: Mutex<Vec<(CertKey, reqwest::Client)>>,
}

/// A client certificate (PEM) and whether its client is HTTP/1.1-only.
type CertKey = (Vec<u8>, bool);

impl CertClientCache {
    /// The client presenting `cert_pem`, building it on first use.
    pub(crate) fn get_or_build(
        &self,
        config: &Config,
        cert_pem: &[u8],
        key_pem: &[u8],
        http1_only: bool,
    ) -> Result<reqwest::Client, Error> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(pos) = entries
            .iter()
            .position(|((c, h1), _)| c == cert_pem && *h1 == http1_only)
        {
            let entry = entries.remove(pos);
            let client = entry.1.clone();
            entries.push(entry);
            return Ok(client);
        }
        let client = build_http_client(config, Some(Identity { cert_pem, key_pem }), http1_only)?;
        if entries.len() >= CERT_CLIENT_CACHE {
            entries.remove(0);
        }
        entries.push(((cert_pem.to_vec(), http1_only), client.clone()));
        Ok(client)
    }

    /// Number of cached clients.
    pub(crate) fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}
