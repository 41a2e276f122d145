//! `pods/exec`, `pods/attach` and `pods/portforward`: the API server's checks (pod, container,
//! node), then the upgrade (WebSocket `v5.channel.k8s.io` and `v4.channel.k8s.io`, or SPDY for
//! older kubectl) and the channel protocol in front of the configured
//! [`crate::kubelet::Kubelet`].

use super::{full, spdy, Body, Req, State, Target};
use crate::kubelet::{Kubelet, KubeletError, Session, SessionRequest};
use crate::status::ApiError;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use hyper::header::{
    HeaderValue, CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_PROTOCOL, UPGRADE,
};
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use kubeclient_runtime::remotecommand::protocol::{
    self, CLOSE, ERROR, EXIT_CODE_CAUSE, NON_ZERO_EXIT_CODE, RESIZE, STDERR, STDIN, STDOUT, V4, V5,
};
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// The header naming a SPDY stream protocol.
const STREAM_PROTOCOL: &str = "x-stream-protocol-version";

/// Largest message accepted from a client (kubectl sends stdin in 32 KiB pieces at most).
const MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// What a request carries for the connect subresources beyond the parsed query: the raw query
/// (`command` repeats) and the WebSocket handshake.
#[derive(Debug, Default)]
pub struct ConnectParts {
    /// The query string as sent.
    pub raw_query: String,
    /// `Upgrade` header, lowercased.
    pub upgrade: Option<String>,
    /// `Sec-WebSocket-Key`.
    pub ws_key: Option<String>,
    /// `Sec-WebSocket-Protocol` values, in the client's order of preference.
    pub protocols: Vec<String>,
    /// `X-Stream-Protocol-Version` values of a SPDY upgrade.
    pub stream_protocols: Vec<String>,
    /// The connection, once hyper has switched it.
    pub on_upgrade: Option<hyper::upgrade::OnUpgrade>,
}

impl ConnectParts {
    /// The client asks for SPDY (`Upgrade: SPDY/3.1`) rather than a WebSocket.
    fn wants_spdy(&self) -> bool {
        self.upgrade
            .as_deref()
            .is_some_and(|u| u.starts_with("spdy"))
    }

    /// Take what a connect request needs from `parts` (the upgrade handle only when the
    /// request asks for an upgrade).
    pub fn from_parts(parts: &mut hyper::http::request::Parts) -> Self {
        let header = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let upgrade = header(UPGRADE).map(|u| u.to_ascii_lowercase());
        let list = |name: &str| -> Vec<String> {
            parts
                .headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect()
        };
        let protocols = list(SEC_WEBSOCKET_PROTOCOL.as_str());
        let stream_protocols = list(STREAM_PROTOCOL);
        ConnectParts {
            raw_query: parts.uri.query().unwrap_or("").to_owned(),
            ws_key: header(hyper::header::SEC_WEBSOCKET_KEY),
            on_upgrade: upgrade
                .is_some()
                .then(|| parts.extensions.remove::<hyper::upgrade::OnUpgrade>())
                .flatten(),
            upgrade,
            protocols,
            stream_protocols,
        }
    }
}

/// The exec or attach options of the query.
fn session_request(
    t: &Target,
    name: &str,
    raw_query: &str,
    command_allowed: bool,
) -> SessionRequest {
    let mut r = SessionRequest {
        namespace: t.namespace.clone(),
        pod: name.to_owned(),
        container: String::new(),
        container_spec: Value::Null,
        command: Vec::new(),
        stdin: false,
        stdout: false,
        stderr: false,
        tty: false,
    };
    for (k, v) in form_urlencoded::parse(raw_query.as_bytes()) {
        let on = matches!(v.as_ref(), "true" | "1" | "True" | "TRUE");
        match k.as_ref() {
            "command" if command_allowed => r.command.push(v.into_owned()),
            "container" => r.container = v.into_owned(),
            "stdin" => r.stdin = on,
            "stdout" => r.stdout = on,
            "stderr" => r.stderr = on,
            "tty" => r.tty = on,
            _ => {}
        }
    }
    r
}

/// The container a request addresses, as kube-apiserver's `validateContainer` picks it.
fn container_of(pod: &Value, name: &str, asked: &str) -> Result<String, ApiError> {
    let names: Vec<&str> = ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|list| pod["spec"][list].as_array().into_iter().flatten())
        .filter_map(|c| c["name"].as_str())
        .collect();
    if !asked.is_empty() {
        return if names.contains(&asked) {
            Ok(asked.to_owned())
        } else {
            Err(ApiError::bad_request(format!(
                "container {asked} is not valid for pod {name}"
            )))
        };
    }
    let main: Vec<&str> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    match main.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => Err(ApiError::bad_request(format!(
            "a container name must be specified for pod {name}"
        ))),
        _ => Err(ApiError::bad_request(format!(
            "a container name must be specified for pod {name}, choose one of: [{}]",
            names.join(" ")
        ))),
    }
}

