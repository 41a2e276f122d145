//! The upstream OpenAPI documents the server can serve at `/openapi/v2` and `/openapi/v3`,
//! read from a specs directory laid out as upstream publishes them
//! (`swagger.json`, `v3/api__v1_openapi.json`, `v3/apis__apps__v1_openapi.json`, ...).
//!
//! The files are large (the swagger is ~4 MB), so nothing is read at start: each file is read
//! on its first request and kept, with its hash, for the server's lifetime.

use bytes::Bytes;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Why a spec file could not be served.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SpecError {
    /// The file exists but could not be read.
    #[error("reading OpenAPI spec {path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error, as text (so the error can be cached and cloned).
        message: String,
    },
}

/// The directory of the Kubernetes version the `kubeclient` crate was generated for
/// (`.../kubernetes/v1.35`), found by the `kubeclient-specs` search order from the current
/// directory and then from this workspace. `None` when no folder holds its `swagger.json`
/// (bundled specs are not served: they carry no OpenAPI v3 documents).
pub fn locate_generated() -> Option<PathBuf> {
    search_path()
        .spec(kubeclient::KUBERNETES_VERSION)
        .ok()
        .filter(|found| !found.bundled)
        .map(|found| found.version_dir())
}

fn search_path() -> kubeclient_specs::SearchPath {
    // The workspace root: this crate's manifest directory's parent, fixed at compile time.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    match std::env::current_dir() {
        Ok(cwd) => kubeclient_specs::SearchPath::new(&cwd).and_workspace(&workspace),
        Err(_) => kubeclient_specs::SearchPath::new(&workspace),
    }
}

/// A file's bytes and the hash kube-apiserver would publish for them.
#[derive(Debug, Clone)]
pub struct Document {
    /// The file as read.
    pub bytes: Bytes,
    /// Upper-case hex SHA-512 of `bytes` (kube-openapi's ETag and `?hash=`).
    pub hash: String,
}

impl Document {
    /// Wrap `bytes`, hashing them.
    pub fn new(bytes: Bytes) -> Self {
        let hash = hex_upper(ring::digest::digest(&ring::digest::SHA512, &bytes).as_ref());
        Document { bytes, hash }
    }
}

fn hex_upper(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02X}");
        s
    })
}

type Loaded = Option<Result<Arc<Document>, SpecError>>;

/// A specs directory and the files read from it so far.
#[derive(Debug)]
pub struct OpenApiSpecs {
    dir: PathBuf,
    // Keyed by path relative to `dir`; a missing file is cached as `None`.
    loaded: Mutex<HashMap<PathBuf, Loaded>>,
    // Hashes of v3 files the index needed but nobody fetched: the index names every
    // group/version, and keeping all 11 MB of them for it would be wasteful.
    hashes: Mutex<HashMap<PathBuf, Option<Result<String, SpecError>>>>,
}

impl OpenApiSpecs {
    /// Serve the files of `dir` (nothing is read yet).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        OpenApiSpecs {
            dir: dir.into(),
            loaded: Mutex::new(HashMap::new()),
            hashes: Mutex::new(HashMap::new()),
        }
    }
    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    /// `swagger.json`; `None` when the directory has none.
    pub fn v2(&self) -> Option<Result<Arc<Document>, SpecError>> {
        self.load(Path::new("swagger.json"))
    }
    /// The v3 document of `gv_path` (`api/v1`, `apis/apps/v1`); `None` when there is no file.
    pub fn v3(&self, gv_path: &str) -> Loaded {
        self.load(&v3_file(gv_path)?)
    }
    /// The hash of the v3 document of `gv_path`, reading (but not keeping) the file when it
    /// was not served yet; `None` when there is no file.
    pub fn v3_hash(&self, gv_path: &str) -> Option<Result<String, SpecError>> {
        let rel = v3_file(gv_path)?;
        if let Some(Some(loaded)) = self
            .loaded
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&rel)
        {
            return Some(
                loaded
                    .as_ref()
                    .map(|d| d.hash.clone())
                    .map_err(Clone::clone),
            );
        }
        let mut hashes = self.hashes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(h) = hashes.get(&rel) {
            return h.clone();
        }
        let h = read(&self.dir.join(&rel)).map(|r| r.map(|d| d.hash));
        hashes.insert(rel, h.clone());
        h
    }

    fn load(&self, rel: &Path) -> Loaded {
        // Held across the read so concurrent first requests read a file once; reads are
        // local and rare (once per file per server).
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = loaded.get(rel) {
            return v.clone();
        }
        let v = read(&self.dir.join(rel)).map(|r| r.map(Arc::new));
        loaded.insert(rel.to_path_buf(), v.clone());
        v
    }
}

/// `v3/apis__apps__v1_openapi.json` for `apis/apps/v1`, as upstream names the files; `None`
/// for paths with empty or dot segments (they come from request paths and must not leave the
/// directory).
fn v3_file(gv_path: &str) -> Option<PathBuf> {
    if gv_path
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return None;
    }
    Some(Path::new("v3").join(format!("{}_openapi.json", gv_path.replace('/', "__"))))
}

fn read(path: &Path) -> Option<Result<Document, SpecError>> {
    match std::fs::read(path) {
        Ok(b) => Some(Ok(Document::new(Bytes::from(b)))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => Some(Err(SpecError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lazily_and_caches() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("v3")).expect("mkdir");
        std::fs::write(dir.path().join("v3/apis__apps__v1_openapi.json"), "{}").expect("write");
        let s = OpenApiSpecs::new(dir.path());
        assert!(s.v2().is_none());
        let d = s.v3("apis/apps/v1").expect("file").expect("read");
        assert_eq!(&d.bytes[..], b"{}");
        assert_eq!(d.hash.len(), 128);
        assert_eq!(
            s.v3_hash("apis/apps/v1").expect("file").expect("read"),
            d.hash
        );
        assert!(s.v3_hash("apis/batch/v1").is_none());
        // Served from the cache even after the file is gone.
        std::fs::remove_file(dir.path().join("v3/apis__apps__v1_openapi.json")).expect("rm");
        assert!(s.v3("apis/apps/v1").is_some());
        assert!(s.v3("apis/../v1").is_none());
    }

    #[test]
    fn the_search_path_ends_with_this_workspace() {
        let roots = search_path().roots().to_vec();
        assert!(roots.iter().any(|p| p.ends_with("../shared/openapi-specs")));
    }
}
