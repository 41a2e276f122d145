//! Kubeconfig + overrides -> `rest::Config`, namespace resolution, in-cluster fallback.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_runtime::clientcmd::{
    self, build_config_from_flags, deferred_rest_config, ClientConfig, Error, InClusterEnv,
    LoadingRules, Overrides,
};
use kubeclient_runtime::rest::Credentials;
use kubeclient_runtime::secret::Secret;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "kubeclient-clientcmd-cc-{}-{}-{name}",
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

fn client_config(dir: &Path, yaml: &str, overrides: Overrides) -> Result<ClientConfig, Error> {
    let p = write(dir, "config", yaml);
    ClientConfig::from_rules(&LoadingRules::default().with_explicit_path(p), overrides)
}

const BASE: &str = r#"
current-context: dev
clusters:
- name: dev
  cluster:
    server: https://dev.example:6443
    certificate-authority: ca.pem
    tls-server-name: dev-api
    proxy-url: http://proxy:3128
    disable-compression: true
- name: data
  cluster:
    server: https://data.example
    certificate-authority-data: UEVNIENBCg==
- name: empty
  cluster: {}
users:
- name: dev
  user:
    client-certificate: cert.pem
    client-key: key.pem
    as: admin
    as-uid: "7"
    as-groups: [ops]
    as-user-extra: {reason: [debug]}
- name: token
  user: {token: tok-123}
- name: basic
  user: {username: bob, password: pw}
- name: data
  user: {client-certificate-data: Q0VSVAo=, client-key-data: S0VZCg==}
- name: both
  user: {token: t, username: u, password: p}
- name: halfcert
  user: {client-certificate-data: Q0VSVAo=}
contexts:
- name: dev
  context: {cluster: dev, user: dev, namespace: team}
- name: data
  context: {cluster: data, user: data}
- name: token
  context: {cluster: data, user: token}
- name: basic
  context: {cluster: data, user: basic}
- name: both
  context: {cluster: data, user: both}
- name: halfcert
  context: {cluster: data, user: halfcert}
- name: nocluster
  context: {cluster: ghost, user: token}
- name: nouser
  context: {cluster: data, user: ghost}
- name: noserver
  context: {cluster: empty}
"#;

fn base_dir(name: &str) -> PathBuf {
    let dir = scratch(name);
    write(&dir, "ca.pem", "PEM CA\n");
    write(&dir, "cert.pem", "PEM CERT\n");
    write(&dir, "key.pem", "PEM KEY\n");
    dir
}

#[test]
fn files_are_read_relative_to_the_kubeconfig() {
    let dir = base_dir("files");
    let cc = client_config(&dir, BASE, Overrides::default()).expect("loads");
    let c = cc.rest_config().expect("usable");
    assert_eq!(c.host, "https://dev.example:6443");
    assert_eq!(c.tls.ca_data.as_deref(), Some(&b"PEM CA\n"[..]));
    assert_eq!(c.tls.cert_data.as_deref(), Some(&b"PEM CERT\n"[..]));
    assert_eq!(
        c.tls.key_data.as_ref().map(Secret::expose),
        Some("PEM KEY\n")
    );
    assert_eq!(c.tls.server_name.as_deref(), Some("dev-api"));
    assert_eq!(c.proxy_url.as_deref(), Some("http://proxy:3128"));
    assert!(c.disable_compression);
    assert_eq!(c.impersonate.user.as_deref(), Some("admin"));
    assert_eq!(c.impersonate.uid.as_deref(), Some("7"));
    assert_eq!(c.impersonate.groups, vec!["ops"]);
    assert_eq!(c.impersonate.extra["reason"], vec!["debug"]);
    assert_eq!(cc.namespace().expect("ns"), "team");
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("PEM KEY"), "{dbg}");
}

#[test]
fn data_fields_are_decoded() {
    let dir = base_dir("data");
    let o = Overrides {
        context: Some("data".into()),
        ..Default::default()
    };
    let cc = client_config(&dir, BASE, o).expect("loads");
    let c = cc.rest_config().expect("usable");
    assert_eq!(c.tls.ca_data.as_deref(), Some(&b"PEM CA\n"[..]));
    assert_eq!(c.tls.cert_data.as_deref(), Some(&b"CERT\n"[..]));
    assert_eq!(c.tls.key_data.as_ref().map(Secret::expose), Some("KEY\n"));
    assert_eq!(cc.namespace().expect("ns"), "default");
}

