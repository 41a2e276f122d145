//! A real Kubernetes control plane for tests: kube-apiserver with etcd embedded and
//! kube-controller-manager, built from the `k8s.io/kubernetes` Go module in this repository's
//! `realcluster/` and started by `scripts/real-cluster.sh`.
//!
//! [`RealCluster::shared`] starts one per test process (the first caller waits for `/readyz`;
//! the others reuse it) and it stops when the process exits: it watches its standard input,
//! which closes with the test process. With `KUBECLIENT_REAL_CLUSTER_KUBECONFIG` set, the
//! cluster that kubeconfig names is used instead and nothing is started.
//!
//! The real server is the reference for behaviour: the same test bodies run against it and
//! against [`crate::TestServer`]. Tests share the cluster, so each works in a namespace of its
//! own.

use kubeclient_runtime::clientcmd;
use kubeclient_runtime::rest;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::Duration;

/// Names a running cluster's admin kubeconfig, to use it instead of starting one.
pub const KUBECONFIG_ENV: &str = "KUBECLIENT_REAL_CLUSTER_KUBECONFIG";

/// How long the first start may take: building the Go binary from a cold cache takes minutes.
const START_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Why the real cluster is not available.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RealClusterError {
    /// `scripts/real-cluster.sh` is not where this crate's sources say it is (a published copy
    /// of this crate has no Go module beside it).
    #[error("{0} not found: the real cluster is started from the kubeclient repository")]
    NoScript(PathBuf),
    /// The script could not be run, or stopped before it reported ready.
    #[error("starting {script}: {reason} (log: {log})")]
    Start {
        /// The script.
        script: PathBuf,
        /// What went wrong.
        reason: String,
        /// Where the cluster's output went.
        log: PathBuf,
    },
    /// The admin kubeconfig could not be turned into a client configuration.
    #[error("kubeconfig {path}: {reason}")]
    Kubeconfig {
        /// The kubeconfig.
        path: PathBuf,
        /// The loader's error.
        reason: String,
    },
}

/// A running real cluster: its admin kubeconfig and client configuration.
#[derive(Debug)]
pub struct RealCluster {
    kubeconfig: PathBuf,
    config: rest::Config,
    // Held open for the life of the process: the cluster exits when it closes.
    _lifeline: Option<Mutex<(Child, ChildStdin)>>,
}

static SHARED: OnceLock<Result<RealCluster, RealClusterError>> = OnceLock::new();

impl RealCluster {
    /// The cluster shared by this test process, started on first use (blocking: call it from
    /// `tokio::task::spawn_blocking` or before the runtime is busy; [`Self::shared_async`] does).
    pub fn shared() -> Result<&'static RealCluster, RealClusterError> {
        SHARED
            .get_or_init(Self::start)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// [`Self::shared`] from async code, without blocking the runtime's threads.
    pub async fn shared_async() -> Result<&'static RealCluster, RealClusterError> {
        match tokio::task::spawn_blocking(Self::shared).await {
            Ok(r) => r,
            Err(e) => Err(RealClusterError::Start {
                script: script_path(),
                reason: format!("start task failed: {e}"),
                log: PathBuf::new(),
            }),
        }
    }

    fn start() -> Result<RealCluster, RealClusterError> {
        if let Some(path) = std::env::var_os(KUBECONFIG_ENV).filter(|p| !p.is_empty()) {
            let kubeconfig = PathBuf::from(path);
            let config = load(&kubeconfig)?;
            return Ok(RealCluster {
                kubeconfig,
                config,
                _lifeline: None,
            });
        }
        let script = script_path();
        if !script.is_file() {
            return Err(RealClusterError::NoScript(script));
        }
        remove_stale_dirs();
        let dir =
            std::env::temp_dir().join(format!("kubeclient-realcluster-{}", std::process::id()));
        let log = dir.with_extension("log");
        let fail = |reason: String| RealClusterError::Start {
            script: script.clone(),
            reason,
            log: log.clone(),
        };
        let log_file = std::fs::File::create(&log).map_err(|e| fail(e.to_string()))?;
        let kubeconfig = dir.with_extension("kubeconfig");
        let mut child = Command::new("bash")
            .arg(&script)
            .arg("--kubeconfig-out")
            .arg(&kubeconfig)
            .arg("--dir")
            .arg(&dir)
            .arg("--exit-on-stdin-eof")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .map_err(|e| fail(e.to_string()))?;
        let (stdin, stdout) = match (child.stdin.take(), child.stdout.take()) {
            (Some(i), Some(o)) => (i, o),
            _ => return Err(fail("no pipes to the child".into())),
        };
        let (ready_tx, ready_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next();
            let _ = ready_tx.send(first);
            // Keep reading so the child never blocks on a full pipe.
            for _ in lines {}
        });
        match ready_rx.recv_timeout(START_TIMEOUT) {
            Ok(Some(Ok(line))) if line.starts_with("ready ") => {}
            Ok(other) => {
                let _ = child.kill();
                return Err(fail(format!("stopped before it was ready ({other:?})")));
            }
            Err(_) => {
                let _ = child.kill();
                return Err(fail(format!("not ready after {START_TIMEOUT:?}")));
            }
        }
        let config = load(&kubeconfig)?;
        Ok(RealCluster {
            kubeconfig,
            config,
            _lifeline: Some(Mutex::new((child, stdin))),
        })
    }

    /// Client configuration for the admin user (client certificate in `system:masters`).
    pub fn config(&self) -> rest::Config {
        self.config.clone()
    }

    /// The admin kubeconfig, for kubectl (`--kubeconfig`). Contexts: `realcluster` (client
    /// certificate); users `admin-token` (bearer token, system:masters) and `viewer` (a token
    /// RBAC grants nothing).
    pub fn kubeconfig_path(&self) -> &Path {
        &self.kubeconfig
    }

    /// The server's URL (`https://127.0.0.1:PORT`).
    pub fn base_url(&self) -> &str {
        self.config.host.as_str()
    }
}

fn script_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/real-cluster.sh")
}

fn load(kubeconfig: &Path) -> Result<rest::Config, RealClusterError> {
    let rules = clientcmd::LoadingRules::default().with_explicit_path(kubeconfig);
    clientcmd::ClientConfig::from_rules(&rules, clientcmd::Overrides::default())
        .and_then(|c| c.rest_config())
        .map_err(|e| RealClusterError::Kubeconfig {
            path: kubeconfig.to_path_buf(),
            reason: e.to_string(),
        })
}

/// Removes what earlier test processes' clusters left in the temp folder (each etcd data folder
/// is about 120 MB, and a shared cluster lives as long as its process, which never drops it):
/// `kubeclient-realcluster-<pid>[.log|.kubeconfig]` of processes that are gone. Linux only (it
/// asks `/proc`); elsewhere nothing is removed.
fn remove_stale_dirs() {
    let proc = std::path::Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("kubeclient-realcluster-") else {
            continue;
        };
        let pid = rest.split('.').next().unwrap_or_default();
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) || proc.join(pid).exists() {
            continue;
        }
        let path = entry.path();
        let _ = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
    }
}
