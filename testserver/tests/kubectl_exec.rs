//! kubectl exec, attach and cp against the test server with the local kubelet (kubectl 1.30 and
//! newer speak WebSocket for exec, older ones SPDY): stdout, stderr, stdin, exit codes, a
//! terminal, and files and directories copied both ways (kubectl cp is tar over exec). Skipped with a message when kubectl or tar
//! is missing, except on CI.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod common;

use kubeclient_testserver::TestServer;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn found(program: &Path) -> bool {
    Command::new(program)
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// kubectl and tar, or `None` after saying which is missing.
fn tools() -> Option<PathBuf> {
    let kubectl = PathBuf::from("kubectl");
    kubeclient_test_support::require(found(&kubectl).then_some(()), "kubectl on PATH")?;
    let tar = Command::new("tar").arg("--version").output();
    kubeclient_test_support::require(tar.ok().filter(|o| o.status.success()), "tar on PATH")?;
    Some(kubectl)
}

/// A server with the local kubelet in `dir` and pod `web` (container `main`).
async fn server(dir: &Path) -> TestServer {
    let server = TestServer::builder()
        .local_kubelet(dir)
        .start()
        .await
        .expect("server starts");
    let kubectl = Kubectl::new(PathBuf::from("kubectl"), &server);
    let out = kubectl
        .run(
            &[
                "run",
                "web",
                "--image=busybox",
                "--restart=Never",
                "--overrides",
                r#"{"spec":{"containers":[{"name":"main","image":"busybox"}]}}"#,
            ],
            None,
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    server
}

struct Kubectl {
    program: PathBuf,
    kubeconfig: PathBuf,
    cwd: PathBuf,
}

impl Kubectl {
    fn new(program: PathBuf, server: &TestServer) -> Self {
        Kubectl {
            program,
            kubeconfig: server.kubeconfig_path().to_path_buf(),
            cwd: std::env::temp_dir(),
        }
    }

    fn in_dir(mut self, dir: &Path) -> Self {
        self.cwd = dir.to_path_buf();
        self
    }

    /// Run to completion on a blocking thread (the server runs on this runtime).
    async fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Output {
        let mut cmd = Command::new(&self.program);
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .current_dir(&self.cwd)
            .env_remove("KUBECONFIG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let input = stdin.map(<[u8]>::to_vec);
        tokio::task::spawn_blocking(move || {
            let mut child = cmd.spawn().expect("kubectl starts");
            let pipe = child.stdin.take();
            if let (Some(bytes), Some(mut pipe)) = (input, pipe) {
                pipe.write_all(&bytes).expect("stdin written");
            }
            child.wait_with_output().expect("kubectl finishes")
        })
        .await
        .expect("blocking task")
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_exec_streams_and_exit_codes() {
    let Some(program) = tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let server = server(dir.path()).await;
    let kubectl = Kubectl::new(program, &server);

    let out = kubectl
        .run(
            &[
                "exec",
                "web",
                "--",
                "sh",
                "-c",
                "echo out; echo err >&2; exit 3",
            ],
            None,
        )
        .await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "out\n");
    assert!(
        text(&out.stderr).starts_with("err\n"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("command terminated with exit code 3"),
        "{}",
        text(&out.stderr)
    );

    // stdin with -i: the command sees its end (v5 closes stdin).
    let out = kubectl
        .run(
            &["exec", "-i", "web", "--", "sh", "-c", "cat; echo done"],
            Some(b"hello\n"),
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "hello\ndone\n");

    // An unknown container is refused before the upgrade, with the API server's message.
    let out = kubectl
        .run(&["exec", "web", "-c", "nope", "--", "true"], None)
        .await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("container nope is not valid for pod web"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_cp_copies_files_and_directories_both_ways() {
    let Some(program) = tools() else { return };
    let kubelet = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = server(kubelet.path()).await;
    let kubectl = Kubectl::new(program, &server).in_dir(work.path());
    let container = kubelet.path().join("default/web/main");

    // A file into the container's working directory and back.
    let payload: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(work.path().join("up.bin"), &payload).unwrap();
    let out = kubectl.run(&["cp", "up.bin", "web:data.bin"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(container.join("data.bin")).unwrap(), payload);
    let out = kubectl.run(&["cp", "web:data.bin", "down.bin"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(work.path().join("down.bin")).unwrap(),
        payload
    );

    // A directory tree, both ways.
    std::fs::create_dir_all(work.path().join("tree/sub")).unwrap();
    std::fs::write(work.path().join("tree/a.txt"), "a\n").unwrap();
    std::fs::write(work.path().join("tree/sub/b.txt"), "b\n").unwrap();
    let out = kubectl.run(&["cp", "tree", "web:copied"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(container.join("copied/sub/b.txt")).unwrap(),
        "b\n"
    );
    let out = kubectl.run(&["cp", "web:copied", "back"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(work.path().join("back/a.txt")).unwrap(),
        "a\n"
    );
    assert_eq!(
        std::fs::read_to_string(work.path().join("back/sub/b.txt")).unwrap(),
        "b\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_attach_reaches_the_main_process() {
    let Some(program) = tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let server = server(dir.path()).await;
    let kubectl = Kubectl::new(program, &server);
    let pod = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"talk"},"spec":{"containers":[
        {"name":"main","image":"busybox","stdin":true,"stdinOnce":true,
         "command":["sh","-c","while read l; do echo got $l; done; exit 4"]}]}}"#;
    let out = kubectl
        .run(&["create", "-f", "-"], Some(pod.as_bytes()))
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = kubectl
        .run(
            &["attach", "-i", "talk"],
            Some(
                b"one
two
",
            ),
        )
        .await;
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "got one
got two
"
    );
}

/// The versioned kubectl binaries (`kubectl.1.27` ...) beside the real one, or `None` after
/// saying they are missing.
fn versioned_kubectls(versions: &[&str]) -> Option<Vec<PathBuf>> {
    let Some(bin_dir) = common::kubectl_dir() else {
        kubeclient_test_support::missing("the directory of kubectl");
        return None;
    };
    let found: Vec<PathBuf> = versions
        .iter()
        .map(|v| bin_dir.join(format!("kubectl.{v}")))
        .filter(|p| found(p))
        .collect();
    if found.len() < versions.len() {
        kubeclient_test_support::missing(format!("kubectl.{versions:?} beside kubectl"));
        return None;
    }
    Some(found)
}

/// kubectl 1.27 to 1.33: exec and attach over SPDY (1.29 and older) and WebSocket (1.30 on),
/// with stdin, stdout, stderr kept apart, and the exit code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_versions_exec_and_attach_over_spdy_and_websocket() {
    let Some(program) = tools() else { return };
    let versions = ["1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33"];
    let Some(kubectls) = versioned_kubectls(&versions) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = server(dir.path()).await;
    for (i, v) in kubectls.into_iter().enumerate() {
        let kubectl = Kubectl::new(v.clone(), &server);
        let out = kubectl
            .run(
                &[
                    "exec",
                    "-i",
                    "web",
                    "--",
                    "sh",
                    "-c",
                    "cat; echo oops >&2; exit 7",
                ],
                Some(b"ping\n"),
            )
            .await;
        assert_eq!(out.status.code(), Some(7), "{v:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "ping\n", "{v:?}");
        assert!(
            text(&out.stderr).starts_with("oops\n"),
            "{v:?}: {}",
            text(&out.stderr)
        );
        // A large stdin comes back whole.
        let big: Vec<u8> = (0..300_000u32)
            .flat_map(|n| format!("{n}\n").into_bytes())
            .collect();
        let out = kubectl
            .run(&["exec", "-i", "web", "--", "cat"], Some(&big))
            .await;
        assert!(out.status.success(), "{v:?}: {}", text(&out.stderr));
        assert!(
            out.stdout == big,
            "{v:?}: {} of {} bytes back",
            out.stdout.len(),
            big.len()
        );

        let pod = format!(
            r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"talk-{i}"}},"spec":{{"containers":[
            {{"name":"main","image":"busybox","stdin":true,"stdinOnce":true,
             "command":["sh","-c","read l; echo got $l; exit 3"]}}]}}}}"#
        );
        // (kubectl 1.27 and 1.28 `create -f` want /openapi/v2 in protobuf, not served here.)
        let out = Kubectl::new(program.clone(), &server)
            .run(&["create", "-f", "-"], Some(pod.as_bytes()))
            .await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = kubectl
            .run(&["attach", "-i", &format!("talk-{i}")], Some(b"hi\n"))
            .await;
        assert_eq!(out.status.code(), Some(3), "{v:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "got hi\n", "{v:?}");
    }
}

/// A tmux server of this test's own (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn command(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    /// The pane's text once it contains every one of `wanted` (polled: the terminal fills as
    /// kubectl and the command run; the bound only stops a broken test).
    async fn wait_for(&self, wanted: &[&str]) -> String {
        self.wait_until(wanted, |screen| wanted.iter().all(|w| screen.contains(w)))
            .await
    }

    async fn wait_until(&self, wanted: &[&str], done: impl Fn(&str) -> bool) -> String {
        let mut screen = String::new();
        for _ in 0..300 {
            screen = text(&self.command(&["capture-pane", "-p", "-t", "t"]).stdout);
            if done(&screen) {
                return screen;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the terminal never showed {wanted:?}:\n{screen}");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command(&["kill-server"]);
    }
}

/// `exec -it` in tmux with the default kubectl (WebSocket) and kubectl 1.29 (SPDY, whose
/// terminal size travels on its own stream).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_exec_tty_in_a_real_terminal() {
    let Some(program) = tools() else { return };
    let tmux_found = Command::new("tmux").arg("-V").output();
    let Some(_) = kubeclient_test_support::require(
        tmux_found.ok().filter(|o| o.status.success()),
        "tmux on PATH",
    ) else {
        return;
    };
    let Some(old) = versioned_kubectls(&["1.29"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = server(dir.path()).await;
    for (i, kubectl) in [program].into_iter().chain(old).enumerate() {
        terminal_session(&server, &kubectl, i).await;
    }
}

async fn terminal_session(server: &TestServer, kubectl: &Path, i: usize) {
    let tmux = Tmux {
        socket: format!("kubeclient-exec-{}-{i}", std::process::id()),
    };
    let kubeconfig = server.kubeconfig_path().display().to_string();
    // The pane keeps kubectl's exit code on screen after it returns.
    let pane = format!(
        "{} --kubeconfig {kubeconfig} exec -it web -- sh; echo kubectl-exit=$?; sleep 600",
        kubectl.display()
    );
    let started = tmux.command(&[
        "new-session",
        "-d",
        "-s",
        "t",
        "-x",
        "120",
        "-y",
        "40",
        &pane,
    ]);
    assert!(started.status.success(), "{}", text(&started.stderr));
    // The shell's prompt, root's or another user's (tmux drops the trailing space).
    let prompt = ["#", "$"];
    tmux.wait_until(&prompt, |s| {
        s.lines()
            .any(|l| prompt.iter().any(|p| l.trim_end().ends_with(p)))
    })
    .await;
    tmux.command(&[
        "send-keys",
        "-t",
        "t",
        "stty size; tty; echo $((6*7))",
        "Enter",
    ]);
    // kubectl sent the terminal's size (40 rows, 120 columns); the shell has a terminal.
    let screen = tmux.wait_for(&["40 120", "/dev/pts/", "\n42"]).await;
    assert!(!screen.contains("not a tty"), "{kubectl:?}: {screen}");
    tmux.command(&["send-keys", "-t", "t", "exit 5", "Enter"]);
    tmux.wait_for(&["kubectl-exit=5"]).await;
}
