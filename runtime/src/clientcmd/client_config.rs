//! From a merged kubeconfig plus command-line style overrides to a `rest::Config`
//! (client-go `client_config.go`, `overrides.go`, `merged_client_builder.go`).

use super::api::{AuthInfo, Cluster, Config, Context};
use super::error::{Error, FileList};
use super::exec::ExecCredentialSource;
use super::in_cluster::InClusterEnv;
use super::load::decode_base64;
use super::loading_rules::LoadingRules;
use super::token_file::TokenFileSource;
use crate::rest;
use crate::secret::Secret;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Name of the cluster extension passed to exec plugins as `spec.cluster.config`.
const EXEC_CLUSTER_EXTENSION: &str = "client.authentication.k8s.io/exec";

/// Values given on the command line that win over the kubeconfig (client-go
/// `ConfigOverrides`). `None` / empty means "not overridden".
#[derive(Clone, Default)]
pub struct Overrides {
    /// `--context`.
    pub context: Option<String>,
    /// `--cluster`.
    pub cluster: Option<String>,
    /// `--user`.
    pub user: Option<String>,
    /// `--namespace`.
    pub namespace: Option<String>,
    /// `--server`.
    pub server: Option<String>,
    /// `--tls-server-name`.
    pub tls_server_name: Option<String>,
    /// `--insecure-skip-tls-verify`.
    pub insecure_skip_tls_verify: Option<bool>,
    /// `--certificate-authority`.
    pub certificate_authority: Option<PathBuf>,
    /// `--token`.
    pub token: Option<Secret>,
    /// `--as`.
    pub impersonate: Option<String>,
    /// `--as-uid`.
    pub impersonate_uid: Option<String>,
    /// `--as-group` (repeatable).
    pub impersonate_groups: Vec<String>,
    /// `--proxy-url`.
    pub proxy_url: Option<String>,
    /// `--request-timeout`.
    pub timeout: Option<Duration>,
}

// Written out so a password in `--server` or `--proxy-url` never reaches Debug output.
impl std::fmt::Debug for Overrides {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = |u: &Option<String>| u.as_deref().map(crate::secret::redact_url_userinfo);
        f.debug_struct("Overrides")
            .field("context", &self.context)
            .field("cluster", &self.cluster)
            .field("user", &self.user)
            .field("namespace", &self.namespace)
            .field("server", &url(&self.server))
            .field("tls_server_name", &self.tls_server_name)
            .field("insecure_skip_tls_verify", &self.insecure_skip_tls_verify)
            .field("certificate_authority", &self.certificate_authority)
            .field("token", &self.token)
            .field("impersonate", &self.impersonate)
            .field("impersonate_uid", &self.impersonate_uid)
            .field("impersonate_groups", &self.impersonate_groups)
            .field("proxy_url", &url(&self.proxy_url))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A merged kubeconfig with overrides, ready to produce a `rest::Config`.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    config: Config,
    overrides: Overrides,
    files: FileList,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

impl ClientConfig {
    /// Wrap an already merged (and path-resolved) kubeconfig. `files` is only used in messages.
    pub fn new(config: Config, overrides: Overrides, files: Vec<PathBuf>) -> Self {
        ClientConfig {
            config,
            overrides,
            files: FileList(files),
        }
    }

    /// Load the files named by `rules` and wrap them.
    pub fn from_rules(rules: &LoadingRules, overrides: Overrides) -> Result<Self, Error> {
        Ok(Self::new(rules.load()?, overrides, rules.files()))
    }

    /// The merged kubeconfig.
    pub fn raw(&self) -> &Config {
        &self.config
    }

    /// The context in use: the override, else current-context (may be empty).
    pub fn context_name(&self) -> String {
        non_empty(&self.overrides.context)
            .or(non_empty(&self.config.current_context))
            .unwrap_or_default()
            .to_owned()
    }

    fn context(&self) -> Result<Context, Error> {
        let name = self.context_name();
        if name.is_empty() {
            return Ok(Context::default());
        }
        self.config
            .contexts
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.context.clone())
            .ok_or_else(|| Error::ContextNotFound {
                name,
                files: self.files.clone(),
            })
    }

    /// Namespace: the override, then the context's, then `default`.
    pub fn namespace(&self) -> Result<String, Error> {
        if let Some(ns) = non_empty(&self.overrides.namespace) {
            return Ok(ns.to_owned());
        }
        let ctx = self.context()?;
        Ok(non_empty(&ctx.namespace).unwrap_or("default").to_owned())
    }

