//! The search order and what it finds.

use crate::versions::{select, SelectedVersion};
use crate::{bundle, LocateError, VERSION_ENV};
use std::path::{Path, PathBuf};

/// Environment variable naming a specs folder, searched first. It is also the setting for a
/// `kubeclient` taken from git, whose checkout carries no specs.
pub const SPECS_DIR_ENV: &str = "KUBECLIENT_SPECS_DIR";

/// The folders searched for specs, in order (see the crate docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPath {
    roots: Vec<PathBuf>,
}

impl SearchPath {
    /// `$KUBECLIENT_SPECS_DIR`, then `<workspace>/openapi-specs` and
    /// `<workspace>/../shared/openapi-specs`.
    pub fn new(workspace: &Path) -> Self {
        let mut roots = Vec::new();
        if let Some(dir) = std::env::var_os(SPECS_DIR_ENV) {
            roots.push(PathBuf::from(dir));
        }
        SearchPath { roots }.and_workspace(workspace)
    }

    /// As [`SearchPath::new`], with a package's bundle searched right after the environment
    /// variable.
    pub fn with_bundle(workspace: &Path, bundle: &Path) -> Self {
        let mut s = SearchPath::new(workspace);
        let at = usize::from(std::env::var_os(SPECS_DIR_ENV).is_some());
        s.roots.insert(at, bundle.to_path_buf());
        s
    }

    /// Also search `<workspace>/openapi-specs` and `<workspace>/../shared/openapi-specs`, after
    /// the folders already listed (for a program that may run from another directory).
    pub fn and_workspace(mut self, workspace: &Path) -> Self {
        for root in [
            workspace.join("openapi-specs"),
            workspace.join("..").join("shared").join("openapi-specs"),
        ] {
            if !self.roots.contains(&root) {
                self.roots.push(root);
            }
        }
        self
    }

    /// The folders, in search order.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// The first folder holding the spec of `version` (any `v1.N`; see [`select`]), plain or
    /// bundled.
    ///
    /// # Errors
    /// [`LocateError::BadVersion`] for a malformed version; [`LocateError::NotFound`], listing
    /// every folder tried and how to get the file, when no folder holds it.
    pub fn spec(&self, version: &str) -> Result<Located, LocateError> {
        let version = select(version)?;
        let rel = swagger_rel(&version.name);
        for root in &self.roots {
            if root.join(&rel).is_file() {
                return Ok(Located {
                    version,
                    root: root.clone(),
                    bundled: false,
                });
            }
            if bundle::holds(root, &rel) {
                return Ok(Located {
                    version,
                    root: root.clone(),
                    bundled: true,
                });
            }
        }
        let checksum = match version.known {
            Some(k) => format!("sha256 {}", k.sha256),
            None => "not in kubeclient's version table: no checksum to compare".to_owned(),
        };
        Err(LocateError::NotFound {
            what: format!("the Kubernetes {} OpenAPI spec", version.name),
            tried: self.tried(&rel),
            hint: format!(
                "Get it with: mkdir -p openapi-specs/kubernetes/{v} && curl -fsSL {url} -o openapi-specs/kubernetes/{v}/swagger.json \
                 ({checksum}), beside the workspace, or set {SPECS_DIR_ENV} to a folder holding kubernetes/{v}/swagger.json \
                 (and proto/{v}/ for protobuf and the webhook kinds). A kubeclient taken from git carries no specs: \
                 set {SPECS_DIR_ENV} in your project's .cargo/config.toml [env] table.",
                v = version.name,
                url = version.url(),
            ),
        })
    }

    /// The first folder holding the plain folder `name` (`crds`, `testdata`): test data, never
    /// bundled.
    ///
    /// # Errors
    /// [`LocateError::NotFound`] listing every folder tried.
    pub fn dir(&self, name: &str) -> Result<PathBuf, LocateError> {
        if let Some(found) = self.roots.iter().map(|r| r.join(name)).find(|d| d.is_dir()) {
            return Ok(found);
        }
        Err(LocateError::NotFound {
            what: format!("the `{name}` test data folder"),
            tried: self.tried(Path::new(name)),
            hint: format!("set {SPECS_DIR_ENV} to a folder holding {name}/"),
        })
    }

