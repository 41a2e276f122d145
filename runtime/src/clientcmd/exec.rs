//! Exec credential plugins (`client.authentication.k8s.io` v1 and v1beta1), as client-go's
//! `plugin/pkg/client/auth/exec`: run the command, read an `ExecCredential` from stdout, cache
//! it until `expirationTimestamp`, run again after a 401.

use super::api::ExecConfig;
use crate::rest::{CredentialError, CredentialSource, Credentials, CredentialsFuture};
use crate::secret::Secret;
use serde::Deserialize;
use std::io::IsTerminal as _;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// API version `client.authentication.k8s.io/v1`.
pub const EXEC_V1: &str = "client.authentication.k8s.io/v1";
/// API version `client.authentication.k8s.io/v1beta1`.
pub const EXEC_V1BETA1: &str = "client.authentication.k8s.io/v1beta1";
/// Environment variable carrying the `ExecCredential` request to the plugin.
pub const EXEC_INFO_ENV: &str = "KUBERNETES_EXEC_INFO";

/// Most stderr bytes quoted in an error.
const STDERR_LIMIT: usize = 4096;

/// When the plugin may talk to the user on the terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InteractiveMode {
    /// Never give the plugin stdin.
    Never,
    /// Give it stdin when stdin is a terminal.
    IfAvailable,
    /// Require a terminal.
    Always,
}

/// Why an exec configuration is unusable (checked before anything runs).
#[derive(Debug, thiserror::Error)]
pub enum ExecConfigError {
    /// `command` is empty.
    #[error("exec plugin: command is empty")]
    NoCommand,
    /// `apiVersion` is neither v1 nor v1beta1.
    #[error("exec plugin: apiVersion {0:?} is not supported (use {EXEC_V1} or {EXEC_V1BETA1})")]
    ApiVersion(String),
    /// `interactiveMode` is missing (required by v1) or unknown.
    #[error("exec plugin: interactiveMode {0:?} is invalid (use Never, IfAvailable or Always)")]
    InteractiveMode(String),
}

/// A cached credential and when it stops being valid.
#[derive(Clone)]
struct Cached {
    creds: Credentials,
    expires: Option<jiff::Timestamp>,
}

/// A [`CredentialSource`] running an exec plugin.
pub struct ExecCredentialSource {
    command: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    api_version: String,
    install_hint: Option<String>,
    mode: InteractiveMode,
    cluster: Option<serde_json::Value>,
    cache: Arc<tokio::sync::Mutex<Option<Cached>>>,
    /// Set by a 401; checked under the cache lock so an invalidation racing a fetch is not lost.
    invalidated: AtomicBool,
}

impl std::fmt::Debug for ExecCredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // env values and the cache may hold secrets: show names only.
        f.debug_struct("ExecCredentialSource")
            .field("command", &self.command)
            .field("args", &self.args)
            .field("env", &self.env.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("api_version", &self.api_version)
            .field("interactive_mode", &self.mode)
            .field("provide_cluster_info", &self.cluster.is_some())
            .finish_non_exhaustive()
    }
}

impl ExecCredentialSource {
    /// Build a source from a kubeconfig `exec` block. `cluster` is the `spec.cluster` object
    /// passed in `KUBERNETES_EXEC_INFO` when `provideClusterInfo` is set.
    pub fn new(
        exec: &ExecConfig,
        cluster: Option<serde_json::Value>,
    ) -> Result<Self, ExecConfigError> {
        if exec.command.is_empty() {
            return Err(ExecConfigError::NoCommand);
        }
        let api_version = exec.api_version.clone().unwrap_or_default();
        if api_version != EXEC_V1 && api_version != EXEC_V1BETA1 {
            return Err(ExecConfigError::ApiVersion(api_version));
        }
        let mode = match exec.interactive_mode.as_deref() {
            Some("Never") => InteractiveMode::Never,
            Some("IfAvailable") => InteractiveMode::IfAvailable,
            Some("Always") => InteractiveMode::Always,
            // v1beta1 defaults to IfAvailable; v1 requires the field.
            None | Some("") if api_version == EXEC_V1BETA1 => InteractiveMode::IfAvailable,
            other => {
                return Err(ExecConfigError::InteractiveMode(
                    other.unwrap_or_default().to_owned(),
                ))
            }
        };
        Ok(ExecCredentialSource {
            command: exec.command.clone(),
            args: exec.args.clone().unwrap_or_default(),
            env: exec
                .env
                .iter()
                .flatten()
                .map(|e| (e.name.clone(), e.value.clone()))
                .collect(),
            api_version,
            install_hint: exec.install_hint.clone().filter(|h| !h.is_empty()),
            mode,
            cluster: if exec.provide_cluster_info {
                cluster
            } else {
                None
            },
            cache: Arc::new(tokio::sync::Mutex::new(None)),
            invalidated: AtomicBool::new(false),
        })
    }

