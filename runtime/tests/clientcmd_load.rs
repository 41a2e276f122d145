//! Loading one kubeconfig, loading rules, merging and path resolution.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_runtime::clientcmd::{self, api, Error, LoadingRules};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "kubeclient-clientcmd-load-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn write(dir: &Path, rel: &str, content: &str) -> PathBuf {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&p, content).expect("write");
    p
}

const FULL: &str = include_str!("fixtures/clientcmd/full.yaml");

#[test]
fn every_field_is_read() {
    let c = clientcmd::load(FULL.as_bytes()).expect("fixture loads");
    assert_eq!(c.current_context.as_deref(), Some("main"));
    assert_eq!(c.preferences.colors, Some(true));
    let edge = &c
        .clusters
        .iter()
        .find(|c| c.name == "edge")
        .expect("edge")
        .cluster;
    assert_eq!(edge.tls_server_name.as_deref(), Some("api.edge"));
    assert_eq!(edge.proxy_url.as_deref(), Some("socks5://127.0.0.1:1080"));
    assert_eq!(edge.disable_compression, Some(true));
    let admin = &c
        .users
        .iter()
        .find(|u| u.name == "admin")
        .expect("admin")
        .user;
    assert_eq!(admin.impersonate.as_deref(), Some("someone"));
    assert_eq!(admin.impersonate_uid.as_deref(), Some("42"));
    assert_eq!(admin.impersonate_groups, vec!["g1", "g2"]);
    assert_eq!(admin.impersonate_user_extra["scopes"], vec!["a", "b"]);
    let exec = c
        .users
        .iter()
        .find(|u| u.name == "exec-v1")
        .expect("exec")
        .user
        .exec
        .clone();
    let exec = exec.expect("exec block");
    assert_eq!(exec.install_hint.as_deref(), Some("install the plugin"));
    assert!(exec.provide_cluster_info);
    assert_eq!(exec.interactive_mode.as_deref(), Some("Never"));
    let basic = &c
        .users
        .iter()
        .find(|u| u.name == "basic")
        .expect("basic")
        .user;
    assert_eq!(basic.token_file.as_deref(), Some("/var/run/token"));
    assert_eq!(basic.extensions[0].extension, serde_json::json!([1, 2]));
    assert_eq!(c.extensions[0].name, "top-ext");
}

#[test]
fn unknown_fields_survive_a_round_trip() {
    let c = clientcmd::load(FULL.as_bytes()).expect("fixture loads");
    assert_eq!(c.extra["unknownTop"], serde_json::json!(1));
    let prod = &c
        .clusters
        .iter()
        .find(|c| c.name == "prod")
        .expect("prod")
        .cluster;
    assert_eq!(prod.extra["unknownCluster"], serde_json::json!("x"));
    let yaml = clientcmd::to_yaml(&c).expect("serializes");
    let again = clientcmd::load(yaml.as_bytes()).expect("reloads");
    assert_eq!(c, again);
    // And through JSON.
    let json = serde_json::to_vec(&c).expect("json");
    assert_eq!(clientcmd::load(&json).expect("json loads"), c);
}

#[test]
fn secrets_never_in_debug() {
    let c = clientcmd::load(FULL.as_bytes()).expect("fixture loads");
    let dbg = format!("{c:?}");
    for secret in [
        "super-secret-token",
        "hunter2",
        "a2V5Cg==",
        "eyJhbGciOi",
        "refresh-xyz-123",
    ] {
        assert!(!dbg.contains(secret), "{secret} leaked in {dbg}");
    }
    let env_secret = "FOO";
    assert!(dbg.contains(env_secret), "env names stay visible");
    assert!(!dbg.contains("value: \"bar\""));
}

