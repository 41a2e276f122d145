//! `v4.channel.k8s.io` over SPDY for `pods/exec` and `pods/attach`, as the kubelet serves
//! kubectl 1.29 and older: the client opens one stream per channel, named by its `streamType`
//! header (`error`, `stdin`, `stdout`, `stderr`, `resize`). Once every stream the query asked
//! for is open the session starts; stdin ends with the client's FIN, the output streams with
//! ours, and the exit status is a `Status` on the error stream, as on the WebSocket.

use super::frame::{Frame, Reader, FLAG_FIN};
use super::streams::{copy_to_stream, spawn_writer, Out};
use crate::handler::connect::{exit_status, failure};
use crate::kubelet::{Kubelet, Reader as Output, SessionRequest, Writer as Input};
use kubeclient_runtime::remotecommand::protocol::TerminalSize;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

/// How long the client has to open its streams (the kubelet's stream creation timeout).
const STREAM_WAIT: Duration = Duration::from_secs(30);
/// Stdin buffered before the session has started, and resize bytes without a full message.
const MAX_PENDING: usize = 1024 * 1024;

/// The client's streams, by channel.
#[derive(Debug, Default)]
struct Streams {
    error: Option<u32>,
    stdin: Option<u32>,
    stdout: Option<u32>,
    stderr: Option<u32>,
    resize: Option<u32>,
}

impl Streams {
    /// The slot for a `streamType`, if the request asked for that channel.
    fn slot(&mut self, kind: &str, req: &SessionRequest) -> Option<&mut Option<u32>> {
        match kind {
            "error" => Some(&mut self.error),
            "stdin" if req.stdin => Some(&mut self.stdin),
            "stdout" if req.stdout => Some(&mut self.stdout),
            "stderr" if req.stderr && !req.tty => Some(&mut self.stderr),
            "resize" if req.tty => Some(&mut self.resize),
            _ => None,
        }
    }

    /// Every stream the request needs is open.
    fn complete(&self, req: &SessionRequest) -> bool {
        self.error.is_some()
            && (self.stdin.is_some() || !req.stdin)
            && (self.stdout.is_some() || !req.stdout)
            && (self.stderr.is_some() || !req.stderr || req.tty)
            && (self.resize.is_some() || !req.tty)
    }
}

/// The process's side once it runs.
struct Running {
    stdin: Option<Input>,
    resize: Option<Box<dyn Fn(u16, u16) + Send + Sync>>,
    output: tokio::task::JoinHandle<()>,
}

