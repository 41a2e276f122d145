//! The kubelet behind `pods/exec`, `pods/attach`, `pods/portforward` and `pods/log`: a trait tests implement, and
//! [`LocalKubelet`], which runs a container's commands as processes on this host.
//!
//! Without a kubelet ([`crate::Builder::kubelet`] not called) these subresources answer as
//! kube-apiserver does for a pod no node runs: `400 pod X does not have a host assigned`.

mod local;
#[cfg(unix)]
mod pty;

pub use local::LocalKubelet;

use std::future::Future;
use std::pin::Pin;
use tokio::io::{AsyncRead, AsyncWrite};

/// A boxed future, as the trait's methods return (the trait stays object safe).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// A byte source of a session (a process's stdout or stderr).
pub type Reader = Pin<Box<dyn AsyncRead + Send>>;
/// A byte sink of a session (a process's stdin).
pub type Writer = Pin<Box<dyn AsyncWrite + Send>>;

/// A connection to a pod's port, for port-forward.
pub trait PortStream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> PortStream for T {}

/// Where a session runs and which streams it wants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRequest {
    /// Namespace of the pod.
    pub namespace: String,
    /// Pod name.
    pub pod: String,
    /// Container name (already checked against the pod's spec).
    pub container: String,
    /// The container's spec from the pod (`command`, `args`, `stdin`, `stdinOnce`, ...).
    pub container_spec: serde_json::Value,
    /// The command and its arguments (empty for attach).
    pub command: Vec<String>,
    /// The client sends stdin.
    pub stdin: bool,
    /// The client wants stdout.
    pub stdout: bool,
    /// The client wants stderr.
    pub stderr: bool,
    /// The client asked for a terminal.
    pub tty: bool,
}

/// A running session: its streams (those asked for) and how it ends.
pub struct Session {
    /// The process's stdin; dropped when the client closes stdin.
    pub stdin: Option<Writer>,
    /// The process's stdout.
    pub stdout: Option<Reader>,
    /// The process's stderr.
    pub stderr: Option<Reader>,
    /// Resolves to the exit code once the process has ended.
    pub exit: BoxFuture<'static, Result<i32, KubeletError>>,
    /// Resizes the session's terminal (width, height), when it has one.
    pub resize: Option<Box<dyn Fn(u16, u16) + Send + Sync>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("stdin", &self.stdin.is_some())
            .field("stdout", &self.stdout.is_some())
            .field("stderr", &self.stderr.is_some())
            .finish_non_exhaustive()
    }
}

/// Why a session could not start or did not end cleanly; sent to the client on the error
/// channel, as the kubelet reports a failed exec.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct KubeletError {
    /// What happened.
    pub message: String,
}

impl KubeletError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        KubeletError {
            message: message.into(),
        }
    }
}

/// What runs behind `pods/exec` and `pods/attach` once the API server has checked the request.
pub trait Kubelet: Send + Sync + std::fmt::Debug + 'static {
    /// Start `req.command` in the container.
    fn exec(&self, req: SessionRequest) -> BoxFuture<'_, Result<Session, KubeletError>>;

    /// Attach to the container's main process. The default says attach is not supported.
    fn attach(&self, req: SessionRequest) -> BoxFuture<'_, Result<Session, KubeletError>> {
        let message = format!(
            "this kubelet cannot attach to container {} of pod {}/{}",
            req.container, req.namespace, req.pod
        );
        Box::pin(async move { Err(KubeletError::new(message)) })
    }

    /// The log of `container` of pod `namespace/pod` (its main process's output), or `None`
    /// to serve the lines tests set with `TestServer::set_pod_log` (the default).
    fn logs(&self, namespace: &str, pod: &str, container: &str) -> Option<Vec<u8>> {
        let _ = (namespace, pod, container);
        None
    }

    /// Connect to `port` of pod `namespace/pod`. The default says port-forward is not
    /// supported.
    fn port_forward(
        &self,
        namespace: &str,
        pod: &str,
        port: u16,
    ) -> BoxFuture<'_, Result<Box<dyn PortStream>, KubeletError>> {
        let message = format!("this kubelet cannot forward port {port} of pod {namespace}/{pod}");
        Box::pin(async move { Err(KubeletError::new(message)) })
    }
}
