//! `config-view` (our loader) against `kubectl config view -o json` on many kubeconfig
//! layouts: both run with the same files, `KUBECONFIG` and `HOME`; outputs are compared as
//! parsed JSON, and where kubectl fails we must fail too.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/clientcmd");

/// Build the example once per test run and return its path.
fn config_view_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "-q",
                "-p",
                "kubeclient-runtime",
                "--example",
                "config-view",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the config-view example failed");
        // target/debug/deps/<test> -> target/debug/examples/config-view
        let exe = std::env::current_exe().expect("test binary path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>");
        let bin = profile_dir.join("examples").join("config-view");
        assert!(bin.exists(), "{} missing", bin.display());
        bin
    })
}

/// A scratch directory, unique per test.
fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "kubeclient-clientcmd-view-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn write(dir: &Path, rel: &str, content: &str) -> PathBuf {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&p, content).expect("write file");
    p
}

fn copy_fixtures(dir: &Path) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("read fixtures") {
            let e = e.expect("entry");
            let target = to.join(e.file_name());
            if e.path().is_dir() {
                copy(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), &target).expect("copy");
            }
        }
    }
    copy(Path::new(FIXTURES), dir);
}

/// Environment of one comparison.
struct Env<'a> {
    home: &'a Path,
    kubeconfig: Option<String>,
    cwd: &'a Path,
}

struct Outcome {
    ok: bool,
    json: Option<serde_json::Value>,
    stderr: String,
}

