//! Token-file and exec-plugin credential sources, driven directly.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_runtime::clientcmd::{
    api::{ExecConfig, ExecEnvVar},
    ExecCredentialSource, TokenFileSource, EXEC_V1, EXEC_V1BETA1,
};
use kubeclient_runtime::rest::{CredentialSource, Credentials};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "kubeclient-clientcmd-cred-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}")).expect("write script");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    p
}

async fn bearer(source: &dyn CredentialSource) -> String {
    match source.credentials().await.expect("credentials") {
        Credentials::Bearer(t) => t.expose().to_owned(),
        other => panic!("expected a bearer token, got {other:?}"),
    }
}

#[tokio::test]
async fn token_file_rotation_is_picked_up() {
    let dir = scratch("rotation");
    let path = dir.join("token");
    std::fs::write(&path, "first\n").expect("write");
    let source = TokenFileSource::with_refresh(&path, Duration::from_millis(300));
    assert_eq!(bearer(&source).await, "first");
    std::fs::write(&path, "second\n").expect("rotate");
    // Still cached inside the refresh period.
    assert_eq!(bearer(&source).await, "first");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(bearer(&source).await, "second");
    // A 401 forces a re-read right away.
    std::fs::write(&path, "third\n").expect("rotate");
    source.invalidate();
    assert_eq!(bearer(&source).await, "third");
    // A vanished file keeps the last good token.
    std::fs::remove_file(&path).expect("rm");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(bearer(&source).await, "third");
    // Without any cached token, the error names the file, not a token.
    let fresh = TokenFileSource::new(&path);
    let err = fresh.credentials().await.expect_err("missing");
    assert!(err.to_string().contains("token"), "{err}");
    assert!(format!("{source:?}").contains("TokenFileSource"));
    assert!(!format!("{source:?}").contains("third"));
}

/// A plugin that counts its runs and issues `tok-<n>` valid for `$TTL` seconds.
fn counting_plugin(dir: &Path, api_version: &str) -> PathBuf {
    let count = dir.join("count");
    let info = dir.join("exec-info");
    let body = format!(
        r#"n=$(cat "{count}" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "{count}"
printf '%s' "$KUBERNETES_EXEC_INFO" > "{info}"
printf '%s ' "$@" > "{info}.args"
printf '%s' "$PLUGIN_ENV" > "{info}.env"
exp=$(date -u -d "+${{TTL:-3600}} seconds" +%Y-%m-%dT%H:%M:%SZ)
printf '{{"apiVersion":"{api_version}","kind":"ExecCredential","status":{{"token":"tok-%s","expirationTimestamp":"%s"}}}}' "$n" "$exp"
"#,
        count = count.display(),
        info = info.display(),
    );
    script(dir, "plugin", &body)
}

fn exec_config(command: &Path, api_version: &str, ttl: &str) -> ExecConfig {
    ExecConfig {
        command: command.to_string_lossy().into_owned(),
        args: Some(vec!["--flag".into(), "value".into()]),
        env: Some(vec![
            ExecEnvVar {
                name: "TTL".into(),
                value: ttl.into(),
                ..Default::default()
            },
            ExecEnvVar {
                name: "PLUGIN_ENV".into(),
                value: "from-kubeconfig".into(),
                ..Default::default()
            },
        ]),
        api_version: Some(api_version.into()),
        interactive_mode: Some("Never".into()),
        provide_cluster_info: true,
        ..Default::default()
    }
}

#[tokio::test]
async fn exec_tokens_are_cached_until_expiry_and_rerun_after_401() {
    let dir = scratch("exec-cache");
    let plugin = counting_plugin(&dir, EXEC_V1);
    let cluster =
        serde_json::json!({"server": "https://cluster.example", "config": {"audience": "x"}});
    let source = ExecCredentialSource::new(&exec_config(&plugin, EXEC_V1, "2"), Some(cluster))
        .expect("valid config");
    assert_eq!(bearer(&source).await, "tok-1");
    assert_eq!(bearer(&source).await, "tok-1", "cached while not expired");
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_eq!(bearer(&source).await, "tok-2", "re-run after expiry");
    source.invalidate();
    assert_eq!(bearer(&source).await, "tok-3", "re-run after a 401");

    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("exec-info")).expect("info")).expect("json");
    assert_eq!(info["apiVersion"], EXEC_V1);
    assert_eq!(info["kind"], "ExecCredential");
    assert_eq!(info["spec"]["interactive"], false);
    assert_eq!(info["spec"]["cluster"]["server"], "https://cluster.example");
    assert_eq!(info["spec"]["cluster"]["config"]["audience"], "x");
    let args = std::fs::read_to_string(dir.join("exec-info.args")).expect("args");
    assert_eq!(args.trim(), "--flag value");
    let env = std::fs::read_to_string(dir.join("exec-info.env")).expect("env");
    assert_eq!(env, "from-kubeconfig");
    let dbg = format!("{source:?}");
    assert!(
        !dbg.contains("tok-") && !dbg.contains("from-kubeconfig"),
        "{dbg}"
    );
}

