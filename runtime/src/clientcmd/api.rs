//! The kubeconfig file format (client-go `tools/clientcmd/api/v1`).
//!
//! Every field of the v1 `Config` is modelled; fields this version does not know are kept in
//! the `extra` map of the struct they appear in so a load/save round trip loses nothing.
//! Secrets (`token`, `password`, `client-key-data`, auth-provider config values, exec env
//! values) never show in `Debug`.

use crate::secret::Secret;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// Fields of a kubeconfig object that this version does not model, kept verbatim.
pub type Extra = BTreeMap<String, serde_json::Value>;

/// A whole kubeconfig file (`kind: Config`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Always `Config` in files written by kubectl.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub kind: Option<String>,
    /// Always `v1` in files written by kubectl.
    #[serde(
        rename = "apiVersion",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub api_version: Option<String>,
    /// Client preferences.
    #[serde(deserialize_with = "null_as_default")]
    pub preferences: Preferences,
    /// Named clusters.
    #[serde(deserialize_with = "null_as_default")]
    pub clusters: Vec<NamedCluster>,
    /// Named users (`AuthInfo`s).
    #[serde(deserialize_with = "null_as_default")]
    pub users: Vec<NamedAuthInfo>,
    /// Named contexts.
    #[serde(deserialize_with = "null_as_default")]
    pub contexts: Vec<NamedContext>,
    /// Name of the context used by default.
    #[serde(
        rename = "current-context",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub current_context: Option<String>,
    /// Extensions.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub extensions: Vec<NamedExtension>,
    /// Unknown fields, preserved.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `preferences` of a kubeconfig.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    /// Deprecated colour switch, still part of the format.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "yaml11_bool"
    )]
    pub colors: Option<bool>,
    /// Extensions.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub extensions: Vec<NamedExtension>,
    /// Unknown fields, preserved.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A cluster with its name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NamedCluster {
    /// Map key.
    #[serde(deserialize_with = "strict_string_or_default")]
    pub name: String,
    /// The cluster.
    #[serde(deserialize_with = "null_as_default")]
    pub cluster: Cluster,
    /// The file this entry was loaded from (not serialized); relative paths resolve
    /// against its directory.
    #[serde(skip)]
    pub location_of_origin: Option<PathBuf>,
    /// Unknown fields, preserved.
    #[serde(flatten)]
    pub extra: Extra,
}

// Written out so credentials in `server` or `proxy-url` never reach Debug output.
impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field(
                "server",
                &self
                    .server
                    .as_deref()
                    .map(crate::secret::redact_url_userinfo),
            )
            .field("tls_server_name", &self.tls_server_name)
            .field("insecure_skip_tls_verify", &self.insecure_skip_tls_verify)
            .field("certificate_authority", &self.certificate_authority)
            .field(
                "certificate_authority_data",
                &self.certificate_authority_data,
            )
            .field(
                "proxy_url",
                &self
                    .proxy_url
                    .as_deref()
                    .map(crate::secret::redact_url_userinfo),
            )
            .field("disable_compression", &self.disable_compression)
            .field("extensions", &self.extensions)
            .field("extra", &self.extra)
            .finish()
    }
}

/// How to reach one API server.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Cluster {
    /// `https://host:port[/prefix]`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub server: Option<String>,
    /// Name to verify the server certificate against.
    #[serde(
        rename = "tls-server-name",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub tls_server_name: Option<String>,
    /// Skip server certificate verification.
    #[serde(
        rename = "insecure-skip-tls-verify",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "yaml11_bool"
    )]
    pub insecure_skip_tls_verify: Option<bool>,
    /// Path of a PEM CA bundle.
    #[serde(
        rename = "certificate-authority",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub certificate_authority: Option<String>,
    /// Base64 of a PEM CA bundle.
    #[serde(
        rename = "certificate-authority-data",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub certificate_authority_data: Option<String>,
    /// HTTP(S) or SOCKS5 proxy.
    #[serde(
        rename = "proxy-url",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub proxy_url: Option<String>,
    /// Ask for uncompressed responses.
    #[serde(
        rename = "disable-compression",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "yaml11_bool"
    )]
    pub disable_compression: Option<bool>,
    /// Extensions.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub extensions: Vec<NamedExtension>,
    /// Unknown fields, preserved.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A user with its name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NamedAuthInfo {
    /// Map key.
    #[serde(deserialize_with = "strict_string_or_default")]
    pub name: String,
    /// The credentials.
    #[serde(deserialize_with = "null_as_default")]
    pub user: AuthInfo,
    /// The file this entry was loaded from (not serialized); relative paths resolve
    /// against its directory.
    #[serde(skip)]
    pub location_of_origin: Option<PathBuf>,
    /// Unknown fields, preserved.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Credentials of one user (client-go `AuthInfo`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthInfo {
    /// Path of a PEM client certificate.
    #[serde(
        rename = "client-certificate",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub client_certificate: Option<String>,
    /// Base64 of a PEM client certificate.
    #[serde(
        rename = "client-certificate-data",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub client_certificate_data: Option<String>,
    /// Path of a PEM client key.
    #[serde(
        rename = "client-key",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub client_key: Option<String>,
    /// Base64 of a PEM client key.
    #[serde(
        rename = "client-key-data",
        with = "opt_secret",
        skip_serializing_if = "Option::is_none"
    )]
    pub client_key_data: Option<Secret>,
    /// Bearer token.
    #[serde(with = "opt_secret", skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    /// Path of a file holding a bearer token (re-read periodically).
    #[serde(
        rename = "tokenFile",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub token_file: Option<String>,
    /// User to impersonate.
    #[serde(
        rename = "as",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub impersonate: Option<String>,
    /// UID to impersonate.
    #[serde(
        rename = "as-uid",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub impersonate_uid: Option<String>,
    /// Groups to impersonate.
    #[serde(
        rename = "as-groups",
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub impersonate_groups: Vec<String>,
    /// Extra fields to impersonate.
    #[serde(
        rename = "as-user-extra",
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub impersonate_user_extra: BTreeMap<String, Vec<String>>,
    /// Basic-auth user name.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub username: Option<String>,
    /// Basic-auth password.
    #[serde(with = "opt_secret", skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// Legacy auth provider (only `oidc` still exists upstream).
    #[serde(rename = "auth-provider", skip_serializing_if = "Option::is_none")]
    pub auth_provider: Option<AuthProviderConfig>,
    /// Exec credential plugin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecConfig>,
    /// Extensions.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub extensions: Vec<NamedExtension>,
    /// Unknown fields, preserved.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A context with its name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NamedContext {
    /// Map key.
    #[serde(deserialize_with = "strict_string_or_default")]
    pub name: String,
    /// The context.
    #[serde(deserialize_with = "null_as_default")]
    pub context: Context,
    /// The file this entry was loaded from (not serialized); relative paths resolve
    /// against its directory.
    #[serde(skip)]
    pub location_of_origin: Option<PathBuf>,
    /// Unknown fields, preserved.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A (cluster, user, namespace) triple.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Context {
    /// Cluster name.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub cluster: Option<String>,
    /// User name.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub user: Option<String>,
    /// Default namespace.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub namespace: Option<String>,
    /// Extensions.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub extensions: Vec<NamedExtension>,
    /// Unknown fields, preserved.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An extension object with its name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NamedExtension {
    /// Map key.
    #[serde(deserialize_with = "strict_string_or_default")]
    pub name: String,
    /// Arbitrary object.
    pub extension: serde_json::Value,
    /// Unknown fields, preserved.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Legacy `auth-provider` block. Its config holds tokens, so `Debug` shows keys only.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthProviderConfig {
    /// Provider name (`oidc`, `gcp`, `azure`).
    #[serde(deserialize_with = "strict_string_or_default")]
    pub name: String,
    /// Provider settings; `None` when absent or null.
    pub config: Option<BTreeMap<String, String>>,
    /// Unknown fields, preserved.
    #[serde(flatten)]
    pub extra: Extra,
}