#[test]
fn tokens_and_basic_auth() {
    let dir = base_dir("auth");
    let cc = |ctx: &str| {
        client_config(
            &dir,
            BASE,
            Overrides {
                context: Some(ctx.into()),
                ..Default::default()
            },
        )
        .expect("loads")
    };
    let t = cc("token").rest_config().expect("token");
    assert_eq!(t.bearer_token.as_ref().map(Secret::expose), Some("tok-123"));
    let b = cc("basic").rest_config().expect("basic");
    assert_eq!(b.username.as_deref(), Some("bob"));
    assert_eq!(b.password.as_ref().map(Secret::expose), Some("pw"));
    let err = cc("both").rest_config().expect_err("two methods");
    assert!(
        err.to_string()
            .contains("more than one authentication method"),
        "{err}"
    );
    let err = cc("halfcert").rest_config().expect_err("cert without key");
    assert!(err.to_string().contains("halfcert"), "{err}");
}

#[test]
fn overrides_win() {
    let dir = base_dir("overrides");
    let o = Overrides {
        context: Some("token".into()),
        cluster: Some("dev".into()),
        namespace: Some("over".into()),
        server: Some("https://override:1".into()),
        token: Some(Secret::new("override-token")),
        impersonate: Some("imp".into()),
        impersonate_uid: Some("9".into()),
        impersonate_groups: vec!["g".into()],
        proxy_url: Some("socks5://p:1".into()),
        timeout: Some(Duration::from_secs(3)),
        insecure_skip_tls_verify: Some(true),
        ..Default::default()
    };
    let cc = client_config(&dir, BASE, o).expect("loads");
    let c = cc.rest_config().expect("usable");
    assert_eq!(c.host, "https://override:1");
    assert_eq!(
        c.bearer_token.as_ref().map(Secret::expose),
        Some("override-token")
    );
    assert_eq!(c.impersonate.user.as_deref(), Some("imp"));
    assert_eq!(c.impersonate.uid.as_deref(), Some("9"));
    assert_eq!(c.impersonate.groups, vec!["g"]);
    assert_eq!(c.proxy_url.as_deref(), Some("socks5://p:1"));
    assert_eq!(c.timeout, Some(Duration::from_secs(3)));
    assert!(c.tls.insecure);
    // insecure without a CA override drops the cluster's CA; a new server drops its TLS name.
    assert!(c.tls.ca_data.is_none());
    assert!(c.tls.server_name.is_none());
    assert_eq!(cc.namespace().expect("ns"), "over");

    let o = Overrides {
        tls_server_name: Some("named".into()),
        ..Default::default()
    };
    let c = client_config(&dir, BASE, o)
        .expect("loads")
        .rest_config()
        .expect("usable");
    assert_eq!(c.tls.server_name.as_deref(), Some("named"));
}

#[test]
fn errors_name_what_is_missing() {
    let dir = base_dir("errors");
    let ctx = |c: &str| Overrides {
        context: Some(c.into()),
        ..Default::default()
    };
    let err = client_config(&dir, BASE, ctx("ghost-ctx"))
        .expect("loads")
        .rest_config()
        .expect_err("no ctx");
    assert!(
        matches!(&err, Error::ContextNotFound { name, .. } if name == "ghost-ctx"),
        "{err}"
    );
    assert!(err.to_string().contains("config"), "names the file: {err}");
    let err = client_config(&dir, BASE, ctx("nocluster"))
        .expect("loads")
        .rest_config()
        .expect_err("no cluster");
    assert!(
        matches!(&err, Error::ClusterNotFound { name, .. } if name == "ghost"),
        "{err}"
    );
    let err = client_config(&dir, BASE, ctx("noserver"))
        .expect("loads")
        .rest_config()
        .expect_err("no server");
    assert!(
        matches!(&err, Error::NoServer { cluster, .. } if cluster == "empty"),
        "{err}"
    );
    // A user that does not exist is anonymous, as in client-go.
    let c = client_config(&dir, BASE, ctx("nouser"))
        .expect("loads")
        .rest_config()
        .expect("anonymous");
    assert!(c.bearer_token.is_none() && c.tls.cert_data.is_none());
    // Unreadable CA file.
    std::fs::remove_file(dir.join("ca.pem")).expect("rm");
    let err = client_config(&dir, BASE, Overrides::default())
        .expect("loads")
        .rest_config()
        .expect_err("no CA");
    let msg = err.to_string();
    assert!(
        msg.contains("certificate-authority") && msg.contains("ca.pem") && msg.contains("dev"),
        "{msg}"
    );
    // Explicit user override that does not exist is an error.
    let o = Overrides {
        user: Some("nobody".into()),
        context: Some("data".into()),
        ..Default::default()
    };
    assert!(matches!(
        client_config(&dir, BASE, o).expect("loads").rest_config(),
        Err(Error::UserNotFound { .. })
    ));
}

