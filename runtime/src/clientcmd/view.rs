//! What `kubectl config view -o json` prints for a merged kubeconfig: `--minify`,
//! `--flatten`, `--raw` and redaction, rendered with Go's field rules (empty fields omitted,
//! lists sorted by name, unknown fields dropped because client-go does not keep them).

use super::api::{AuthInfo, Cluster, Config, Context, ExecConfig, NamedExtension};
use super::error::Error;
use super::load::{base_dir, decode_base64, resolve_path};
use base64::Engine as _;
use serde_json::{json, Map, Value};
use std::path::PathBuf;

/// What kubectl shows in place of `*-data` contents.
pub const DATA_OMITTED: &str = "DATA+OMITTED";
/// What kubectl shows in place of tokens and passwords.
pub const REDACTED: &str = "REDACTED";

/// Flags of `kubectl config view`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViewOptions {
    /// `--minify`: only the current (or `--context`) context, its cluster and user.
    pub minify: bool,
    /// `--flatten`: inline referenced files as `*-data`; implies no redaction.
    pub flatten: bool,
    /// `--raw`: no redaction.
    pub raw: bool,
    /// `--context`: used by `--minify` only, as kubectl does.
    pub context: Option<String>,
}

/// Render `config` (merged, relative paths as written) as kubectl would.
pub fn view(config: &Config, opts: &ViewOptions) -> Result<Value, Error> {
    let mut config = config.clone();
    if opts.minify {
        if let Some(ctx) = opts.context.as_deref().filter(|c| !c.is_empty()) {
            config.current_context = Some(ctx.to_owned());
        }
        minify(&mut config)?;
    }
    // Data is carried decoded from here on so flattened files and redaction are uniform.
    let mut rendered = Rendered::from(&config)?;
    if opts.flatten {
        rendered.flatten(&config)?;
    } else if !opts.raw {
        rendered.redact();
    }
    Ok(rendered.into_json(&config))
}

/// client-go `MinifyConfig`.
fn minify(config: &mut Config) -> Result<(), Error> {
    let current = config.current_context.clone().unwrap_or_default();
    if current.is_empty() {
        return Err(Error::View(
            "current-context must exist in order to minify".to_owned(),
        ));
    }
    let ctx = config
        .contexts
        .iter()
        .find(|c| c.name == current)
        .cloned()
        .ok_or_else(|| Error::View(format!("cannot locate context {current}")))?;
    let cluster = ctx.context.cluster.clone().unwrap_or_default();
    let user = ctx.context.user.clone().unwrap_or_default();
    if !cluster.is_empty() && !config.clusters.iter().any(|c| c.name == cluster) {
        return Err(Error::View(format!("cannot locate cluster {cluster}")));
    }
    if !user.is_empty() && !config.users.iter().any(|u| u.name == user) {
        return Err(Error::View(format!("cannot locate user {user}")));
    }
    config.contexts = vec![ctx];
    config
        .clusters
        .retain(|c| !cluster.is_empty() && c.name == cluster);
    config.users.retain(|u| !user.is_empty() && u.name == user);
    Ok(())
}

/// A `*-data` value as it will be printed.
enum Data {
    Bytes(Vec<u8>),
    Omitted,
}

impl Data {
    fn to_json(&self) -> Value {
        match self {
            Data::Bytes(b) => base64::engine::general_purpose::STANDARD.encode(b).into(),
            Data::Omitted => DATA_OMITTED.into(),
        }
    }
}

/// Per-entry values that flatten/redact change, keyed by entry name.
struct Rendered {
    clusters: Vec<(String, Option<String>, Option<Data>)>,
    users: Vec<RenderedUser>,
    /// Passwords inside `server` and `proxy-url` are shown as [`REDACTED`].
    redact_urls: bool,
}

struct RenderedUser {
    name: String,
    cert_path: Option<String>,
    cert: Option<Data>,
    key_path: Option<String>,
    key: Option<Data>,
    token: Option<String>,
    password: Option<String>,
}

fn decoded(
    data: Option<&str>,
    kind: &'static str,
    name: &str,
    field: &'static str,
) -> Result<Option<Data>, Error> {
    match data {
        Some(d) => {
            let bytes = decode_base64(d).map_err(|message| Error::InvalidBase64 {
                origin: Default::default(),
                kind,
                name: name.to_owned(),
                field,
                message,
            })?;
            Ok((!bytes.is_empty()).then_some(Data::Bytes(bytes)))
        }
        None => Ok(None),
    }
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.clone().filter(|s| !s.is_empty())
}

