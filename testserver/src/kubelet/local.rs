//! [`LocalKubelet`]: runs a container's commands as processes **on this host**, in a working
//! directory of their own per container. Attach starts the container's `command` and `args`
//! as its main process on first use (the image is not run). For tests only: anything a client can exec runs with
//! the server's user and rights.

use super::{BoxFuture, Kubelet, KubeletError, PortStream, Session, SessionRequest};
use bytes::Bytes;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;
use tokio::sync::{broadcast, watch};

/// Runs commands as local processes, each container's in `<root>/<namespace>/<pod>/<container>`
/// (relative paths such as `kubectl cp file pod:data.txt` land there; absolute paths are the
/// host's). `tty` is not emulated: the process gets pipes.
///
/// Port-forward to a pod's port P connects to `127.0.0.1:P` (the pods' processes run here),
/// unless [`LocalKubelet::map_port`] sends it elsewhere.
#[derive(Clone)]
pub struct LocalKubelet {
    root: PathBuf,
    ports: BTreeMap<u16, SocketAddr>,
    /// Containers' main processes, by (namespace, pod, container), once attached to.
    main: Arc<Mutex<HashMap<ContainerKey, Arc<MainProcess>>>>,
}

/// (namespace, pod, container).
type ContainerKey = (String, String, String);

impl std::fmt::Debug for LocalKubelet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalKubelet")
            .field("root", &self.root)
            .field("ports", &self.ports)
            .finish_non_exhaustive()
    }
}

impl LocalKubelet {
    /// Containers' working directories go under `root` (created when first needed).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalKubelet {
            root: root.into(),
            ports: BTreeMap::new(),
            main: Arc::default(),
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
    fn logs(&self, namespace: &str, pod: &str, container: &str) -> Option<Vec<u8>> {
        let running = self.main.lock().unwrap_or_else(|p| p.into_inner());
        let key = (namespace.to_owned(), pod.to_owned(), container.to_owned());
        let main = running.get(&key)?;
        let log = main.log.lock().unwrap_or_else(|p| p.into_inner());
        Some(log.iter().copied().collect())
    }

    fn attach(&self, req: SessionRequest) -> BoxFuture<'_, Result<Session, KubeletError>> {
        attach(self, req)
    }

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
            #[cfg(unix)]
            if req.tty {
                return with_terminal(program, args, &dir);
            }
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
                resize: None,
            })
        })
    }
}

/// Run `program` on a new terminal: its output (stdout and stderr together, as on a
/// terminal) and input go through the terminal's master side.
#[cfg(unix)]
fn with_terminal(program: &str, args: &[String], dir: &Path) -> Result<Session, KubeletError> {
    let failed = |e: std::io::Error| KubeletError::new(format!("allocating a terminal: {e}"));
    let pty = super::pty::open().map_err(failed)?;
    let slave = |fd: &std::os::fd::OwnedFd| fd.try_clone().map(Stdio::from).map_err(failed);
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("TERM", "xterm")
        .stdin(slave(&pty.slave)?)
        .stdout(slave(&pty.slave)?)
        .stderr(slave(&pty.slave)?)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            KubeletError::new(format!(
                "failed to exec in container: starting {program:?}: {e}"
            ))
        })?;
    // Only the command holds the slave now: when it exits, reading the master ends.
    drop(pty.slave);
    let file = |fd: &std::os::fd::OwnedFd| {
        fd.try_clone()
            .map(|fd| tokio::fs::File::from_std(std::fs::File::from(fd)))
            .map_err(failed)
    };
    let reader = file(&pty.master)?;
    let writer = file(&pty.master)?;
    let master = pty.master;
    Ok(Session {
        stdin: Some(Box::pin(writer)),
        stdout: Some(Box::pin(reader)),
        stderr: None,
        exit: Box::pin(async move {
            let status = child
                .wait()
                .await
                .map_err(|e| KubeletError::new(format!("waiting for the command: {e}")))?;
            Ok(exit_code(status))
        }),
        resize: Some(Box::new(move |w, h| super::pty::resize(&master, w, h))),
    })
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

/// A container's main process, started by the first attach: its output is broadcast to every
/// attached session, its stdin shared.
pub(super) struct MainProcess {
    stdout: broadcast::Sender<Bytes>,
    stderr: broadcast::Sender<Bytes>,
    stdin: Arc<tokio::sync::Mutex<Option<tokio::process::ChildStdin>>>,
    stdin_once: bool,
    exit: watch::Receiver<Option<i32>>,
    /// The last [`LOG_BYTES`] of stdout and stderr, for `pods/log`.
    log: Arc<Mutex<std::collections::VecDeque<u8>>>,
}

/// Bytes of a main process's output kept for `pods/log`.
const LOG_BYTES: usize = 1024 * 1024;

/// Chunks of output kept for a slow attached reader before it misses some (as a terminal
/// attached late misses what scrolled by).
const BROADCAST_CHUNKS: usize = 256;

