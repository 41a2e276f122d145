//! The kubeconfig file written for a started server (JSON, which kubeconfig loaders accept as
//! YAML).

use base64::Engine;
use kubeclient_runtime::secret::Secret;
use serde_json::{json, Value};
use std::path::Path;

/// Credentials put in the kubeconfig.
pub struct KubeconfigAuth<'a> {
    /// CA PEM (HTTPS only).
    pub ca_pem: Option<&'a str>,
    /// Admin client certificate and key PEM (HTTPS only).
    pub client: Option<(&'a str, &'a Secret)>,
    /// Admin bearer token.
    pub token: Option<&'a Secret>,
}

/// Build the kubeconfig document: context `testserver` uses the client certificate, context
/// `testserver-token` the bearer token.
pub fn document(server: &str, auth: &KubeconfigAuth<'_>) -> Value {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
    let mut cluster = json!({"server": server});
    if let Some(ca) = auth.ca_pem {
        cluster["certificate-authority-data"] = json!(b64(ca));
    }
    let cert_user = match auth.client {
        Some((cert, key)) => {
            json!({"client-certificate-data": b64(cert), "client-key-data": b64(key.expose())})
        }
        None => json!({}),
    };
    let mut users = vec![json!({"name": "admin", "user": cert_user})];
    let mut contexts = vec![
        json!({"name": "testserver", "context": {"cluster": "testserver", "user": "admin", "namespace": "default"}}),
    ];
    if let Some(tok) = auth.token {
        users.push(json!({"name": "admin-token", "user": {"token": tok.expose()}}));
        contexts.push(json!({"name": "testserver-token", "context": {"cluster": "testserver", "user": "admin-token", "namespace": "default"}}));
    }
    json!({
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "current-context": "testserver",
        "clusters": [{"name": "testserver", "cluster": cluster}],
        "users": users,
        "contexts": contexts
    })
}

/// Write the document to `path` readable by the owner only (it holds a private key and a token).
pub fn write(path: &Path, doc: &Value) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(doc).map_err(std::io::Error::other)?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    std::io::Write::write_all(&mut opts.open(path)?, &text)
}
