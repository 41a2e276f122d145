//! In-cluster configuration (client-go `rest.InClusterConfig`): the pod's service-account
//! token and CA, and the API server address from `KUBERNETES_SERVICE_HOST`/`_PORT`.

use super::error::Error;
use super::token_file::{read_token, TokenFileSource};
use crate::rest;
use std::path::PathBuf;
use std::sync::Arc;

/// Where Kubernetes mounts the service-account credentials.
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The environment in-cluster configuration reads, overridable for tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InClusterEnv {
    /// `KUBERNETES_SERVICE_HOST`.
    pub host: Option<String>,
    /// `KUBERNETES_SERVICE_PORT`.
    pub port: Option<String>,
    /// `POD_NAMESPACE` (takes precedence over the namespace file).
    pub pod_namespace: Option<String>,
    /// Directory holding `token`, `ca.crt` and `namespace`.
    pub service_account_dir: PathBuf,
}

impl InClusterEnv {
    /// Read the process environment and use the standard service-account directory.
    pub fn from_process() -> Self {
        InClusterEnv {
            host: std::env::var("KUBERNETES_SERVICE_HOST").ok(),
            port: std::env::var("KUBERNETES_SERVICE_PORT").ok(),
            pod_namespace: std::env::var("POD_NAMESPACE").ok(),
            service_account_dir: PathBuf::from(SERVICE_ACCOUNT_DIR),
        }
    }

    /// True when in-cluster configuration can work: host and port set and a token file
    /// present (client-go `inClusterClientConfig.Possible`).
    pub fn possible(&self) -> bool {
        self.why_not().is_none()
    }

    fn why_not(&self) -> Option<String> {
        if self.host.as_deref().unwrap_or("").is_empty()
            || self.port.as_deref().unwrap_or("").is_empty()
        {
            return Some("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set".into());
        }
        let token = self.service_account_dir.join("token");
        if !token.is_file() {
            return Some(format!("no service-account token at {}", token.display()));
        }
        None
    }

    /// The pod's namespace: `POD_NAMESPACE`, then the namespace file, then `default`.
    pub fn namespace(&self) -> String {
        if let Some(ns) = self.pod_namespace.as_deref().filter(|n| !n.is_empty()) {
            return ns.to_owned();
        }
        std::fs::read_to_string(self.service_account_dir.join("namespace"))
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "default".to_owned())
    }

    /// Build the in-cluster `rest::Config`. The token is re-read periodically (projected
    /// tokens rotate); an unreadable CA is logged and the platform roots are used, as client-go
    /// does.
    pub fn rest_config(&self) -> Result<rest::Config, Error> {
        if let Some(why) = self.why_not() {
            return Err(Error::InCluster(why));
        }
        let host = self.host.clone().unwrap_or_default();
        let port = self.port.clone().unwrap_or_default();
        // IPv6 literals need brackets in a URL (Go's net.JoinHostPort).
        let authority = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let token_path = self.service_account_dir.join("token");
        let token = read_token(&token_path).map_err(|e| Error::InCluster(e.0))?;
        let mut config = rest::Config::new(format!("https://{authority}"));
        config.bearer_token = Some(token);
        config.credentials = Some(Arc::new(TokenFileSource::new(token_path)));
        let ca_path = self.service_account_dir.join("ca.crt");
        match std::fs::read(&ca_path) {
            Ok(ca) => config.tls.ca_data = Some(ca),
            Err(e) => {
                tracing::error!(file = %ca_path.display(), error = %e, "cannot load in-cluster root CA")
            }
        }
        Ok(config)
    }
}
