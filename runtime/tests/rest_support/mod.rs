//! A tiny HTTP/1.1 server over real loopback sockets (optionally TLS) for the REST tests.
//! Handwritten on purpose: the tests control status lines, headers and exact chunk boundaries.
#![allow(dead_code)]

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

use kubeclient_runtime::meta::v1::ObjectMeta;
use kubeclient_runtime::resource::{subresources, verbs};
use kubeclient_runtime::{Resource, Scope};

/// A parsed request.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
    pub fn query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// What the server answers.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Body pieces; more than one piece means chunked transfer with one HTTP chunk each.
    pub chunks: Vec<Vec<u8>>,
    pub chunked: bool,
}

impl Reply {
    pub fn json(status: u16, body: &serde_json::Value) -> Reply {
        Reply::bytes(status, "application/json", body.to_string().into_bytes())
    }
    pub fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            chunks: vec![body],
            chunked: false,
        }
    }
    pub fn chunks(status: u16, chunks: Vec<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            chunks,
            chunked: true,
        }
    }
    pub fn status(status: u16, reason: &str, message: &str) -> Reply {
        Reply::json(
            status,
            &serde_json::json!({"kind":"Status","apiVersion":"v1","status":"Failure","reason":reason,"message":message,"code":status}),
        )
    }
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Handler = Arc<dyn Fn(Req) -> Reply + Send + Sync>;

/// A running server; dropped = stopped.
pub struct Server {
    pub url: String,
    pub port: u16,
    pub hits: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn serve(handler: impl Fn(Req) -> Reply + Send + Sync + 'static) -> Server {
    start(Arc::new(handler), None).await
}

pub async fn serve_tls(
    handler: impl Fn(Req) -> Reply + Send + Sync + 'static,
    tls: Arc<rustls::ServerConfig>,
) -> Server {
    start(
        Arc::new(handler),
        Some(tokio_rustls::TlsAcceptor::from(tls)),
    )
    .await
}

async fn start(handler: Handler, tls: Option<tokio_rustls::TlsAcceptor>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let port = listener.local_addr().expect("local addr").port();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let _ = stream.set_nodelay(true);
            let handler = handler.clone();
            let counter = counter.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                match tls {
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(stream).await {
                            connection(stream, handler, counter).await;
                        }
                    }
                    None => connection(stream, handler, counter).await,
                }
            });
        }
    });
    Server {
        url: format!("{scheme}://127.0.0.1:{port}"),
        port,
        hits,
        task,
    }
}

async fn connection<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    handler: Handler,
    hits: Arc<AtomicUsize>,
) {
    let Some(req) = read_request(&mut stream).await else {
        return;
    };
    hits.fetch_add(1, Ordering::SeqCst);
    let reply = handler(req);
    let _ = write_reply(&mut stream, reply).await;
    let _ = stream.shutdown().await;
}

async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Option<Req> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let n = stream.read(&mut tmp).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = stream.read(&mut tmp).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&tmp[..n]);
    }
    let url = reqwest::Url::parse(&format!("http://x{target}")).ok()?;
    Some(Req {
        method,
        path: url.path().to_owned(),
        query: url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        headers,
        body,
    })
}

async fn write_reply<S: AsyncWrite + Unpin>(stream: &mut S, reply: Reply) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} Test\r\nConnection: close\r\n", reply.status);
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if reply.chunked {
        head.push_str("Transfer-Encoding: chunked\r\n\r\n");
        stream.write_all(head.as_bytes()).await?;
        stream.flush().await?;
        for chunk in reply.chunks.iter().filter(|c| !c.is_empty()) {
            stream
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            stream.write_all(chunk).await?;
            stream.write_all(b"\r\n").await?;
            stream.flush().await?;
            tokio::task::yield_now().await;
        }
        stream.write_all(b"0\r\n\r\n").await?;
    } else {
        let body: Vec<u8> = reply.chunks.concat();
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&body).await?;
    }
    stream.flush().await
}

/// The tiny test kind: `widgets.example.com/v1`, namespaced.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Widget {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: WidgetSpec,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WidgetSpec {
    #[serde(default)]
    pub size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

impl Resource for Widget {
    const GROUP: &'static str = "example.com";
    const VERSION: &'static str = "v1";
    const API_VERSION: &'static str = "example.com/v1";
    const KIND: &'static str = "Widget";
    const PLURAL: &'static str = "widgets";
    const SCOPE: Scope = Scope::Namespaced;
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl verbs::Get for Widget {}
impl verbs::List for Widget {}
impl verbs::Watch for Widget {}
impl verbs::Create for Widget {}
impl verbs::Update for Widget {}
impl verbs::Patch for Widget {}
impl verbs::Delete for Widget {}
impl verbs::DeleteCollection for Widget {}
impl subresources::Status for Widget {}
impl subresources::Log for Widget {}

pub fn widget(name: &str, size: i64) -> Widget {
    Widget {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        spec: WidgetSpec { size, color: None },
        ..Default::default()
    }
}
