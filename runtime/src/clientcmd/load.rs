//! Parsing one kubeconfig (YAML or JSON) and checking what client-go checks on load.

use super::api::{Config, NamedExtension};
use super::error::{Error, Origin};
use base64::Engine as _;
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// Parse kubeconfig bytes (YAML or JSON). Entries get no location of origin, so relative paths
/// in them stay relative to the working directory.
pub fn load(bytes: &[u8]) -> Result<Config, Error> {
    parse(bytes, &Origin(None))
}

/// Read and parse one kubeconfig file; every entry remembers this file as its origin.
pub fn load_from_file(path: impl AsRef<Path>) -> Result<Config, Error> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| Error::ReadKubeconfig {
        path: path.to_path_buf(),
        source,
    })?;
    let mut config = parse(&bytes, &Origin(Some(path.to_path_buf())))?;
    let origin = Some(path.to_path_buf());
    for c in &mut config.clusters {
        c.location_of_origin = origin.clone();
    }
    for u in &mut config.users {
        u.location_of_origin = origin.clone();
    }
    for c in &mut config.contexts {
        c.location_of_origin = origin.clone();
    }
    Ok(config)
}

/// Serialize a kubeconfig as YAML (unknown fields included, secrets in clear: this is the
/// file's own content).
pub fn to_yaml(config: &Config) -> Result<String, Error> {
    serde_yaml_ng::to_string(config).map_err(|e| Error::Parse {
        origin: Origin(None),
        line: None,
        column: None,
        message: e.to_string(),
    })
}

fn parse(bytes: &[u8], origin: &Origin) -> Result<Config, Error> {
    let text = std::str::from_utf8(bytes).map_err(|e| Error::Parse {
        origin: origin.clone(),
        line: None,
        column: None,
        message: format!("not UTF-8: {e}"),
    })?;
    let config = if text.trim_start().starts_with('{') {
        // JSON goes to the JSON parser, as client-go's decoder does, for exact positions.
        serde_json::from_str::<Config>(text).map_err(|e| Error::Parse {
            origin: origin.clone(),
            line: Some(e.line()),
            column: Some(e.column()),
            // Values quoted by serde may be a wrongly typed token or password.
            message: crate::secret::redact_serde_message(&e.to_string()),
        })?
    } else if is_blank_yaml(text) {
        // An empty file is an empty config for client-go, not an error.
        Config::default()
    } else {
        // Bounded before parsing: the parser is quadratic in nesting depth.
        if let Err(line) =
            crate::yaml_depth::check_yaml_depth(text, crate::yaml_depth::MAX_YAML_DEPTH)
        {
            return Err(Error::Parse {
                origin: origin.clone(),
                line: Some(line),
                column: None,
                message: format!(
                    "nested deeper than {} levels",
                    crate::yaml_depth::MAX_YAML_DEPTH
                ),
            });
        }
        match serde_yaml_ng::from_str::<Option<Config>>(text) {
            Ok(c) => c.unwrap_or_default(),
            Err(e) => {
                let loc = e.location();
                return Err(Error::Parse {
                    origin: origin.clone(),
                    line: loc.as_ref().map(|l| l.line()),
                    column: loc.as_ref().map(|l| l.column()),
                    message: crate::secret::redact_serde_message(&e.to_string()),
                });
            }
        }
    };
    validate(&config, origin)?;
    Ok(config)
}

/// Only whitespace and comments.
fn is_blank_yaml(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    })
}

/// The checks client-go's v1 -> internal conversion makes: unique names, decodable base64.
fn validate(config: &Config, origin: &Origin) -> Result<(), Error> {
    unique(config.clusters.iter().map(|c| &c.name), "clusters", origin)?;
    unique(config.users.iter().map(|u| &u.name), "users", origin)?;
    unique(config.contexts.iter().map(|c| &c.name), "contexts", origin)?;
    unique_ext(&config.extensions, origin)?;
    unique_ext(&config.preferences.extensions, origin)?;
    for c in &config.clusters {
        unique_ext(&c.cluster.extensions, origin)?;
        check_base64(
            c.cluster.certificate_authority_data.as_deref(),
            origin,
            "cluster",
            &c.name,
            "certificate-authority-data",
        )?;
    }
    for u in &config.users {
        unique_ext(&u.user.extensions, origin)?;
        check_base64(
            u.user.client_certificate_data.as_deref(),
            origin,
            "user",
            &u.name,
            "client-certificate-data",
        )?;
        check_base64(
            u.user.client_key_data.as_ref().map(|s| s.expose()),
            origin,
            "user",
            &u.name,
            "client-key-data",
        )?;
    }
    for c in &config.contexts {
        unique_ext(&c.context.extensions, origin)?;
    }
    Ok(())
}

