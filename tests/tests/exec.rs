//! `pods/exec` through the generated clientset: stdin, stdout, stderr and exit codes against the
//! test server's local kubelet, large streams without loss, and the errors a refused session
//! gives (on both servers where both can answer).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::api::core::v1::{Container, Pod, PodSpec};
use kubeclient::meta::v1::{CreateOptions, ObjectMeta};
use kubeclient::remotecommand::{protocol, ExecOptions, TerminalSize};
use kubeclient::rest::Error;
use kubeclient::Clientset;
use kubeclient_tests::on_both_servers;
use kubeclient_tests::servers::Server;
use kubeclient_testserver::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn pod(name: &str, containers: &[&str]) -> Pod {
    Pod {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: containers
                .iter()
                .map(|c| Container {
                    name: (*c).into(),
                    image: Some("busybox".into()),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A test server whose pods' commands run here, in `dir`, with pod `web` (one container) in
/// `default`.
async fn local_server(dir: &std::path::Path) -> (TestServer, Clientset) {
    let server = TestServer::builder()
        .local_kubelet(dir)
        .start()
        .await
        .expect("server starts");
    let cs = Clientset::new(server.config()).expect("clientset");
    cs.core_v1()
        .pods("default")
        .create(&pod("web", &["main"]), &CreateOptions::default())
        .await
        .expect("pod created");
    (server, cs)
}

fn sh(script: &str) -> ExecOptions {
    ExecOptions::command(["sh", "-c", script])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_returns_stdout_stderr_and_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, cs) = local_server(dir.path()).await;
    let pods = cs.core_v1().pods("default");
    let process = pods
        .exec("web", &sh("echo out; echo err >&2; exit 3"))
        .await
        .unwrap();
    assert_eq!(process.protocol(), protocol::V5);
    let out = process.output().await.unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "out\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
    assert_eq!(out.status.code(), 3);
    assert!(!out.status.success());
    let e = out.status.exit_ok().unwrap_err();
    assert!(e.to_string().contains("exit code 3"), "{e}");

    let ok = pods.exec("web", &sh("true")).await.unwrap().wait().await;
    assert!(ok.unwrap().success());
    // The command runs in the container's own directory.
    let pwd = pods.exec("web", &sh("pwd")).await.unwrap().output().await;
    let pwd = String::from_utf8(pwd.unwrap().stdout).unwrap();
    assert_eq!(
        std::path::Path::new(pwd.trim()),
        dir.path().join("default/web/main")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdin_reaches_the_command_and_closing_it_ends_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, cs) = local_server(dir.path()).await;
    let pods = cs.core_v1().pods("default");
    let mut process = pods
        .exec(
            "web",
            &ExecOptions::command(["sh", "-c", "cat; echo done >&2"]).stdin(true),
        )
        .await
        .unwrap();
    let mut stdin = process.stdin().unwrap();
    let mut stdout = process.stdout().unwrap();
    let mut stderr = process.stderr().unwrap();
    // A resize on a session without a terminal is accepted and ignored, as the kubelet does.
    process
        .resize(TerminalSize {
            width: 80,
            height: 24,
        })
        .await
        .unwrap();
    stdin.write_all(b"hello\nworld\n").await.unwrap();
    stdin.shutdown().await.unwrap();
    let mut out = String::new();
    stdout.read_to_string(&mut out).await.unwrap();
    let mut err = String::new();
    stderr.read_to_string(&mut err).await.unwrap();
    assert_eq!((out.as_str(), err.as_str()), ("hello\nworld\n", "done\n"));
    assert_eq!(process.wait().await.unwrap().code(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_streams_cross_both_ways_without_loss() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, cs) = local_server(dir.path()).await;
    let pods = cs.core_v1().pods("default");
    // 8 MiB in through stdin, counted and checksummed on the other side.
    let data: Vec<u8> = (0..8 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let mut process = pods
        .exec("web", &ExecOptions::command(["cksum"]).stdin(true))
        .await
        .unwrap();
    let mut stdin = process.stdin().unwrap();
    let input = data.clone();
    let writer = tokio::spawn(async move {
        stdin.write_all(&input).await.unwrap();
        stdin.shutdown().await.unwrap();
    });
    let out = process.output().await.unwrap();
    writer.await.unwrap();
    let expected = {
        let mut local = tokio::process::Command::new("cksum")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut pipe = local.stdin.take().unwrap();
        let input = data.clone();
        tokio::spawn(async move { pipe.write_all(&input).await.unwrap() });
        local.wait_with_output().await.unwrap().stdout
    };
    assert_eq!(out.stdout, expected);
    // 8 MiB out through stdout.
    let out = pods
        .exec("web", &sh("head -c 8388608 /dev/zero"))
        .await
        .unwrap()
        .output()
        .await
        .unwrap();
    assert_eq!(out.stdout.len(), 8 * 1024 * 1024);
    assert!(out.stdout.iter().all(|b| *b == 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_sessions_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, cs) = local_server(dir.path()).await;
    let pods = cs.core_v1().pods("default");
    let api = |e: Error| match e {
        Error::Api(s) => (s.code.unwrap_or_default(), s.message.unwrap_or_default()),
        other => panic!("expected an API error, got {other}"),
    };
    // Before the upgrade: the server's Status, as for any request.
    let e = pods
        .exec("web", &sh("true").container("nope"))
        .await
        .unwrap_err();
    assert_eq!(
        api(e),
        (400, "container nope is not valid for pod web".to_owned())
    );
    let e = pods.exec("gone", &sh("true")).await.unwrap_err();
    assert_eq!(api(e), (404, "pods \"gone\" not found".to_owned()));
    // A command that cannot start: the kubelet's failure on the error channel.
    let e = pods
        .exec("web", &ExecOptions::command(["no-such-binary-here"]))
        .await
        .unwrap()
        .wait()
        .await
        .unwrap_err();
    let (code, message) = api(e);
    assert_eq!(code, 500);
    assert!(message.contains("no-such-binary-here"), "{message}");
    // A pod that has finished cannot run anything.
    let mut done = pod("done", &["main"]);
    done.metadata.name = Some("done".into());
    let created = pods.create(&done, &CreateOptions::default()).await.unwrap();
    let mut finished = created.clone();
    finished.status = Some(kubeclient::api::core::v1::PodStatus {
        phase: Some("Succeeded".into()),
        ..Default::default()
    });
    pods.update_status(&finished, &Default::default())
        .await
        .unwrap();
    let e = pods.exec("done", &sh("true")).await.unwrap_err();
    let (code, message) = api(e);
    assert_eq!(code, 400);
    assert!(message.contains("not running"), "{message}");
    // A client-side mistake never reaches the server.
    let e = pods.exec("web", &ExecOptions::default()).await.unwrap_err();
    assert!(matches!(e, Error::InvalidRequest(_)), "{e}");
}

on_both_servers!(a_pod_without_a_node_cannot_exec);

/// What kube-apiserver answers when no node runs the pod (the test server without a kubelet
/// answers the same); the container check comes first.
async fn a_pod_without_a_node_cannot_exec(s: Server) {
    let ns = s.namespace("exec").await;
    let cs = Clientset::new(s.config()).unwrap();
    let pods = cs.core_v1().pods(&ns);
    pods.create(&pod("idle", &["a", "b"]), &CreateOptions::default())
        .await
        .unwrap();
    let status = |e: Error| match e {
        Error::Api(s) => (s.code.unwrap_or_default(), s.message.unwrap_or_default()),
        other => panic!("expected an API error, got {other}"),
    };
    let e = pods.exec("idle", &sh("true")).await.unwrap_err();
    assert_eq!(
        status(e),
        (
            400,
            "a container name must be specified for pod idle, choose one of: [a b]".to_owned()
        )
    );
    let e = pods
        .exec("idle", &sh("true").container("a"))
        .await
        .unwrap_err();
    assert_eq!(
        status(e),
        (400, "pod idle does not have a host assigned".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_stdin_closes_it_after_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, cs) = local_server(dir.path()).await;
    let pods = cs.core_v1().pods("default");
    let mut process = pods
        .exec("web", &ExecOptions::command(["cat"]).stdin(true))
        .await
        .unwrap();
    let mut stdin = process.stdin().unwrap();
    stdin.write_all(b"last words").await.unwrap();
    drop(stdin);
    let out = process.output().await.unwrap();
    assert_eq!(
        (out.stdout.as_slice(), out.status.code()),
        (&b"last words"[..], 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_talks_to_the_containers_main_process() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, cs) = local_server(dir.path()).await;
    let pods = cs.core_v1().pods("default");
    let mut p = pod("talk", &["main"]);
    if let Some(c) = p.spec.as_mut().and_then(|s| s.containers.first_mut()) {
        c.command = Some(vec!["sh".into(), "-c".into()]);
        c.args = Some(vec![
            "while read l; do echo got $l; done; echo bye >&2; exit 4".into(),
        ]);
        c.stdin = Some(true);
        c.stdin_once = Some(true);
    }
    pods.create(&p, &CreateOptions::default()).await.unwrap();
    let opts = kubeclient::remotecommand::AttachOptions {
        stdin: true,
        stdout: true,
        stderr: true,
        ..Default::default()
    };
    let mut process = pods.attach("talk", &opts).await.unwrap();
    let mut stdin = process.stdin().unwrap();
    stdin.write_all(b"one\ntwo\n").await.unwrap();
    stdin.shutdown().await.unwrap();
    let out = process.output().await.unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "got one\ngot two\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "bye\n");
    assert_eq!(out.status.code(), 4);
    // The main process's output is the container's log.
    let log = pods
        .logs("talk", &kubeclient::client::LogOptions::default())
        .await
        .unwrap();
    assert!(log.contains("got two") && log.contains("bye"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_session_takes_resizes() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, cs) = local_server(dir.path()).await;
    let pods = cs.core_v1().pods("default");
    let opts = ExecOptions::command(["sh", "-c", "while read x; do stty size; done"])
        .stdin(true)
        .tty(true);
    assert!(!opts.stderr);
    let mut process = pods.exec("web", &opts).await.unwrap();
    let mut stdin = process.stdin().unwrap();
    let mut stdout = process.stdout().unwrap();
    process
        .resize(TerminalSize {
            width: 100,
            height: 30,
        })
        .await
        .unwrap();
    // Ask until the size has arrived (the resize and stdin travel separately).
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    for _ in 0..100 {
        stdin.write_all(b"x\n").await.unwrap();
        let n = stdout.read(&mut buf).await.unwrap();
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        if seen.contains("30 100") {
            break;
        }
    }
    assert!(seen.contains("30 100"), "{seen}");
    // On a terminal, end of input is ^D, not a closed stream.
    stdin.write_all(b"\x04").await.unwrap();
    drop(stdout);
    assert_eq!(process.wait().await.unwrap().code(), 0);
}