#[test]
fn ca_and_insecure_together_are_rejected() {
    let dir = scratch("insecure-ca");
    let cfg = "current-context: x\ncontexts: [{name: x, context: {cluster: x}}]\nclusters: [{name: x, cluster: {server: 'https://x', insecure-skip-tls-verify: true, certificate-authority-data: QQ==}}]\n";
    let err = client_config(&dir, cfg, Overrides::default())
        .expect("loads")
        .rest_config()
        .expect_err("conflict");
    assert!(err.to_string().contains("insecure"), "{err}");
}

#[test]
fn removed_auth_providers_point_to_exec_plugins() {
    let dir = scratch("gcp");
    let cfg = "current-context: x\ncontexts: [{name: x, context: {cluster: x, user: x}}]\nclusters: [{name: x, cluster: {server: 'https://x'}}]\nusers: [{name: x, user: {auth-provider: {name: gcp}}}]\n";
    let err = client_config(&dir, cfg, Overrides::default())
        .expect("loads")
        .rest_config()
        .expect_err("gcp");
    assert!(err.to_string().contains("gke-gcloud-auth-plugin"), "{err}");
    let cfg = cfg.replace("{name: gcp}", "{name: oidc, config: {id-token: idt}}");
    let c = client_config(&dir, &cfg, Overrides::default())
        .expect("loads")
        .rest_config()
        .expect("oidc");
    assert_eq!(c.bearer_token.as_ref().map(Secret::expose), Some("idt"));
}

#[test]
fn exec_config_is_validated_up_front() {
    let dir = scratch("exec-validate");
    let cfg = "current-context: x\ncontexts: [{name: x, context: {cluster: x, user: x}}]\nclusters: [{name: x, cluster: {server: 'https://x'}}]\nusers: [{name: x, user: {exec: {command: p, apiVersion: client.authentication.k8s.io/v1}}}]\n";
    let err = client_config(&dir, cfg, Overrides::default())
        .expect("loads")
        .rest_config()
        .expect_err("v1 needs interactiveMode");
    assert!(err.to_string().contains("interactiveMode"), "{err}");
    let beta = cfg.replace("/v1}", "/v1beta1}");
    let c = client_config(&dir, &beta, Overrides::default())
        .expect("loads")
        .rest_config()
        .expect("beta defaults");
    assert!(c.credentials.is_some());
    let bad = cfg.replace("/v1}", "/v9}");
    let err = client_config(&dir, &bad, Overrides::default())
        .expect("loads")
        .rest_config()
        .expect_err("version");
    assert!(err.to_string().contains("v9"), "{err}");
}

#[tokio::test]
async fn token_file_user_reads_the_file_and_keeps_a_source() {
    let dir = scratch("tokenfile");
    write(&dir, "tok", "  file-token\n");
    let cfg = "current-context: x\ncontexts: [{name: x, context: {cluster: x, user: x}}]\nclusters: [{name: x, cluster: {server: 'https://x'}}]\nusers: [{name: x, user: {tokenFile: tok}}]\n";
    let c = client_config(&dir, cfg, Overrides::default())
        .expect("loads")
        .rest_config()
        .expect("usable");
    assert_eq!(
        c.bearer_token.as_ref().map(Secret::expose),
        Some("file-token")
    );
    let source = c.credentials.expect("token file source");
    match source.credentials().await.expect("reads") {
        Credentials::Bearer(t) => assert_eq!(t.expose(), "file-token"),
        other => panic!("unexpected {other:?}"),
    }
    let missing = cfg.replace("tokenFile: tok", "tokenFile: missing");
    let err = client_config(&dir, &missing, Overrides::default())
        .expect("loads")
        .rest_config()
        .expect_err("missing");
    assert!(err.to_string().contains("missing"), "{err}");
}

fn service_account(dir: &Path, ns: Option<&str>) -> InClusterEnv {
    write(dir, "sa/token", "sa-token\n");
    write(dir, "sa/ca.crt", "SA CA\n");
    if let Some(ns) = ns {
        write(dir, "sa/namespace", ns);
    }
    InClusterEnv {
        host: Some("10.96.0.1".into()),
        port: Some("443".into()),
        pod_namespace: None,
        service_account_dir: dir.join("sa"),
    }
}

#[test]
fn in_cluster_config_and_namespace() {
    let dir = scratch("incluster");
    let env = service_account(&dir, Some("pod-ns\n"));
    assert!(env.possible());
    let c = env.rest_config().expect("in cluster");
    assert_eq!(c.host, "https://10.96.0.1:443");
    assert_eq!(
        c.bearer_token.as_ref().map(Secret::expose),
        Some("sa-token")
    );
    assert_eq!(c.tls.ca_data.as_deref(), Some(&b"SA CA\n"[..]));
    assert!(
        c.credentials.is_some(),
        "token is re-read (projected tokens rotate)"
    );
    assert_eq!(env.namespace(), "pod-ns");
    let env6 = InClusterEnv {
        host: Some("fd00::1".into()),
        pod_namespace: Some("from-env".into()),
        ..env.clone()
    };
    assert_eq!(
        env6.rest_config().expect("v6").host,
        "https://[fd00::1]:443"
    );
    assert_eq!(env6.namespace(), "from-env");
    let no_ns = service_account(&scratch("incluster-nons"), None);
    assert_eq!(no_ns.namespace(), "default");
    let outside = InClusterEnv { host: None, ..env };
    assert!(!outside.possible());
    assert!(matches!(outside.rest_config(), Err(Error::InCluster(_))));
}