#[tokio::test]
async fn exec_v1beta1_without_cluster_info() {
    let dir = scratch("exec-beta");
    let plugin = counting_plugin(&dir, EXEC_V1BETA1);
    let mut cfg = exec_config(&plugin, EXEC_V1BETA1, "3600");
    cfg.provide_cluster_info = false;
    cfg.interactive_mode = None; // v1beta1 defaults to IfAvailable
    let source =
        ExecCredentialSource::new(&cfg, Some(serde_json::json!({"server": "s"}))).expect("valid");
    assert_eq!(bearer(&source).await, "tok-1");
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("exec-info")).expect("info")).expect("json");
    assert_eq!(info["apiVersion"], EXEC_V1BETA1);
    assert!(info["spec"].get("cluster").is_none(), "{info}");
}

#[tokio::test]
async fn exec_client_certificate_output() {
    let dir = scratch("exec-cert");
    let plugin = script(
        &dir,
        "plugin",
        &format!(
            r#"echo '{{"apiVersion":"{EXEC_V1}","kind":"ExecCredential","status":{{"clientCertificateData":"CERT PEM","clientKeyData":"KEY PEM"}}}}'"#
        ),
    );
    let source =
        ExecCredentialSource::new(&exec_config(&plugin, EXEC_V1, "1"), None).expect("valid");
    match source.credentials().await.expect("creds") {
        Credentials::ClientCertificate { cert_pem, key_pem } => {
            assert_eq!(cert_pem, b"CERT PEM");
            assert_eq!(key_pem.expose(), "KEY PEM");
        }
        other => panic!("expected a certificate, got {other:?}"),
    }
}

async fn failure(cfg: &ExecConfig) -> String {
    ExecCredentialSource::new(cfg, None)
        .expect("valid config")
        .credentials()
        .await
        .expect_err("plugin must fail")
        .to_string()
}