fn unique<'a>(
    names: impl Iterator<Item = &'a String>,
    list: &'static str,
    origin: &Origin,
) -> Result<(), Error> {
    let mut seen = BTreeSet::new();
    for n in names {
        if !seen.insert(n) {
            return Err(Error::DuplicateName {
                origin: origin.clone(),
                list,
                name: n.clone(),
            });
        }
    }
    Ok(())
}

fn unique_ext(exts: &[NamedExtension], origin: &Origin) -> Result<(), Error> {
    unique(exts.iter().map(|e| &e.name), "extensions", origin)
}

fn check_base64(
    data: Option<&str>,
    origin: &Origin,
    kind: &'static str,
    name: &str,
    field: &'static str,
) -> Result<(), Error> {
    match data {
        Some(d) => decode_base64(d)
            .map(|_| ())
            .map_err(|message| Error::InvalidBase64 {
                origin: origin.clone(),
                kind,
                name: name.to_owned(),
                field,
                message,
            }),
        None => Ok(()),
    }
}

/// Decode a `*-data` field as Go's `[]byte` JSON decoding does (standard alphabet, padded;
/// line breaks ignored). The error names a position, never the content.
pub(crate) fn decode_base64(data: &str) -> Result<Vec<u8>, String> {
    let cleaned: String = data.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    base64::engine::general_purpose::STANDARD
        .decode(cleaned.as_bytes())
        .map_err(|e| match e {
            base64::DecodeError::InvalidByte(pos, _) => {
                format!("illegal base64 data at input byte {pos}")
            }
            base64::DecodeError::InvalidLength(len) => {
                format!("illegal base64 data: invalid length {len}")
            }
            base64::DecodeError::InvalidLastSymbol(pos, _) => {
                format!("illegal base64 data at input byte {pos}")
            }
            base64::DecodeError::InvalidPadding => "illegal base64 data: bad padding".to_owned(),
        })
}

/// Resolve `path` against `base` the way Go's `filepath.Join` + `Abs` do: absolute paths and
/// empty strings are kept, relative ones are joined and cleaned lexically.
pub fn resolve_path(path: &str, base: &Path) -> String {
    if path.is_empty() || Path::new(path).is_absolute() {
        return path.to_owned();
    }
    clean(&base.join(path)).to_string_lossy().into_owned()
}

/// The directory relative paths of an entry resolve against: its origin file's directory,
/// made absolute; the working directory when the entry did not come from a file.
pub fn base_dir(origin: Option<&Path>) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    match origin.and_then(Path::parent) {
        Some(dir) if dir.is_absolute() => clean(dir),
        Some(dir) => clean(&cwd.join(dir)),
        None => cwd,
    }
}

/// Lexical cleaning (`a/./b/../c` -> `a/c`), like Go's `filepath.Clean`.
fn clean(p: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    let mut pb = PathBuf::new();
    for c in out {
        pb.push(c.as_os_str());
    }
    pb
}

/// Make the file references of every entry absolute against the file that named them
/// (client-go `ResolveLocalPaths`). An exec command is resolved only when it contains a path
/// separator, so bare names keep being looked up in `PATH`.
pub fn resolve_local_paths(config: &mut Config) {
    for c in &mut config.clusters {
        let base = base_dir(c.location_of_origin.as_deref());
        if let Some(p) = &mut c.cluster.certificate_authority {
            *p = resolve_path(p, &base);
        }
    }
    for u in &mut config.users {
        let base = base_dir(u.location_of_origin.as_deref());
        let a = &mut u.user;
        for p in [
            &mut a.client_certificate,
            &mut a.client_key,
            &mut a.token_file,
        ]
        .into_iter()
        .flatten()
        {
            *p = resolve_path(p, &base);
        }
        if let Some(exec) = &mut a.exec {
            if exec.command.contains('/') || exec.command.contains(std::path::MAIN_SEPARATOR) {
                exec.command = resolve_path(&exec.command, &base);
            }
        }
    }
}
