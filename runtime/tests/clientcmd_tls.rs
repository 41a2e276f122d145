//! End to end: kubeconfig files -> clientcmd -> `rest::Config` -> `RestClient` -> a real
//! HTTPS server on loopback with certificates generated at test time. Covers CA files and
//! data, a wrong CA, tls-server-name, insecure mode, client certificates, tokens, token-file
//! rotation, exec plugins re-run after a 401, and impersonation headers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_runtime::clientcmd::{ClientConfig, LoadingRules, Overrides};
use kubeclient_runtime::rest::RestClient;
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "kubeclient-clientcmd-tls-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(rel);
    std::fs::write(&p, content).expect("write");
    p
}

fn b64(data: impl AsRef<[u8]>) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}

struct Ca {
    cert: Certificate,
    key: KeyPair,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let key = KeyPair::generate().expect("key");
        let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        let cert = p.self_signed(&key).expect("self-signed");
        Ca { cert, key }
    }

    fn issue(&self, names: &[&str], loopback_ip: bool, client: bool) -> (String, KeyPair) {
        let key = KeyPair::generate().expect("key");
        let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect("params");
        if loopback_ip {
            p.subject_alt_names
                .push(SanType::IpAddress([127, 0, 0, 1].into()));
        }
        p.distinguished_name
            .push(DnType::CommonName, names.first().copied().unwrap_or("x"));
        p.extended_key_usages = vec![if client {
            ExtendedKeyUsagePurpose::ClientAuth
        } else {
            ExtendedKeyUsagePurpose::ServerAuth
        }];
        let cert = p.signed_by(&key, &self.cert, &self.key).expect("signed");
        (cert.pem(), key)
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// What the server saw in one request.
#[derive(Clone, Debug, Default)]
struct Seen {
    headers: Vec<(String, String)>,
}

impl Seen {
    fn get(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .collect()
    }
}

type Decide = Arc<dyn Fn(&Seen) -> u16 + Send + Sync>;

struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An HTTPS server for `names` signed by `ca`, optionally requiring client certificates
/// from `client_ca`; `decide` picks the status of each request.
async fn serve(ca: &Ca, names: &[&str], client_ca: Option<&Ca>, decide: Decide) -> Server {
    let (pem, key) = ca.issue(names, names.contains(&"localhost"), false);
    let chain = vec![CertificateDer::from(pem_der(&pem))];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let builder = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions");
    let builder = match client_ca {
        Some(c) => {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(c.cert.der().clone()).expect("root");
            let v = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider(),
            )
            .build()
            .expect("verifier");
            builder.with_client_cert_verifier(v)
        }
        None => builder.with_no_client_auth(),
    };
    let config = builder.with_single_cert(chain, key).expect("server cert");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let seen = seen2.clone();
            let decide = decide.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Some(req) = read_head(&mut tls).await else {
                    return;
                };
                let status = decide(&req);
                seen.lock().expect("lock").push(req);
                let body = if status == 200 {
                    r#"{"kind":"APIVersions","versions":["v1"]}"#.to_owned()
                } else {
                    format!(
                        r#"{{"kind":"Status","apiVersion":"v1","status":"Failure","code":{status},"reason":"Unauthorized"}}"#
                    )
                };
                let resp = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(resp.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    Server { port, seen, task }
}

fn pem_der(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("pem body")
}

async fn read_head<S: tokio::io::AsyncRead + Unpin>(s: &mut S) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let headers = text
        .split("\r\n")
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Some(Seen { headers })
}

fn always(status: u16) -> Decide {
    Arc::new(move |_| status)
}