/// Serve one exec or attach session on `conn` until the process has ended and its status is
/// sent, the client leaves, or the server shuts down.
pub async fn serve<C>(
    conn: C,
    kubelet: Arc<dyn Kubelet>,
    req: SessionRequest,
    attach: bool,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) where
    C: AsyncRead + AsyncWrite + Send + 'static,
{
    let (read, write) = tokio::io::split(conn);
    let Some((tx, writing)) = spawn_writer(write) else {
        return;
    };
    let mut reader = Reader::new(read);
    let mut streams = Streams::default();
    let mut running: Option<Running> = None;
    let (done_tx, mut done) = oneshot::channel::<()>();
    let mut done_tx = Some(done_tx);
    let mut stdin_pending = Vec::new();
    let mut stdin_closed = false;
    let mut resize_pending = Vec::new();
    let deadline = tokio::time::sleep(STREAM_WAIT);
    tokio::pin!(deadline);
    loop {
        let frame = tokio::select! {
            f = reader.next() => f,
            () = &mut deadline, if running.is_none() => {
                if let Some(error) = streams.error {
                    let status = failure(Some(500), "InternalError", "timed out waiting for client to create streams", None);
                    let _ = tx.send(Out::Data(error, status, true)).await;
                }
                break;
            }
            _ = &mut done, if running.is_some() => break,
            _ = shutdown.changed() => break,
        };
        let Ok(Some(frame)) = frame else { break };
        match frame {
            Frame::SynStream {
                stream_id, headers, ..
            } => {
                let kind = headers
                    .iter()
                    .find(|(n, _)| n == "streamtype")
                    .map(|(_, v)| v.as_str())
                    .unwrap_or_default();
                match streams.slot(kind, &req) {
                    Some(slot) if slot.is_none() => {
                        *slot = Some(stream_id);
                        let _ = tx.send(Out::Reply(stream_id)).await;
                    }
                    _ => {
                        let _ = tx.send(Out::Reset(stream_id)).await;
                        continue;
                    }
                }
                if running.is_some() || !streams.complete(&req) {
                    continue;
                }
                let started = if attach {
                    kubelet.attach(req.clone()).await
                } else {
                    kubelet.exec(req.clone()).await
                };
                let session = match started {
                    Ok(s) => s,
                    Err(e) => {
                        let status = failure(Some(500), "InternalError", &e.message, None);
                        if let Some(error) = streams.error {
                            let _ = tx.send(Out::Data(error, status, true)).await;
                        }
                        break;
                    }
                };
                let mut stdin = session.stdin;
                if let Some(w) = stdin.as_mut() {
                    if w.write_all(&stdin_pending).await.is_err() || w.flush().await.is_err() {
                        stdin = None;
                    }
                    if stdin_closed {
                        if let Some(mut w) = stdin.take() {
                            let _ = w.shutdown().await;
                        }
                    }
                }
                stdin_pending = Vec::new();
                let outputs = [
                    (streams.stdout, session.stdout),
                    (streams.stderr, session.stderr),
                ];
                let (error, tx, done_tx) = (streams.error, tx.clone(), done_tx.take());
                let exit = session.exit;
                let output = tokio::spawn(async move {
                    let [(out_id, out), (err_id, err)] = outputs;
                    let (a, b) = tokio::join!(
                        output_stream(out, out_id, &tx),
                        output_stream(err, err_id, &tx)
                    );
                    if a && b {
                        if let Some(error) = error {
                            let _ = tx
                                .send(Out::Data(error, exit_status(exit.await), true))
                                .await;
                        }
                    }
                    if let Some(done) = done_tx {
                        let _ = done.send(());
                    }
                });
                running = Some(Running {
                    stdin,
                    resize: session.resize,
                    output,
                });
            }
            Frame::Data {
                stream_id,
                flags,
                data,
            } => {
                let fin = flags & FLAG_FIN != 0;
                if Some(stream_id) == streams.stdin {
                    match running.as_mut() {
                        Some(r) => stdin_data(&mut r.stdin, &data, fin).await,
                        None if stdin_pending.len() + data.len() > MAX_PENDING => break,
                        None => {
                            stdin_pending.extend_from_slice(&data);
                            stdin_closed |= fin;
                        }
                    }
                } else if Some(stream_id) == streams.resize {
                    resize_pending.extend_from_slice(&data);
                    let resize = running.as_ref().and_then(|r| r.resize.as_deref());
                    if !apply_resizes(&mut resize_pending, resize) {
                        break;
                    }
                }
            }
            Frame::Ping { id } => {
                let _ = tx.send(Out::Ping(id)).await;
            }
            Frame::GoAway => break,
            Frame::RstStream { .. } | Frame::Headers { .. } | Frame::Ignored => {}
        }
    }
    // The client left early: dropping the session's streams ends (kills) the process.
    if let Some(r) = running {
        r.output.abort();
    }
    drop(tx);
    let _ = writing.await;
}

/// Copy one of the process's outputs onto its stream; a stream the process does not provide
/// ends at once, so the client does not wait for it. `false` when the writer is gone.
async fn output_stream(from: Option<Output>, id: Option<u32>, tx: &mpsc::Sender<Out>) -> bool {
    match (from, id) {
        (Some(from), Some(id)) => copy_to_stream(from, id, tx).await,
        (None, Some(id)) => tx.send(Out::Data(id, Vec::new(), true)).await.is_ok(),
        (_, None) => true,
    }
}

/// Hand stdin bytes to the process; the client's FIN closes its stdin.
async fn stdin_data(stdin: &mut Option<Input>, data: &[u8], fin: bool) {
    if let Some(w) = stdin.as_mut() {
        // Flushed: a terminal's writer completes writes in the background.
        if w.write_all(data).await.is_err() || w.flush().await.is_err() {
            *stdin = None;
        }
    }
    if fin {
        if let Some(mut w) = stdin.take() {
            let _ = w.shutdown().await;
        }
    }
}

/// Apply each complete `TerminalSize` JSON value in `pending` (client-go writes them one after
/// another) and keep the incomplete rest. `false` on bytes that are not such values, or too
/// many without one.
fn apply_resizes(pending: &mut Vec<u8>, resize: Option<&(dyn Fn(u16, u16) + Send + Sync)>) -> bool {
    let mut values = serde_json::Deserializer::from_slice(pending).into_iter::<TerminalSize>();
    let mut used = 0;
    loop {
        match values.next() {
            Some(Ok(size)) => {
                used = values.byte_offset();
                if let Some(resize) = resize {
                    resize(size.width, size.height);
                }
            }
            Some(Err(e)) if e.is_eof() => break,
            Some(Err(_)) => return false,
            None => break,
        }
    }
    pending.drain(..used);
    pending.len() <= MAX_PENDING
}
