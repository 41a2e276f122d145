//! `portforward.k8s.io` over SPDY, as the kubelet serves it: for each forwarded connection the
//! client opens two streams sharing a `requestID` header, `streamType: error` then
//! `streamType: data`, both naming the `port`. Once both are open the kubelet dials the port;
//! bytes flow on the data stream, and a failure is written on the error stream. Each stream is
//! answered with `SYN_REPLY` before anything else is sent on it.

use super::frame::{Frame, Reader, FLAG_FIN};
use super::streams::{copy_to_stream, spawn_writer, Out};
use crate::kubelet::{Kubelet, PortStream};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, WriteHalf};
use tokio::sync::mpsc;

/// Most streams open at once on one connection (kubectl opens two per local connection).
const MAX_STREAMS: usize = 1024;

/// The two streams of one forwarded connection, as they arrive.
#[derive(Default)]
struct Pair {
    port: u16,
    error: Option<u32>,
    data: Option<u32>,
}

/// Serve port-forward streams on `conn` for pod `namespace/pod` until the client leaves or the
/// server shuts down.
pub async fn serve<C>(
    conn: C,
    kubelet: Arc<dyn Kubelet>,
    namespace: String,
    pod: String,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) where
    C: AsyncRead + AsyncWrite + Send + 'static,
{
    let (read, write) = tokio::io::split(conn);
    let Some((tx, writing)) = spawn_writer(write) else {
        return;
    };
    let mut reader = Reader::new(read);
    let mut pairs: HashMap<String, Pair> = HashMap::new();
    let mut to_pod: HashMap<u32, WriteHalf<Box<dyn PortStream>>> = HashMap::new();
    let mut pumps = Vec::new();
    loop {
        let frame = tokio::select! {
            f = reader.next() => f,
            _ = shutdown.changed() => break,
        };
        let Ok(Some(frame)) = frame else { break };
        match frame {
            Frame::SynStream {
                stream_id, headers, ..
            } => {
                let header = |name: &str| {
                    headers
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, v)| v.as_str())
                };
                let port = header("port").and_then(|p| p.parse::<u16>().ok());
                let kind = header("streamtype");
                let (Some(port), Some(kind @ ("error" | "data"))) = (port, kind) else {
                    let _ = tx.send(Out::Reset(stream_id)).await;
                    continue;
                };
                if pairs.len() + to_pod.len() >= MAX_STREAMS {
                    let _ = tx.send(Out::Reset(stream_id)).await;
                    continue;
                }
                let _ = tx.send(Out::Reply(stream_id)).await;
                let key = header("requestid").unwrap_or_default().to_owned();
                let pair = pairs.entry(key.clone()).or_default();
                pair.port = port;
                if kind == "error" {
                    pair.error = Some(stream_id);
                } else {
                    pair.data = Some(stream_id);
                }
                if let Some(Pair {
                    port,
                    error: Some(error),
                    data: Some(data),
                }) = pairs.get(&key)
                {
                    let (port, error, data) = (*port, *error, *data);
                    pairs.remove(&key);
                    match kubelet.port_forward(&namespace, &pod, port).await {
                        Ok(conn) => {
                            let (from, into) = tokio::io::split(conn);
                            to_pod.insert(data, into);
                            pumps.push(tokio::spawn(pump(from, data, error, tx.clone())));
                        }
                        Err(e) => {
                            let message = format!("error forwarding port {port} to pod {pod}: {e}");
                            let _ = tx.send(Out::Data(error, message.into_bytes(), true)).await;
                            let _ = tx.send(Out::Data(data, Vec::new(), true)).await;
                        }
                    }
                }
            }
            Frame::Data {
                stream_id,
                flags,
                data,
            } => {
                if let Some(w) = to_pod.get_mut(&stream_id) {
                    if w.write_all(&data).await.is_err() {
                        to_pod.remove(&stream_id);
                    }
                }
                if flags & FLAG_FIN != 0 {
                    if let Some(mut w) = to_pod.remove(&stream_id) {
                        let _ = w.shutdown().await;
                    }
                }
            }
            Frame::RstStream { stream_id } => {
                to_pod.remove(&stream_id);
            }
            Frame::Ping { id } => {
                let _ = tx.send(Out::Ping(id)).await;
            }
            Frame::GoAway => break,
            Frame::Headers { .. } | Frame::Ignored => {}
        }
    }
    for pump in pumps {
        pump.abort();
    }
    drop(tx);
    let _ = writing.await;
}

/// Copy what the pod's port sends onto the data stream; at its end close both streams.
async fn pump(
    from: tokio::io::ReadHalf<Box<dyn PortStream>>,
    data: u32,
    error: u32,
    tx: mpsc::Sender<Out>,
) {
    if copy_to_stream(from, data, &tx).await {
        let _ = tx.send(Out::Data(error, Vec::new(), true)).await;
    }
}
