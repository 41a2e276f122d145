//! [`PortForwarder`] and its per-port [`PortStream`]s.

use crate::rest::upgrade::WebSocket;
use crate::rest::{Error, Result};
use futures_util::{SinkExt, StreamExt};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::DuplexStream;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// Bytes buffered per port and direction; a full buffer makes the other side wait.
pub const PIPE_BYTES: usize = 256 * 1024;
/// Most bytes of one port's error channel kept.
const MAX_ERROR_BYTES: usize = 16 * 1024;

/// Aborts the connection's tasks once the forwarder and every stream are gone.
struct Tasks(Vec<JoinHandle<()>>);

impl Drop for Tasks {
    fn drop(&mut self) {
        for t in &self.0 {
            t.abort();
        }
    }
}

/// A port-forward connection to one pod: one [`PortStream`] per requested port.
pub struct PortForwarder {
    ports: Vec<u16>,
    streams: Vec<Option<PortStream>>,
    result: Option<oneshot::Receiver<Result<()>>>,
    tasks: Arc<Tasks>,
}

impl std::fmt::Debug for PortForwarder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortForwarder")
            .field("ports", &self.ports)
            .finish_non_exhaustive()
    }
}

/// A connection to one port of the pod: read what the pod sends, write what it receives.
/// Shutting down the write side stops sending (the protocol cannot tell the pod; it sees end
/// of file when the whole forward ends).
pub struct PortStream {
    port: u16,
    read: DuplexStream,
    write: DuplexStream,
    _tasks: Arc<Tasks>,
}

impl std::fmt::Debug for PortStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortStream")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl PortStream {
    /// The pod's port this stream is connected to.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl AsyncRead for PortStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.read).poll_read(cx, buf)
    }
}

impl AsyncWrite for PortStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.write).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.write).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.write).poll_shutdown(cx)
    }
}

impl PortForwarder {
    /// Start pumping `ws` for `ports` (in the order they were requested).
    pub(crate) fn start(ws: WebSocket, ports: &[u16]) -> PortForwarder {
        let (mut sink, stream) = ws.stream.split();
        let (frames_tx, mut frames_rx) = mpsc::channel::<Vec<u8>>(16);
        let mut handles = Vec::new();
        let mut user_sides = Vec::new();
        let mut incoming = Vec::new();
        for (i, port) in ports.iter().enumerate() {
            let (from_pod_read, from_pod_write) = tokio::io::duplex(PIPE_BYTES);
            let (to_pod_read, to_pod_write) = tokio::io::duplex(PIPE_BYTES);
            user_sides.push((*port, from_pod_read, to_pod_write));
            incoming.push(from_pod_write);
            let data_channel = u8::try_from(i * 2).unwrap_or(u8::MAX - 1);
            handles.push(tokio::spawn(outbound(
                to_pod_read,
                data_channel,
                frames_tx.clone(),
            )));
        }
        drop(frames_tx);
        handles.push(tokio::spawn(async move {
            while let Some(frame) = frames_rx.recv().await {
                if sink.send(Message::binary(frame)).await.is_err() {
                    return;
                }
            }
        }));
        let (result_tx, result_rx) = oneshot::channel();
        let port_list = ports.to_vec();
        handles.push(tokio::spawn(async move {
            let _ = result_tx.send(inbound(stream, incoming, &port_list).await);
        }));
        let tasks = Arc::new(Tasks(handles));
        let streams = user_sides
            .into_iter()
            .map(|(port, read, write)| {
                Some(PortStream {
                    port,
                    read,
                    write,
                    _tasks: tasks.clone(),
                })
            })
            .collect();
        PortForwarder {
            ports: ports.to_vec(),
            streams,
            result: Some(result_rx),
            tasks,
        }
    }

    /// The stream of `port`, if it was requested and not taken yet.
    pub fn take_stream(&mut self, port: u16) -> Option<PortStream> {
        let i = self.ports.iter().position(|p| *p == port)?;
        self.streams.get_mut(i)?.take()
    }

    /// Wait until the server ends the forward; the first port error it reported, if any
    /// (e.g. nothing listens on the port).
    pub async fn join(mut self) -> Result<()> {
        self.streams.clear();
        let Some(result) = self.result.take() else {
            return Ok(());
        };
        let _keep = self.tasks.clone();
        result.await.unwrap_or_else(|_| {
            Err(Error::Stream {
                message: "the port-forward ended without a result".into(),
            })
        })
    }
}

/// What the caller writes to one port, as frames on its data channel.
async fn outbound(mut from_caller: DuplexStream, channel: u8, frames: mpsc::Sender<Vec<u8>>) {
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        match from_caller.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let frame = crate::remotecommand::protocol::frame(
                    channel,
                    buf.get(..n).unwrap_or_default(),
                );
                if frames.send(frame).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Messages from the server: data to each port's pipe (after its 2-byte port prefix), errors
/// collected per port.
async fn inbound(
    mut stream: futures_util::stream::SplitStream<
        tokio_tungstenite::WebSocketStream<crate::rest::upgrade::Upgraded>,
    >,
    mut to_caller: Vec<DuplexStream>,
    ports: &[u16],
) -> Result<()> {
    // Per channel: prefix bytes still to skip.
    let mut prefix_left = vec![2usize; ports.len() * 2];
    let mut errors: Vec<Vec<u8>> = vec![Vec::new(); ports.len()];
    let mut open = vec![true; ports.len()];
    while let Some(msg) = stream.next().await {
        let data = match msg {
            Ok(Message::Binary(d)) => d,
            Ok(Message::Close(_)) => break,
            Ok(_) => continue,
            Err(e) => {
                return Err(Error::Stream {
                    message: format!("reading from the port-forward connection failed: {e}"),
                })
            }
        };
        let Some((&channel, mut payload)) = data.split_first() else {
            continue;
        };
        let c = usize::from(channel);
        let Some(skip) = prefix_left.get_mut(c) else {
            continue;
        };
        let n = (*skip).min(payload.len());
        *skip -= n;
        payload = payload.get(n..).unwrap_or_default();
        if payload.is_empty() {
            continue;
        }
        let port = c / 2;
        if c % 2 == 0 {
            if let (Some(true), Some(w)) = (open.get(port).copied(), to_caller.get_mut(port)) {
                if w.write_all(payload).await.is_err() {
                    // The caller dropped the stream: discard the rest.
                    if let Some(o) = open.get_mut(port) {
                        *o = false;
                    }
                }
            }
        } else if let Some(e) = errors.get_mut(port) {
            let room = MAX_ERROR_BYTES.saturating_sub(e.len());
            e.extend_from_slice(payload.get(..room.min(payload.len())).unwrap_or_default());
        }
    }
    for w in &mut to_caller {
        let _ = w.shutdown().await;
    }
    match errors.iter().zip(ports).find(|(e, _)| !e.is_empty()) {
        Some((e, port)) => Err(Error::Stream {
            message: format!("port {port}: {}", crate::rest::error::excerpt(e)),
        }),
        None => Ok(()),
    }
}
