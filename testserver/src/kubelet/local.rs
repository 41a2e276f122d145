//! [`LocalKubelet`]: runs a container's commands as processes **on this host**, in a working
//! directory of their own per container. For tests only: anything a client can exec runs with
//! the server's user and rights.

use super::{BoxFuture, Kubelet, KubeletError, Session, SessionRequest};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::process::Command;

/// Runs commands as local processes, each container's in `<root>/<namespace>/<pod>/<container>`
/// (relative paths such as `kubectl cp file pod:data.txt` land there; absolute paths are the
/// host's). `tty` is not emulated: the process gets pipes.
#[derive(Debug, Clone)]
pub struct LocalKubelet {
    root: PathBuf,
}

impl LocalKubelet {
    /// Containers' working directories go under `root` (created when first needed).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalKubelet { root: root.into() }
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