impl Rendered {
    fn from(config: &Config) -> Result<Self, Error> {
        let mut clusters = Vec::new();
        for c in &config.clusters {
            let data = decoded(
                c.cluster.certificate_authority_data.as_deref(),
                "cluster",
                &c.name,
                "certificate-authority-data",
            )?;
            clusters.push((
                c.name.clone(),
                non_empty(&c.cluster.certificate_authority),
                data,
            ));
        }
        let mut users = Vec::new();
        for u in &config.users {
            let a = &u.user;
            users.push(RenderedUser {
                name: u.name.clone(),
                cert_path: non_empty(&a.client_certificate),
                cert: decoded(
                    a.client_certificate_data.as_deref(),
                    "user",
                    &u.name,
                    "client-certificate-data",
                )?,
                key_path: non_empty(&a.client_key),
                key: decoded(
                    a.client_key_data.as_ref().map(|s| s.expose()),
                    "user",
                    &u.name,
                    "client-key-data",
                )?,
                token: a
                    .token
                    .as_ref()
                    .map(|t| t.expose().to_owned())
                    .filter(|t| !t.is_empty()),
                password: a
                    .password
                    .as_ref()
                    .map(|t| t.expose().to_owned())
                    .filter(|t| !t.is_empty()),
            });
        }
        Ok(Rendered {
            clusters,
            users,
            redact_urls: false,
        })
    }

    /// client-go `FlattenConfig`: read each referenced file relative to the file that named it.
    fn flatten(&mut self, config: &Config) -> Result<(), Error> {
        for (c, (name, path, data)) in config.clusters.iter().zip(self.clusters.iter_mut()) {
            let base = base_dir(c.location_of_origin.as_deref());
            inline(path, data, &base, "cluster", name, "certificate-authority")?;
        }
        for (u, r) in config.users.iter().zip(self.users.iter_mut()) {
            let base = base_dir(u.location_of_origin.as_deref());
            inline(
                &mut r.cert_path,
                &mut r.cert,
                &base,
                "user",
                &r.name,
                "client-certificate",
            )?;
            inline(
                &mut r.key_path,
                &mut r.key,
                &base,
                "user",
                &r.name,
                "client-key",
            )?;
        }
        Ok(())
    }

    /// client-go `ShortenConfig` plus password redaction.
    fn redact(&mut self) {
        self.redact_urls = true;
        for (_, _, data) in &mut self.clusters {
            if data.is_some() {
                *data = Some(Data::Omitted);
            }
        }
        for u in &mut self.users {
            for d in [&mut u.cert, &mut u.key] {
                if d.is_some() {
                    *d = Some(Data::Omitted);
                }
            }
            for s in [&mut u.token, &mut u.password] {
                if s.is_some() {
                    *s = Some(REDACTED.to_owned());
                }
            }
        }
    }

    fn into_json(self, config: &Config) -> Value {
        let mut clusters: Vec<(String, Value)> = config
            .clusters
            .iter()
            .zip(&self.clusters)
            .map(|(c, (name, path, data))| {
                let v = cluster_json(&c.cluster, path.as_deref(), data.as_ref(), self.redact_urls);
                (name.clone(), json!({ "name": name, "cluster": v }))
            })
            .collect();
        let mut users: Vec<(String, Value)> = config
            .users
            .iter()
            .zip(&self.users)
            .map(|(u, r)| {
                let v = user_json(&u.user, r);
                (r.name.clone(), json!({ "name": r.name, "user": v }))
            })
            .collect();
        let mut contexts: Vec<(String, Value)> = config
            .contexts
            .iter()
            .map(|c| {
                let v = context_json(&c.context);
                (c.name.clone(), json!({ "name": c.name, "context": v }))
            })
            .collect();
        let mut top = Map::new();
        top.insert("kind".into(), "Config".into());
        top.insert("apiVersion".into(), "v1".into());
        let mut prefs = Map::new();
        if config.preferences.colors == Some(true) {
            prefs.insert("colors".into(), true.into());
        }
        put_extensions(&mut prefs, &config.preferences.extensions);
        top.insert("preferences".into(), Value::Object(prefs));
        top.insert("clusters".into(), sorted_list(&mut clusters));
        top.insert("users".into(), sorted_list(&mut users));
        top.insert("contexts".into(), sorted_list(&mut contexts));
        top.insert(
            "current-context".into(),
            config.current_context.clone().unwrap_or_default().into(),
        );
        put_extensions(&mut top, &config.extensions);
        Value::Object(top)
    }
}

/// Go turns its maps into lists sorted by key; an empty map prints as `null`.
fn sorted_list(items: &mut [(String, Value)]) -> Value {
    if items.is_empty() {
        return Value::Null;
    }
    items.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Array(items.iter().map(|(_, v)| v.clone()).collect())
}

fn put_str(m: &mut Map<String, Value>, key: &str, v: &Option<String>) {
    if let Some(s) = v.as_deref().filter(|s| !s.is_empty()) {
        m.insert(key.into(), s.into());
    }
}

fn put_true(m: &mut Map<String, Value>, key: &str, v: Option<bool>) {
    if v == Some(true) {
        m.insert(key.into(), true.into());
    }
}

fn put_extensions(m: &mut Map<String, Value>, exts: &[NamedExtension]) {
    if exts.is_empty() {
        return;
    }
    let mut items: Vec<(String, Value)> = exts
        .iter()
        .map(|e| {
            (
                e.name.clone(),
                json!({ "name": e.name, "extension": e.extension }),
            )
        })
        .collect();
    m.insert("extensions".into(), sorted_list(&mut items));
}

