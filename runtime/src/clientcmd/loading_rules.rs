//! Which kubeconfig files are read and how they are merged (client-go `loader.go`).

use super::api::{Config, NamedExtension};
use super::error::Error;
use super::load::{load_from_file, resolve_local_paths};
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::PathBuf;

/// Environment variable holding a list of kubeconfig files.
pub const KUBECONFIG_ENV: &str = "KUBECONFIG";

/// The files to load and how (client-go `ClientConfigLoadingRules`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadingRules {
    /// `--kubeconfig`: replaces the chain and must exist.
    pub explicit_path: Option<PathBuf>,
    /// The chain, first file wins; missing files are skipped.
    pub precedence: Vec<PathBuf>,
    /// Keep relative paths as written (what `kubectl config view` shows).
    pub do_not_resolve_paths: bool,
}

impl LoadingRules {
    /// The default chain from the process environment: `KUBECONFIG` if set and non-empty,
    /// otherwise `$HOME/.kube/config`.
    pub fn from_env() -> Self {
        Self::from_values(
            std::env::var_os(KUBECONFIG_ENV),
            std::env::var_os("HOME").map(PathBuf::from),
        )
    }

    /// The default chain from explicit values of `KUBECONFIG` and the home directory (so tests
    /// and embedders need not touch the process environment).
    pub fn from_values(kubeconfig: Option<OsString>, home: Option<PathBuf>) -> Self {
        let precedence = match kubeconfig.filter(|v| !v.is_empty()) {
            Some(list) => dedupe(std::env::split_paths(&list).collect()),
            None => home
                .map(|h| vec![h.join(".kube").join("config")])
                .unwrap_or_default(),
        };
        LoadingRules {
            explicit_path: None,
            precedence,
            do_not_resolve_paths: false,
        }
    }

    /// Use `path` instead of the chain (`--kubeconfig`).
    pub fn with_explicit_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.explicit_path = Some(path.into());
        self
    }

    /// The files that [`LoadingRules::load`] reads, in priority order.
    pub fn files(&self) -> Vec<PathBuf> {
        match &self.explicit_path {
            Some(p) => vec![p.clone()],
            None => self.precedence.clone(),
        }
    }

    /// True when none of the files exist (client-go then considers the config empty).
    pub fn none_exist(&self) -> bool {
        self.files().iter().all(|f| !f.exists())
    }

    /// Load and merge the files. Missing chain files are skipped; a missing explicit file, an
    /// unreadable or malformed file is an error naming it.
    pub fn load(&self) -> Result<Config, Error> {
        if let Some(p) = &self.explicit_path {
            if !p.exists() {
                return Err(Error::ExplicitKubeconfigMissing { path: p.clone() });
            }
        }
        let mut configs = Vec::new();
        for file in self.files() {
            match load_from_file(&file) {
                Ok(c) => configs.push(c),
                Err(Error::ReadKubeconfig { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    tracing::debug!(file = %file.display(), "kubeconfig not found, skipped");
                }
                Err(e) => return Err(e),
            }
        }
        let mut merged = merge(configs);
        if !self.do_not_resolve_paths {
            resolve_local_paths(&mut merged);
        }
        Ok(merged)
    }
}

/// Drop repeated paths, keeping the first occurrence.
fn dedupe(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen = BTreeSet::new();
    paths
        .into_iter()
        .filter(|p| seen.insert(p.clone()))
        .collect()
}

/// Merge kubeconfigs in priority order: the first file that names a cluster, user, context or
/// extension wins that name, and the first non-empty scalar (current-context, colors) wins.
pub fn merge(configs: Vec<Config>) -> Config {
    let mut out = Config::default();
    for c in configs {
        first_non_empty(&mut out.kind, c.kind);
        first_non_empty(&mut out.api_version, c.api_version);
        first_non_empty(&mut out.current_context, c.current_context);
        if out.preferences.colors != Some(true) && c.preferences.colors.is_some() {
            out.preferences.colors = c.preferences.colors;
        }
        merge_named(&mut out.clusters, c.clusters, |x| &x.name);
        merge_named(&mut out.users, c.users, |x| &x.name);
        merge_named(&mut out.contexts, c.contexts, |x| &x.name);
        merge_ext(&mut out.extensions, c.extensions);
        merge_ext(&mut out.preferences.extensions, c.preferences.extensions);
        for (k, v) in c.extra {
            out.extra.entry(k).or_insert(v);
        }
        for (k, v) in c.preferences.extra {
            out.preferences.extra.entry(k).or_insert(v);
        }
    }
    out
}

fn first_non_empty(dst: &mut Option<String>, src: Option<String>) {
    if dst.as_deref().unwrap_or("").is_empty() && src.as_deref().is_some_and(|s| !s.is_empty()) {
        *dst = src;
    }
}

fn merge_named<T>(dst: &mut Vec<T>, src: Vec<T>, name: impl Fn(&T) -> &String) {
    for item in src {
        if !dst.iter().any(|d| name(d) == name(&item)) {
            dst.push(item);
        }
    }
}

fn merge_ext(dst: &mut Vec<NamedExtension>, src: Vec<NamedExtension>) {
    merge_named(dst, src, |e| &e.name);
}
