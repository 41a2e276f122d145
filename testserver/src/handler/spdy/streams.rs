//! What every SPDY session here shares: one task owns the write side and sends what the
//! session's parts queue for it, and a pump copies a byte source onto a stream.

use super::frame::Writer;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Frames queued for the writer.
#[derive(Debug)]
pub enum Out {
    /// `SYN_REPLY` to the client's stream.
    Reply(u32),
    /// Data on a stream; `true` ends the server's half of it (FIN).
    Data(u32, Vec<u8>, bool),
    /// Echo of the client's ping.
    Ping(u32),
    /// Abort the client's stream (protocol error).
    Reset(u32),
}

/// Frames queued at most before senders wait for the writer.
const QUEUE: usize = 64;

/// Start the writer on `write`: it sends what arrives on the returned sender, in order, and
/// shuts the connection's write side down once every sender is gone.
pub fn spawn_writer<W>(write: W) -> Option<(mpsc::Sender<Out>, JoinHandle<()>)>
where
    W: AsyncWrite + Unpin + Send + 'static,
{
    let mut writer = Writer::new(write).ok()?;
    let (tx, mut rx) = mpsc::channel::<Out>(QUEUE);
    let writing = tokio::spawn(async move {
        while let Some(out) = rx.recv().await {
            let sent = match out {
                Out::Reply(id) => writer.syn_reply(id, false).await,
                Out::Data(id, data, fin) => writer.data(id, &data, fin).await,
                Out::Ping(id) => writer.ping(id).await,
                Out::Reset(id) => writer.rst_stream(id, 1).await,
            };
            if sent.is_err() {
                return;
            }
        }
        let _ = writer.shutdown().await;
    });
    Some((tx, writing))
}

/// Copy `from` onto stream `id` until it ends, then end the stream (FIN). Returns `false` when
/// the writer is gone.
pub async fn copy_to_stream<R>(mut from: R, id: u32, tx: &mpsc::Sender<Out>) -> bool
where
    R: AsyncRead + Unpin,
{
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let chunk = buf.get(..n).unwrap_or_default().to_vec();
                if tx.send(Out::Data(id, chunk, false)).await.is_err() {
                    return false;
                }
            }
        }
    }
    tx.send(Out::Data(id, Vec::new(), true)).await.is_ok()
}