impl LocalKubelet {
    /// The main process of the container, started from its `command` and `args` on first use.
    fn main_process(
        &self,
        req: &SessionRequest,
        dir: &Path,
    ) -> Result<Arc<MainProcess>, KubeletError> {
        let key = (
            req.namespace.clone(),
            req.pod.clone(),
            req.container.clone(),
        );
        let mut running = self.main.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = running.get(&key) {
            if p.exit.borrow().is_none() {
                return Ok(p.clone());
            }
        }
        let strings = |field: &str| -> Vec<String> {
            req.container_spec[field]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        };
        let argv: Vec<String> = strings("command")
            .into_iter()
            .chain(strings("args"))
            .collect();
        let Some((program, args)) = argv.split_first() else {
            return Err(KubeletError::new(format!(
                "container {} has no command: the local kubelet runs a container's command and args, not its image",
                req.container
            )));
        };
        std::fs::create_dir_all(dir)
            .map_err(|e| KubeletError::new(format!("creating the container's directory: {e}")))?;
        let mut child = Command::new(program)
            .args(args)
            .current_dir(dir)
            .env("HOME", dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                KubeletError::new(format!(
                    "starting container {}: {program:?}: {e}",
                    req.container
                ))
            })?;
        let (stdout, _) = broadcast::channel(BROADCAST_CHUNKS);
        let (stderr, _) = broadcast::channel(BROADCAST_CHUNKS);
        let (exit_tx, exit) = watch::channel(None);
        let pumps = [
            child.stdout.take().map(|r| Box::pin(r) as super::Reader),
            child.stderr.take().map(|r| Box::pin(r) as super::Reader),
        ];
        let mut done = Vec::new();
        let log: Arc<Mutex<std::collections::VecDeque<u8>>> = Arc::default();
        for (reader, tx) in pumps.into_iter().zip([stdout.clone(), stderr.clone()]) {
            let Some(mut reader) = reader else { continue };
            let log = log.clone();
            done.push(tokio::spawn(async move {
                let mut buf = vec![0u8; 32 * 1024];
                while let Ok(n) = reader.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    let chunk = buf.get(..n).unwrap_or_default();
                    {
                        let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
                        log.extend(chunk);
                        let excess = log.len().saturating_sub(LOG_BYTES);
                        log.drain(..excess);
                    }
                    let _ = tx.send(Bytes::copy_from_slice(chunk));
                }
            }));
        }
        let process = Arc::new(MainProcess {
            stdout,
            stderr,
            stdin: Arc::new(tokio::sync::Mutex::new(child.stdin.take())),
            stdin_once: req.container_spec["stdinOnce"].as_bool() == Some(true),
            exit,
            log,
        });
        tokio::spawn(async move {
            let code = child.wait().await.map(exit_code).unwrap_or(1);
            // Output first, then the exit: attached sessions end after the last byte.
            for d in done {
                let _ = d.await;
            }
            let _ = exit_tx.send(Some(code));
        });
        running.insert(key, process.clone());
        Ok(process)
    }
}

/// An attached session's view of a broadcast: a pipe fed until the process ends.
fn subscribe(
    tx: &broadcast::Sender<Bytes>,
    mut exit: watch::Receiver<Option<i32>>,
) -> super::Reader {
    let mut rx = tx.subscribe();
    let (read, mut write) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        let ended = async move {
            let _ = exit.wait_for(Option::is_some).await.map(|_| ());
        };
        tokio::pin!(ended);
        loop {
            tokio::select! {
                chunk = rx.recv() => match chunk {
                    Ok(bytes) => if write.write_all(&bytes).await.is_err() { return },
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = &mut ended => {
                    // Drain what is already queued, then end.
                    while let Ok(bytes) = rx.try_recv() {
                        if write.write_all(&bytes).await.is_err() { return }
                    }
                    return;
                }
            }
        }
    });
    Box::pin(read)
}

pub(super) fn attach(
    kubelet: &LocalKubelet,
    req: SessionRequest,
) -> BoxFuture<'static, Result<Session, KubeletError>> {
    let dir = kubelet.container_dir(&req.namespace, &req.pod, &req.container);
    let started = kubelet.main_process(&req, &dir);
    Box::pin(async move {
        let main = started?;
        let stdout = req
            .stdout
            .then(|| subscribe(&main.stdout, main.exit.clone()));
        let stderr = req
            .stderr
            .then(|| subscribe(&main.stderr, main.exit.clone()));
        let stdin = req.stdin.then(|| {
            let (mut read, write) = tokio::io::duplex(64 * 1024);
            let (shared, once) = (main.stdin.clone(), main.stdin_once);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 32 * 1024];
                while let Ok(n) = read.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    let mut guard = shared.lock().await;
                    let Some(stdin) = guard.as_mut() else { return };
                    if stdin
                        .write_all(buf.get(..n).unwrap_or_default())
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
                // The attached client closed stdin: with stdinOnce the container's closes too.
                if once {
                    shared.lock().await.take();
                }
            });
            Box::pin(write) as super::Writer
        });
        let mut exit = main.exit.clone();
        Ok(Session {
            resize: None,
            stdin,
            stdout,
            stderr,
            exit: Box::pin(async move {
                let code = exit
                    .wait_for(Option::is_some)
                    .await
                    .map(|c| c.unwrap_or(1))
                    .map_err(|_| KubeletError::new("the container's process was lost"))?;
                Ok(code)
            }),
        })
    })
}
