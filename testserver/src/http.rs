//! The listener: accepts TCP connections, terminates TLS (reading the client certificate's
//! user), and serves HTTP/1.1 with keep-alive until shutdown.

use crate::auth::{user_from_certificate, UserInfo};
use crate::handler::{self, State};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// Accept connections until `shutdown` flips.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: Arc<State>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = shutdown.changed() => return,
        };
        let (tcp, peer) = match accepted {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                continue;
            }
        };
        // Small request/response exchanges: do not wait for Nagle.
        let _ = tcp.set_nodelay(true);
        let (state, tls, shutdown) = (state.clone(), tls.clone(), shutdown.clone());
        tokio::spawn(async move {
            match tls {
                Some(acceptor) => match acceptor.accept(tcp).await {
                    Ok(stream) => {
                        let user = stream
                            .get_ref()
                            .1
                            .peer_certificates()
                            .and_then(|c| c.first())
                            .and_then(|c| user_from_certificate(c));
                        connection(stream, user, state, shutdown).await
                    }
                    Err(e) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                },
                None => connection(tcp, None, state, shutdown).await,
            }
        });
    }
}

async fn connection<I>(
    io: I,
    user: Option<UserInfo>,
    state: Arc<State>,
    mut shutdown: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let svc = service_fn(move |req| {
        let (state, user) = (state.clone(), user.clone());
        async move { handler::handle(state, req, user).await }
    });
    let conn = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), svc)
        // exec and attach switch the connection to WebSocket.
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => if let Err(e) = r { tracing::debug!(error = %e, "connection ended with an error") },
        _ = shutdown.changed() => {}
    }
}