    fn cluster(&self, ctx: &Context) -> Result<(String, Cluster), Error> {
        let (name, required) = match non_empty(&self.overrides.cluster) {
            Some(n) => (n.to_owned(), true),
            None => (
                non_empty(&ctx.cluster).unwrap_or_default().to_owned(),
                false,
            ),
        };
        let found = self.config.clusters.iter().find(|c| c.name == name);
        let mut cluster = match found {
            Some(c) => c.cluster.clone(),
            None if required || !name.is_empty() => {
                return Err(Error::ClusterNotFound {
                    name,
                    context: self.context_name(),
                    files: self.files.clone(),
                })
            }
            None => Cluster::default(),
        };
        let o = &self.overrides;
        if let Some(server) = non_empty(&o.server) {
            cluster.server = Some(server.to_owned());
            // A new server invalidates the name its certificate was checked against.
            if non_empty(&o.tls_server_name).is_none() {
                cluster.tls_server_name = None;
            }
        }
        if let Some(n) = non_empty(&o.tls_server_name) {
            cluster.tls_server_name = Some(n.to_owned());
        }
        if let Some(ca) = &o.certificate_authority {
            cluster.certificate_authority = Some(ca.to_string_lossy().into_owned());
            cluster.certificate_authority_data = None;
        }
        if let Some(insecure) = o.insecure_skip_tls_verify {
            cluster.insecure_skip_tls_verify = Some(insecure);
            // --insecure-skip-tls-verify=true without a CA override drops the configured CA.
            if insecure && o.certificate_authority.is_none() {
                cluster.certificate_authority = None;
                cluster.certificate_authority_data = None;
            }
        }
        if let Some(p) = non_empty(&o.proxy_url) {
            cluster.proxy_url = Some(p.to_owned());
        }
        Ok((name, cluster))
    }

    fn user(&self, ctx: &Context) -> Result<(String, AuthInfo), Error> {
        let (name, required) = match non_empty(&self.overrides.user) {
            Some(n) => (n.to_owned(), true),
            None => (non_empty(&ctx.user).unwrap_or_default().to_owned(), false),
        };
        let mut user = match self.config.users.iter().find(|u| u.name == name) {
            Some(u) => u.user.clone(),
            None if required => {
                return Err(Error::UserNotFound {
                    name,
                    context: self.context_name(),
                    files: self.files.clone(),
                })
            }
            None => {
                if !name.is_empty() {
                    // client-go carries on without credentials here; say so.
                    tracing::warn!(user = %name, "user named by the context not found; no credentials used");
                }
                AuthInfo::default()
            }
        };
        let o = &self.overrides;
        if let Some(t) = o.token.as_ref().filter(|t| !t.is_empty()) {
            user.token = Some(t.clone());
            user.token_file = None;
        }
        if let Some(a) = non_empty(&o.impersonate) {
            user.impersonate = Some(a.to_owned());
        }
        if let Some(a) = non_empty(&o.impersonate_uid) {
            user.impersonate_uid = Some(a.to_owned());
        }
        if !o.impersonate_groups.is_empty() {
            user.impersonate_groups = o.impersonate_groups.clone();
        }
        Ok((name, user))
    }

