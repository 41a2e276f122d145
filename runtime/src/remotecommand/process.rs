//! [`Process`]: a running exec or attach session. One task reads the WebSocket and fills the
//! stdout and stderr pipes; another sends stdin, its close and terminal sizes. Every buffer is
//! bounded: the pipes hold [`PIPE_BYTES`], a message is at most
//! [`crate::rest::upgrade::MAX_MESSAGE_BYTES`], the error channel at most
//! [`MAX_STATUS_BYTES`].

use super::protocol::{self, TerminalSize, CLOSE, ERROR, RESIZE, STDERR, STDIN, STDOUT};
use super::status::{self, ExitStatus};
use crate::rest::upgrade::WebSocket;
use crate::rest::{Error, Result};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::DuplexStream;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// Bytes each of stdin, stdout and stderr buffers between the connection and the caller;
/// a full pipe makes the other side wait (as an OS pipe does).
pub const PIPE_BYTES: usize = 64 * 1024;
/// Most bytes of the error channel kept (a `Status` is far smaller).
pub const MAX_STATUS_BYTES: usize = 64 * 1024;
/// Most bytes [`Process::output`] collects from stdout and from stderr each.
pub const MAX_OUTPUT_BYTES: usize = 64 * 1024 * 1024;

type Socket = tokio_tungstenite::WebSocketStream<crate::rest::upgrade::Upgraded>;

/// A command running in a container (exec) or a session attached to one (attach).
///
/// Take the pipes you asked for with [`Process::stdin`], [`Process::stdout`],
/// [`Process::stderr`], then [`Process::wait`] for the exit status; or call
/// [`Process::output`]. Read stdout and stderr concurrently when both are large: each pipe
/// holds [`PIPE_BYTES`] and the command waits while one is full. Dropping the `Process` ends
/// the session.
pub struct Process {
    stdin: Option<Stdin>,
    stdout: Option<DuplexStream>,
    stderr: Option<DuplexStream>,
    resize: mpsc::Sender<TerminalSize>,
    status: Option<oneshot::Receiver<Result<ExitStatus>>>,
    protocol: &'static str,
    tasks: [JoinHandle<()>; 2],
}

impl std::fmt::Debug for Process {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Process")
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// What [`Process::output`] collected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessOutput {
    /// Everything the command wrote to stdout.
    pub stdout: Vec<u8>,
    /// Everything it wrote to stderr.
    pub stderr: Vec<u8>,
    /// How it ended.
    pub status: ExitStatus,
}

/// The command's stdin. Shut it down or drop it to close stdin: the command sees end of file
/// once what was written is sent (on `v5.channel.k8s.io`; a v4 server cannot be told).
#[derive(Debug)]
pub struct Stdin(DuplexStream);

impl AsyncWrite for Stdin {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// The command's stdout or stderr; end of file when the session ends.
#[derive(Debug)]
pub struct Output(DuplexStream);

impl AsyncRead for Output {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl Process {
    /// Start pumping `ws`. `stdin`, `stdout`, `stderr` say which pipes were asked for.
    pub(crate) fn start(ws: WebSocket, stdin: bool, stdout: bool, stderr: bool) -> Process {
        let (sink, stream) = ws.stream.split();
        let supports_close = ws.protocol == protocol::V5;
        let (stdin_rx, stdin_tx) = tokio::io::duplex(PIPE_BYTES);
        let (stdout_rx, stdout_tx) = tokio::io::duplex(PIPE_BYTES);
        let (stderr_rx, stderr_tx) = tokio::io::duplex(PIPE_BYTES);
        let (resize_tx, resize_rx) = mpsc::channel(4);
        let (status_tx, status_rx) = oneshot::channel();
        let (done_tx, done_rx) = oneshot::channel::<()>();
        let reader = tokio::spawn(async move {
            let result = read_loop(stream, stdout_tx, stderr_tx).await;
            let _ = status_tx.send(result);
            drop(done_tx);
        });
        let writer = tokio::spawn(write_loop(
            sink,
            stdin.then_some(stdin_rx),
            resize_rx,
            supports_close,
            done_rx,
        ));
        Process {
            stdin: stdin.then_some(Stdin(stdin_tx)),
            stdout: stdout.then_some(stdout_rx),
            stderr: stderr.then_some(stderr_rx),
            resize: resize_tx,
            status: Some(status_rx),
            protocol: ws.protocol,
            tasks: [reader, writer],
        }
    }

    /// The subprotocol in use (`v5.channel.k8s.io` or `v4.channel.k8s.io`).
    pub fn protocol(&self) -> &'static str {
        self.protocol
    }

    /// The command's stdin, if it was asked for and not taken yet.
    pub fn stdin(&mut self) -> Option<Stdin> {
        self.stdin.take()
    }

    /// The command's stdout, if it was asked for and not taken yet.
    pub fn stdout(&mut self) -> Option<Output> {
        self.stdout.take().map(Output)
    }

    /// The command's stderr, if it was asked for and not taken yet.
    pub fn stderr(&mut self) -> Option<Output> {
        self.stderr.take().map(Output)
    }

