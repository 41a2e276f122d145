//! [`LocalForward`]: listen on a local port and forward each connection to a pod's port, as
//! `kubectl port-forward` does.

use crate::client::ResourceClient;
use crate::resource::subresources;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A running local forward; stops accepting (and ends its connections) when dropped.
#[derive(Debug)]
pub struct LocalForward {
    local_addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for LocalForward {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl LocalForward {
    /// Accept on `listener`; every connection gets its own port-forward to `port` of object
    /// `name` (a failed one is logged and closes that connection only).
    pub fn start<K>(
        client: ResourceClient<K>,
        name: &str,
        listener: TcpListener,
        port: u16,
    ) -> std::io::Result<LocalForward>
    where
        K: subresources::PortForward,
    {
        let local_addr = listener.local_addr()?;
        let name = name.to_owned();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            loop {
                let (mut tcp, peer) = match listener.accept().await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %e, "port-forward: accept failed");
                        continue;
                    }
                };
                let _ = tcp.set_nodelay(true);
                let (client, name) = (client.clone(), name.clone());
                connections.spawn(async move {
                    let forward = match client.port_forward(&name, &[port]).await {
                        Ok(f) => f,
                        Err(e) => {
                            tracing::warn!(%peer, error = %e, "port-forward: connecting to the pod failed");
                            return;
                        }
                    };
                    let mut forward = forward;
                    let Some(mut remote) = forward.take_stream(port) else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tcp, &mut remote).await;
                    if let Err(e) = forward.join().await {
                        tracing::warn!(%peer, error = %e, "port-forward ended with an error");
                    }
                });
                // Reap finished connections so the set does not grow.
                while connections.try_join_next().is_some() {}
            }
        });
        Ok(LocalForward { local_addr, task })
    }

    /// The local address connections are accepted on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }
}