/// Handle `pods/{name}/exec` and `pods/{name}/attach`.
pub async fn handle(
    state: &Arc<State>,
    t: &Target,
    name: &str,
    sub: &str,
    req: Req,
) -> Result<Response<Body>, ApiError> {
    let pod = state
        .store()
        .get(&t.def.storage_key(), &t.namespace, name)
        .map(|s| s.value.clone())
        .ok_or_else(|| ApiError::not_found(&t.err(name)))?;
    let mut parts = req.connect;
    if sub == "portforward" {
        let Some(kubelet) = state.kubelet.clone() else {
            return Err(no_host(&pod, name));
        };
        let (namespace, pod_name) = (t.namespace.clone(), name.to_owned());
        let shutdown = state.shutdown.clone();
        // kubectl 1.30 and older: SPDY straight after the HTTP upgrade.
        if parts.wants_spdy() {
            return serve_spdy(&mut parts, spdy::PORT_FORWARD_V1, move |conn| {
                spdy::port_forward::serve(conn, kubelet, namespace, pod_name, shutdown)
            });
        }
        // kubectl 1.31 and newer tunnel SPDY in a WebSocket; other clients (ours) use the
        // kubelet's WebSocket channels, with the ports in the query.
        let tunneled = parts
            .protocols
            .iter()
            .any(|p| p == spdy::TUNNELED_PORT_FORWARD);
        let ports = if tunneled {
            Vec::new()
        } else {
            ports_of(&parts.raw_query)?
        };
        let (resp, on_upgrade, chosen) = switch(&mut parts, &[spdy::TUNNELED_PORT_FORWARD, V4])?;
        tokio::spawn(async move {
            let Ok(upgraded) = on_upgrade.await else {
                return;
            };
            let ws = server_socket(upgraded).await;
            if chosen == spdy::TUNNELED_PORT_FORWARD {
                let conn = spdy::tunnel::byte_stream(ws);
                spdy::port_forward::serve(conn, kubelet, namespace, pod_name, shutdown).await;
            } else {
                super::port_forward::serve(ws, kubelet, namespace, pod_name, ports, shutdown).await;
            }
        });
        return Ok(resp);
    }
    let mut session = session_request(t, name, &parts.raw_query, sub == "exec");
    session.container = container_of(&pod, name, &session.container)?;
    session.container_spec = ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|list| pod["spec"][list].as_array().into_iter().flatten())
        .find(|c| c["name"].as_str() == Some(session.container.as_str()))
        .cloned()
        .unwrap_or(Value::Null);
    let Some(kubelet) = state.kubelet.clone() else {
        return Err(no_host(&pod, name));
    };
    if let Some(phase @ ("Succeeded" | "Failed")) = pod["status"]["phase"].as_str() {
        return Err(ApiError::bad_request(format!(
            "container {} of pod {name} is not running (pod phase {phase})",
            session.container
        )));
    }
    if !(session.stdin || session.stdout || session.stderr) {
        return Err(ApiError::bad_request(
            "you must specify at least 1 of stdin, stdout, stderr",
        ));
    }
    if sub == "exec" && session.command.is_empty() {
        return Err(ApiError::bad_request("you must specify a command"));
    }
    let attach = sub == "attach";
    let shutdown = state.shutdown.clone();
    // kubectl 1.29 and older (and client-go's SPDY executor): SPDY after the HTTP upgrade.
    if parts.wants_spdy() {
        return serve_spdy(&mut parts, V4, move |conn| {
            spdy::remotecommand::serve(conn, kubelet, session, attach, shutdown)
        });
    }
    let (resp, on_upgrade, chosen) = switch(&mut parts, &[V5, V4])?;
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let ws = server_socket(upgraded).await;
        serve_session(ws, kubelet, session, attach, chosen == V5, shutdown).await;
    });
    Ok(resp)
}

