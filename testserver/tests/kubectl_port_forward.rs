//! `kubectl port-forward` against the test server with the local kubelet: kubectl 1.31 and
//! newer tunnel SPDY inside a WebSocket, older ones upgrade straight to SPDY; every kubectl on
//! the machine fetches from an HTTP server "in the pod" (on this host, as the local kubelet
//! forwards pod port P to 127.0.0.1:P), over several connections, a megabyte each. Skipped
//! with a message when kubectl is missing, except on CI. The same server answers through
//! `pods/{name}:{port}/proxy` too.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod common;

use kubeclient_testserver::TestServer;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const BODY_BYTES: usize = 1024 * 1024;

fn found(program: &Path) -> bool {
    Command::new(program)
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn body() -> Vec<u8> {
    (0..BODY_BYTES).map(|i| (i % 251) as u8).collect()
}

/// A tiny HTTP server answering every request with [`body`].
async fn http_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut req = Vec::new();
                let mut buf = [0u8; 1024];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {BODY_BYTES}\r\nConnection: close\r\n\r\n"
                );
                let _ = conn.write_all(head.as_bytes()).await;
                let _ = conn.write_all(&body()).await;
                let _ = conn.shutdown().await;
            });
        }
    });
    port
}

/// GET / through `port` and return the body.
async fn fetch(port: u16) -> Vec<u8> {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    conn.write_all(b"GET / HTTP/1.1\r\nHost: pod\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut all = Vec::new();
    conn.read_to_end(&mut all).await.unwrap();
    let at = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers")
        + 4;
    all.split_off(at)
}

/// GET / through `port` with curl, the body.
async fn curl(port: u16) -> Vec<u8> {
    let url = format!("http://127.0.0.1:{port}/");
    let out = tokio::task::spawn_blocking(move || {
        Command::new("curl")
            .args(["-sS", "--max-time", "60", &url])
            .output()
    })
    .await
    .unwrap();
    let Some(out) = kubeclient_test_support::require(out.ok(), "curl on PATH") else {
        return fetch(port).await;
    };
    assert!(
        out.status.success(),
        "curl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every kubectl found: the default one and the versioned ones beside it.
fn kubectls() -> Vec<PathBuf> {
    let default = PathBuf::from("kubectl");
    if kubeclient_test_support::require(found(&default).then_some(()), "kubectl on PATH").is_none()
    {
        return Vec::new();
    }
    let mut all = vec![default];
    let dir = common::kubectl_dir();
    if let Some(dir) = dir {
        for v in 27..=33 {
            let p = dir.join(format!("kubectl.1.{v}"));
            if found(&p) {
                all.push(p);
            }
        }
    }
    all
}

/// Run the default kubectl against `server` to success; its stdout.
fn kubectl(server: &TestServer, args: &[&str]) -> Vec<u8> {
    let out = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(server.kubeconfig_path())
        .args(args)
        .env_remove("KUBECONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A running `kubectl port-forward`, killed on drop.
struct Forward(std::process::Child);

impl Drop for Forward {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `kubectl port-forward pod/web :P` and return it with the local port it chose.
async fn port_forward(kubectl: &Path, server: &TestServer, pod_port: u16) -> (Forward, u16) {
    let mut child = Command::new(kubectl)
        .arg("--kubeconfig")
        .arg(server.kubeconfig_path())
        .args(["port-forward", "pod/web", &format!(":{pod_port}")])
        .env_remove("KUBECONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("kubectl starts");
    let stdout = child.stdout.take().unwrap();
    let forward = Forward(child);
    // Keep reading kubectl's stdout after the first line: a closed pipe would kill it with
    // SIGPIPE at its next "Handling connection" line.
    let (first_tx, first_rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let _ = first_tx.send(lines.next().and_then(Result::ok).unwrap_or_default());
        for _ in lines {}
    });
    let line = tokio::time::timeout(std::time::Duration::from_secs(60), first_rx)
        .await
        .expect("kubectl says where it listens")
        .unwrap();
    // "Forwarding from 127.0.0.1:40123 -> 8080"
    let local = line
        .split_whitespace()
        .nth(2)
        .and_then(|a| a.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{kubectl:?}: unexpected first line {line:?}"));
    (forward, local)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_port_forward_carries_http_for_every_kubectl() {
    let kubectls = kubectls();
    if kubectls.is_empty() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::builder()
        .local_kubelet(dir.path())
        .start()
        .await
        .expect("server starts");
    kubectl(
        &server,
        &["run", "web", "--image=busybox", "--restart=Never"],
    );
    // kubectl forwards only to a running pod; the test server has no kubelet status loop.
    kubectl(
        &server,
        &[
            "patch",
            "pod",
            "web",
            "--subresource=status",
            "--type=merge",
            "-p",
            r#"{"status":{"phase":"Running"}}"#,
        ],
    );
    let pod_port = http_server().await;
    for kubectl in kubectls {
        let (_forward, local) = port_forward(&kubectl, &server, pod_port).await;
        // Several connections: each is a new pair of streams on the same SPDY session. The
        // first is curl's, as a person would try it.
        for round in 0..3 {
            let got = if round == 0 {
                curl(local).await
            } else {
                fetch(local).await
            };
            assert!(
                got == body(),
                "{kubectl:?} round {round}: {} bytes",
                got.len()
            );
        }
    }
    // The same server through the API server's pod proxy.
    let path = format!("/api/v1/namespaces/default/pods/web:{pod_port}/proxy/");
    let through_proxy = kubectl(&server, &["get", "--raw", &path]);
    assert!(
        through_proxy == body(),
        "{} bytes through the proxy",
        through_proxy.len()
    );
}
