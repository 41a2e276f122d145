//! Kubeconfig loading, as client-go's `tools/clientcmd`.
//!
//! - [`api`]: the kubeconfig file format (every v1 field; unknown fields preserved).
//! - [`load`], [`load_from_file`]: parse one file (YAML or JSON).
//! - [`LoadingRules`]: which files to read (`--kubeconfig`, `KUBECONFIG`, `~/.kube/config`)
//!   and how to merge them (first file wins).
//! - [`ClientConfig`] + [`Overrides`]: pick context/cluster/user and build a `rest::Config`.
//! - [`InClusterEnv`]: service-account configuration inside a pod.
//! - [`TokenFileSource`], [`ExecCredentialSource`]: dynamic credentials.
//! - [`view`]: what `kubectl config view` prints.
//! - [`load_default`]: the one call most programs need.

pub mod api;
mod client_config;
mod error;
mod exec;
mod in_cluster;
mod load;
mod loading_rules;
mod token_file;
pub mod view;

pub use client_config::{
    build_config_from_flags, deferred_rest_config, load_default_with, ClientConfig, Overrides,
};
pub use error::{Error, FileList, Origin};
pub use exec::{
    ExecConfigError, ExecCredentialSource, InteractiveMode, DEFAULT_EXEC_TIMEOUT, EXEC_INFO_ENV,
    EXEC_OUTPUT_LIMIT, EXEC_V1, EXEC_V1BETA1,
};
pub use in_cluster::{InClusterEnv, SERVICE_ACCOUNT_DIR};
pub use load::{load, load_from_file, resolve_local_paths, resolve_path, to_yaml};
pub use loading_rules::{merge, LoadingRules, KUBECONFIG_ENV};
pub use token_file::{TokenFileSource, TOKEN_FILE_REFRESH};

use crate::rest;

/// Load the configuration a program run by a user or in a pod should use: the kubeconfig
/// chain (`KUBECONFIG`, else `~/.kube/config`) with its current context; if that yields no
/// configuration, the in-cluster service account (client-go's deferred loading client
/// config, which `kubectl` uses too).
///
/// ```no_run
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let config = kubeclient_runtime::clientcmd::load_default()?;
/// let rest = kubeclient_runtime::rest::RestClient::new(&config)?;
/// # let _ = rest; Ok(()) }
/// ```
///
/// # Errors
/// [`Error::NoConfiguration`] when no kubeconfig file exists and this is not a pod; otherwise
/// the first problem found in the chosen files (unreadable or malformed YAML, a context naming
/// a missing cluster or user, unreadable certificate files), naming the file and the entry.
pub fn load_default() -> Result<rest::Config, Error> {
    load_default_with(&LoadingRules::from_env(), &InClusterEnv::from_process())
}