/// The `101 Switching Protocols` answer to a WebSocket request offering one of `supported`,
/// the connection to take over once it is sent, and the subprotocol chosen (the client's
/// first that this server speaks, as Go's wsstream picks).
fn switch(
    parts: &mut ConnectParts,
    supported: &[&'static str],
) -> Result<(Response<Body>, hyper::upgrade::OnUpgrade, &'static str), ApiError> {
    match parts.upgrade.as_deref() {
        Some("websocket") => {}
        _ => return Err(ApiError::bad_request("Upgrade request required")),
    }
    let chosen = parts
        .protocols
        .iter()
        .find_map(|p| supported.iter().copied().find(|s| s == p))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "requested protocol(s) are not supported: {:?}; supports {supported:?}",
                parts.protocols
            ))
        })?;
    let (Some(key), Some(on_upgrade)) = (parts.ws_key.take(), parts.on_upgrade.take()) else {
        return Err(ApiError::bad_request(
            "WebSocket handshake without Sec-WebSocket-Key",
        ));
    };
    let mut resp = Response::new(full(Bytes::new()));
    *resp.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = resp.headers_mut();
    h.insert(UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    h.insert(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static(chosen));
    if let Ok(v) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        h.insert(SEC_WEBSOCKET_ACCEPT, v);
    }
    Ok((resp, on_upgrade, chosen))
}

/// Answer a SPDY upgrade offering stream `protocol` with `101 Switching Protocols`, then hand
/// the connection to `serve`.
fn serve_spdy<F, Fut>(
    parts: &mut ConnectParts,
    protocol: &'static str,
    serve: F,
) -> Result<Response<Body>, ApiError>
where
    F: FnOnce(TokioIo<hyper::upgrade::Upgraded>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let (resp, on_upgrade) = switch_spdy(parts, protocol)?;
    tokio::spawn(async move {
        if let Ok(upgraded) = on_upgrade.await {
            serve(TokioIo::new(upgraded)).await;
        }
    });
    Ok(resp)
}

/// The `101 Switching Protocols` answer to a SPDY upgrade offering stream `protocol`, and the
/// connection to take over once it is sent.
fn switch_spdy(
    parts: &mut ConnectParts,
    protocol: &'static str,
) -> Result<(Response<Body>, hyper::upgrade::OnUpgrade), ApiError> {
    if !parts.stream_protocols.iter().any(|p| p == protocol) {
        return Err(ApiError::bad_request(format!(
            "requested protocol(s) are not supported: {:?}; supports [\"{protocol}\"]",
            parts.stream_protocols
        )));
    }
    let Some(on_upgrade) = parts.on_upgrade.take() else {
        return Err(ApiError::bad_request("Upgrade request required"));
    };
    let mut resp = Response::new(full(Bytes::new()));
    *resp.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = resp.headers_mut();
    h.insert(UPGRADE, HeaderValue::from_static("SPDY/3.1"));
    h.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    h.insert(STREAM_PROTOCOL, HeaderValue::from_static(protocol));
    Ok((resp, on_upgrade))
}

/// The server side of an upgraded connection, with messages bounded.
async fn server_socket(upgraded: hyper::upgrade::Upgraded) -> ServerSocket {
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES));
    WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config)).await
}

/// The `ports` of a port-forward request (repeated or comma-separated), as the kubelet parses
/// them.
fn ports_of(raw_query: &str) -> Result<Vec<u16>, ApiError> {
    let mut ports = Vec::new();
    for (k, v) in form_urlencoded::parse(raw_query.as_bytes()) {
        if k != "ports" {
            continue;
        }
        if v.is_empty() {
            return Err(ApiError::bad_request(
                "query parameter \"ports\" cannot be empty",
            ));
        }
        for p in v.split(',') {
            match p.parse::<u16>() {
                Ok(port) if port > 0 => ports.push(port),
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "unable to parse {v:?} as a port"
                    )))
                }
            }
        }
    }
    if ports.is_empty() {
        return Err(ApiError::bad_request(
            "query parameter \"ports\" is required",
        ));
    }
    // Two channels per port, numbered by one byte.
    if ports.len() > 127 {
        return Err(ApiError::bad_request("at most 127 ports per connection"));
    }
    Ok(ports)
}

/// kube-apiserver's answer when no node (or here, no kubelet) runs the pod.
pub(super) fn no_host(pod: &Value, name: &str) -> ApiError {
    match pod["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) {
        Some(node) => ApiError::internal(format!(
            "no kubelet serves node {node}: start the test server with a kubelet"
        )),
        None => ApiError::bad_request(format!("pod {name} does not have a host assigned")),
    }
}

