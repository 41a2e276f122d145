//! SOCKS5 proxies (`proxy-url: socks5://...`, as client-go supports them): requests reach the
//! API server through a handwritten RFC 1928 / RFC 1929 proxy on a real loopback socket that
//! records what it was asked to connect to; bad proxy URLs fail as `proxy_url` config errors
//! without ever quoting the proxy password.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod rest_support;

use kubeclient_runtime::clientcmd;
use kubeclient_runtime::rest::{Config, Error, RestClient};
use rest_support::{serve, Reply, Server};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Where a SOCKS5 client asked the proxy to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// `ATYP` 1 (IPv4) or 4 (IPv6): the client resolved the name itself.
    Addr(SocketAddr),
    /// `ATYP` 3: the proxy resolves the name (`socks5h`).
    Domain(String, u16),
}

/// One CONNECT the proxy carried out, with the RFC 1929 credentials the client presented.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Connect {
    target: Target,
    user: Option<(String, String)>,
}

/// A running SOCKS5 proxy; dropped = stopped.
struct Socks5 {
    addr: SocketAddr,
    connects: Arc<Mutex<Vec<Connect>>>,
    /// Connections refused because of a wrong user name or password.
    auth_failures: Arc<Mutex<usize>>,
    task: tokio::task::JoinHandle<()>,
}

impl Socks5 {
    fn connects(&self) -> Vec<Connect> {
        self.connects.lock().expect("connect log").clone()
    }
    fn auth_failures(&self) -> usize {
        *self.auth_failures.lock().expect("failure count")
    }
}

impl Drop for Socks5 {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What the proxy demands and how it resolves names.
#[derive(Clone, Default)]
struct Socks5Options {
    /// Require RFC 1929 user name/password authentication with these credentials.
    credentials: Option<(String, String)>,
    /// Names the proxy resolves itself (standing in for DNS the client cannot see).
    hosts: HashMap<String, SocketAddr>,
}

async fn socks5(options: Socks5Options) -> Socks5 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
    let addr = listener.local_addr().expect("proxy addr");
    let connects = Arc::new(Mutex::new(Vec::new()));
    let auth_failures = Arc::new(Mutex::new(0));
    let (log, failures) = (connects.clone(), auth_failures.clone());
    let options = Arc::new(options);
    let task = tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let (log, failures, options) = (log.clone(), failures.clone(), options.clone());
            tokio::spawn(async move {
                // A client that breaks the protocol just loses its connection.
                let _ = proxy_connection(client, &options, &log, &failures).await;
            });
        }
    });
    Socks5 {
        addr,
        connects,
        auth_failures,
        task,
    }
}

const VERSION: u8 = 5;
const NO_AUTH: u8 = 0;
const USER_PASS: u8 = 2;
const NO_ACCEPTABLE_METHOD: u8 = 0xff;
const CMD_CONNECT: u8 = 1;
const ATYP_IPV4: u8 = 1;
const ATYP_DOMAIN: u8 = 3;
const ATYP_IPV6: u8 = 4;
const REPLY_OK: u8 = 0;
const REPLY_HOST_UNREACHABLE: u8 = 4;
const REPLY_CONNECTION_REFUSED: u8 = 5;
const REPLY_COMMAND_NOT_SUPPORTED: u8 = 7;
const REPLY_ADDRESS_NOT_SUPPORTED: u8 = 8;