#[test]
fn deferred_loading_falls_back_to_in_cluster_only_without_kubeconfig() {
    let dir = scratch("deferred");
    let env = service_account(&dir, Some("ns"));
    let home_rules = LoadingRules::from_values(None, Some(dir.join("home")));
    let c =
        deferred_rest_config(&home_rules, Overrides::default(), &env).expect("in-cluster fallback");
    assert_eq!(c.host, "https://10.96.0.1:443");
    // With a kubeconfig present it wins.
    write(&dir, "home/.kube/config", "current-context: x\ncontexts: [{name: x, context: {cluster: x}}]\nclusters: [{name: x, cluster: {server: 'https://kubeconfig'}}]\n");
    let c = deferred_rest_config(&home_rules, Overrides::default(), &env).expect("kubeconfig");
    assert_eq!(c.host, "https://kubeconfig");
    // Neither: an error that says both were tried.
    let none = LoadingRules::from_values(None, Some(dir.join("nohome")));
    let outside = InClusterEnv { host: None, ..env };
    let err = deferred_rest_config(&none, Overrides::default(), &outside).expect_err("nothing");
    assert!(matches!(err, Error::NoConfiguration { .. }), "{err}");
    assert!(err.to_string().contains("KUBERNETES_SERVICE_HOST"), "{err}");
}

#[test]
fn build_config_from_flags_semantics() {
    let dir = scratch("flags");
    let env = service_account(&dir, None);
    // Neither flag: in-cluster first.
    assert_eq!(
        build_config_from_flags(None, None, &env)
            .expect("in-cluster")
            .host,
        "https://10.96.0.1:443"
    );
    // Master URL only: used as server.
    let outside = InClusterEnv { host: None, ..env };
    assert_eq!(
        build_config_from_flags(Some("https://m:1"), None, &outside)
            .expect("master")
            .host,
        "https://m:1"
    );
    // Explicit kubeconfig must exist.
    let err =
        build_config_from_flags(None, Some(&dir.join("nope")), &outside).expect_err("missing");
    assert!(
        matches!(err, Error::ExplicitKubeconfigMissing { .. }),
        "{err}"
    );
    let _ = clientcmd::load_default; // the default entry point exists with this signature
}

#[test]
fn no_current_context_is_an_empty_config_that_falls_back_to_in_cluster() {
    let dir = scratch("no-current");
    let env = service_account(&dir, None);
    let cfg = write(
        &dir,
        "config",
        "clusters: [{name: x, cluster: {server: 'https://x'}}]\ncontexts: [{name: x, context: {cluster: x}}]\n",
    );
    let rules = LoadingRules::default().with_explicit_path(&cfg);
    let err = ClientConfig::from_rules(&rules, Overrides::default())
        .expect("loads")
        .rest_config()
        .expect_err("nothing selected");
    assert!(
        matches!(
            err,
            Error::NoConfiguration {
                in_cluster: None,
                ..
            }
        ),
        "{err}"
    );
    let c = deferred_rest_config(&rules, Overrides::default(), &env).expect("in-cluster");
    assert_eq!(c.host, "https://10.96.0.1:443");
    // Choosing the context explicitly uses the kubeconfig.
    let o = Overrides {
        context: Some("x".into()),
        ..Default::default()
    };
    assert_eq!(
        deferred_rest_config(&rules, o, &env)
            .expect("kubeconfig")
            .host,
        "https://x"
    );
}

#[test]
fn server_without_scheme_gets_one_like_client_go() {
    let dir = scratch("scheme");
    let cfg = "current-context: a\ncontexts: [{name: a, context: {cluster: a}}, {name: b, context: {cluster: b}}]\nclusters:\n- {name: a, cluster: {server: '10.0.0.1:6443', insecure-skip-tls-verify: true}}\n- {name: b, cluster: {server: 'localhost:8080'}}\n";
    let host = |ctx: &str| {
        let o = Overrides {
            context: Some(ctx.into()),
            ..Default::default()
        };
        client_config(&dir, cfg, o)
            .expect("loads")
            .rest_config()
            .expect("usable")
            .host
    };
    assert_eq!(host("a"), "https://10.0.0.1:6443");
    assert_eq!(host("b"), "http://localhost:8080");
}
