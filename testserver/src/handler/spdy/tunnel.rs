//! SPDY tunneled through a WebSocket (subprotocol `SPDY/3.1+portforward.k8s.io`, client-go's
//! `TunnelingConnection`, kubectl 1.31 and newer): each binary message carries the next piece
//! of the SPDY byte stream, in order. This turns the socket back into a byte stream.

use super::super::connect::ServerSocket;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

/// Bytes buffered each way between the socket and the SPDY session.
const PIPE_BYTES: usize = 64 * 1024;

/// A byte stream over `ws`; two tasks move bytes until either side ends.
pub fn byte_stream(ws: ServerSocket) -> DuplexStream {
    let (session_side, pump_side) = tokio::io::duplex(PIPE_BYTES);
    let (mut from_session, mut to_session) = tokio::io::split(pump_side);
    let (mut sink, mut stream) = ws.split();
    tokio::spawn(async move {
        while let Some(Ok(msg)) = stream.next().await {
            let bytes = match msg {
                Message::Binary(bytes) => bytes,
                Message::Close(_) => break,
                _ => continue,
            };
            if to_session.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = to_session.shutdown().await;
    });
    tokio::spawn(async move {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            match from_session.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let chunk = buf.get(..n).unwrap_or_default().to_vec();
                    if sink.send(Message::binary(chunk)).await.is_err() {
                        return;
                    }
                }
            }
        }
        let _ = sink
            .send(Message::Close(Some(CloseFrame {
                code: CloseCode::Normal,
                reason: "".into(),
            })))
            .await;
    });
    session_side
}