fn protocol_error(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

async fn read_string(stream: &mut TcpStream) -> io::Result<String> {
    let len = stream.read_u8().await?;
    let mut bytes = vec![0u8; usize::from(len)];
    stream.read_exact(&mut bytes).await?;
    String::from_utf8(bytes).map_err(|_| protocol_error("string is not UTF-8"))
}

async fn reply(stream: &mut TcpStream, code: u8, bound: SocketAddr) -> io::Result<()> {
    let mut msg = vec![VERSION, code, 0];
    match bound {
        SocketAddr::V4(a) => {
            msg.push(ATYP_IPV4);
            msg.extend_from_slice(&a.ip().octets());
        }
        SocketAddr::V6(a) => {
            msg.push(ATYP_IPV6);
            msg.extend_from_slice(&a.ip().octets());
        }
    }
    msg.extend_from_slice(&bound.port().to_be_bytes());
    stream.write_all(&msg).await
}

async fn proxy_connection(
    mut client: TcpStream,
    options: &Socks5Options,
    log: &Mutex<Vec<Connect>>,
    auth_failures: &Mutex<usize>,
) -> io::Result<()> {
    let unspecified = SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0));
    // RFC 1928 §3: VER NMETHODS METHODS...
    if client.read_u8().await? != VERSION {
        return Err(protocol_error("not SOCKS5"));
    }
    let mut methods = vec![0u8; usize::from(client.read_u8().await?)];
    client.read_exact(&mut methods).await?;
    let wanted = if options.credentials.is_some() {
        USER_PASS
    } else {
        NO_AUTH
    };
    if !methods.contains(&wanted) {
        client.write_all(&[VERSION, NO_ACCEPTABLE_METHOD]).await?;
        return Ok(());
    }
    client.write_all(&[VERSION, wanted]).await?;

    // RFC 1929: VER(1) ULEN UNAME PLEN PASSWD -> VER STATUS.
    let mut user = None;
    if let Some(expected) = &options.credentials {
        if client.read_u8().await? != 1 {
            return Err(protocol_error("bad user/password negotiation version"));
        }
        let presented = (
            read_string(&mut client).await?,
            read_string(&mut client).await?,
        );
        if &presented != expected {
            *auth_failures
                .lock()
                .map_err(|_| protocol_error("poisoned"))? += 1;
            client.write_all(&[1, 1]).await?;
            return Ok(());
        }
        client.write_all(&[1, 0]).await?;
        user = Some(presented);
    }

    // RFC 1928 §4: VER CMD RSV ATYP DST.ADDR DST.PORT
    let mut head = [0u8; 4];
    client.read_exact(&mut head).await?;
    let [version, command, _, atyp] = head;
    if version != VERSION {
        return Err(protocol_error("request is not SOCKS5"));
    }
    let target = match atyp {
        ATYP_IPV4 => {
            let mut ip = [0u8; 4];
            client.read_exact(&mut ip).await?;
            Target::Addr(SocketAddr::from((
                Ipv4Addr::from(ip),
                client.read_u16().await?,
            )))
        }
        ATYP_IPV6 => {
            let mut ip = [0u8; 16];
            client.read_exact(&mut ip).await?;
            Target::Addr(SocketAddr::from((
                Ipv6Addr::from(ip),
                client.read_u16().await?,
            )))
        }
        ATYP_DOMAIN => {
            let name = read_string(&mut client).await?;
            Target::Domain(name, client.read_u16().await?)
        }
        _ => {
            reply(&mut client, REPLY_ADDRESS_NOT_SUPPORTED, unspecified).await?;
            return Ok(());
        }
    };
    if command != CMD_CONNECT {
        reply(&mut client, REPLY_COMMAND_NOT_SUPPORTED, unspecified).await?;
        return Ok(());
    }
    log.lock()
        .map_err(|_| protocol_error("poisoned"))?
        .push(Connect {
            target: target.clone(),
            user,
        });

    let upstream = match &target {
        Target::Addr(addr) => TcpStream::connect(*addr).await,
        Target::Domain(name, port) => match options.hosts.get(name) {
            Some(addr) => TcpStream::connect(SocketAddr::new(addr.ip(), *port)).await,
            None => {
                reply(&mut client, REPLY_HOST_UNREACHABLE, unspecified).await?;
                return Ok(());
            }
        },
    };
    let mut upstream = match upstream {
        Ok(s) => s,
        Err(_) => {
            reply(&mut client, REPLY_CONNECTION_REFUSED, unspecified).await?;
            return Ok(());
        }
    };
    reply(&mut client, REPLY_OK, upstream.local_addr()?).await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}

fn config(host: &str, proxy: &str) -> Config {
    let mut c = Config::new(host);
    c.qps = -1.0;
    c.proxy_url = Some(proxy.to_owned());
    c
}

fn version_body() -> Value {
    json!({"major": "1", "minor": "31", "gitVersion": "v1.31.0"})
}