fn run(mut cmd: Command, env: &Env<'_>) -> Outcome {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.home)
        .current_dir(env.cwd);
    if let Some(k) = &env.kubeconfig {
        cmd.env("KUBECONFIG", k);
    }
    let out = cmd.output().expect("command runs");
    Outcome {
        ok: out.status.success(),
        json: serde_json::from_slice(&out.stdout).ok(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run kubectl and config-view with `flags`; assert the same success and the same JSON.
fn compare(env: &Env<'_>, flags: &[&str]) -> Outcome {
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        // Without kubectl there is nothing to compare with: only check that ours runs.
        kubeclient_test_support::missing("kubectl on PATH");
        let mut ours = Command::new(config_view_bin());
        ours.args(flags);
        return run(ours, env);
    }
    let mut kubectl = Command::new("kubectl");
    kubectl.args(["config", "view", "-o", "json"]).args(flags);
    let want = run(kubectl, env);
    let mut ours = Command::new(config_view_bin());
    ours.args(flags);
    let got = run(ours, env);
    assert_eq!(
        want.ok, got.ok,
        "exit status differs for {flags:?}: kubectl ok={} stderr={:?}; ours ok={} stderr={:?}",
        want.ok, want.stderr, got.ok, got.stderr
    );
    if want.ok {
        assert!(want.json.is_some(), "kubectl printed no JSON for {flags:?}");
        assert_eq!(
            want.json,
            got.json,
            "output differs for {flags:?}\nkubectl: {}\nours: {}",
            pretty(&want.json),
            pretty(&got.json)
        );
    }
    got
}

fn pretty(v: &Option<serde_json::Value>) -> String {
    v.as_ref()
        .and_then(|v| serde_json::to_string_pretty(v).ok())
        .unwrap_or_else(|| "<none>".into())
}

fn join_paths(paths: &[&Path]) -> String {
    std::env::join_paths(paths)
        .expect("joinable")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn full_fixture_with_every_flag_combination() {
    let dir = scratch("full");
    copy_fixtures(&dir);
    let home = scratch("full-home");
    let env = Env {
        home: &home,
        kubeconfig: None,
        cwd: &dir,
    };
    let cfg = dir.join("full.yaml");
    let cfg = cfg.to_str().expect("utf8 path");
    for flags in [
        vec![],
        vec!["--raw"],
        vec!["--flatten"],
        vec!["--minify"],
        vec!["--minify", "--raw"],
        vec!["--minify", "--flatten"],
        vec!["--minify", "--context", "edge"],
        vec!["--minify", "--flatten", "--context", "edge"],
        vec!["--context", "edge"],
        // kubectl fails on these two: unknown context, dangling cluster.
        vec!["--minify", "--context", "missing"],
        vec!["--minify", "--context", "dangling"],
    ] {
        let mut all = vec!["--kubeconfig", cfg];
        all.extend(flags);
        compare(&env, &all);
    }
}

#[test]
fn redaction_hides_secrets_unless_raw() {
    let dir = scratch("redact");
    copy_fixtures(&dir);
    let env = Env {
        home: &dir,
        kubeconfig: None,
        cwd: &dir,
    };
    let cfg = dir.join("full.yaml");
    let out = compare(&env, &["--kubeconfig", cfg.to_str().expect("utf8")]);
    let text = pretty(&out.json);
    assert!(!text.contains("super-secret-token"));
    assert!(!text.contains("hunter2"));
    assert!(text.contains("REDACTED") && text.contains("DATA+OMITTED"));
    let raw = compare(
        &env,
        &["--kubeconfig", cfg.to_str().expect("utf8"), "--raw"],
    );
    assert!(pretty(&raw.json).contains("super-secret-token"));
}

const FIRST: &str = r#"
clusters:
- name: shared
  cluster: {server: https://first}
- name: only-first
  cluster: {server: https://only-first, certificate-authority: ca.crt}
users:
- name: shared
  user: {token: first-token}
contexts:
- name: shared
  context: {cluster: shared, user: shared, namespace: first}
"#;

const SECOND: &str = r#"
current-context: shared
preferences: {colors: true}
clusters:
- name: shared
  cluster: {server: https://second}
- name: only-second
  cluster: {server: https://only-second, certificate-authority: ../ca/ca.crt}
users:
- name: shared
  user: {token: second-token}
- name: second-user
  user: {client-certificate: client.crt, client-key: client.key}
contexts:
- name: shared
  context: {cluster: shared, user: shared, namespace: second}
- name: other
  context: {cluster: only-second, user: second-user}
"#;

const THIRD: &str = r#"
current-context: other
clusters:
- name: only-second
  cluster: {server: https://third}
"#;

fn merge_layout(name: &str) -> (PathBuf, Vec<PathBuf>) {
    let dir = scratch(name);
    let a = write(&dir, "a/config", FIRST);
    write(&dir, "a/ca.crt", "first ca\n");
    let b = write(&dir, "b/config", SECOND);
    write(&dir, "ca/ca.crt", "second ca\n");
    write(&dir, "b/client.crt", "second cert\n");
    write(&dir, "b/client.key", "second key\n");
    let c = write(&dir, "c/config.yaml", THIRD);
    (dir, vec![a, b, c])
}

#[test]
fn merge_first_file_wins_and_current_context_from_first_non_empty() {
    let (dir, files) = merge_layout("merge");
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    for order in [
        vec![refs[0], refs[1], refs[2]],
        vec![refs[2], refs[1], refs[0]],
        vec![refs[1], refs[0]],
    ] {
        let env = Env {
            home: &dir,
            kubeconfig: Some(join_paths(&order)),
            cwd: &dir,
        };
        for flags in [vec![], vec!["--raw"], vec!["--flatten"], vec!["--minify"]] {
            compare(&env, &flags);
        }
    }
}

#[test]
fn missing_and_duplicate_files_in_kubeconfig() {
    let (dir, files) = merge_layout("missing");
    let missing = dir.join("does/not/exist");
    let env = Env {
        home: &dir,
        kubeconfig: Some(join_paths(&[
            &missing, &files[1], &files[0], &files[1], &missing,
        ])),
        cwd: &dir,
    };
    compare(&env, &[]);
    compare(&env, &["--flatten"]);
    // Every file missing: an empty config, not an error.
    let env = Env {
        home: &dir,
        kubeconfig: Some(join_paths(&[&missing, &dir.join("nope")])),
        cwd: &dir,
    };
    compare(&env, &[]);
    compare(&env, &["--minify"]);
}

#[test]
fn explicit_kubeconfig_replaces_the_chain() {
    let (dir, files) = merge_layout("explicit");
    let env = Env {
        home: &dir,
        kubeconfig: Some(join_paths(&[&files[0], &files[1]])),
        cwd: &dir,
    };
    compare(&env, &["--kubeconfig", files[2].to_str().expect("utf8")]);
    compare(
        &env,
        &["--kubeconfig", dir.join("absent").to_str().expect("utf8")],
    );
    compare(&env, &["--kubeconfig=".to_owned().as_str()]);
}

#[test]
fn home_default_when_kubeconfig_unset_or_empty() {
    let dir = scratch("home");
    write(&dir, ".kube/config", SECOND);
    write(&dir, ".kube/client.crt", "c\n");
    write(&dir, ".kube/client.key", "k\n");
    write(&dir, "ca/ca.crt", "ca\n");
    for kubeconfig in [None, Some(String::new())] {
        let env = Env {
            home: &dir,
            kubeconfig,
            cwd: &dir,
        };
        compare(&env, &[]);
        compare(&env, &["--flatten"]);
    }
    let empty_home = scratch("home-empty");
    let env = Env {
        home: &empty_home,
        kubeconfig: None,
        cwd: &empty_home,
    };
    compare(&env, &[]);
}

#[test]
fn relative_paths_flatten_against_their_own_file() {
    let (dir, files) = merge_layout("relative");
    // Run from an unrelated directory so the working directory cannot help.
    let elsewhere = scratch("relative-cwd");
    let env = Env {
        home: &elsewhere,
        kubeconfig: Some(join_paths(&[&files[0], &files[1]])),
        cwd: &elsewhere,
    };
    let out = compare(&env, &["--flatten"]);
    let text = pretty(&out.json);
    assert!(!text.contains("certificate-authority\""), "{text}");
    compare(&env, &["--flatten", "--minify", "--context", "other"]);
    // A referenced file that is missing makes --flatten fail (and kubectl too).
    std::fs::remove_file(dir.join("b/client.key")).expect("rm");
    compare(&env, &["--flatten"]);
    compare(&env, &[]);
}

#[test]
fn json_kubeconfigs_merge_with_yaml() {
    let dir = scratch("json");
    let json = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "j",
        "clusters": [{"name": "j", "cluster": {"server": "https://json", "insecure-skip-tls-verify": true}}],
        "users": [{"name": "j", "user": {"exec": {"command": "plugin", "apiVersion": "client.authentication.k8s.io/v1beta1", "args": null}}}],
        "contexts": [{"name": "j", "context": {"cluster": "j", "user": "j"}}]
    });
    let a = write(
        &dir,
        "a.json",
        &serde_json::to_string_pretty(&json).expect("json"),
    );
    let b = write(&dir, "b.yaml", FIRST);
    write(&dir, "ca.crt", "ca\n");
    let env = Env {
        home: &dir,
        kubeconfig: Some(join_paths(&[&a, &b])),
        cwd: &dir,
    };
    compare(&env, &[]);
    compare(&env, &["--minify", "--flatten"]);
}

#[test]
fn exec_and_auth_provider_users() {
    let dir = scratch("exec");
    let cfg = write(
        &dir,
        "config",
        r#"
current-context: c
clusters: [{name: c, cluster: {server: "https://x"}}]
contexts: [{name: c, context: {cluster: c, user: beta}}]
users:
- name: beta
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ./plug, args: [], env: null}
- name: v1
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /usr/bin/plug
      interactiveMode: Always
      provideClusterInfo: true
      installHint: "brew install plug"
      env: [{name: A, value: "1"}, {name: B, value: ""}]
- name: gcp
  user: {auth-provider: {name: gcp}}
- name: azure
  user: {auth-provider: {name: azure, config: {}}}
- name: oidc
  user: {auth-provider: {name: oidc, config: {id-token: tok, idp-issuer-url: "https://issuer"}}}
"#,
    );
    let env = Env {
        home: &dir,
        kubeconfig: None,
        cwd: &dir,
    };
    let p = cfg.to_str().expect("utf8");
    compare(&env, &["--kubeconfig", p]);
    compare(&env, &["--kubeconfig", p, "--flatten"]);
    compare(&env, &["--kubeconfig", p, "--minify"]);
}

#[test]
fn error_cases_fail_like_kubectl() {
    let dir = scratch("errors");
    let env = Env {
        home: &dir,
        kubeconfig: None,
        cwd: &dir,
    };
    let cases = [
        ("malformed.yaml", "clusters:\n- name: c\n  cluster:\n    server: [https://x\n"),
        (
            "bad-base64.yaml",
            "clusters:\n- name: c\n  cluster:\n    server: https://x\n    certificate-authority-data: '!!nope'\n",
        ),
        (
            "bad-key-base64.yaml",
            "users:\n- name: u\n  user:\n    client-key-data: abc\n",
        ),
        (
            "duplicate.yaml",
            "contexts:\n- name: x\n  context: {}\n- name: x\n  context: {}\n",
        ),
        ("not-a-map.yaml", "- just\n- a list\n"),
        (
            "both-path-and-data.yaml",
            "clusters:\n- name: c\n  cluster:\n    server: https://x\n    certificate-authority: ca.crt\n    certificate-authority-data: aGk=\n",
        ),
    ];
    write(&dir, "ca.crt", "ca\n");
    // YAML typing as client-go does it (YAML 1.1 booleans; numbers are not strings).
    let yaml_typing = [
        ("server-number.yaml", "clusters:\n- name: c\n  cluster:\n    server: 5\n"),
        ("server-bool.yaml", "clusters:\n- name: c\n  cluster:\n    server: true\n"),
        ("uid-number.yaml", "users:\n- name: u\n  user:\n    as-uid: 42\n"),
        ("quoted-number.yaml", "users:\n- name: u\n  user:\n    as-uid: '42'\n"),
        ("insecure-yes.yaml", "clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-verify: yes\n    disable-compression: On\n"),
        ("insecure-off.yaml", "clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-verify: off\n"),
        ("insecure-number.yaml", "clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-verify: 1\n"),
        ("insecure-quoted.yaml", "clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-verify: 'true'\n"),
        ("colors-null.yaml", "preferences: {colors: null}\nclusters:\n- name: c\n  cluster: {server: ~}\n"),
    ];
    for (name, content) in cases.into_iter().chain(yaml_typing) {
        let p = write(&dir, name, content);
        let p = p.to_str().expect("utf8");
        compare(&env, &["--kubeconfig", p]);
        compare(&env, &["--kubeconfig", p, "--flatten"]);
    }
    // Empty and comment-only files are empty configs.
    for (name, content) in [("empty.yaml", ""), ("comments.yaml", "# nothing\n\n")] {
        let p = write(&dir, name, content);
        let p = p.to_str().expect("utf8");
        compare(&env, &["--kubeconfig", p]);
        compare(&env, &["--kubeconfig", p, "--minify"]);
    }
    // A bad file anywhere in the chain fails the whole view.
    let good = write(&dir, "good.yaml", FIRST);
    let bad = dir.join("malformed.yaml");
    let env = Env {
        home: &dir,
        kubeconfig: Some(join_paths(&[&good, &bad])),
        cwd: &dir,
    };
    let out = compare(&env, &[]);
    assert!(out.stderr.contains("malformed.yaml"), "{}", out.stderr);
    assert!(out.stderr.contains("line 4"), "{}", out.stderr);
}
