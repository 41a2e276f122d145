//! Errors of kubeconfig loading and client-config building.

use std::fmt;
use std::path::PathBuf;

/// Where a kubeconfig came from: a file, or bytes handed to [`super::load`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin(pub Option<PathBuf>);

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(p) => write!(f, "kubeconfig {:?}", p.display().to_string()),
            None => f.write_str("kubeconfig data"),
        }
    }
}

/// Everything that can go wrong turning kubeconfig files or the in-cluster environment into a
/// `rest::Config`. Messages name the file and the entry; they never contain secret values.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A kubeconfig file could not be read.
    #[error("cannot read kubeconfig {path:?}: {source}")]
    ReadKubeconfig {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The explicitly requested kubeconfig (`--kubeconfig`) does not exist.
    #[error("kubeconfig {path:?} given explicitly does not exist")]
    ExplicitKubeconfigMissing {
        /// The file.
        path: PathBuf,
    },
    /// The YAML or JSON is malformed or has a field of the wrong type.
    #[error("{origin}: invalid kubeconfig{}: {message}", location_suffix(*line, *column))]
    Parse {
        /// Where the kubeconfig came from.
        origin: Origin,
        /// 1-based line, when the parser knows it.
        line: Option<usize>,
        /// 1-based column, when the parser knows it.
        column: Option<usize>,
        /// What the parser said.
        message: String,
    },
    /// Two entries of one list share a name (client-go refuses this too).
    #[error("{origin}: duplicate name {name:?} in {list}")]
    DuplicateName {
        /// Where the kubeconfig came from.
        origin: Origin,
        /// `clusters`, `users`, `contexts` or `extensions`.
        list: &'static str,
        /// The repeated name.
        name: String,
    },
    /// A `*-data` field is not valid base64.
    #[error("{origin}: {kind} {name:?}: field {field} is not valid base64: {message}")]
    InvalidBase64 {
        /// Where the kubeconfig came from.
        origin: Origin,
        /// `cluster` or `user`.
        kind: &'static str,
        /// Entry name.
        name: String,
        /// Field name, e.g. `certificate-authority-data`.
        field: &'static str,
        /// The decoder's complaint (position, not content).
        message: String,
    },
    /// A file named by a kubeconfig entry (CA, certificate, key, token) cannot be read.
    #[error("{kind} {name:?}: cannot read {field} {path:?}: {source}")]
    ReadReferencedFile {
        /// `cluster` or `user`.
        kind: &'static str,
        /// Entry name.
        name: String,
        /// Field that named the file.
        field: &'static str,
        /// The (resolved) path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The requested or current context does not exist.
    #[error("context {name:?} not found in {files}")]
    ContextNotFound {
        /// The context name.
        name: String,
        /// The kubeconfig files consulted.
        files: FileList,
    },
    /// The context names a cluster that does not exist.
    #[error("cluster {name:?} (from context {context:?}) not found in {files}")]
    ClusterNotFound {
        /// The cluster name.
        name: String,
        /// The context naming it (empty when chosen by override).
        context: String,
        /// The kubeconfig files consulted.
        files: FileList,
    },
    /// The context names a user that does not exist.
    #[error("user {name:?} (from context {context:?}) not found in {files}")]
    UserNotFound {
        /// The user name.
        name: String,
        /// The context naming it.
        context: String,
        /// The kubeconfig files consulted.
        files: FileList,
    },
    /// No server URL: the cluster has none and none was given as an override.
    #[error("no server found for cluster {cluster:?} in {files}")]
    NoServer {
        /// The cluster name (may be empty).
        cluster: String,
        /// The kubeconfig files consulted.
        files: FileList,
    },
    /// No configuration was provided: the kubeconfig chain selects no cluster at all (no
    /// files, or no current-context) and, when tried, in-cluster configuration is unavailable.
    #[error(
        "no configuration has been provided: no cluster selected by {files}{}",
        in_cluster_suffix(in_cluster)
    )]
    NoConfiguration {
        /// The kubeconfig files looked at.
        files: FileList,
        /// Why in-cluster configuration was not possible (`None`: not tried).
        in_cluster: Option<String>,
    },
    /// In-cluster configuration was requested but is unavailable.
    #[error("in-cluster configuration unavailable: {0}")]
    InCluster(String),
    /// The user has conflicting or unusable auth settings.
    #[error("user {user:?}: {message}")]
    InvalidAuth {
        /// The user name.
        user: String,
        /// What is wrong.
        message: String,
    },
    /// `kubectl config view` could not minify or flatten (message as kubectl words it).
    #[error("{0}")]
    View(String),
}

/// A list of kubeconfig paths, for messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileList(pub Vec<PathBuf>);

impl fmt::Display for FileList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("no kubeconfig files");
        }
        f.write_str("[")?;
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", p.display())?;
        }
        f.write_str("]")
    }
}

fn in_cluster_suffix(why: &Option<String>) -> String {
    match why {
        Some(w) => format!(", and not running inside a cluster ({w})"),
        None => String::new(),
    }
}

fn location_suffix(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" at line {l} column {c}"),
        (Some(l), None) => format!(" at line {l}"),
        _ => String::new(),
    }
}
