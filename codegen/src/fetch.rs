//! `kubeclient-codegen fetch`: copy a live cluster's OpenAPI documents (`/openapi/v2` and every
//! `/openapi/v3` group/version document) into a directory laid out like the upstream specs
//! (`swagger.json`, `v3/apis__apps__v1_openapi.json`, ...), so the generator can read a cluster's
//! exact API, aggregated APIs and CRDs included, with `generate --spec DIR/swagger.json` or
//! `--openapi-v3 DIR/v3`. Built only with the `fetch` feature: the generator itself, a build
//! dependency of every user, stays free of an HTTP stack.

use kubeclient_runtime::rest::{self, RestClient};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Why fetching failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The cluster could not be reached or refused a request.
    #[error("fetching {what} from the cluster: {source}")]
    Request {
        /// Which document.
        what: String,
        /// The REST error.
        #[source]
        source: rest::Error,
    },
    /// The `/openapi/v3` index is not what kube-apiserver serves.
    #[error("the cluster's /openapi/v3 index is malformed: {0}")]
    Index(String),
    /// The cluster serves neither `/openapi/v2` nor `/openapi/v3`.
    #[error("the cluster serves neither /openapi/v2 nor /openapi/v3")]
    NothingServed,
    /// A file could not be written.
    #[error("writing {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// What was written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// `swagger.json`, when the cluster serves `/openapi/v2`.
    pub swagger: Option<PathBuf>,
    /// The `v3/*_openapi.json` files.
    pub v3: Vec<PathBuf>,
}

fn write(path: PathBuf, bytes: &[u8]) -> Result<PathBuf, FetchError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| FetchError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(&path, bytes).map_err(|source| FetchError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// `apis/apps/v1` -> `apis__apps__v1_openapi.json`, upstream's file name for the document.
pub fn v3_file_name(group_version_path: &str) -> String {
    format!(
        "{}_openapi.json",
        group_version_path.trim_matches('/').replace('/', "__")
    )
}

/// Fetch the cluster `config` points at into `out`.
pub async fn from_cluster(config: &rest::Config, out: &Path) -> Result<Fetched, FetchError> {
    let rest = RestClient::new(config).map_err(|source| FetchError::Request {
        what: "a client".into(),
        source,
    })?;
    let mut fetched = Fetched::default();
    match rest.get().abs_path("/openapi/v2").do_raw().await {
        Ok(bytes) => fetched.swagger = Some(write(out.join("swagger.json"), &bytes)?),
        Err(e) if e.is_not_found() => {}
        Err(source) => {
            return Err(FetchError::Request {
                what: "/openapi/v2".into(),
                source,
            })
        }
    }
    let index: Value = match rest.get().abs_path("/openapi/v3").do_().await {
        Ok(v) => v,
        Err(e) if e.is_not_found() => Value::Null,
        Err(source) => {
            return Err(FetchError::Request {
                what: "/openapi/v3".into(),
                source,
            })
        }
    };
    if !index.is_null() {
        let paths = index
            .get("paths")
            .and_then(Value::as_object)
            .ok_or_else(|| FetchError::Index("no `paths` object".into()))?;
        for (gv, entry) in paths {
            // Only group/version documents; `version`, `.well-known/...` and the like are not API.
            if !(gv == "api/v1" || gv.starts_with("apis/")) {
                continue;
            }
            let url = entry
                .get("serverRelativeURL")
                .and_then(Value::as_str)
                .ok_or_else(|| FetchError::Index(format!("{gv:?} has no serverRelativeURL")))?;
            let (path, query) = url.split_once('?').unwrap_or((url, ""));
            let mut req = rest.get().abs_path(path);
            for (k, v) in query.split('&').filter_map(|kv| kv.split_once('=')) {
                req = req.param(k, v);
            }
            let bytes = req.do_raw().await.map_err(|source| FetchError::Request {
                what: format!("/openapi/v3/{gv}"),
                source,
            })?;
            fetched
                .v3
                .push(write(out.join("v3").join(v3_file_name(gv)), &bytes)?);
        }
    }
    if fetched.swagger.is_none() && fetched.v3.is_empty() {
        return Err(FetchError::NothingServed);
    }
    Ok(fetched)
}