    /// Build the `rest::Config`: checks the context, cluster and user exist, reads the CA,
    /// certificate, key and token files, decodes `*-data`, sets up token-file and exec
    /// credential sources.
    pub fn rest_config(&self) -> Result<rest::Config, Error> {
        let ctx = self.context()?;
        let (cluster_name, cluster) = self.cluster(&ctx)?;
        if cluster_name.is_empty() && cluster == Cluster::default() {
            // No cluster chosen at all: client-go's ErrEmptyConfig, which deferred loading
            // answers with in-cluster configuration. (A named but empty cluster is reported
            // as NoServer instead, which says what to fix.)
            return Err(Error::NoConfiguration {
                files: self.files.clone(),
                in_cluster: None,
            });
        }
        let (user_name, user) = self.user(&ctx)?;
        let server = non_empty(&cluster.server).ok_or_else(|| Error::NoServer {
            cluster: cluster_name.clone(),
            files: self.files.clone(),
        })?;
        let mut config = rest::Config::new(default_scheme(server, &cluster, &user));
        config.timeout = self.overrides.timeout;
        config.proxy_url = non_empty(&cluster.proxy_url).map(str::to_owned);
        config.disable_compression = cluster.disable_compression.unwrap_or(false);

        let tls = &mut config.tls;
        tls.insecure = cluster.insecure_skip_tls_verify.unwrap_or(false);
        tls.server_name = non_empty(&cluster.tls_server_name).map(str::to_owned);
        tls.ca_data = data_or_file(
            cluster.certificate_authority_data.as_deref(),
            non_empty(&cluster.certificate_authority),
            "cluster",
            &cluster_name,
            ("certificate-authority-data", "certificate-authority"),
        )?;
        if tls.insecure && tls.ca_data.is_some() {
            return Err(Error::InvalidAuth {
                user: user_name,
                message: format!(
                    "cluster {cluster_name:?}: a certificate authority cannot be combined with insecure-skip-tls-verify"
                ),
            });
        }
        let cert = data_or_file(
            non_empty(&user.client_certificate_data),
            non_empty(&user.client_certificate),
            "user",
            &user_name,
            ("client-certificate-data", "client-certificate"),
        )?;
        let key = data_or_file(
            user.client_key_data
                .as_ref()
                .map(|s| s.expose())
                .filter(|s| !s.is_empty()),
            non_empty(&user.client_key),
            "user",
            &user_name,
            ("client-key-data", "client-key"),
        )?;
        match (cert, key) {
            (Some(c), Some(k)) => {
                config.tls.cert_data = Some(c);
                let key = String::from_utf8(k).map_err(|_| Error::InvalidAuth {
                    user: user_name.clone(),
                    message: "client key is not PEM text".to_owned(),
                })?;
                config.tls.key_data = Some(Secret::new(key));
            }
            (None, None) => {}
            _ => {
                return Err(Error::InvalidAuth {
                    user: user_name,
                    message: "a client certificate needs both a certificate and a key".to_owned(),
                })
            }
        }

        self.auth(&mut config, &user_name, &user, &cluster)?;
        config.impersonate = rest::Impersonation {
            user: non_empty(&user.impersonate).map(str::to_owned),
            uid: non_empty(&user.impersonate_uid).map(str::to_owned),
            groups: user.impersonate_groups.clone(),
            extra: user.impersonate_user_extra.clone(),
        };
        Ok(config)
    }

    fn auth(
        &self,
        config: &mut rest::Config,
        user_name: &str,
        user: &AuthInfo,
        cluster: &Cluster,
    ) -> Result<(), Error> {
        let invalid = |message: String| Error::InvalidAuth {
            user: user_name.to_owned(),
            message,
        };
        let has_token = user.token.as_ref().is_some_and(|t| !t.is_empty());
        let has_token_file = non_empty(&user.token_file).is_some();
        let has_basic = non_empty(&user.username).is_some()
            || user.password.as_ref().is_some_and(|p| !p.is_empty());
        if (has_token || has_token_file) && has_basic {
            return Err(invalid(
                "more than one authentication method (token and basic auth); only one is allowed"
                    .to_owned(),
            ));
        }
        if user.exec.is_some() && user.auth_provider.is_some() {
            return Err(invalid(
                "auth-provider cannot be combined with an exec plugin".to_owned(),
            ));
        }
        if has_token {
            config.bearer_token = user.token.clone();
        } else if let Some(path) = non_empty(&user.token_file) {
            let source = TokenFileSource::new(path);
            config.bearer_token = Some(source.token().map_err(|e| invalid(e.0))?);
            config.credentials = Some(Arc::new(source));
        }
        if has_basic {
            config.username = non_empty(&user.username).map(str::to_owned);
            config.password = user.password.clone();
        }
        if let Some(ap) = &user.auth_provider {
            match ap.name.as_str() {
                // Only the stored id-token is used: no refresh flow.
                "oidc" => {
                    let id = ap.config.as_ref().and_then(|c| c.get("id-token"));
                    if let Some(t) = id.filter(|t| !t.is_empty()) {
                        config.bearer_token = Some(Secret::new(t.clone()));
                    }
                }
                "gcp" | "azure" => {
                    return Err(invalid(format!(
                    "the {} auth provider was removed from client-go; use an exec plugin (e.g. {})",
                    ap.name,
                    if ap.name == "gcp" {
                        "gke-gcloud-auth-plugin"
                    } else {
                        "kubelogin"
                    }
                )))
                }
                other => {
                    return Err(invalid(format!("unknown auth provider {other:?}")));
                }
            }
        }
        if let Some(exec) = &user.exec {
            let mut source =
                ExecCredentialSource::new(exec, Some(exec_cluster_info(cluster, config)))
                    .map_err(|e| invalid(e.to_string()))?;
            // A plugin cannot outlive the request that needs it.
            if let Some(t) = config.timeout {
                source = source.with_timeout(t);
            }
            config.credentials = Some(Arc::new(source));
        }
        Ok(())
    }
}