#[test]
fn json_input_with_position_errors() {
    let ok =
        br#"{"clusters":[{"name":"c","cluster":{"server":"https://x"}}],"current-context":"x"}"#;
    let c = clientcmd::load(ok).expect("json loads");
    assert_eq!(c.clusters[0].cluster.server.as_deref(), Some("https://x"));
    let bad = b"{\n  \"clusters\": [\n    {\"name\": 5}\n  ]\n}";
    match clientcmd::load(bad) {
        Err(Error::Parse { line, column, .. }) => {
            assert_eq!(line, Some(3));
            assert!(column.is_some());
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn yaml_errors_name_file_line_and_column() {
    let dir = scratch("yaml-err");
    let p = write(
        &dir,
        "config",
        "clusters:\n- name: c\n  cluster:\n    server: [https://x\n",
    );
    let err = clientcmd::load_from_file(&p).expect_err("malformed");
    let msg = err.to_string();
    assert!(msg.contains(&p.display().to_string()), "{msg}");
    match err {
        Error::Parse { line, column, .. } => {
            assert!(line.is_some() && column.is_some(), "{msg}");
        }
        other => panic!("expected parse error, got {other:?}"),
    }
    let p = write(
        &dir,
        "typed",
        "clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-verify: {a: 1}\n",
    );
    let msg = clientcmd::load_from_file(&p)
        .expect_err("wrong type")
        .to_string();
    assert!(msg.contains("line 4"), "{msg}");
}

#[test]
fn base64_and_duplicate_errors_name_the_entry() {
    let err = clientcmd::load(b"users:\n- name: alice\n  user:\n    client-key-data: '%%%'\n")
        .expect_err("bad base64");
    let msg = err.to_string();
    assert!(
        msg.contains("alice") && msg.contains("client-key-data"),
        "{msg}"
    );
    assert!(!msg.contains("%%%"), "error must not echo key data: {msg}");
    let err = clientcmd::load(b"clusters:\n- name: a\n- name: a\n").expect_err("dup");
    assert!(
        matches!(
            err,
            Error::DuplicateName {
                list: "clusters",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn empty_and_null_documents_are_empty_configs() {
    for doc in [
        "",
        "   \n",
        "# comment\n",
        "null\n",
        "---\n",
        "clusters: null\nusers: ~\n",
    ] {
        let c = clientcmd::load(doc.as_bytes()).unwrap_or_else(|e| panic!("{doc:?}: {e}"));
        assert!(c.clusters.is_empty() && c.users.is_empty(), "{doc:?}");
    }
}

#[test]
fn kubeconfig_env_is_split_deduplicated_and_missing_files_skipped() {
    let dir = scratch("chain");
    let a = write(
        &dir,
        "a",
        "current-context: from-a\nclusters:\n- name: c\n  cluster: {server: https://a}\n",
    );
    let b = write(&dir, "b", "current-context: from-b\nclusters:\n- name: c\n  cluster: {server: https://b}\n- name: d\n  cluster: {server: https://d}\n");
    let missing = dir.join("missing");
    let list = std::env::join_paths([&missing, &a, &b, &a]).expect("join");
    let rules = LoadingRules::from_values(Some(list), Some(dir.clone()));
    assert_eq!(
        rules.precedence,
        vec![missing.clone(), a.clone(), b.clone()]
    );
    let c = rules.load().expect("loads");
    assert_eq!(c.current_context.as_deref(), Some("from-a"));
    let server = |n: &str| {
        c.clusters
            .iter()
            .find(|c| c.name == n)
            .and_then(|c| c.cluster.server.clone())
    };
    assert_eq!(server("c").as_deref(), Some("https://a"));
    assert_eq!(server("d").as_deref(), Some("https://d"));

    // Empty KUBECONFIG means the home default.
    let rules = LoadingRules::from_values(Some("".into()), Some(dir.clone()));
    assert_eq!(rules.precedence, vec![dir.join(".kube").join("config")]);
    assert!(rules
        .load()
        .expect("missing home file is fine")
        .clusters
        .is_empty());
}

#[test]
fn explicit_path_must_exist() {
    let dir = scratch("explicit");
    let rules = LoadingRules::default().with_explicit_path(dir.join("nope"));
    assert!(matches!(
        rules.load(),
        Err(Error::ExplicitKubeconfigMissing { .. })
    ));
}

#[test]
fn empty_current_context_does_not_override_and_first_non_empty_wins() {
    let dir = scratch("cc");
    let a = write(&dir, "a", "current-context: \"\"\n");
    let b = write(&dir, "b", "current-context: b\n");
    let c = write(&dir, "c", "current-context: c\n");
    let rules = LoadingRules {
        precedence: vec![a, b, c],
        ..Default::default()
    };
    assert_eq!(
        rules.load().expect("loads").current_context.as_deref(),
        Some("b")
    );
}

#[test]
fn relative_paths_resolve_against_the_naming_file() {
    let dir = scratch("relative");
    let a = write(
        &dir,
        "one/config",
        "clusters:\n- name: c\n  cluster: {server: https://a, certificate-authority: certs/ca.crt}\nusers:\n- name: u\n  user:\n    client-certificate: ../shared/cert.pem\n    client-key: /abs/key.pem\n    tokenFile: ./tok\n    exec: {command: ./bin/plugin, apiVersion: client.authentication.k8s.io/v1}\n- name: path-lookup\n  user:\n    exec: {command: plugin-in-path, apiVersion: client.authentication.k8s.io/v1}\n",
    );
    let b = write(
        &dir,
        "two/deeper/config",
        "clusters:\n- name: d\n  cluster: {certificate-authority: ca.crt}\n",
    );
    let rules = LoadingRules {
        precedence: vec![a, b],
        ..Default::default()
    };
    let c = rules.load().expect("loads");
    let ca = |n: &str| {
        c.clusters
            .iter()
            .find(|c| c.name == n)
            .and_then(|c| c.cluster.certificate_authority.clone())
    };
    let s = |p: PathBuf| p.to_string_lossy().into_owned();
    assert_eq!(ca("c"), Some(s(dir.join("one/certs/ca.crt"))));
    assert_eq!(ca("d"), Some(s(dir.join("two/deeper/ca.crt"))));
    let u = &c.users.iter().find(|u| u.name == "u").expect("u").user;
    assert_eq!(u.client_certificate, Some(s(dir.join("shared/cert.pem"))));
    assert_eq!(u.client_key.as_deref(), Some("/abs/key.pem"));
    assert_eq!(u.token_file, Some(s(dir.join("one/tok"))));
    assert_eq!(
        u.exec.as_ref().map(|e| e.command.clone()),
        Some(s(dir.join("one/bin/plugin")))
    );
    let p = &c
        .users
        .iter()
        .find(|u| u.name == "path-lookup")
        .expect("p")
        .user;
    assert_eq!(
        p.exec.as_ref().map(|e| e.command.as_str()),
        Some("plugin-in-path")
    );

    // do_not_resolve_paths keeps them as written.
    let raw = LoadingRules {
        do_not_resolve_paths: true,
        ..rules
    }
    .load()
    .expect("loads");
    assert_eq!(
        raw.clusters
            .iter()
            .find(|c| c.name == "c")
            .and_then(|c| c.cluster.certificate_authority.clone())
            .as_deref(),
        Some("certs/ca.crt")
    );
}

#[test]
fn merge_keeps_first_entry_per_name() {
    let one = clientcmd::load(b"users:\n- name: u\n  user: {token: one}\ncontexts:\n- name: x\n  context: {namespace: one}\n").expect("one");
    let two = clientcmd::load(b"current-context: x\nusers:\n- name: u\n  user: {token: two}\n- name: v\n  user: {}\ncontexts:\n- name: x\n  context: {namespace: two}\n").expect("two");
    let m = clientcmd::merge(vec![one, two]);
    assert_eq!(m.current_context.as_deref(), Some("x"));
    assert_eq!(m.users.len(), 2);
    assert_eq!(
        m.users[0].user.token.as_ref().map(|t| t.expose()),
        Some("one")
    );
    assert_eq!(m.contexts[0].context.namespace.as_deref(), Some("one"));
    let _: &api::Config = &m;
}

#[test]
fn deeply_nested_kubeconfig_is_refused_quickly() {
    for text in [
        format!("clusters: {}", "[".repeat(100_000)),
        format!("preferences:\n  extensions:\n{}x\n", "- ".repeat(50_000)),
        format!("users: {}", "{a: ".repeat(40_000)),
    ] {
        let started = std::time::Instant::now();
        let err = kubeclient_runtime::clientcmd::load(text.as_bytes()).expect_err("too deep");
        assert!(err.to_string().contains("nested deeper than"), "{err}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    }
}
