//! The proxy subresources the spec declares (pods, services, nodes) as typed request builders:
//! where they point, and a real round trip through the test server's local kubelet to an HTTP
//! server on this host (a kubelet-less real cluster has no pod to reach).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::api::core::v1::{Pod, Service};
use kubeclient::meta::v1::CreateOptions;
use kubeclient::rest::{Config, Error};
use kubeclient::Clientset;
use kubeclient_testserver::kubelet::LocalKubelet;
use kubeclient_testserver::TestServer;
use reqwest::Method;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[test]
fn proxy_requests_address_the_object_and_path() {
    let cs = Clientset::new(Config::new("https://10.0.0.1:6443")).unwrap();
    let core = cs.core_v1();
    let url = |r: kubeclient::rest::Request| r.url().unwrap().to_string();
    assert_eq!(
        url(core.pods("ns").proxy(Method::GET, "web:8080", "/metrics")),
        "https://10.0.0.1:6443/api/v1/namespaces/ns/pods/web:8080/proxy/metrics"
    );
    assert_eq!(
        url(core
            .services("ns")
            .proxy(Method::POST, "https:api:443", "v1/items")
            .param("dry", "true")),
        "https://10.0.0.1:6443/api/v1/namespaces/ns/services/https:api:443/proxy/v1/items?dry=true"
    );
    assert_eq!(
        url(core.nodes().proxy(Method::GET, "node-1", "")),
        "https://10.0.0.1:6443/api/v1/nodes/node-1/proxy"
    );
    // Path segments are escaped, never interpreted.
    assert_eq!(
        url(core.nodes().proxy(Method::GET, "node-1", "logs/a b?c")),
        "https://10.0.0.1:6443/api/v1/nodes/node-1/proxy/logs/a%20b%3Fc"
    );
    // `..` cannot climb out of the proxy into another API path.
    let escape = core
        .nodes()
        .proxy(Method::GET, "node-1", "../../namespaces/x/secrets");
    assert!(escape.url().is_ok());
    let sent = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(escape.do_raw());
    assert!(
        matches!(sent, Err(kubeclient::rest::Error::InvalidRequest(_))),
        "{sent:?}"
    );
}

/// A "pod port" speaking HTTP/1.1: answers each request with what it received (method, target,
/// one header and the body), `404` for `/missing`.
async fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (r, mut w) = s.into_split();
                let mut r = BufReader::new(r);
                let mut line = String::new();
                r.read_line(&mut line).await.unwrap();
                let request_line = line.trim_end().to_owned();
                let (mut length, mut test_header, mut authorization) = (0, String::new(), false);
                loop {
                    line.clear();
                    r.read_line(&mut line).await.unwrap();
                    let header = line.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    let (name, value) = header.split_once(':').unwrap();
                    match name.to_ascii_lowercase().as_str() {
                        "content-length" => length = value.trim().parse().unwrap(),
                        "x-test" => test_header = value.trim().to_owned(),
                        "authorization" => authorization = true,
                        _ => {}
                    }
                }
                let mut body = vec![0u8; length];
                r.read_exact(&mut body).await.unwrap();
                let status = if request_line.contains(" /missing ") {
                    "404 Not Found"
                } else {
                    "200 OK"
                };
                let answer = format!(
                    "{request_line}\nx-test={test_header}\nauthorization={authorization}\nbody={}",
                    String::from_utf8_lossy(&body)
                );
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\nx-backend: echo\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    answer.len()
                );
                w.write_all(head.as_bytes()).await.unwrap();
                w.write_all(answer.as_bytes()).await.unwrap();
                w.shutdown().await.unwrap();
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_reaches_a_pod_port_and_a_service_through_the_test_server() {
    let dir = tempfile::tempdir().unwrap();
    let backend = echo_server().await;
    let server = TestServer::builder()
        .kubelet(Arc::new(
            LocalKubelet::new(dir.path()).map_port(8080, backend),
        ))
        .start()
        .await
        .unwrap();
    let cs = Clientset::new(server.config()).unwrap();
    let pod: Pod = serde_json::from_value(json!({
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "main", "image": "nginx",
            "ports": [{"name": "http", "containerPort": 8080}]}]}}))
    .unwrap();
    let pods = cs.core_v1().pods("default");
    pods.create(&pod, &CreateOptions::default()).await.unwrap();

    // GET by port number, with a query and a path needing escapes.
    let got = pods.proxy_get("web:8080", "/files/a b").await.unwrap();
    let got = String::from_utf8(got.to_vec()).unwrap();
    assert!(got.starts_with("GET /files/a%20b HTTP/1.1\n"), "{got}");
    // The client's credentials stay with the API server.
    assert!(got.contains("authorization=false"), "{got}");
    // POST by port name, with a body and a query.
    let posted = pods
        .proxy(Method::POST, "web:http", "/submit")
        .param("dry", "yes")
        .body_bytes("text/plain", "hello pod")
        .do_raw()
        .await
        .unwrap();
    let posted = String::from_utf8(posted.to_vec()).unwrap();
    assert!(
        posted.starts_with("POST /submit?dry=yes HTTP/1.1\n"),
        "{posted}"
    );
    assert!(posted.ends_with("body=hello pod"), "{posted}");
    // The backend's own error status comes back as it is.
    let missing = pods.proxy_get("web:8080", "/missing").await.unwrap_err();
    assert_eq!(
        missing.status().and_then(|s| s.code),
        Some(404),
        "{missing}"
    );

    // A service: its selector picks the pod, its named targetPort the container port.
    let service: Service = serde_json::from_value(json!({
        "metadata": {"name": "front"},
        "spec": {"selector": {"app": "web"},
            "ports": [{"name": "web", "port": 80, "targetPort": "http"}]}}))
    .unwrap();
    let services = cs.core_v1().services("default");
    services
        .create(&service, &CreateOptions::default())
        .await
        .unwrap();
    let via_service = services.proxy_get("front:web", "/through").await.unwrap();
    let via_service = String::from_utf8(via_service.to_vec()).unwrap();
    assert!(
        via_service.starts_with("GET /through HTTP/1.1\n"),
        "{via_service}"
    );

    // Nothing listens: 503, as kube-apiserver says when it cannot reach the backend.
    let closed = pods.proxy_get("web:1", "/").await.unwrap_err();
    assert!(closed.is_service_unavailable(), "{closed}");
    assert!(matches!(&closed, Error::Api(_)), "{closed:?}");
    // A service selecting no pod has no endpoints.
    let lonely: Service = serde_json::from_value(json!({
        "metadata": {"name": "lonely"},
        "spec": {"selector": {"app": "none"}, "ports": [{"port": 80}]}}))
    .unwrap();
    services
        .create(&lonely, &CreateOptions::default())
        .await
        .unwrap();
    let none = services.proxy_get("lonely", "/").await.unwrap_err();
    assert!(none.is_service_unavailable(), "{none}");
    // A pod that does not exist.
    let gone = pods.proxy_get("nope:8080", "/").await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
}