    async fn get(&self) -> Result<Credentials, CredentialError> {
        let mut cache = self.cache.lock().await;
        if self.invalidated.swap(false, Ordering::SeqCst) {
            *cache = None;
        }
        if let Some(c) = cache.as_ref() {
            let fresh = match c.expires {
                Some(exp) => jiff::Timestamp::now() < exp,
                None => true,
            };
            if fresh {
                return Ok(c.creds.clone());
            }
        }
        let mut run = self.prepare()?;
        let output = tokio::task::spawn_blocking(move || run.output())
            .await
            .map_err(|e| CredentialError(format!("exec plugin task failed: {e}")))?;
        let output = output.map_err(|e| self.spawn_error(e))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stderr: String = stderr.chars().take(STDERR_LIMIT).collect();
            return Err(CredentialError(format!(
                "exec plugin {:?} failed with {}; stderr: {}",
                self.command,
                output.status,
                stderr.trim()
            )));
        }
        let fresh = self.parse(&output.stdout)?;
        *cache = Some(fresh.clone());
        Ok(fresh.creds)
    }

    fn prepare(&self) -> Result<Command, CredentialError> {
        let interactive = match self.mode {
            InteractiveMode::Never => false,
            InteractiveMode::IfAvailable => std::io::stdin().is_terminal(),
            InteractiveMode::Always => {
                if !std::io::stdin().is_terminal() {
                    return Err(CredentialError(format!(
                        "exec plugin {:?} is configured with interactiveMode Always but stdin is not a terminal",
                        self.command
                    )));
                }
                true
            }
        };
        let mut spec = serde_json::json!({ "interactive": interactive });
        if let (Some(cluster), Some(obj)) = (&self.cluster, spec.as_object_mut()) {
            obj.insert("cluster".to_owned(), cluster.clone());
        }
        let info = serde_json::json!({
            "apiVersion": self.api_version,
            "kind": "ExecCredential",
            "spec": spec,
        });
        let mut cmd = Command::new(&self.command);
        cmd.args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env(EXEC_INFO_ENV, info.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(if interactive {
                Stdio::inherit()
            } else {
                Stdio::null()
            });
        Ok(cmd)
    }

    fn spawn_error(&self, e: std::io::Error) -> CredentialError {
        let mut msg = format!("exec plugin {:?} could not be started: {e}", self.command);
        if e.kind() == std::io::ErrorKind::NotFound {
            if let Some(hint) = &self.install_hint {
                msg.push_str("\n\n");
                msg.push_str(hint);
            }
        }
        CredentialError(msg)
    }

    fn parse(&self, stdout: &[u8]) -> Result<Cached, CredentialError> {
        let cred: ExecCredential = serde_json::from_slice(stdout).map_err(|e| {
            // serde_json messages can quote input values (tokens): report the position only.
            CredentialError(format!(
                "exec plugin {:?} printed an invalid ExecCredential ({:?} error at line {} column {})",
                self.command,
                e.classify(),
                e.line(),
                e.column()
            ))
        })?;
        if cred.api_version != self.api_version {
            return Err(CredentialError(format!(
                "exec plugin {:?} is configured for {} but returned {:?}",
                self.command, self.api_version, cred.api_version
            )));
        }
        let status = cred.status.ok_or_else(|| {
            CredentialError(format!(
                "exec plugin {:?} did not return a status",
                self.command
            ))
        })?;
        let expires = match status.expiration_timestamp.as_deref() {
            None | Some("") => None,
            Some(t) => Some(t.parse::<jiff::Timestamp>().map_err(|e| {
                CredentialError(format!(
                    "exec plugin {:?} returned an invalid expirationTimestamp {t:?}: {e}",
                    self.command
                ))
            })?),
        };
        let token = status.token.filter(|t| !t.is_empty());
        let cert = status.client_certificate_data.filter(|t| !t.is_empty());
        let key = status.client_key_data.filter(|t| !t.is_empty());
        let creds = match (token, cert, key) {
            (_, Some(cert), Some(key)) => Credentials::ClientCertificate {
                cert_pem: cert.into_bytes(),
                key_pem: Secret::new(key),
            },
            (_, Some(_), None) | (_, None, Some(_)) => {
                return Err(CredentialError(format!(
                    "exec plugin {:?} returned only one of clientCertificateData and clientKeyData",
                    self.command
                )))
            }
            (Some(token), None, None) => Credentials::Bearer(Secret::new(token)),
            (None, None, None) => {
                return Err(CredentialError(format!(
                    "exec plugin {:?} returned neither a token nor a client certificate",
                    self.command
                )))
            }
        };
        Ok(Cached { creds, expires })
    }
}

impl CredentialSource for ExecCredentialSource {
    fn credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(self.get())
    }

    fn invalidate(&self) {
        self.invalidated.store(true, Ordering::SeqCst);
    }
}

/// The plugin's answer.
#[derive(Deserialize)]
struct ExecCredential {
    #[serde(rename = "apiVersion", default)]
    api_version: String,
    #[serde(default)]
    status: Option<ExecCredentialStatus>,
}

/// `status` of an `ExecCredential`.
#[derive(Deserialize)]
struct ExecCredentialStatus {
    #[serde(rename = "expirationTimestamp", default)]
    expiration_timestamp: Option<String>,
    #[serde(default)]
    token: Option<String>,
    #[serde(rename = "clientCertificateData", default)]
    client_certificate_data: Option<String>,
    #[serde(rename = "clientKeyData", default)]
    client_key_data: Option<String>,
}
