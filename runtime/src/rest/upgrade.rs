//! Switching a request's connection to WebSocket (exec, attach, port-forward): an HTTP/1.1
//! upgrade sent through [`Request::upgrade`], so the TLS, credentials, impersonation and proxy
//! are exactly those of every other request of the client.

use super::error::{Error, Result};
use super::request::Request;
use reqwest::header::{
    HeaderMap, HeaderValue, CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY,
    SEC_WEBSOCKET_PROTOCOL, SEC_WEBSOCKET_VERSION, UPGRADE,
};
use reqwest::StatusCode;
use tokio_tungstenite::tungstenite::handshake::client::generate_key;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

/// Largest WebSocket message or frame accepted from the server. The kubelet sends at most
/// 32 KiB at a time; anything far larger is a hostile or broken peer.
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// Most bytes queued for sending before writes wait.
const MAX_WRITE_BUFFER_BYTES: usize = 4 * 1024 * 1024;

/// The upgrade a request asks for: a fresh key and the subprotocols offered, best first.
#[derive(Debug, Clone)]
pub(crate) struct Offer {
    key: String,
    protocols: Vec<&'static str>,
}

impl Offer {
    pub(crate) fn new(protocols: &[&'static str]) -> Offer {
        Offer {
            key: generate_key(),
            protocols: protocols.to_vec(),
        }
    }

    /// The handshake headers (RFC 6455 section 4.1).
    pub(crate) fn headers(&self) -> Result<HeaderMap> {
        let bad = |_| Error::InvalidRequest("WebSocket subprotocol is not a header value".into());
        let mut h = HeaderMap::new();
        h.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
        h.insert(UPGRADE, HeaderValue::from_static("websocket"));
        h.insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
        h.insert(
            SEC_WEBSOCKET_KEY,
            HeaderValue::from_str(&self.key).map_err(bad)?,
        );
        h.insert(
            SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_str(&self.protocols.join(", ")).map_err(bad)?,
        );
        Ok(h)
    }
}

/// The byte stream of an upgraded connection.
pub type Upgraded = reqwest::Upgraded;

/// A WebSocket connection and the subprotocol the server chose.
pub struct WebSocket {
    /// The message stream.
    pub stream: WebSocketStream<Upgraded>,
    /// The subprotocol the server chose, one of those offered.
    pub protocol: &'static str,
}

impl std::fmt::Debug for WebSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocket")
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}

impl Request {
    /// Send this request as a WebSocket upgrade offering `protocols` (best first) and return
    /// the connection. An answer other than `101 Switching Protocols` is an error: a non-2xx
    /// one carries the server's `Status` ([`Error::Api`]), a 2xx one means something between
    /// here and the server (a proxy) did not pass the upgrade on ([`Error::Stream`]).
    pub async fn upgrade(self, protocols: &[&'static str]) -> Result<WebSocket> {
        let offer = Offer::new(protocols);
        let (response, url) = self.with_upgrade(offer.clone()).send_upgrade().await?;
        let status = response.status();
        if status != StatusCode::SWITCHING_PROTOCOLS {
            return Err(Error::Stream {
                message: format!(
                    "{url}: the server answered {status} instead of switching to WebSocket (a proxy in between may not support upgrades)"
                ),
            });
        }
        let accept = response
            .headers()
            .get(SEC_WEBSOCKET_ACCEPT)
            .and_then(|v| v.to_str().ok());
        if accept != Some(derive_accept_key(offer.key.as_bytes()).as_str()) {
            return Err(Error::Stream {
                message: format!(
                    "{url}: the WebSocket handshake answer has a wrong Sec-WebSocket-Accept"
                ),
            });
        }
        let chosen = response
            .headers()
            .get(SEC_WEBSOCKET_PROTOCOL)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .unwrap_or_default();
        let Some(protocol) = offer.protocols.iter().copied().find(|p| *p == chosen) else {
            return Err(Error::Stream {
                message: format!(
                    "{url}: the server chose no subprotocol this client offered (offered {:?}, got {:?})",
                    offer.protocols,
                    crate::rest::error::excerpt(chosen.as_bytes())
                ),
            });
        };
        let upgraded = response.upgrade().await.map_err(|e| Error::Stream {
            message: format!("{url}: taking over the upgraded connection failed: {e}"),
        })?;
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE_BYTES))
            .max_frame_size(Some(MAX_MESSAGE_BYTES))
            .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES);
        let stream = WebSocketStream::from_raw_socket(upgraded, Role::Client, Some(config)).await;
        Ok(WebSocket { stream, protocol })
    }
}