/// Build a client from the kubeconfig at `path` using `context`, and GET /api.
async fn get_api(path: &Path, context: &str) -> Result<(), String> {
    let overrides = Overrides {
        context: Some(context.to_owned()),
        ..Default::default()
    };
    let cc = ClientConfig::from_rules(&LoadingRules::default().with_explicit_path(path), overrides)
        .map_err(|e| e.to_string())?;
    let config = cc.rest_config().map_err(|e| e.to_string())?;
    let client = RestClient::new(&config).map_err(|e| e.to_string())?;
    client
        .get()
        .abs_path("/api")
        .do_raw()
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn kubeconfig(
    dir: &Path,
    clusters: &[(&str, String)],
    users: &[(&str, String)],
    contexts: &[(&str, &str, &str)],
) -> PathBuf {
    let mut y = String::from("apiVersion: v1\nkind: Config\nclusters:\n");
    for (name, body) in clusters {
        y.push_str(&format!("- name: {name}\n  cluster:\n{body}"));
    }
    y.push_str("users:\n");
    for (name, body) in users {
        y.push_str(&format!("- name: {name}\n  user:\n{body}"));
    }
    y.push_str("contexts:\n");
    for (name, cluster, user) in contexts {
        y.push_str(&format!(
            "- name: {name}\n  context: {{cluster: {cluster}, user: {user}}}\n"
        ));
    }
    write(dir, "config", y)
}

#[tokio::test]
async fn server_verification_ca_file_data_wrong_ca_server_name_insecure() {
    let dir = scratch("verify");
    let ca = Ca::new("test-ca");
    let other = Ca::new("other-ca");
    write(&dir, "ca.crt", ca.cert.pem());
    let srv = serve(&ca, &["localhost"], None, always(200)).await;
    let named = serve(&ca, &["kube.internal"], None, always(200)).await;
    let url = |s: &Server| format!("https://127.0.0.1:{}", s.port);
    let cfg = kubeconfig(
        &dir,
        &[
            ("file", format!("    server: {}\n    certificate-authority: ca.crt\n", url(&srv))),
            ("data", format!("    server: {}\n    certificate-authority-data: {}\n", url(&srv), b64(ca.cert.pem()))),
            ("wrong", format!("    server: {}\n    certificate-authority-data: {}\n", url(&srv), b64(other.cert.pem()))),
            ("insecure", format!("    server: {}\n    insecure-skip-tls-verify: true\n", url(&srv))),
            ("named", format!("    server: {}\n    certificate-authority: ca.crt\n    tls-server-name: kube.internal\n", url(&named))),
            ("unnamed", format!("    server: {}\n    certificate-authority: ca.crt\n", url(&named))),
        ],
        &[("nobody", "    {}\n".to_owned())],
        &[
            ("file", "file", "nobody"),
            ("data", "data", "nobody"),
            ("wrong", "wrong", "nobody"),
            ("insecure", "insecure", "nobody"),
            ("named", "named", "nobody"),
            ("unnamed", "unnamed", "nobody"),
        ],
    );
    get_api(&cfg, "file").await.expect("CA file verifies");
    get_api(&cfg, "data").await.expect("CA data verifies");
    get_api(&cfg, "wrong")
        .await
        .expect_err("a wrong CA must fail");
    get_api(&cfg, "insecure")
        .await
        .expect("insecure skips verification");
    get_api(&cfg, "named")
        .await
        .expect("tls-server-name verifies against that name");
    get_api(&cfg, "unnamed")
        .await
        .expect_err("without tls-server-name the IP does not match");
}

#[tokio::test]
async fn client_certificate_from_files_and_data() {
    let dir = scratch("mtls");
    let ca = Ca::new("server-ca");
    let client_ca = Ca::new("client-ca");
    let (client_pem, client_key) = client_ca.issue(&["alice"], false, true);
    write(&dir, "ca.crt", ca.cert.pem());
    write(&dir, "client.crt", &client_pem);
    write(&dir, "client.key", client_key.serialize_pem());
    let srv = serve(&ca, &["localhost"], Some(&client_ca), always(200)).await;
    let server = format!(
        "    server: https://127.0.0.1:{}\n    certificate-authority: ca.crt\n",
        srv.port
    );
    let cfg = kubeconfig(
        &dir,
        &[("c", server)],
        &[
            (
                "files",
                "    client-certificate: client.crt\n    client-key: client.key\n".to_owned(),
            ),
            (
                "data",
                format!(
                    "    client-certificate-data: {}\n    client-key-data: {}\n",
                    b64(&client_pem),
                    b64(client_key.serialize_pem())
                ),
            ),
            ("none", "    {}\n".to_owned()),
        ],
        &[
            ("files", "c", "files"),
            ("data", "c", "data"),
            ("none", "c", "none"),
        ],
    );
    get_api(&cfg, "files")
        .await
        .expect("client cert from files");
    get_api(&cfg, "data").await.expect("client cert from data");
    get_api(&cfg, "none")
        .await
        .expect_err("the server requires a client certificate");
}

#[tokio::test]
async fn tokens_basic_auth_and_impersonation_headers() {
    let dir = scratch("headers");
    let ca = Ca::new("ca");
    let srv = serve(&ca, &["localhost"], None, always(200)).await;
    let server = format!(
        "    server: https://127.0.0.1:{}\n    certificate-authority-data: {}\n",
        srv.port,
        b64(ca.cert.pem())
    );
    let cfg = kubeconfig(
        &dir,
        &[("c", server)],
        &[
            ("token", "    token: static-token\n    as: jane\n    as-uid: '1234'\n    as-groups: [devs, ops]\n    as-user-extra: {scopes: [view, edit]}\n".to_owned()),
            ("basic", "    username: bob\n    password: secret\n".to_owned()),
        ],
        &[("token", "c", "token"), ("basic", "c", "basic")],
    );
    get_api(&cfg, "token").await.expect("token");
    get_api(&cfg, "basic").await.expect("basic");
    let seen = srv.seen.lock().expect("lock").clone();
    assert_eq!(seen[0].get("authorization"), vec!["Bearer static-token"]);
    assert_eq!(seen[0].get("impersonate-user"), vec!["jane"]);
    assert_eq!(seen[0].get("impersonate-uid"), vec!["1234"]);
    assert_eq!(seen[0].get("impersonate-group"), vec!["devs", "ops"]);
    assert_eq!(
        seen[0].get("impersonate-extra-scopes"),
        vec!["view", "edit"]
    );
    assert_eq!(
        seen[1].get("authorization"),
        vec![format!("Basic {}", b64("bob:secret"))]
    );
}

#[tokio::test]
async fn token_file_rotation_is_used_without_restart() {
    let dir = scratch("tokenfile");
    let ca = Ca::new("ca");
    let valid = Arc::new(Mutex::new("one".to_owned()));
    let v = valid.clone();
    let decide: Decide = Arc::new(move |req| {
        let want = format!("Bearer {}", v.lock().expect("lock"));
        if req.get("authorization") == vec![want] {
            200
        } else {
            401
        }
    });
    let srv = serve(&ca, &["localhost"], None, decide).await;
    write(&dir, "token", "one\n");
    let server = format!(
        "    server: https://127.0.0.1:{}\n    certificate-authority-data: {}\n",
        srv.port,
        b64(ca.cert.pem())
    );
    let cfg = kubeconfig(
        &dir,
        &[("c", server)],
        &[("u", "    tokenFile: token\n".to_owned())],
        &[("x", "c", "u")],
    );
    let cc = ClientConfig::from_rules(
        &LoadingRules::default().with_explicit_path(&cfg),
        Overrides {
            context: Some("x".into()),
            ..Default::default()
        },
    )
    .expect("loads");
    let client = RestClient::new(&cc.rest_config().expect("config")).expect("client");
    client
        .get()
        .abs_path("/api")
        .do_raw()
        .await
        .expect("first token");
    // Rotate: the server now only accepts the new token; the 401 makes the source re-read.
    write(&dir, "token", "two\n");
    *valid.lock().expect("lock") = "two".to_owned();
    client
        .get()
        .abs_path("/api")
        .do_raw()
        .await
        .expect("rotated token picked up");
    let auth: Vec<Vec<String>> = srv
        .seen
        .lock()
        .expect("lock")
        .iter()
        .map(|s| s.get("authorization"))
        .collect();
    assert_eq!(auth.last(), Some(&vec!["Bearer two".to_owned()]));
}

#[tokio::test]
async fn exec_plugin_rerun_after_401() {
    let dir = scratch("exec");
    let ca = Ca::new("ca");
    // The server accepts only tokens from the second plugin run on: the first is "revoked".
    let decide: Decide = Arc::new(|req| {
        if req
            .get("authorization")
            .iter()
            .any(|a| a.starts_with("Bearer tok-") && a != "Bearer tok-1")
        {
            200
        } else {
            401
        }
    });
    let srv = serve(&ca, &["localhost"], None, decide).await;
    let plugin = dir.join("plugin.sh");
    let count = dir.join("count");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\nn=$(cat '{c}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{c}'\nprintf '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"tok-%s\"}}}}' \"$n\"\n",
            c = count.display()
        ),
    )
    .expect("plugin");
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let server = format!(
        "    server: https://127.0.0.1:{}\n    certificate-authority-data: {}\n",
        srv.port,
        b64(ca.cert.pem())
    );
    let user = "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ./plugin.sh\n      interactiveMode: Never\n".to_owned();
    let cfg = kubeconfig(&dir, &[("c", server)], &[("u", user)], &[("x", "c", "u")]);
    get_api(&cfg, "x").await.expect("401 then a fresh token");
    let runs = std::fs::read_to_string(&count).expect("count");
    assert_eq!(
        runs.trim(),
        "2",
        "plugin ran once, then again after the 401"
    );
    let statuses: BTreeMap<usize, Vec<String>> = srv
        .seen
        .lock()
        .expect("lock")
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.get("authorization")))
        .collect();
    assert_eq!(statuses.len(), 2, "{statuses:?}");
}