/// `spec.cluster` for `KUBERNETES_EXEC_INFO` (client-go `clientauthentication.Cluster`).
fn exec_cluster_info(cluster: &Cluster, config: &rest::Config) -> serde_json::Value {
    use base64::Engine as _;
    let mut m = serde_json::Map::new();
    m.insert("server".into(), config.host.clone().into());
    if let Some(n) = &config.tls.server_name {
        m.insert("tls-server-name".into(), n.clone().into());
    }
    if config.tls.insecure {
        m.insert("insecure-skip-tls-verify".into(), true.into());
    }
    if let Some(ca) = &config.tls.ca_data {
        let b64 = base64::engine::general_purpose::STANDARD.encode(ca);
        m.insert("certificate-authority-data".into(), b64.into());
    }
    if let Some(p) = &config.proxy_url {
        m.insert("proxy-url".into(), p.clone().into());
    }
    if config.disable_compression {
        m.insert("disable-compression".into(), true.into());
    }
    if let Some(ext) = cluster
        .extensions
        .iter()
        .find(|e| e.name == EXEC_CLUSTER_EXTENSION)
    {
        m.insert("config".into(), ext.extension.clone());
    }
    serde_json::Value::Object(m)
}

/// `*-data` (base64) wins over the file, as in client-go.
fn data_or_file(
    data: Option<&str>,
    file: Option<&str>,
    kind: &'static str,
    name: &str,
    fields: (&'static str, &'static str),
) -> Result<Option<Vec<u8>>, Error> {
    if let Some(d) = data.filter(|d| !d.is_empty()) {
        return decode_base64(d)
            .map(Some)
            .map_err(|message| Error::InvalidBase64 {
                origin: Default::default(),
                kind,
                name: name.to_owned(),
                field: fields.0,
                message,
            });
    }
    match file {
        Some(f) => std::fs::read(f)
            .map(Some)
            .map_err(|source| Error::ReadReferencedFile {
                kind,
                name: name.to_owned(),
                field: fields.1,
                path: PathBuf::from(f),
                source,
            }),
        None => Ok(None),
    }
}

/// client-go's `NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()`:
/// the kubeconfig chain first; when it yields no configuration at all, in-cluster config.
pub fn deferred_rest_config(
    rules: &LoadingRules,
    overrides: Overrides,
    in_cluster: &InClusterEnv,
) -> Result<rest::Config, Error> {
    let cc = ClientConfig::from_rules(rules, overrides)?;
    match cc.rest_config() {
        Err(Error::NoConfiguration { files, .. }) => match in_cluster.rest_config() {
            Ok(c) => Ok(c),
            Err(e) => Err(Error::NoConfiguration {
                files,
                in_cluster: Some(e.to_string()),
            }),
        },
        other => other,
    }
}

/// A server without a scheme gets `https://` when TLS is configured and `http://` otherwise
/// (client-go `DefaultServerURL`).
fn default_scheme(server: &str, cluster: &Cluster, user: &AuthInfo) -> String {
    if server.contains("://") {
        return server.to_owned();
    }
    let tls = cluster.insecure_skip_tls_verify == Some(true)
        || non_empty(&cluster.certificate_authority).is_some()
        || non_empty(&cluster.certificate_authority_data).is_some()
        || non_empty(&user.client_certificate).is_some()
        || non_empty(&user.client_certificate_data).is_some();
    format!("{}://{server}", if tls { "https" } else { "http" })
}

/// client-go `BuildConfigFromFlags(master_url, kubeconfig)`: with neither given, in-cluster
/// config first; otherwise (or if that fails) the given kubeconfig only, with `master_url`
/// as server override.
pub fn build_config_from_flags(
    master_url: Option<&str>,
    kubeconfig: Option<&Path>,
    in_cluster: &InClusterEnv,
) -> Result<rest::Config, Error> {
    let master_url = master_url.filter(|m| !m.is_empty());
    let kubeconfig = kubeconfig.filter(|k| !k.as_os_str().is_empty());
    if master_url.is_none() && kubeconfig.is_none() {
        match in_cluster.rest_config() {
            Ok(c) => return Ok(c),
            Err(e) => {
                tracing::warn!(error = %e, "neither kubeconfig nor master URL given; in-cluster config failed")
            }
        }
    }
    let rules = LoadingRules {
        explicit_path: kubeconfig.map(Path::to_path_buf),
        ..LoadingRules::default()
    };
    let overrides = Overrides {
        server: master_url.map(str::to_owned),
        ..Overrides::default()
    };
    ClientConfig::from_rules(&rules, overrides)?.rest_config()
}

/// [`super::load_default`] with its environment-derived inputs given explicitly (for tests and
/// embedders that must not read the process environment).
pub fn load_default_with(
    rules: &LoadingRules,
    in_cluster: &InClusterEnv,
) -> Result<rest::Config, Error> {
    deferred_rest_config(rules, Overrides::default(), in_cluster)
}