pub(super) type ServerSocket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// Run the session and pump the channels until the process ends, then send its status and
/// close.
async fn serve_session(
    ws: ServerSocket,
    kubelet: Arc<dyn Kubelet>,
    req: SessionRequest,
    attach: bool,
    v5: bool,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let (mut sink, mut stream) = ws.split();
    let started = if attach {
        kubelet.attach(req).await
    } else {
        kubelet.exec(req).await
    };
    let Session {
        stdin,
        stdout,
        stderr,
        exit,
        resize,
    } = match started {
        Ok(s) => s,
        Err(e) => {
            let status = failure(Some(500), "InternalError", &e.message, None);
            let _ = sink
                .send(Message::binary(protocol::frame(ERROR, &status)))
                .await;
            let _ = sink.send(normal_close()).await;
            return;
        }
    };
    // Client to process: stdin until closed (v5's [255, 0] or the end of the connection).
    let mut input = tokio::spawn(async move {
        let mut stdin = stdin;
        while let Some(Ok(msg)) = stream.next().await {
            let Message::Binary(data) = msg else { continue };
            match data.split_first() {
                Some((&STDIN, payload)) => {
                    if let Some(w) = stdin.as_mut() {
                        // Flushed: a terminal's writer completes writes in the background.
                        if w.write_all(payload).await.is_err() || w.flush().await.is_err() {
                            stdin = None;
                        }
                    }
                }
                Some((&RESIZE, json)) => {
                    let size = serde_json::from_slice::<protocol::TerminalSize>(json);
                    if let (Some(resize), Ok(size)) = (resize.as_ref(), size) {
                        resize(size.width, size.height);
                    }
                }
                Some((&CLOSE, [STDIN])) if v5 => {
                    if let Some(mut w) = stdin.take() {
                        let _ = w.shutdown().await;
                    }
                }
                // Unknown channels.
                _ => {}
            }
        }
    });
    // Process to client: stdout and stderr until both end.
    let mut outputs = [(STDOUT, stdout), (STDERR, stderr)];
    let mut bufs = [vec![0u8; 32 * 1024], vec![0u8; 32 * 1024]];
    loop {
        let [(c0, r0), (c1, r1)] = &mut outputs;
        let [b0, b1] = &mut bufs;
        if r0.is_none() && r1.is_none() {
            break;
        }
        let (channel, read, which) = tokio::select! {
            n = read_some(r0, b0) => (*c0, n, 0),
            n = read_some(r1, b1) => (*c1, n, 1),
            _ = shutdown.changed() => { input.abort(); return; }
            // The client is gone: dropping the session ends (kills) the process.
            _ = &mut input => return,
        };
        match read {
            Some(n) if n > 0 => {
                let data = bufs[which].get(..n).unwrap_or_default();
                if sink
                    .send(Message::binary(protocol::frame(channel, data)))
                    .await
                    .is_err()
                {
                    input.abort();
                    return;
                }
            }
            _ => outputs[which].1 = None,
        }
    }
    let status = exit_status(exit.await);
    let _ = sink
        .send(Message::binary(protocol::frame(ERROR, &status)))
        .await;
    let _ = sink.send(normal_close()).await;
    input.abort();
}

/// A close frame with status 1000: clients (gorilla, kubectl) read it as a clean end, while a
/// close without a status is an error to them.
fn normal_close() -> Message {
    Message::Close(Some(CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    }))
}

/// Read into `buf` from `r`; pending forever when there is no reader (so `select!` skips it).
async fn read_some(r: &mut Option<crate::kubelet::Reader>, buf: &mut [u8]) -> Option<usize> {
    match r {
        Some(r) => r.read(buf).await.ok(),
        None => std::future::pending().await,
    }
}

/// The `Status` the kubelet writes on the error channel when a process has ended.
pub(super) fn exit_status(exit: Result<i32, KubeletError>) -> Vec<u8> {
    match exit {
        Ok(0) => {
            serde_json::to_vec(&json!({"metadata": {}, "status": "Success"})).unwrap_or_default()
        }
        Ok(code) => failure(
            None,
            NON_ZERO_EXIT_CODE,
            &format!("command terminated with non-zero exit code: exit status {code}"),
            Some(json!({"causes": [{"reason": EXIT_CODE_CAUSE, "message": code.to_string()}]})),
        ),
        Err(e) => failure(Some(500), "InternalError", &e.message, None),
    }
}

/// A failure `Status` as the kubelet writes it on the error channel.
pub(super) fn failure(
    code: Option<u16>,
    reason: &str,
    message: &str,
    details: Option<Value>,
) -> Vec<u8> {
    let mut v = json!({"metadata": {}, "status": "Failure", "message": message, "reason": reason});
    if let Some(map) = v.as_object_mut() {
        if let Some(code) = code {
            map.insert("code".into(), code.into());
        }
        if let Some(d) = details {
            map.insert("details".into(), d);
        }
    }
    serde_json::to_vec(&v).unwrap_or_default()
}