/// `url` with the password of its `user:password@` part replaced by [`REDACTED`].
fn redact_url_password(url: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let authority_end = url[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| scheme_end + i);
    let authority = &url[scheme_end..authority_end];
    match authority
        .rfind('@')
        .filter(|at| authority[..*at].contains(':'))
    {
        Some(at) => {
            let user = authority[..at].split(':').next().unwrap_or_default();
            format!(
                "{}{user}:{REDACTED}@{}",
                &url[..scheme_end],
                &url[scheme_end + at + 1..]
            )
        }
        None => url.to_owned(),
    }
}

fn cluster_json(c: &Cluster, ca_path: Option<&str>, ca: Option<&Data>, redact_urls: bool) -> Value {
    let url = |u: &Option<String>| match u {
        Some(u) if redact_urls => Some(redact_url_password(u)),
        other => other.clone(),
    };
    let mut m = Map::new();
    m.insert("server".into(), url(&c.server).unwrap_or_default().into());
    put_str(&mut m, "tls-server-name", &c.tls_server_name);
    put_true(
        &mut m,
        "insecure-skip-tls-verify",
        c.insecure_skip_tls_verify,
    );
    put_str(&mut m, "certificate-authority", &ca_path.map(str::to_owned));
    if let Some(d) = ca {
        m.insert("certificate-authority-data".into(), d.to_json());
    }
    put_str(&mut m, "proxy-url", &url(&c.proxy_url));
    put_true(&mut m, "disable-compression", c.disable_compression);
    put_extensions(&mut m, &c.extensions);
    Value::Object(m)
}

fn user_json(a: &AuthInfo, r: &RenderedUser) -> Value {
    let mut m = Map::new();
    put_str(&mut m, "client-certificate", &r.cert_path);
    if let Some(d) = &r.cert {
        m.insert("client-certificate-data".into(), d.to_json());
    }
    put_str(&mut m, "client-key", &r.key_path);
    if let Some(d) = &r.key {
        m.insert("client-key-data".into(), d.to_json());
    }
    put_str(&mut m, "token", &r.token);
    put_str(&mut m, "tokenFile", &a.token_file);
    put_str(&mut m, "as", &a.impersonate);
    put_str(&mut m, "as-uid", &a.impersonate_uid);
    if !a.impersonate_groups.is_empty() {
        m.insert("as-groups".into(), json!(a.impersonate_groups));
    }
    if !a.impersonate_user_extra.is_empty() {
        m.insert("as-user-extra".into(), json!(a.impersonate_user_extra));
    }
    put_str(&mut m, "username", &a.username);
    put_str(&mut m, "password", &r.password);
    if let Some(ap) = &a.auth_provider {
        m.insert(
            "auth-provider".into(),
            json!({ "name": ap.name, "config": ap.config }),
        );
    }
    if let Some(e) = &a.exec {
        m.insert("exec".into(), exec_json(e));
    }
    put_extensions(&mut m, &a.extensions);
    Value::Object(m)
}

fn exec_json(e: &ExecConfig) -> Value {
    let mut m = Map::new();
    m.insert("command".into(), e.command.clone().into());
    m.insert("args".into(), json!(e.args));
    let env = e.env.as_ref().map(|env| {
        env.iter()
            .map(|v| json!({ "name": v.name, "value": v.value }))
            .collect::<Vec<_>>()
    });
    m.insert("env".into(), json!(env));
    put_str(&mut m, "apiVersion", &e.api_version);
    put_str(&mut m, "installHint", &e.install_hint);
    m.insert("provideClusterInfo".into(), e.provide_cluster_info.into());
    let mut mode = non_empty(&e.interactive_mode);
    // client-go defaults v1beta1 (and v1alpha1) plugins to IfAvailable on load.
    if mode.is_none()
        && matches!(
            e.api_version.as_deref(),
            Some("client.authentication.k8s.io/v1beta1" | "client.authentication.k8s.io/v1alpha1")
        )
    {
        mode = Some("IfAvailable".to_owned());
    }
    put_str(&mut m, "interactiveMode", &mode);
    Value::Object(m)
}

fn context_json(c: &Context) -> Value {
    let mut m = Map::new();
    m.insert(
        "cluster".into(),
        c.cluster.clone().unwrap_or_default().into(),
    );
    m.insert("user".into(), c.user.clone().unwrap_or_default().into());
    put_str(&mut m, "namespace", &c.namespace);
    put_extensions(&mut m, &c.extensions);
    Value::Object(m)
}

fn inline(
    path: &mut Option<String>,
    data: &mut Option<Data>,
    base: &std::path::Path,
    kind: &'static str,
    name: &str,
    field: &'static str,
) -> Result<(), Error> {
    let Some(p) = path.take() else {
        return Ok(());
    };
    if data.is_some() {
        return Err(Error::View(format!(
            "{kind} {name:?}: cannot have values for both {field} and {field}-data"
        )));
    }
    let resolved = PathBuf::from(resolve_path(&p, base));
    let bytes = std::fs::read(&resolved).map_err(|source| Error::ReadReferencedFile {
        kind,
        name: name.to_owned(),
        field,
        path: resolved,
        source,
    })?;
    *data = (!bytes.is_empty()).then_some(Data::Bytes(bytes));
    Ok(())
}
