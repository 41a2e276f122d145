//! `pods/portforward` through the generated clientset against the test server's local kubelet:
//! 100 MB from a pod's port and 16 MB to another over one forward without loss, a port nothing
//! listens on, and a local listener forwarding each connection as `kubectl port-forward` does.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::api::core::v1::{Container, Pod, PodSpec};
use kubeclient::meta::v1::{CreateOptions, ObjectMeta};
use kubeclient::Clientset;
use kubeclient_testserver::kubelet::LocalKubelet;
use kubeclient_testserver::TestServer;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The byte at offset `i` of the test streams: not periodic at any power of two.
fn byte_at(i: u64) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 13) as u8
}

/// FNV-1a over everything read from `r`, and the count.
async fn digest(mut r: impl tokio::io::AsyncRead + Unpin) -> (u64, u64) {
    let (mut hash, mut count) = (0xcbf2_9ce4_8422_2325u64, 0u64);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = r.read(&mut buf).await.unwrap();
        if n == 0 {
            return (hash, count);
        }
        for b in &buf[..n] {
            hash = (hash ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
        count += n as u64;
    }
}

fn expected_digest(len: u64) -> (u64, u64) {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for i in 0..len {
        hash = (hash ^ u64::from(byte_at(i))).wrapping_mul(0x100_0000_01b3);
    }
    (hash, len)
}

/// A "pod port": sends `len` test bytes to each connection, then closes.
async fn sender(len: u64) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let mut sent = 0u64;
                while sent < len {
                    let n = (len - sent).min(buf.len() as u64) as usize;
                    for (k, b) in buf[..n].iter_mut().enumerate() {
                        *b = byte_at(sent + k as u64);
                    }
                    s.write_all(&buf[..n]).await.unwrap();
                    sent += n as u64;
                }
                s.shutdown().await.unwrap();
            });
        }
    });
    addr
}

/// A "pod port": reads `len` bytes, answers with their digest as text, then closes.
async fn receiver(len: u64) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (r, mut w) = s.into_split();
                let (hash, count) = digest(r.take(len)).await;
                w.write_all(format!("{hash:x} {count}").as_bytes())
                    .await
                    .unwrap();
                w.shutdown().await.unwrap();
            });
        }
    });
    addr
}

async fn server(kubelet: LocalKubelet) -> (TestServer, Clientset) {
    let server = TestServer::builder()
        .kubelet(Arc::new(kubelet))
        .start()
        .await
        .unwrap();
    let cs = Clientset::new(server.config()).unwrap();
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some("web".into()),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: "main".into(),
                image: Some("nginx".into()),
                ..Default::default()
            }],
            ..Default::default()
        }),
        ..Default::default()
    };
    cs.core_v1()
        .pods("default")
        .create(&pod, &CreateOptions::default())
        .await
        .unwrap();
    (server, cs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwards_100_mb_out_and_16_mb_in_without_loss() {
    const DOWN: u64 = 100 * 1000 * 1000;
    const UP: u64 = 16 * 1024 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let kubelet = LocalKubelet::new(dir.path())
        .map_port(8080, sender(DOWN).await)
        .map_port(9090, receiver(UP).await);
    let (_server, cs) = server(kubelet).await;
    let pods = cs.core_v1().pods("default");
    let mut forward = pods.port_forward("web", &[8080, 9090]).await.unwrap();
    let down = forward.take_stream(8080).unwrap();
    let mut up = forward.take_stream(9090).unwrap();
    assert_eq!((down.port(), up.port()), (8080, 9090));
    let upload = async {
        let mut buf = vec![0u8; 64 * 1024];
        let mut sent = 0u64;
        while sent < UP {
            let n = (UP - sent).min(buf.len() as u64) as usize;
            for (k, b) in buf[..n].iter_mut().enumerate() {
                *b = byte_at(sent + k as u64);
            }
            up.write_all(&buf[..n]).await.unwrap();
            sent += n as u64;
        }
        let mut answer = String::new();
        up.read_to_string(&mut answer).await.unwrap();
        answer
    };
    let (got_down, answer) = tokio::join!(digest(down), upload);
    assert_eq!(got_down, expected_digest(DOWN));
    let (hash, count) = expected_digest(UP);
    assert_eq!(answer, format!("{hash:x} {count}"));
    forward.join().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_nothing_listens_on_is_reported() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let dir = tempfile::tempdir().unwrap();
    let (_server, cs) = server(LocalKubelet::new(dir.path()).map_port(7, addr)).await;
    let pods = cs.core_v1().pods("default");
    let mut forward = pods.port_forward("web", &[7]).await.unwrap();
    let mut stream = forward.take_stream(7).unwrap();
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).await.unwrap();
    assert!(rest.is_empty());
    let e = forward.join().await.unwrap_err();
    assert!(
        e.to_string().contains("port 7: error forwarding port 7"),
        "{e}"
    );
    // Refusals before the upgrade are the server's Status.
    let e = pods.port_forward("gone", &[80]).await.unwrap_err();
    assert!(e.to_string().contains("not found"), "{e}");
    let e = pods.port_forward("web", &[]).await.unwrap_err();
    assert!(
        matches!(e, kubeclient::rest::Error::InvalidRequest(_)),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_listener_forwards_every_connection() {
    const LEN: u64 = 3 * 1024 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let (_server, cs) = server(LocalKubelet::new(dir.path()).map_port(80, sender(LEN).await)).await;
    let pods = cs.core_v1().pods("default");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let local = pods.forward_local("web", listener, 80).unwrap();
    let addr = local.local_addr();
    let (a, b) = tokio::join!(
        async { digest(TcpStream::connect(addr).await.unwrap()).await },
        async { digest(TcpStream::connect(addr).await.unwrap()).await },
    );
    assert_eq!(a, expected_digest(LEN));
    assert_eq!(b, expected_digest(LEN));
}
