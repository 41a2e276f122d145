//! Where Kubernetes specs come from. Specs are upstream data and never committed; the build
//! finds them in this order:
//!
//! 1. `$KUBECLIENT_SPECS_DIR/kubernetes/<version>/swagger.json`;
//! 2. `<workspace>/openapi-specs/kubernetes/<version>/swagger.json`;
//! 3. `<workspace>/../shared/openapi-specs/kubernetes/<version>/swagger.json`.
//!
//! Real-world CRDs used as test input live beside them, in `crds/<project>/*.yaml`, found in the
//! same order ([`locate_crds_dir`]).

use std::path::{Path, PathBuf};

/// A Kubernetes version we generate for, with the upstream file it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KubernetesVersion {
    /// Folder name, e.g. `v1.35`.
    pub name: &'static str,
    /// Upstream release the spec was taken from.
    pub release: &'static str,
    /// Where upstream publishes it.
    pub url: &'static str,
    /// sha256 of the file.
    pub sha256: &'static str,
}

/// Every supported version, oldest first.
pub const VERSIONS: &[KubernetesVersion] = &[
    KubernetesVersion {
        name: "v1.31",
        release: "v1.31.1",
        url: "https://raw.githubusercontent.com/kubernetes/kubernetes/v1.31.1/api/openapi-spec/swagger.json",
        sha256: "ddcb3d5c3d85849f1fadb56387d3a7bf44712da291e5bd08b34df4e8a4247f8d",
    },
    KubernetesVersion {
        name: "v1.33",
        release: "v1.33.1",
        url: "https://raw.githubusercontent.com/kubernetes/kubernetes/v1.33.1/api/openapi-spec/swagger.json",
        sha256: "2af5abf98554af1599e516f31f7f1698085e6faa12b816401f569c097b9f7ef6",
    },
    KubernetesVersion {
        name: "v1.34",
        release: "v1.34.0",
        url: "https://raw.githubusercontent.com/kubernetes/kubernetes/v1.34.0/api/openapi-spec/swagger.json",
        sha256: "d3b0cdc2fda15c753206d25ab459dc7c12df64e2fd652b6809687471ea751c37",
    },
    KubernetesVersion {
        name: "v1.35",
        release: "v1.35.0",
        url: "https://raw.githubusercontent.com/kubernetes/kubernetes/v1.35.0/api/openapi-spec/swagger.json",
        sha256: "483500149ee52ce5753d75f5639101d985bb4f5e902cc05b1ba7627465d62446",
    },
];

/// The version built when `KUBECLIENT_K8S_VERSION` is not set: the newest.
pub const DEFAULT_VERSION: &str = "v1.35";

/// Environment variable naming a specs folder (searched first).
pub const SPECS_DIR_ENV: &str = "KUBECLIENT_SPECS_DIR";

/// A requested Kubernetes version: any `vMAJOR.MINOR`, with its table entry when it has one.
/// Versions missing from [`VERSIONS`] are generated too, from whatever spec the search order
/// finds; only the upstream checksum is then unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedVersion {
    /// Folder name, e.g. `v1.36`.
    pub name: String,
    /// The table entry (upstream URL, sha256), when the version is in [`VERSIONS`].
    pub known: Option<&'static KubernetesVersion>,
}

impl SelectedVersion {
    /// Upstream URL of the swagger file: the table's, or the one the release tag
    /// `vMAJOR.MINOR.0` would have.
    pub fn url(&self) -> String {
        match self.known {
            Some(k) => k.url.to_owned(),
            None => format!(
                "https://raw.githubusercontent.com/kubernetes/kubernetes/{}.0/api/openapi-spec/swagger.json",
                self.name
            ),
        }
    }
}

/// Why a spec could not be found.
#[derive(Debug, thiserror::Error)]
pub enum LocateError {
    /// The version is not of the form `vMAJOR.MINOR[.PATCH]`.
    #[error(
        "Kubernetes version `{requested}` is not of the form v1.N (or 1.N, v1.N.P); known versions: {known}"
    )]
    BadVersion {
        /// What was asked for.
        requested: String,
        /// Comma-separated versions of the table.
        known: String,
    },
    /// No candidate file exists.
    #[error(
        "the Kubernetes {version} OpenAPI spec was not found; looked in:\n{tried}\n\
         Get it with: mkdir -p openapi-specs/kubernetes/{version} && curl -fsSL {url} -o openapi-specs/kubernetes/{version}/swagger.json \
         ({checksum}), or set {env} to a folder holding kubernetes/{version}/swagger.json"
    )]
    NotFound {
        /// Version.
        version: String,
        /// Paths tried, one per line.
        tried: String,
        /// Upstream URL.
        url: String,
        /// `sha256 ...` for known versions, a note otherwise.
        checksum: String,
        /// Env var name.
        env: &'static str,
    },
}