impl fmt::Debug for AuthProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Option<Vec<&String>> = self.config.as_ref().map(|c| c.keys().collect());
        f.debug_struct("AuthProviderConfig")
            .field("name", &self.name)
            .field("config_keys", &keys)
            .finish_non_exhaustive()
    }
}

/// Exec credential plugin settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExecConfig {
    /// Program to run; a relative path containing a separator resolves against the kubeconfig.
    #[serde(deserialize_with = "strict_string_or_default")]
    pub command: String,
    /// Arguments.
    #[serde(deserialize_with = "null_as_default")]
    pub args: Option<Vec<String>>,
    /// Extra environment variables.
    #[serde(deserialize_with = "null_as_default")]
    pub env: Option<Vec<ExecEnvVar>>,
    /// `client.authentication.k8s.io/v1` or `/v1beta1`.
    #[serde(
        rename = "apiVersion",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub api_version: Option<String>,
    /// Shown when the command is missing.
    #[serde(
        rename = "installHint",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub install_hint: Option<String>,
    /// Pass cluster information in `KUBERNETES_EXEC_INFO`.
    #[serde(
        rename = "provideClusterInfo",
        deserialize_with = "yaml11_bool_or_false"
    )]
    pub provide_cluster_info: bool,
    /// `Never`, `IfAvailable` or `Always`.
    #[serde(
        rename = "interactiveMode",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_string"
    )]
    pub interactive_mode: Option<String>,
    /// Unknown fields (including the plugin `config`), preserved.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One environment variable for an exec plugin. Values may be secrets: `Debug` hides them.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExecEnvVar {
    /// Variable name.
    #[serde(deserialize_with = "strict_string_or_default")]
    pub name: String,
    /// Variable value.
    #[serde(deserialize_with = "strict_string_or_default")]
    pub value: String,
    /// Unknown fields, preserved.
    #[serde(flatten)]
    pub extra: Extra,
}

impl fmt::Debug for ExecEnvVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecEnvVar")
            .field("name", &self.name)
            .field("value", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Go decodes JSON `null` as the zero value; do the same instead of failing.
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A string as client-go reads it: YAML numbers and booleans are not strings (Go's JSON
/// decoder rejects them after its YAML-to-JSON step), so `server: 5` is an error, not `"5"`.
fn strict_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(V)
        }
    }
    d.deserialize_option(V)
}

fn strict_string_or_default<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(strict_string(d)?.unwrap_or_default())
}

/// A boolean as client-go reads it: its YAML 1.1 parser also takes `yes`/`no`/`on`/`off`/`y`/`n`
/// (YAML 1.2, which serde_yaml_ng speaks, reads those as strings). `null` is unset.
fn yaml11_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean")
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            match v {
                "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Ok(Some(true)),
                "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Ok(Some(false)),
                _ => Err(E::invalid_type(serde::de::Unexpected::Str(v), &self)),
            }
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(V)
        }
    }
    d.deserialize_option(V)
}

fn yaml11_bool_or_false<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(yaml11_bool(d)?.unwrap_or(false))
}

/// Serde glue for `Option<Secret>` (the `Secret` type itself is deliberately not serde).
mod opt_secret {
    use crate::secret::Secret;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(secret) => s.serialize_str(secret.expose()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
        Ok(super::strict_string(d)?.map(Secret::new))
    }
}