#[tokio::test]
async fn exec_failures_are_explained() {
    let dir = scratch("exec-fail");
    // Missing binary: the install hint is shown.
    let mut cfg = exec_config(&dir.join("not-installed"), EXEC_V1, "1");
    cfg.install_hint = Some("run `brew install the-plugin`".into());
    let msg = failure(&cfg).await;
    assert!(
        msg.contains("brew install the-plugin") && msg.contains("not-installed"),
        "{msg}"
    );

    // Non-zero exit: stderr is in the error.
    let failing = script(
        &dir,
        "failing",
        "echo 'login expired, run plugin login' >&2\nexit 3\n",
    );
    let msg = failure(&exec_config(&failing, EXEC_V1, "1")).await;
    assert!(msg.contains("login expired") && msg.contains('3'), "{msg}");

    // Wrong apiVersion in the answer.
    let wrong = script(
        &dir,
        "wrong",
        &format!(r#"echo '{{"apiVersion":"{EXEC_V1BETA1}","status":{{"token":"t"}}}}'"#),
    );
    let msg = failure(&exec_config(&wrong, EXEC_V1, "1")).await;
    assert!(msg.contains(EXEC_V1BETA1), "{msg}");

    // Garbage output: an error that does not echo the output (it may hold a token).
    let garbage = script(
        &dir,
        "garbage",
        r#"echo '{"apiVersion": "x", "status": "secret-looking-token"}'"#,
    );
    let msg = failure(&exec_config(&garbage, EXEC_V1, "1")).await;
    assert!(!msg.contains("secret-looking-token"), "{msg}");

    // No token and no certificate.
    let empty = script(
        &dir,
        "empty",
        &format!(r#"echo '{{"apiVersion":"{EXEC_V1}","status":{{}}}}'"#),
    );
    let msg = failure(&exec_config(&empty, EXEC_V1, "1")).await;
    assert!(msg.contains("neither a token"), "{msg}");

    // interactiveMode Always without a terminal on stdin.
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        let mut always = exec_config(&empty, EXEC_V1, "1");
        always.interactive_mode = Some("Always".into());
        let msg = failure(&always).await;
        assert!(msg.contains("terminal"), "{msg}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_run_the_plugin_once() {
    let dir = scratch("exec-concurrent");
    let plugin = counting_plugin(&dir, EXEC_V1);
    let source = std::sync::Arc::new(
        ExecCredentialSource::new(&exec_config(&plugin, EXEC_V1, "3600"), None).expect("valid"),
    );
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let s = source.clone();
            tokio::spawn(async move { bearer(s.as_ref()).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.expect("task"), "tok-1");
    }
    let runs = std::fs::read_to_string(dir.join("count")).expect("count");
    assert_eq!(runs.trim(), "1");
}

/// True while `pid` runs (a zombie waiting to be reaped counts as gone).
fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(") ").map(|(_, rest)| rest.to_owned()))
        .is_some_and(|rest| !rest.starts_with('Z') && !rest.starts_with('X'))
}

/// A plugin that appends its pid to `pids` and then hangs.
fn hanging_plugin(dir: &Path) -> PathBuf {
    let pids = dir.join("pids");
    script(
        dir,
        "hang",
        &format!("echo $$ >> \"{}\"\nexec sleep 60\n", pids.display()),
    )
}

fn recorded_pids(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("pids"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

async fn wait_until_dead(pids: &[String]) -> Vec<String> {
    for _ in 0..50 {
        let live: Vec<String> = pids.iter().filter(|p| alive(p)).cloned().collect();
        if live.is_empty() {
            return live;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    pids.iter().filter(|p| alive(p)).cloned().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hanging_exec_plugin_is_killed_after_its_timeout() {
    let dir = scratch("exec-hang");
    let plugin = hanging_plugin(&dir);
    let source = ExecCredentialSource::new(&exec_config(&plugin, EXEC_V1, "1"), None)
        .expect("valid")
        .with_timeout(Duration::from_millis(500));
    let started = std::time::Instant::now();
    let err = source.credentials().await.expect_err("timed out");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(err.to_string().contains("did not finish within"), "{err}");
    let pids = recorded_pids(&dir);
    assert_eq!(pids.len(), 1);
    assert!(wait_until_dead(&pids).await.is_empty(), "plugin still runs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_that_give_up_leave_no_plugin_running() {
    let dir = scratch("exec-giveup");
    let plugin = hanging_plugin(&dir);
    let source = std::sync::Arc::new(
        ExecCredentialSource::new(&exec_config(&plugin, EXEC_V1, "1"), None).expect("valid"),
    );
    // Six requests each give up after 200 ms, as a request timeout would.
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let s = source.clone();
            tokio::spawn(async move {
                tokio::time::timeout(Duration::from_millis(200), s.credentials())
                    .await
                    .is_err()
            })
        })
        .collect();
    for t in tasks {
        assert!(t.await.expect("task"), "request should have timed out");
    }
    let pids = recorded_pids(&dir);
    // One at a time: each later request started its plugin only after the earlier one was
    // given up and killed.
    assert!(!pids.is_empty() && pids.len() <= 6, "{pids:?}");
    let live = wait_until_dead(&pids).await;
    assert!(live.is_empty(), "plugins left running: {live:?}");
}

#[tokio::test]
async fn exec_plugin_output_is_bounded() {
    let dir = scratch("exec-flood");
    let plugin = script(&dir, "flood", "exec head -c 50000000 /dev/zero\n");
    let started = std::time::Instant::now();
    let msg = failure(&exec_config(&plugin, EXEC_V1, "1")).await;
    assert!(msg.contains("printed more than"), "{msg}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_plugins_children_are_killed_too() {
    let dir = scratch("exec-children");
    let pids = dir.join("pids");
    // A shell script whose work runs in a child process, as most wrapper plugins do.
    let plugin = script(
        &dir,
        "wrapper",
        &format!(
            "echo $$ >> \"{p}\"\nsleep 60 &\necho $! >> \"{p}\"\nwait\n",
            p = pids.display()
        ),
    );
    let source = ExecCredentialSource::new(&exec_config(&plugin, EXEC_V1, "1"), None)
        .expect("valid")
        .with_timeout(Duration::from_millis(500));
    let err = source.credentials().await.expect_err("timed out");
    assert!(err.to_string().contains("did not finish within"), "{err}");
    let pids = recorded_pids(&dir);
    assert_eq!(pids.len(), 2, "{pids:?}");
    let live = wait_until_dead(&pids).await;
    assert!(live.is_empty(), "left running: {live:?}");
}
