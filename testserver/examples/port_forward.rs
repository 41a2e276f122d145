//! Forward a local port to a pod's port, as `kubectl port-forward` does, with the generated
//! clientset.
//!
//! ```text
//! cargo run -p kubeclient-testserver --example port_forward                    # in-process demo
//! cargo run -p kubeclient-testserver --example port_forward -- NAMESPACE POD LOCAL:REMOTE
//! ```
//!
//! Without arguments it starts the test server with its local kubelet, maps the pod's port 80
//! to a tiny HTTP server of its own, forwards a local port there and fetches a page through
//! it. With arguments it uses your kubeconfig and forwards until interrupted. The WebSocket
//! protocol spoken is the kubelet's `v4.channel.k8s.io` port-forward (one forward per
//! connection), which kube-apiserver passes through.

use kubeclient::api::core::v1::{Container, Pod, PodSpec};
use kubeclient::meta::v1::{CreateOptions, ObjectMeta};
use kubeclient::Clientset;
use kubeclient_testserver::kubelet::LocalKubelet;
use kubeclient_testserver::TestServer;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = if args.is_empty() {
        demo().await
    } else {
        forward(&args).await
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("port_forward: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `NAMESPACE POD LOCAL:REMOTE` against the cluster of the kubeconfig, until Ctrl-C.
async fn forward(args: &[String]) -> Result<(), Error> {
    let usage = "usage: port_forward NAMESPACE POD LOCAL_PORT:POD_PORT";
    let [ns, pod, ports] = args else {
        return Err(usage.into());
    };
    let (local, remote) = ports.split_once(':').ok_or(usage)?;
    let (local, remote): (u16, u16) = (local.parse()?, remote.parse()?);
    let cs = Clientset::new(kubeclient::clientcmd::load_default()?)?;
    let listener = TcpListener::bind(("127.0.0.1", local)).await?;
    let forward = cs.core_v1().pods(ns).forward_local(pod, listener, remote)?;
    println!("Forwarding from {} -> {remote}", forward.local_addr());
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// The in-process demo.
async fn demo() -> Result<(), Error> {
    // The "pod's" port 80: answers every connection with a small HTTP response.
    let web = TcpListener::bind("127.0.0.1:0").await?;
    let web_addr = web.local_addr()?;
    tokio::spawn(async move {
        while let Ok((mut s, _)) = web.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await;
                let body = "hello through port-forward\n";
                let reply = format!(
                    "HTTP/1.0 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(reply.as_bytes()).await;
            });
        }
    });
    let root = std::env::temp_dir().join(format!("kubeclient-pf-example-{}", std::process::id()));
    let kubelet = LocalKubelet::new(&root).map_port(80, web_addr);
    let server = TestServer::builder()
        .kubelet(Arc::new(kubelet))
        .start()
        .await?;
    let cs = Clientset::new(server.config())?;
    let pods = cs.core_v1().pods("default");
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some("web".into()),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: "web".into(),
                image: Some("nginx".into()),
                ..Default::default()
            }],
            ..Default::default()
        }),
        ..Default::default()
    };
    pods.create(&pod, &CreateOptions::default()).await?;

    let forward = pods.forward_local("web", TcpListener::bind("127.0.0.1:0").await?, 80)?;
    println!(
        "Forwarding from {} -> 80 of pod default/web",
        forward.local_addr()
    );
    let mut conn = TcpStream::connect(forward.local_addr()).await?;
    conn.write_all(b"GET / HTTP/1.0\r\n\r\n").await?;
    let mut reply = String::new();
    conn.read_to_string(&mut reply).await?;
    print!("{reply}");
    let _ = std::fs::remove_dir_all(&root);
    Ok(())
}
