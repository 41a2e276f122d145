//! [`LocalKubelet`]: runs a container's commands as processes **on this host**, in a working
//! directory of their own per container. For tests only: anything a client can exec runs with
//! the server's user and rights.

use super::{BoxFuture, Kubelet, KubeletError, PortStream, Session, SessionRequest};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::process::Command;

/// Runs commands as local processes, each container's in `<root>/<namespace>/<pod>/<container>`
/// (relative paths such as `kubectl cp file pod:data.txt` land there; absolute paths are the
/// host's). `tty` is not emulated: the process gets pipes.
///
/// Port-forward to a pod's port P connects to `127.0.0.1:P` (the pods' processes run here),
/// unless [`LocalKubelet::map_port`] sends it elsewhere.
#[derive(Debug, Clone)]
pub struct LocalKubelet {
    root: PathBuf,
    ports: BTreeMap<u16, SocketAddr>,
}

impl LocalKubelet {
    /// Containers' working directories go under `root` (created when first needed).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalKubelet {
            root: root.into(),
            ports: BTreeMap::new(),
        }
    }

    /// Forward connections to any pod's port `pod_port` to `to` instead of `127.0.0.1:pod_port`.
    pub fn map_port(mut self, pod_port: u16, to: SocketAddr) -> Self {
        self.ports.insert(pod_port, to);
        self
    }

    /// The root of the containers' working directories.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The working directory of one container.
    pub fn container_dir(&self, namespace: &str, pod: &str, container: &str) -> PathBuf {
        // Names are DNS labels/subdomains (validated at create), so they are safe path parts.
        self.root.join(namespace).join(pod).join(container)
    }
}

impl Kubelet for LocalKubelet {
    fn port_forward(
        &self,
        _namespace: &str,
        _pod: &str,
        port: u16,
    ) -> BoxFuture<'_, Result<Box<dyn PortStream>, KubeletError>> {
        connect(self, port)
    }

    fn exec(&self, req: SessionRequest) -> BoxFuture<'_, Result<Session, KubeletError>> {
        let dir = self.container_dir(&req.namespace, &req.pod, &req.container);
        Box::pin(async move {
            let Some((program, args)) = req.command.split_first() else {
                return Err(KubeletError::new("exec needs a command"));
            };
            tokio::fs::create_dir_all(&dir).await.map_err(|e| {
                KubeletError::new(format!("creating the container's directory: {e}"))
            })?;
            let pipe = |on: bool| if on { Stdio::piped() } else { Stdio::null() };
            let mut child = Command::new(program)
                .args(args)
                .current_dir(&dir)
                .env("HOME", &dir)
                .stdin(pipe(req.stdin))
                .stdout(pipe(req.stdout))
                .stderr(pipe(req.stderr))
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| {
                    // The kubelet's wording for a missing binary, so clients see the same.
                    KubeletError::new(format!(
                        "failed to exec in container: starting {program:?}: {e}"
                    ))
                })?;
            let stdin = child.stdin.take().map(|s| Box::pin(s) as super::Writer);
            let stdout = child.stdout.take().map(|s| Box::pin(s) as super::Reader);
            let stderr = child.stderr.take().map(|s| Box::pin(s) as super::Reader);
            let exit = Box::pin(async move {
                let status = child
                    .wait()
                    .await
                    .map_err(|e| KubeletError::new(format!("waiting for the command: {e}")))?;
                Ok(exit_code(status))
            });
            Ok(Session {
                stdin,
                stdout,
                stderr,
                exit,
            })
        })
    }
}

impl LocalKubelet {
    fn target(&self, port: u16) -> SocketAddr {
        self.ports
            .get(&port)
            .copied()
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], port)))
    }
}

/// Port-forward as the kubelet does it: a TCP connection to the port, inside the pod's network
/// namespace, which here is the host's.
fn connect(
    kubelet: &LocalKubelet,
    port: u16,
) -> BoxFuture<'static, Result<Box<dyn PortStream>, KubeletError>> {
    let addr = kubelet.target(port);
    Box::pin(async move {
        let tcp = tokio::net::TcpStream::connect(addr).await.map_err(|e| {
            KubeletError::new(format!("failed to connect to localhost:{port}: {e}"))
        })?;
        let _ = tcp.set_nodelay(true);
        Ok(Box::new(tcp) as Box<dyn PortStream>)
    })
}

/// The exit code a shell would report: the code, or 128 + the signal that ended the process.
fn exit_code(status: std::process::ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    1
}
