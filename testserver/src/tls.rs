//! A throw-away PKI made at start: a CA, a serving certificate for loopback, and client
//! certificates whose CN/O name the user and groups (how kube-apiserver reads them).

use kubeclient_runtime::secret::Secret;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use std::sync::Arc;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;

/// Why the PKI could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// rcgen refused to build or sign a certificate.
    #[error("generating the {what} certificate: {source}")]
    Generate {
        /// Which certificate (CA, serving, client).
        what: &'static str,
        /// The rcgen error.
        #[source]
        source: rcgen::Error,
    },
    /// rustls rejected the generated material.
    #[error("configuring TLS ({what}): {source}")]
    Rustls {
        /// What was being configured.
        what: &'static str,
        /// The rustls error.
        #[source]
        source: rustls::Error,
    },
    /// The client-certificate verifier could not be built.
    #[error("building the client certificate verifier: {0}")]
    Verifier(#[from] rustls::server::VerifierBuilderError),
}

/// A CA plus the server's TLS configuration.
pub struct Pki {
    ca_cert: rcgen::Certificate,
    ca_key: KeyPair,
    /// The CA certificate, PEM; clients trust it.
    pub ca_pem: String,
    /// TLS configuration for the listener: serves the loopback certificate, asks for (but does
    /// not require) a client certificate signed by the CA.
    pub server_config: Arc<rustls::ServerConfig>,
}

impl std::fmt::Debug for Pki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pki")
            .field("ca_pem", &format!("<{} bytes>", self.ca_pem.len()))
            .finish_non_exhaustive()
    }
}

fn gen<T>(what: &'static str, r: Result<T, rcgen::Error>) -> Result<T, TlsError> {
    r.map_err(|source| TlsError::Generate { what, source })
}

impl Pki {
    /// Make a CA and a serving certificate valid for `localhost`, `127.0.0.1` and `::1`.
    pub fn generate() -> Result<Self, TlsError> {
        let mut ca_params = gen("CA", CertificateParams::new(Vec::<String>::new()))?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "kubeclient-testserver-ca");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_key = gen("CA", KeyPair::generate())?;
        let ca_cert = gen("CA", ca_params.self_signed(&ca_key))?;

        let hosts = vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "::1".to_string(),
        ];
        let mut sp = gen("serving", CertificateParams::new(hosts))?;
        sp.distinguished_name
            .push(DnType::CommonName, "kube-apiserver");
        sp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_key = gen("serving", KeyPair::generate())?;
        let server_cert = gen("serving", sp.signed_by(&server_key, &ca_cert, &ca_key))?;

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(ca_cert.der().clone())
            .map_err(|source| TlsError::Rustls {
                what: "trusting the CA",
                source,
            })?;
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .allow_unauthenticated()
                .build()?;
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|source| TlsError::Rustls {
                what: "protocol versions",
                source,
            })?
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![CertificateDer::from(server_cert.der().to_vec())],
                key_der,
            )
            .map_err(|source| TlsError::Rustls {
                what: "serving certificate",
                source,
            })?;
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Pki {
            ca_pem: ca_cert.pem(),
            ca_cert,
            ca_key,
            server_config: Arc::new(cfg),
        })
    }

    /// Issue a client certificate for `user` in `group` (rcgen holds one O per name, so one
    /// group; the server itself reads any number of O attributes). Returns (cert PEM, key PEM).
    pub fn issue_client(
        &self,
        user: &str,
        group: Option<&str>,
    ) -> Result<(String, Secret), TlsError> {
        let mut p = gen("client", CertificateParams::new(Vec::<String>::new()))?;
        p.distinguished_name.push(DnType::CommonName, user);
        if let Some(g) = group {
            p.distinguished_name.push(DnType::OrganizationName, g);
        }
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = gen("client", KeyPair::generate())?;
        let cert = gen("client", p.signed_by(&key, &self.ca_cert, &self.ca_key))?;
        Ok((cert.pem(), Secret::new(key.serialize_pem())))
    }
}