async fn api_server() -> Server {
    serve(|req| {
        if req.method == "GET" && req.path == "/version" {
            Reply::json(200, &version_body())
        } else {
            Reply::status(404, "NotFound", "no such path")
        }
    })
    .await
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// The error's message with its whole source chain.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(" / ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[tokio::test]
async fn socks5_proxy_carries_requests_to_the_api_server() {
    let server = api_server().await;
    let proxy = socks5(Socks5Options::default()).await;
    let cfg = config(&server.url, &format!("socks5://{}", proxy.addr));
    let body = RestClient::new(&cfg)
        .expect("client")
        .get()
        .abs_path("/version")
        .do_raw()
        .await
        .expect("via socks5");
    let body: Value = serde_json::from_slice(&body).expect("json body");
    assert_eq!(body, version_body());
    // socks5 resolves locally: the proxy is handed an address, not a name.
    assert_eq!(
        proxy.connects(),
        vec![Connect {
            target: Target::Addr(loopback(server.port)),
            user: None
        }]
    );
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn socks5h_lets_the_proxy_resolve_the_host_name() {
    let server = api_server().await;
    // `.invalid` never resolves here: only the proxy knows the name.
    let name = "api.kubernetes.invalid";
    let proxy = socks5(Socks5Options {
        hosts: HashMap::from([(name.to_owned(), loopback(server.port))]),
        ..Default::default()
    })
    .await;
    let cfg = config(
        &format!("http://{name}:{}", server.port),
        &format!("socks5h://{}", proxy.addr),
    );
    let body = RestClient::new(&cfg)
        .expect("client")
        .get()
        .abs_path("/version")
        .do_raw()
        .await
        .expect("via socks5h");
    assert_eq!(
        serde_json::from_slice::<Value>(&body).expect("json body"),
        version_body()
    );
    assert_eq!(
        proxy.connects(),
        vec![Connect {
            target: Target::Domain(name.to_owned(), server.port),
            user: None
        }]
    );
}

#[tokio::test]
async fn socks5_user_and_password_from_the_proxy_url_authenticate() {
    let server = api_server().await;
    let secret = "pr0xy-s3cret";
    let proxy = socks5(Socks5Options {
        credentials: Some(("alice".into(), secret.into())),
        ..Default::default()
    })
    .await;

    let cfg = config(
        &server.url,
        &format!("socks5://alice:{secret}@{}", proxy.addr),
    );
    let body = RestClient::new(&cfg)
        .expect("client")
        .get()
        .abs_path("/version")
        .do_raw()
        .await
        .expect("authenticated");
    assert_eq!(
        serde_json::from_slice::<Value>(&body).expect("json body"),
        version_body()
    );
    assert_eq!(
        proxy.connects(),
        vec![Connect {
            target: Target::Addr(loopback(server.port)),
            user: Some(("alice".into(), secret.into()))
        }]
    );

    // A wrong password is refused by the proxy; the error does not echo the password.
    let wrong = "wr0ng-passw0rd";
    let cfg = config(
        &server.url,
        &format!("socks5://alice:{wrong}@{}", proxy.addr),
    );
    let err = RestClient::new(&cfg)
        .expect("client")
        .get()
        .abs_path("/version")
        .do_raw()
        .await
        .expect_err("refused");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(proxy.auth_failures(), 1);
    assert_eq!(
        proxy.connects().len(),
        1,
        "no CONNECT without authentication"
    );
    assert_eq!(
        server.hits(),
        1,
        "the API server saw only the authenticated request"
    );
    for text in [chain(&err), format!("{err:?}")] {
        assert!(!text.contains(wrong), "password leaked: {text}");
    }
}

#[tokio::test]
async fn kubeconfig_proxy_url_socks5_reaches_the_server() {
    let server = api_server().await;
    let proxy = socks5(Socks5Options::default()).await;
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n\
         clusters:\n- name: k\n  cluster:\n    server: {}\n    proxy-url: socks5://{}\n\
         contexts:\n- name: c\n  context:\n    cluster: k\n    user: u\n\
         users:\n- name: u\n  user: {{}}\n",
        server.url, proxy.addr
    );
    let raw = clientcmd::load(kubeconfig.as_bytes()).expect("kubeconfig");
    let cfg = clientcmd::ClientConfig::new(raw, clientcmd::Overrides::default(), Vec::new())
        .rest_config()
        .expect("rest config");
    assert_eq!(
        cfg.proxy_url.as_deref(),
        Some(format!("socks5://{}", proxy.addr).as_str())
    );
    let body = RestClient::new(&cfg)
        .expect("client")
        .get()
        .abs_path("/version")
        .do_raw()
        .await
        .expect("via socks5");
    assert_eq!(
        serde_json::from_slice::<Value>(&body).expect("json body"),
        version_body()
    );
    assert_eq!(proxy.connects().len(), 1);
}

#[tokio::test]
async fn a_dead_socks_proxy_is_a_transport_error_not_a_direct_connection() {
    let server = api_server().await;
    // Bind then drop: nothing listens on this port any more.
    let dead = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind")
        .local_addr()
        .expect("addr");
    let cfg = config(&server.url, &format!("socks5://{dead}"));
    let err = RestClient::new(&cfg)
        .expect("client")
        .get()
        .abs_path("/version")
        .do_raw()
        .await
        .expect_err("no proxy");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(server.hits(), 0, "the request must not bypass the proxy");
}

#[test]
fn unsupported_or_malformed_proxy_urls_are_config_errors_without_the_password() {
    let secret = "hunter2-proxy";
    for (proxy, expect) in [
        (format!("ftp://bob:{secret}@proxy.example:21"), "\"ftp\""),
        (
            format!("socks4://bob:{secret}@proxy.example:1080"),
            "\"socks4\"",
        ),
        (
            format!("bob:{secret}@proxy.example"),
            "unsupported proxy scheme",
        ),
        (format!("socks5://bob:{secret}@[::1"), "not an absolute URL"),
        (
            "proxy.example:3128/no scheme".to_owned(),
            "unsupported proxy scheme",
        ),
        ("relative/path".to_owned(), "not an absolute URL"),
    ] {
        let err = RestClient::new(&config("https://127.0.0.1:6443", &proxy)).expect_err(&proxy);
        let Error::Config { field, message } = &err else {
            panic!("{proxy}: not a config error: {err:?}")
        };
        assert_eq!(*field, "proxy_url");
        let text = err.to_string();
        assert!(text.contains("proxy_url"), "{text}");
        assert!(message.contains(expect), "{proxy}: {message}");
        for shown in [text, format!("{err:?}")] {
            assert!(!shown.contains(secret), "password leaked: {shown}");
        }
    }
    for ok in [
        "http://127.0.0.1:3128",
        "https://proxy.example",
        "socks5://127.0.0.1:1080",
        "socks5h://u:p@proxy.example",
    ] {
        RestClient::new(&config("https://127.0.0.1:6443", ok))
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
}

#[test]
fn rest_client_debug_does_not_show_the_proxy_password() {
    let secret = "hunter2-proxy";
    let cfg = config(
        "https://127.0.0.1:6443",
        &format!("socks5://bob:{secret}@127.0.0.1:1080"),
    );
    let shown = format!("{:?}", RestClient::new(&cfg).expect("client"));
    assert!(
        !shown.contains(secret),
        "password leaked by RestClient's Debug: {shown}"
    );
}

#[test]
fn config_debug_does_not_show_the_proxy_password() {
    let secret = "hunter2-proxy";
    let cfg = config(
        "https://127.0.0.1:6443",
        &format!("socks5://bob:{secret}@127.0.0.1:1080"),
    );
    let shown = format!("{cfg:?}");
    assert!(
        !shown.contains(secret),
        "password leaked by Config's Debug: {shown}"
    );
    let cluster = kubeclient_runtime::clientcmd::api::Cluster {
        proxy_url: Some(format!("socks5://bob:{secret}@127.0.0.1:1080")),
        ..Default::default()
    };
    let shown = format!("{cluster:?}");
    assert!(
        !shown.contains(secret) && shown.contains("127.0.0.1:1080"),
        "password leaked by Cluster's Debug: {shown}"
    );
}