    fn tried(&self, rel: &Path) -> String {
        self.roots
            .iter()
            .map(|r| format!("  {}", r.join(rel).display()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// For build scripts: the search path of the crate being built (its bundle is
    /// `<CARGO_MANIFEST_DIR>/specs`, its workspace the manifest folder's parent), and the spec
    /// of the version `KUBECLIENT_K8S_VERSION` selects (default [`crate::DEFAULT_VERSION`]),
    /// unpacked into `OUT_DIR` when it comes from a bundle. Prints the `cargo:rerun-if-*` lines
    /// that make the build follow the settings and files, and a `cargo:warning` naming the file
    /// used for a version missing from [`crate::VERSIONS`].
    ///
    /// # Errors
    /// What [`SearchPath::spec`] and [`Located::materialize`] return, and
    /// [`LocateError::Io`] when Cargo's variables are missing.
    pub fn for_build_script() -> Result<Located, LocateError> {
        println!("cargo:rerun-if-env-changed={VERSION_ENV}");
        println!("cargo:rerun-if-env-changed={SPECS_DIR_ENV}");
        let var = |name: &str| {
            std::env::var_os(name)
                .map(PathBuf::from)
                .ok_or_else(|| LocateError::Io {
                    path: PathBuf::from(format!("${name}")),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "not set: not running under Cargo",
                    ),
                })
        };
        let manifest = var("CARGO_MANIFEST_DIR")?;
        let out = var("OUT_DIR")?;
        let version =
            std::env::var(VERSION_ENV).unwrap_or_else(|_| crate::DEFAULT_VERSION.to_owned());
        let workspace = manifest.parent().unwrap_or(&manifest).to_path_buf();
        let search = SearchPath::with_bundle(&workspace, &manifest.join("specs"));
        let found = search.spec(&version)?;
        println!(
            "cargo:rerun-if-changed={}",
            found.root.join(swagger_rel(&found.version.name)).display()
        );
        let found = found.materialize(&out.join("kubeclient-specs"))?;
        if found.version.known.is_none() {
            println!(
                "cargo:warning=Kubernetes {} is not in kubeclient's version table; generating from {}",
                found.version.name,
                found.swagger().display()
            );
        }
        Ok(found)
    }
}

fn swagger_rel(version: &str) -> PathBuf {
    Path::new("kubernetes").join(version).join("swagger.json")
}

/// Where the spec of one version was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The version.
    pub version: SelectedVersion,
    /// The folder of the search path that holds it.
    pub root: PathBuf,
    /// Whether `root` is a bundle (compressed; [`Located::materialize`] unpacks it).
    pub bundled: bool,
}

impl Located {
    /// `<root>/kubernetes/<version>`: `swagger.json` and, when present, `v3/`.
    pub fn version_dir(&self) -> PathBuf {
        self.root.join("kubernetes").join(&self.version.name)
    }

    /// The swagger file (`.gz` in a bundle).
    pub fn swagger(&self) -> PathBuf {
        let f = self.version_dir().join("swagger.json");
        if self.bundled {
            f.with_extension("json.gz")
        } else {
            f
        }
    }

    /// `<root>/proto/<version>`, the `generated.proto` files by Go import path, when present.
    pub fn proto_dir(&self) -> Option<PathBuf> {
        Some(self.root.join("proto").join(&self.version.name)).filter(|d| d.is_dir())
    }

    /// A plain copy: `self` when it is not bundled; otherwise this version's files unpacked
    /// into `scratch` (replacing what is there) after their sums are checked.
    ///
    /// # Errors
    /// [`LocateError::Bundle`] or [`LocateError::Checksum`] for a damaged bundle,
    /// [`LocateError::Io`] when reading or writing fails.
    pub fn materialize(self, scratch: &Path) -> Result<Located, LocateError> {
        if !self.bundled {
            return Ok(self);
        }
        bundle::unpack(&self.root, &self.version, scratch)?;
        Ok(Located {
            root: scratch.to_path_buf(),
            bundled: false,
            ..self
        })
    }
}

/// Every `*.yaml` file under `dir` (one level of project folders), sorted.
///
/// # Errors
/// [`LocateError::Io`] when a folder cannot be read.
pub fn crd_files(dir: &Path) -> Result<Vec<PathBuf>, LocateError> {
    let read = |d: &Path| -> Result<Vec<PathBuf>, LocateError> {
        let io = |source| LocateError::Io {
            path: d.to_path_buf(),
            source,
        };
        std::fs::read_dir(d)
            .map_err(io)?
            .map(|e| e.map(|e| e.path()).map_err(io))
            .collect()
    };
    let mut out = Vec::new();
    for project in read(dir)? {
        if !project.is_dir() {
            continue;
        }
        for f in read(&project)? {
            if f.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(f);
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_version_says_where_it_looked_and_how_to_get_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = SearchPath::new(dir.path())
            .spec("v1.99")
            .unwrap_err()
            .to_string();
        for want in [
            "v1.99",
            "no checksum",
            "v1.99.0",
            SPECS_DIR_ENV,
            ".cargo/config.toml",
        ] {
            assert!(err.contains(want), "{want} not in: {err}");
        }
        assert!(err.contains(&dir.path().join("openapi-specs").display().to_string()));
    }

    #[test]
    fn the_bundle_comes_before_the_workspace() {
        let ws = tempfile::tempdir().unwrap();
        let bundle = ws.path().join("crate").join("specs");
        let s = SearchPath::with_bundle(ws.path(), &bundle);
        let roots = s.roots();
        let at = roots.iter().position(|r| r == &bundle).unwrap();
        assert_eq!(at, usize::from(std::env::var_os(SPECS_DIR_ENV).is_some()));
        assert!(roots[at + 1].ends_with("openapi-specs"));
        assert!(roots.last().unwrap().ends_with("shared/openapi-specs"));
    }

    #[test]
    fn a_plain_spec_is_found_with_its_protos() {
        let ws = tempfile::tempdir().unwrap();
        let root = ws.path().join("openapi-specs");
        std::fs::create_dir_all(root.join("kubernetes/v1.40")).unwrap();
        std::fs::create_dir_all(root.join("proto/v1.40/k8s.io")).unwrap();
        std::fs::write(root.join("kubernetes/v1.40/swagger.json"), "{}").unwrap();
        let found = SearchPath::new(ws.path()).spec("1.40.2").unwrap();
        assert!(!found.bundled);
        assert_eq!(found.version.name, "v1.40");
        assert_eq!(found.swagger(), root.join("kubernetes/v1.40/swagger.json"));
        assert_eq!(found.proto_dir(), Some(root.join("proto/v1.40")));
    }
}
