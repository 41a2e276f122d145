//! Shared helpers for the integration tests: an HTTPS client with the admin certificate, and
//! where the versioned kubectl binaries are.
#![allow(dead_code)]

use kubeclient_testserver::TestServer;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

/// Where pods of namespace `default` live.
pub const PODS: &str = "/api/v1/namespaces/default/pods";

/// A pod manifest `name` with `labels`.
pub fn pod(name: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
}

/// A reqwest client that trusts the server's CA and presents the admin client certificate.
pub fn admin_client(server: &TestServer) -> Client {
    let cfg = server.config();
    let ca = reqwest::Certificate::from_pem(cfg.tls.ca_data.as_deref().expect("CA in config"))
        .expect("CA parses");
    let mut pem = cfg.tls.cert_data.clone().expect("client cert in config");
    pem.extend_from_slice(
        cfg.tls
            .key_data
            .as_ref()
            .expect("client key")
            .expose()
            .as_bytes(),
    );
    let id = reqwest::Identity::from_pem(&pem).expect("identity parses");
    Client::builder()
        .use_rustls_tls()
        .add_root_certificate(ca)
        .identity(id)
        .build()
        .expect("client builds")
}

/// A client that trusts the CA but presents no certificate.
pub fn anonymous_client(server: &TestServer) -> Client {
    let ca = reqwest::Certificate::from_pem(server.ca_pem().expect("https").as_bytes())
        .expect("CA parses");
    Client::builder()
        .use_rustls_tls()
        .add_root_certificate(ca)
        .build()
        .expect("client builds")
}

/// Send a request and return (status, JSON body or Null).
pub async fn call(
    c: &Client,
    server: &TestServer,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    call_ct(c, server, method, path, body, "application/json").await
}

/// Like [`call`] with an explicit content type (for PATCH).
pub async fn call_ct(
    c: &Client,
    server: &TestServer,
    method: Method,
    path: &str,
    body: Option<Value>,
    content_type: &str,
) -> (StatusCode, Value) {
    let mut req = c.request(method, format!("{}{path}", server.base_url()));
    if let Some(b) = body {
        req = req
            .header("content-type", content_type)
            .body(serde_json::to_vec(&b).expect("json"));
    }
    let resp = req.send().await.expect("request is answered");
    let status = resp.status();
    let bytes = resp.bytes().await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// resourceVersion of an object as a number.
pub fn rv(obj: &Value) -> u64 {
    obj["metadata"]["resourceVersion"]
        .as_str()
        .expect("resourceVersion")
        .parse()
        .expect("numeric rv")
}

/// Read newline-delimited watch events from a streaming response until `n` arrived or the
/// stream ended.
pub async fn read_events(resp: reqwest::Response, n: usize) -> Vec<Value> {
    let mut resp = resp;
    let mut buf = Vec::new();
    let mut events = Vec::new();
    while events.len() < n {
        let chunk =
            match tokio::time::timeout(std::time::Duration::from_secs(10), resp.chunk()).await {
                Ok(Ok(Some(c))) => c,
                _ => break,
            };
        buf.extend_from_slice(&chunk);
        while let Some(pos) = buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buf.drain(..=pos).collect();
            events.push(serde_json::from_slice(&line).expect("event is JSON"));
        }
    }
    events
}

/// The directory of the real `kubectl` on PATH (the symlink followed): the versioned clients
/// (`kubectl.1.27` ... `kubectl.1.33`) sit beside it.
pub fn kubectl_dir() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    let kubectl = std::env::split_paths(&path)
        .map(|d| d.join("kubectl"))
        .find(|p| p.is_file())?;
    std::fs::canonicalize(kubectl)
        .ok()?
        .parent()
        .map(std::path::Path::to_path_buf)
}
