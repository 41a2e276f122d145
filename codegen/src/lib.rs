//! kubeclient-codegen: generates typed Kubernetes clients from the OpenAPI spec, the way
//! client-go's code generators do, in four stages:
//!
//! 1. [`spec`]: parse swagger 2.0 into a serde model that keeps the `x-kubernetes-*` extensions;
//! 2. [`fixups`]: named fixes for upstream quirks, each failing loudly once it stops applying;
//! 3. [`ir`]: plain data: packages of types; API groups, versions, resources, verbs, subresources;
//! 4. [`emit`]: `quote!` per concept, formatted with prettyplease; deterministic output.
//!
//! Use [`Builder`] from a build script, or the `kubeclient-codegen` binary to write readable
//! sources to a folder.

pub mod emit;
mod error;
pub mod fixups;
pub mod ir;
pub mod locate;
pub mod naming;
pub mod spec;

pub use emit::{Files, Layout, Options};
pub use error::Error;
pub use locate::{locate_kubernetes_spec, KubernetesVersion, DEFAULT_VERSION, VERSIONS};

use std::path::{Path, PathBuf};

/// Result of one generation run.
#[derive(Debug)]
pub struct Generated {
    /// Output files, relative path -> contents.
    pub files: Files,
    /// The IR the files were emitted from.
    pub ir: ir::Ir,
    /// What each fixup changed.
    pub fixups: Vec<fixups::FixupReport>,
}

impl Generated {
    /// Write every file under `dir`, creating folders; files whose content is unchanged are not
    /// rewritten (keeps incremental builds incremental).
    pub fn write_to(&self, dir: &Path) -> Result<(), Error> {
        for (rel, text) in &self.files {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| Error::Write { path: parent.to_owned(), source })?;
            }
            if std::fs::read(&path).ok().as_deref() == Some(text.as_bytes()) {
                continue;
            }
            std::fs::write(&path, text).map_err(|source| Error::Write { path: path.clone(), source })?;
        }
        Ok(())
    }
}

/// Configures and runs the generator.
#[derive(Debug, Clone)]
pub struct Builder {
    spec: Option<PathBuf>,
    spec_bytes: Option<(String, Vec<u8>)>,
    options: Options,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            spec: None,
            spec_bytes: None,
            options: Options {
                root: "crate".into(),
                layout: Layout::ModuleTree,
                cfg_features: false,
                spec_version: "unknown".into(),
            },
        }
    }
}

impl Builder {
    /// A builder with defaults: module-tree layout rooted at `crate`, no feature gates.
    pub fn new() -> Self {
        Self::default()
    }
    /// Read the swagger document from `path`.
    pub fn spec_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.spec = Some(path.into());
        self
    }
    /// Use an in-memory swagger document; `origin` names it in errors.
    pub fn spec_bytes(mut self, origin: impl Into<String>, bytes: Vec<u8>) -> Self {
        self.spec_bytes = Some((origin.into(), bytes));
        self
    }
    /// Module path the output is mounted at (default `crate`).
    pub fn root(mut self, root: impl Into<String>) -> Self {
        self.options.root = root.into();
        self
    }
    /// File layout (default: a module tree).
    pub fn layout(mut self, layout: Layout) -> Self {
        self.options.layout = layout;
        self
    }
    /// Gate each API group behind a cargo feature of its name.
    pub fn cfg_features(mut self, on: bool) -> Self {
        self.options.cfg_features = on;
        self
    }
    /// Version label written in file headers (e.g. `v1.35`).
    pub fn spec_version(mut self, v: impl Into<String>) -> Self {
        self.options.spec_version = v.into();
        self
    }

    /// Parse, fix up and build the IR without emitting.
    pub fn build_ir(&self) -> Result<(ir::Ir, Vec<fixups::FixupReport>), Error> {
        let (origin, bytes) = match (&self.spec_bytes, &self.spec) {
            (Some((o, b)), _) => (o.clone(), b.clone()),
            (None, Some(p)) => {
                let b = std::fs::read(p).map_err(|source| Error::Read { path: p.clone(), source })?;
                (p.display().to_string(), b)
            }
            (None, None) => {
                return Err(Error::Read {
                    path: PathBuf::from("<no spec given>"),
                    source: std::io::Error::new(std::io::ErrorKind::NotFound, "call spec_file() or spec_bytes()"),
                })
            }
        };
        let mut spec = spec::Swagger::from_slice(&bytes, &origin)?;
        let reports = fixups::apply_all(&mut spec)?;
        Ok((ir::build(&spec)?, reports))
    }

    /// Run all four stages.
    pub fn generate(&self) -> Result<Generated, Error> {
        let (ir, fixups) = self.build_ir()?;
        let files = emit::emit(&ir, &self.options)?;
        Ok(Generated { files, ir, fixups })
    }
}