/// Accept `1.35`, `v1.35` or `v1.35.0` (any minor version, known to the table or not).
pub fn select(requested: &str) -> Result<SelectedVersion, LocateError> {
    let r = requested.trim().trim_start_matches('v');
    let parts: Vec<&str> = r.split('.').collect();
    let numeric = |s: &&str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(2..=3).contains(&parts.len()) || !parts.iter().all(numeric) {
        return Err(LocateError::BadVersion {
            requested: requested.to_owned(),
            known: VERSIONS
                .iter()
                .map(|v| v.name)
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let name = format!("v{}.{}", parts[0], parts[1]);
    let known = VERSIONS.iter().find(|v| v.name == name);
    Ok(SelectedVersion { name, known })
}

/// Find the swagger file of `version` using the documented search order, from `workspace`.
/// Any `v1.N` is accepted; see [`select`].
pub fn locate_kubernetes_spec(version: &str, workspace: &Path) -> Result<PathBuf, LocateError> {
    let v = select(version)?;
    let rel = Path::new("kubernetes").join(&v.name).join("swagger.json");
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os(SPECS_DIR_ENV) {
        candidates.push(PathBuf::from(dir).join(&rel));
    }
    candidates.push(workspace.join("openapi-specs").join(&rel));
    candidates.push(
        workspace
            .join("..")
            .join("shared")
            .join("openapi-specs")
            .join(&rel),
    );
    for c in &candidates {
        if c.is_file() {
            return Ok(c.clone());
        }
    }
    Err(LocateError::NotFound {
        version: v.name.clone(),
        tried: candidates
            .iter()
            .map(|c| format!("  {}", c.display()))
            .collect::<Vec<_>>()
            .join("\n"),
        url: v.url(),
        checksum: match v.known {
            Some(k) => format!("sha256 {}", k.sha256),
            None => "not in kubeclient's version table: no checksum to compare".to_owned(),
        },
        env: SPECS_DIR_ENV,
    })
}

/// Find the folder of real-world CRDs (`crds/`) with the same search order as specs.
pub fn locate_crds_dir(workspace: &Path) -> Result<PathBuf, String> {
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os(SPECS_DIR_ENV) {
        candidates.push(PathBuf::from(dir).join("crds"));
    }
    candidates.push(workspace.join("openapi-specs").join("crds"));
    candidates.push(
        workspace
            .join("..")
            .join("shared")
            .join("openapi-specs")
            .join("crds"),
    );
    candidates.iter().find(|c| c.is_dir()).cloned().ok_or_else(|| {
        format!(
            "the CRD test data folder was not found; looked in:\n{}\nset {SPECS_DIR_ENV} to a folder holding crds/<project>/*.yaml",
            candidates.iter().map(|c| format!("  {}", c.display())).collect::<Vec<_>>().join("\n")
        )
    })
}

/// Every `*.yaml` file under `dir` (one level of project folders), sorted.
pub fn crd_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let read = |d: &Path| std::fs::read_dir(d).map_err(|e| format!("{}: {e}", d.display()));
    let mut out = Vec::new();
    for project in read(dir)? {
        let project = project.map_err(|e| e.to_string())?.path();
        if !project.is_dir() {
            continue;
        }
        for f in read(&project)? {
            let f = f.map_err(|e| e.to_string())?.path();
            if f.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(f);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// For build scripts: the version selected by `KUBECLIENT_K8S_VERSION` (default
/// [`DEFAULT_VERSION`]) and its spec file, found from the workspace holding `CARGO_MANIFEST_DIR`.
/// Prints the `cargo:rerun-if-*` lines that make the build follow both, and a `cargo:warning`
/// naming the file used when the version is not in [`VERSIONS`].
pub fn for_build_script() -> Result<(SelectedVersion, PathBuf), String> {
    println!("cargo:rerun-if-env-changed=KUBECLIENT_K8S_VERSION");
    println!("cargo:rerun-if-env-changed={SPECS_DIR_ENV}");
    let version =
        std::env::var("KUBECLIENT_K8S_VERSION").unwrap_or_else(|_| DEFAULT_VERSION.to_owned());
    let manifest = PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").map_err(|e| format!("CARGO_MANIFEST_DIR: {e}"))?,
    );
    let workspace = manifest.parent().map(Path::to_path_buf).unwrap_or(manifest);
    let v = select(&version).map_err(|e| e.to_string())?;
    let spec = locate_kubernetes_spec(&v.name, &workspace).map_err(|e| e.to_string())?;
    println!("cargo:rerun-if-changed={}", spec.display());
    if v.known.is_none() {
        println!(
            "cargo:warning=Kubernetes {} is not in kubeclient's version table; generating from {}",
            v.name,
            spec.display()
        );
    }
    Ok((v, spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_minor_version_is_accepted() {
        let v = select("1.36").unwrap();
        assert_eq!((v.name.as_str(), v.known.is_none()), ("v1.36", true));
        assert!(v.url().contains("/v1.36.0/"), "{}", v.url());
        let v = select("v1.35.2").unwrap();
        assert_eq!(v.name, "v1.35");
        assert_eq!(v.known.map(|k| k.release), Some("v1.35.0"));
        for bad in ["", "latest", "v1", "v1.x", "v1.2.3.4"] {
            assert!(
                matches!(select(bad), Err(LocateError::BadVersion { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_missing_unknown_version_says_where_it_looked() {
        let dir = std::env::temp_dir().join("kubeclient-locate-no-such-workspace");
        let err = locate_kubernetes_spec("v1.99", &dir)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("v1.99") && err.contains("no checksum") && err.contains("v1.99.0"),
            "{err}"
        );
    }
}