    /// Tell the terminal's new size (with `tty`).
    pub async fn resize(&self, size: TerminalSize) -> Result<()> {
        self.resize.send(size).await.map_err(|_| Error::Stream {
            message: "the session has ended; cannot resize its terminal".into(),
        })
    }

    /// Wait until the session ends and return how the command exited. Pipes not taken are
    /// discarded (and stdin, if not taken, is closed).
    pub async fn wait(mut self) -> Result<ExitStatus> {
        self.stdin = None;
        self.stdout = None;
        self.stderr = None;
        let Some(status) = self.status.take() else {
            return Err(Error::Stream {
                message: "the exit status was already taken".into(),
            });
        };
        status.await.unwrap_or_else(|_| {
            Err(Error::Stream {
                message: "the session ended without a status".into(),
            })
        })
    }

    /// Close stdin, collect stdout and stderr (each up to [`MAX_OUTPUT_BYTES`]) and wait for
    /// the exit status.
    pub async fn output(mut self) -> Result<ProcessOutput> {
        self.stdin = None;
        let stdout = self.stdout();
        let stderr = self.stderr();
        let (stdout, stderr) = tokio::join!(collect(stdout), collect(stderr));
        let status = self.wait().await?;
        Ok(ProcessOutput {
            stdout: stdout?,
            stderr: stderr?,
            status,
        })
    }
}

async fn collect(out: Option<Output>) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let Some(out) = out else { return Ok(buf) };
    let limit = u64::try_from(MAX_OUTPUT_BYTES).unwrap_or(u64::MAX);
    let mut bounded = out.take(limit + 1);
    bounded
        .read_to_end(&mut buf)
        .await
        .map_err(|e| Error::Stream {
            message: format!("reading output failed: {e}"),
        })?;
    if buf.len() > MAX_OUTPUT_BYTES {
        return Err(Error::Stream {
            message: format!("output exceeds {MAX_OUTPUT_BYTES} bytes; read the pipes instead"),
        });
    }
    Ok(buf)
}

/// Read messages until the server closes; stdout and stderr go to their pipes (dropped
/// silently once the caller dropped a pipe), the error channel is decoded at the end.
async fn read_loop(
    mut stream: SplitStream<Socket>,
    mut stdout: DuplexStream,
    mut stderr: DuplexStream,
) -> Result<ExitStatus> {
    let mut error_channel = Vec::new();
    let (mut stdout_open, mut stderr_open) = (true, true);
    while let Some(msg) = stream.next().await {
        let data = match msg {
            Ok(Message::Binary(data)) => data,
            Ok(Message::Close(_)) => break,
            Ok(Message::Text(_)) => {
                return Err(Error::Stream {
                    message: "the server sent a text message on a binary channel protocol".into(),
                })
            }
            Ok(_) => continue,
            Err(e) => {
                return Err(Error::Stream {
                    message: format!("reading from the connection failed: {e}"),
                })
            }
        };
        let Some((&channel, payload)) = data.split_first() else {
            continue;
        };
        match channel {
            STDOUT if stdout_open => stdout_open = stdout.write_all(payload).await.is_ok(),
            STDERR if stderr_open => stderr_open = stderr.write_all(payload).await.is_ok(),
            ERROR => {
                if error_channel.len() + payload.len() > MAX_STATUS_BYTES {
                    return Err(Error::Stream {
                        message: format!("the error channel carried over {MAX_STATUS_BYTES} bytes"),
                    });
                }
                error_channel.extend_from_slice(payload);
            }
            // Output the caller did not ask for or dropped, and channels of newer protocols.
            _ => {}
        }
    }
    // End of file on the pipes before the status, so readers finish first.
    let _ = stdout.shutdown().await;
    let _ = stderr.shutdown().await;
    status::decode(&error_channel)
}

/// Send stdin (then its close, on v5) and terminal sizes until the reader is done.
async fn write_loop(
    mut sink: SplitSink<Socket, Message>,
    mut stdin: Option<DuplexStream>,
    mut resize: mpsc::Receiver<TerminalSize>,
    supports_close: bool,
    mut done: oneshot::Receiver<()>,
) {
    let mut buf = vec![0u8; 32 * 1024];
    let mut resize_open = true;
    loop {
        let message = tokio::select! {
            _ = &mut done => break,
            read = async {
                match stdin.as_mut() {
                    Some(s) => s.read(&mut buf).await,
                    None => std::future::pending().await,
                }
            } => match read {
                Ok(0) | Err(_) => {
                    stdin = None;
                    if !supports_close {
                        continue;
                    }
                    protocol::close(STDIN)
                }
                Ok(n) => protocol::frame(STDIN, buf.get(..n).unwrap_or_default()),
            },
            size = resize.recv(), if resize_open => match size {
                Some(size) => match serde_json::to_vec(&size) {
                    Ok(json) => protocol::frame(RESIZE, &json),
                    Err(_) => continue,
                },
                None => {
                    resize_open = false;
                    continue;
                }
            },
        };
        debug_assert!(message.first() != Some(&CLOSE) || message.len() == 2);
        if sink.send(Message::binary(message)).await.is_err() {
            break;
        }
    }
}
