//! Exec credential plugins (`client.authentication.k8s.io` v1 and v1beta1), as client-go's
//! `plugin/pkg/client/auth/exec`: run the command, read an `ExecCredential` from stdout, cache
//! it until `expirationTimestamp`, run again after a 401.

use super::api::ExecConfig;
use crate::rest::{CredentialError, CredentialSource, Credentials, CredentialsFuture};
use crate::secret::Secret;
use serde::Deserialize;
use std::io::IsTerminal as _;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt as _};
use tokio::process::Command;

/// API version `client.authentication.k8s.io/v1`.
pub const EXEC_V1: &str = "client.authentication.k8s.io/v1";
/// API version `client.authentication.k8s.io/v1beta1`.
pub const EXEC_V1BETA1: &str = "client.authentication.k8s.io/v1beta1";
/// Environment variable carrying the `ExecCredential` request to the plugin.
pub const EXEC_INFO_ENV: &str = "KUBERNETES_EXEC_INFO";

/// Most stderr bytes quoted in an error.
const STDERR_LIMIT: usize = 4096;

/// Most stdout bytes read from a plugin: an `ExecCredential` with a certificate chain and key is
/// a few kilobytes; more is a broken or hostile plugin.
pub const EXEC_OUTPUT_LIMIT: usize = 1024 * 1024;

/// How long a plugin may run when neither the source nor `Config.timeout` says otherwise
/// (interactive logins through a browser take a while).
pub const DEFAULT_EXEC_TIMEOUT: Duration = Duration::from_secs(300);

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
    /// Held while a plugin runs, so there is only ever one; a waiter that gives up (its request
    /// timed out) drops the running plugin, which kills it.
    cache: Arc<tokio::sync::Mutex<Option<Cached>>>,
    /// Set by a 401; checked under the cache lock so an invalidation racing a fetch is not lost.
    invalidated: AtomicBool,
    /// Longest a plugin may run before it is killed.
    timeout: Duration,
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
            timeout: DEFAULT_EXEC_TIMEOUT,
        })
    }

    /// Kill the plugin when it runs longer than `timeout` (default [`DEFAULT_EXEC_TIMEOUT`];
    /// a kubeconfig's client gets its `Config.timeout`).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
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
        let (cmd, interactive) = self.prepare()?;
        let (status, stdout, stderr) = self.run(cmd, interactive).await?;
        if !status.success() {
            let stderr = String::from_utf8_lossy(&stderr);
            let stderr: String = stderr.chars().take(STDERR_LIMIT).collect();
            return Err(CredentialError(format!(
                "exec plugin {:?} failed with {}; stderr: {}",
                self.command,
                status,
                stderr.trim()
            )));
        }
        let fresh = self.parse(&stdout)?;
        *cache = Some(fresh.clone());
        Ok(fresh.creds)
    }

    /// Run the plugin to completion within `self.timeout`, reading at most
    /// [`EXEC_OUTPUT_LIMIT`] bytes of stdout. The child (and, unless it is interactive, every
    /// process it started) is killed when it overruns either bound, and when this future is
    /// dropped.
    async fn run(
        &self,
        mut cmd: Command,
        interactive: bool,
    ) -> Result<(std::process::ExitStatus, Vec<u8>, Vec<u8>), CredentialError> {
        // Its own process group, so a shell script's children die with it; an interactive
        // plugin stays in ours to keep reading the terminal.
        #[cfg(unix)]
        if !interactive {
            cmd.process_group(0);
        }
        let mut child = cmd
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| self.spawn_error(e))?;
        // Declared after `child`, so dropped (and the group killed) first.
        let mut group = GroupKill(
            child
                .id()
                .and_then(|id| i32::try_from(id).ok())
                .filter(|_| !interactive),
        );
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        let limit = EXEC_OUTPUT_LIMIT;
        let work = async {
            let (out, err) = tokio::try_join!(
                read_bounded(stdout, limit, true),
                read_bounded(stderr, STDERR_LIMIT, false),
            )?;
            let status = child.wait().await?;
            Ok::<_, std::io::Error>((status, out, err))
        };
        let result = tokio::time::timeout(self.timeout, work).await;
        let failure = match result {
            Ok(Ok(done)) => {
                group.0 = None;
                return Ok(done);
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::FileTooLarge => {
                format!("printed more than {limit} bytes; it was stopped")
            }
            Ok(Err(e)) => format!("could not be read from: {e}"),
            Err(_) => format!("did not finish within {:?}; it was stopped", self.timeout),
        };
        // Kill now rather than at drop (the group first, while the leader's pid is still ours),
        // and reap it so no zombie is left behind.
        drop(group);
        let _ = child.kill().await;
        Err(CredentialError(format!(
            "exec plugin {:?} {failure}",
            self.command
        )))
    }

    /// The plugin's command, and whether it talks to the user on the terminal.
    fn prepare(&self) -> Result<(Command, bool), CredentialError> {
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
        Ok((cmd, interactive))
    }

    fn spawn_error(&self, e: std::io::Error) -> CredentialError {
        // Not found and permission errors name the command only, never its environment.
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

/// Kills a plugin's process group when dropped, unless its id was taken out (the plugin ended
/// normally).
struct GroupKill(Option<i32>);

impl Drop for GroupKill {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(pid) = self
            .0
            .take()
            // Never 0 or 1: kill(0) and kill(-1) reach far more than the plugin.
            .filter(|pid| *pid > 1)
            .and_then(rustix::process::Pid::from_raw)
        {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }
}

/// Read `pipe` to its end keeping at most `limit` bytes. With `strict`, more than `limit` is an
/// error (`FileTooLarge`); without, the rest is read and dropped so the child never blocks.
async fn read_bounded(
    pipe: Option<impl AsyncRead + Unpin>,
    limit: usize,
    strict: bool,
) -> std::io::Result<Vec<u8>> {
    let Some(mut pipe) = pipe else {
        return Ok(Vec::new());
    };
    let mut kept = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = pipe.read(&mut chunk).await?;
        if n == 0 {
            return Ok(kept);
        }
        let room = limit.saturating_sub(kept.len());
        if n > room && strict {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                "output limit exceeded",
            ));
        }
        kept.extend_from_slice(&chunk[..n.min(room)]);
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
