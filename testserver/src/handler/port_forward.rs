//! The server side of `pods/portforward` over WebSocket (`v4.channel.k8s.io`), as the
//! kubelet's `handleWebSocketStreams`: for the i-th port, channel 2i carries data and 2i+1
//! errors, and each starts with the port number (2 bytes, little endian).

use super::connect::ServerSocket;
use crate::kubelet::Kubelet;
use futures_util::{SinkExt, StreamExt};
use kubeclient_runtime::remotecommand::protocol::frame;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt, WriteHalf};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

/// Forward `ports` of the pod until every connection to them has ended or the client left.
pub async fn serve(
    ws: ServerSocket,
    kubelet: Arc<dyn Kubelet>,
    namespace: String,
    pod: String,
    ports: Vec<u16>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let (mut sink, mut stream) = ws.split();
    // One writer owns the sink; port readers queue frames for it (bounded).
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(16);
    let writer = tokio::spawn(async move {
        while let Some(frame) = rx.recv().await {
            if sink.send(Message::binary(frame)).await.is_err() {
                return;
            }
        }
        let _ = sink
            .send(Message::Close(Some(CloseFrame {
                code: CloseCode::Normal,
                reason: "".into(),
            })))
            .await;
    });
    let mut to_pod: Vec<Option<WriteHalf<Box<dyn crate::kubelet::PortStream>>>> = Vec::new();
    let mut from_pod = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        let (data, error) = channels(i);
        let prefix = port.to_le_bytes();
        let _ = tx.send(frame(data, &prefix)).await;
        let _ = tx.send(frame(error, &prefix)).await;
        match kubelet.port_forward(&namespace, &pod, *port).await {
            Ok(conn) => {
                let (mut read, write) = tokio::io::split(conn);
                to_pod.push(Some(write));
                let tx = tx.clone();
                from_pod.push(tokio::spawn(async move {
                    let mut buf = vec![0u8; 32 * 1024];
                    loop {
                        match read.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => {
                                let chunk = buf.get(..n).unwrap_or_default();
                                if tx.send(frame(data, chunk)).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                }));
            }
            Err(e) => {
                to_pod.push(None);
                let message = format!("error forwarding port {port} to pod {pod}: {e}");
                let _ = tx.send(frame(error, message.as_bytes())).await;
            }
        }
    }
    drop(tx);
    // Client to pod: data channels into the port connections.
    let inbound = tokio::spawn(async move {
        while let Some(Ok(msg)) = stream.next().await {
            let Message::Binary(bytes) = msg else {
                continue;
            };
            let Some((&channel, payload)) = bytes.split_first() else {
                continue;
            };
            let index = usize::from(channel / 2);
            if channel % 2 != 0 {
                continue;
            }
            if let Some(slot) = to_pod.get_mut(index) {
                if let Some(w) = slot.as_mut() {
                    if w.write_all(payload).await.is_err() {
                        *slot = None;
                    }
                }
            }
        }
        // The client left: the pod's side of every connection sees end of file.
        for w in to_pod.iter_mut().flatten() {
            let _ = w.shutdown().await;
        }
    });
    tokio::select! {
        _ = futures_util::future::join_all(from_pod) => {}
        _ = shutdown.changed() => {}
    }
    inbound.abort();
    let _ = writer.await;
}

/// The data and error channels of the i-th port.
fn channels(i: usize) -> (u8, u8) {
    let data = u8::try_from(i * 2).unwrap_or(u8::MAX - 1);
    (data, data.saturating_add(1))
}
