//! Builds the rustls client configuration from a [`TlsConfig`]: CA roots, client identity,
//! `insecure`, and `server_name` (verify the certificate against a name other than the URL's host).

use super::config::TlsConfig;
use super::error::Error;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;

/// A client certificate and key in PEM.
pub(crate) struct Identity<'a> {
    pub cert_pem: &'a [u8],
    pub key_pem: &'a [u8],
}

/// The rustls config for `tls`, presenting `identity` when given.
pub(crate) fn client_config(
    tls: &TlsConfig,
    identity: Option<Identity<'_>>,
) -> Result<ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config {
            field: "tls",
            message: e.to_string(),
        })?;
    let verifier = server_verifier(tls, provider)?;
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match identity {
        Some(id) => {
            let certs = parse_certs(id.cert_pem, "tls.cert_data")?;
            let key = PrivateKeyDer::from_pem_slice(id.key_pem).map_err(|e| Error::Config {
                field: "tls.key_data",
                // The PEM error names the section, never the key bytes.
                message: format!("no usable private key: {e}"),
            })?;
            builder
                .with_client_auth_cert(certs, key)
                .map_err(|e| Error::Config {
                    field: "tls.cert_data",
                    message: e.to_string(),
                })?
        }
        None => builder.with_no_client_auth(),
    };
    // API servers speak HTTP/2; fall back to HTTP/1.1 for proxies and old servers.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

fn parse_certs(pem: &[u8], field: &'static str) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Config {
            field,
            message: format!("bad PEM: {e}"),
        })?;
    if certs.is_empty() {
        return Err(Error::Config {
            field,
            message: "no CERTIFICATE block in PEM data".into(),
        });
    }
    Ok(certs)
}

fn server_verifier(
    tls: &TlsConfig,
    provider: Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, Error> {
    if tls.insecure {
        return Ok(Arc::new(AcceptAnyCertificate(provider)));
    }
    let mut roots = RootCertStore::empty();
    match &tls.ca_data {
        // Like client-go: a configured CA replaces the system roots instead of adding to them.
        Some(pem) => {
            for cert in parse_certs(pem, "tls.ca_data")? {
                roots.add(cert).map_err(|e| Error::Config {
                    field: "tls.ca_data",
                    message: e.to_string(),
                })?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|e| Error::Config {
            field: "tls.ca_data",
            message: e.to_string(),
        })?;
    match &tls.server_name {
        Some(name) if !name.is_empty() => {
            let name = ServerName::try_from(name.clone()).map_err(|e| Error::Config {
                field: "tls.server_name",
                message: format!("{name:?} is not a DNS name or IP address: {e}"),
            })?;
            Ok(Arc::new(FixedNameVerifier {
                inner: webpki,
                name,
            }))
        }
        _ => Ok(webpki),
    }
}

/// Verifies the chain as usual but against the configured `server_name` instead of the name the
/// connection was opened with (client-go's `tls.Config.ServerName`).
#[derive(Debug)]
struct FixedNameVerifier {
    inner: Arc<WebPkiServerVerifier>,
    name: ServerName<'static>,
}

impl ServerCertVerifier for FixedNameVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.inner
            .verify_server_cert(end_entity, intermediates, &self.name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// `insecure-skip-tls-verify`: any certificate is accepted, but the handshake signatures are
/// still checked so the session is at least bound to the presented key.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
