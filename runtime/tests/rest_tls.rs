//! TLS with certificates generated at test time: CA verification, wrong CA, `insecure`,
//! `server_name`, client certificates from the config and from a credential source.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod rest_support;

use kubeclient_runtime::rest::{
    Config, CredentialSource, Credentials, CredentialsFuture, Error, RestClient,
};
use kubeclient_runtime::secret::Secret;
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, SanType,
};
use rest_support::{serve_tls, Reply, Req};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::{Arc, Mutex};

struct Ca {
    cert: Certificate,
    key: KeyPair,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let key = KeyPair::generate().expect("ca key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.self_signed(&key).expect("ca cert");
        Ca { cert, key }
    }

    fn pem(&self) -> Vec<u8> {
        self.cert.pem().into_bytes()
    }

    /// A leaf for `dns` names (and 127.0.0.1 when `with_ip`), for server or client use.
    fn leaf(&self, dns: &[&str], with_ip: bool, client: bool) -> (Certificate, KeyPair) {
        let key = KeyPair::generate().expect("leaf key");
        let mut params =
            CertificateParams::new(dns.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .expect("params");
        if with_ip {
            params
                .subject_alt_names
                .push(SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
        }
        params
            .distinguished_name
            .push(DnType::CommonName, dns.first().copied().unwrap_or("client"));
        params.extended_key_usages = vec![if client {
            ExtendedKeyUsagePurpose::ClientAuth
        } else {
            ExtendedKeyUsagePurpose::ServerAuth
        }];
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .expect("leaf cert");
        (cert, key)
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn server_config(
    ca: &Ca,
    dns: &[&str],
    with_ip: bool,
    client_ca: Option<&Ca>,
) -> Arc<rustls::ServerConfig> {
    let (cert, key) = ca.leaf(dns, with_ip, false);
    let builder = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions");
    let builder = match client_ca {
        Some(client_ca) => {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(client_ca.cert.der().clone()).expect("client ca");
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider(),
            )
            .build()
            .expect("client verifier");
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone()];
    Arc::new(builder.with_single_cert(chain, key).expect("server cert"))
}

fn ok_handler(_req: Req) -> Reply {
    Reply::json(
        200,
        &serde_json::json!({"kind":"APIVersions","versions":["v1"]}),
    )
}

fn client(url: &str, edit: impl FnOnce(&mut Config)) -> RestClient {
    let mut config = Config::new(url);
    config.qps = -1.0;
    edit(&mut config);
    RestClient::new(&config).expect("client")
}

async fn call(rest: &RestClient) -> Result<bytes::Bytes, Error> {
    rest.get().abs_path("/api").do_raw().await
}

#[tokio::test]
async fn ca_verification_accepts_the_right_ca_and_rejects_others() {
    let ca = Ca::new("cluster ca");
    let other = Ca::new("someone else");
    let server = serve_tls(ok_handler, server_config(&ca, &["localhost"], true, None)).await;

    call(&client(&server.url, |c| c.tls.ca_data = Some(ca.pem())))
        .await
        .expect("trusted CA");
    let wrong = call(&client(&server.url, |c| c.tls.ca_data = Some(other.pem())))
        .await
        .expect_err("wrong CA");
    assert!(matches!(wrong, Error::Transport { .. }), "{wrong}");
    let system = call(&client(&server.url, |_| {}))
        .await
        .expect_err("not in public roots");
    assert!(matches!(system, Error::Transport { .. }), "{system}");
    call(&client(&server.url, |c| c.tls.insecure = true))
        .await
        .expect("insecure skips verification");
    // localhost resolves to the loopback server too and is in the certificate.
    let by_name = server.url.replace("127.0.0.1", "localhost");
    call(&client(&by_name, |c| c.tls.ca_data = Some(ca.pem())))
        .await
        .expect("DNS name in certificate");
}

#[tokio::test]
async fn server_name_is_what_the_certificate_is_checked_against() {
    let ca = Ca::new("cluster ca");
    // The certificate names only kubernetes.internal, not the address we connect to.
    let server = serve_tls(
        ok_handler,
        server_config(&ca, &["kubernetes.internal"], false, None),
    )
    .await;
    let by_ip = call(&client(&server.url, |c| c.tls.ca_data = Some(ca.pem())))
        .await
        .expect_err("IP not in cert");
    assert!(matches!(by_ip, Error::Transport { .. }), "{by_ip}");
    call(&client(&server.url, |c| {
        c.tls.ca_data = Some(ca.pem());
        c.tls.server_name = Some("kubernetes.internal".into());
    }))
    .await
    .expect("server_name matches the certificate");
    let wrong = call(&client(&server.url, |c| {
        c.tls.ca_data = Some(ca.pem());
        c.tls.server_name = Some("other.internal".into());
    }))
    .await
    .expect_err("server_name not in certificate");
    assert!(matches!(wrong, Error::Transport { .. }), "{wrong}");
}

#[derive(Debug)]
struct ExecCert(Mutex<(Vec<u8>, String)>);

impl CredentialSource for ExecCert {
    fn credentials(&self) -> CredentialsFuture<'_> {
        let (cert, key) = self.0.lock().expect("lock").clone();
        Box::pin(async move {
            Ok(Credentials::ClientCertificate {
                cert_pem: cert,
                key_pem: Secret::new(key),
            })
        })
    }
    fn invalidate(&self) {}
}

#[tokio::test]
async fn client_certificates_from_config_and_from_credentials() {
    let ca = Ca::new("cluster ca");
    let client_ca = Ca::new("client ca");
    let server = serve_tls(
        ok_handler,
        server_config(&ca, &["localhost"], true, Some(&client_ca)),
    )
    .await;

    let anonymous = call(&client(&server.url, |c| c.tls.ca_data = Some(ca.pem()))).await;
    assert!(
        anonymous.is_err(),
        "the server requires a client certificate"
    );

    let (cert, key) = client_ca.leaf(&["jane"], false, true);
    let with_cert = client(&server.url, |c| {
        c.tls.ca_data = Some(ca.pem());
        c.tls.cert_data = Some(cert.pem().into_bytes());
        c.tls.key_data = Some(Secret::new(key.serialize_pem()));
    });
    call(&with_cert)
        .await
        .expect("client certificate from config");
    assert!(
        !format!("{:?}", with_cert.config()).contains("PRIVATE KEY"),
        "key must be redacted"
    );

    let source = Arc::new(ExecCert(Mutex::new((
        cert.pem().into_bytes(),
        key.serialize_pem(),
    ))));
    let rest = client(&server.url, |c| {
        c.tls.ca_data = Some(ca.pem());
        c.credentials = Some(source.clone());
    });
    call(&rest).await.expect("exec certificate");
    call(&rest).await.expect("exec certificate, cached client");
    assert_eq!(rest.cached_certificate_clients(), 1);
    // The plugin rotates its certificate: a new client presents the new identity.
    let (cert2, key2) = client_ca.leaf(&["jane"], false, true);
    *source.0.lock().expect("lock") = (cert2.pem().into_bytes(), key2.serialize_pem());
    call(&rest).await.expect("rotated certificate");
    assert_eq!(rest.cached_certificate_clients(), 2);
    // A certificate from an untrusted CA is refused by the server.
    let (bad, bad_key) = Ca::new("rogue").leaf(&["jane"], false, true);
    *source.0.lock().expect("lock") = (bad.pem().into_bytes(), bad_key.serialize_pem());
    assert!(call(&rest).await.is_err());
}

#[test]
fn bad_pem_is_a_config_error_naming_the_field() {
    let mut config = Config::new("https://127.0.0.1:1");
    config.tls.ca_data = Some(b"not a pem".to_vec());
    let err = RestClient::new(&config).expect_err("bad CA");
    assert!(
        matches!(
            err,
            Error::Config {
                field: "tls.ca_data",
                ..
            }
        ),
        "{err}"
    );
    let mut config = Config::new("https://127.0.0.1:1");
    config.tls.cert_data = Some(Ca::new("x").pem());
    config.tls.key_data = Some(Secret::new(
        "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n",
    ));
    let err = RestClient::new(&config).expect_err("bad key");
    assert!(
        matches!(
            err,
            Error::Config {
                field: "tls.key_data",
                ..
            }
        ),
        "{err}"
    );
    assert!(
        !err.to_string().contains("not base64"),
        "no key material in errors: {err}"
    );
    let mut config = Config::new("https://127.0.0.1:1");
    config.tls.server_name = Some("bad name with spaces".into());
    assert!(matches!(
        RestClient::new(&config),
        Err(Error::Config {
            field: "tls.server_name",
            ..
        })
    ));
}

#[tokio::test]
async fn tls_failures_show_the_reason_not_only_error_sending_request() {
    let ca = Ca::new("cluster ca");
    let other = Ca::new("someone else");
    let server = serve_tls(ok_handler, server_config(&ca, &["localhost"], true, None)).await;
    let err = call(&client(&server.url, |c| c.tls.ca_data = Some(other.pem())))
        .await
        .expect_err("wrong CA");
    let text = err.to_string();
    // rustls' reason sits three source()s below reqwest's "error sending request".
    assert!(
        text.contains("invalid peer certificate") || text.contains("UnknownIssuer"),
        "{text}"
    );
}
