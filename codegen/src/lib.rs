//! kubeclient-codegen: generates typed Kubernetes clients from the OpenAPI spec, the way
//! client-go's code generators do, in four stages:
//!
//! 1. [`spec`]: parse swagger 2.0 into a serde model that keeps the `x-kubernetes-*` extensions;
//!    OpenAPI v3 documents are merged into that model, CustomResourceDefinitions' served
//!    versions converted into it, and kinds the spec lacks (AdmissionReview, aggregated
//!    discovery) read from `generated.proto` files ([`spec::proto`]);
//! 2. [`fixups`]: named fixes for upstream quirks, each failing loudly once it stops applying;
//! 3. [`ir`]: plain data: packages of types; API groups, versions, resources, verbs, subresources;
//! 4. [`emit`]: `quote!` per concept, formatted with prettyplease; deterministic output.
//!
//! Use [`Builder`] from a build script, or the `kubeclient-codegen` binary to write readable
//! sources to a folder. Any Kubernetes version generates ([`locate`]); what the generator meets
//! but does not fully understand is listed in [`Generated::report`] rather than dropped.
//!
//! # Generating types for your CRDs
//!
//! Point the builder at CRD files (YAML, one or more documents each; JSON works too). No
//! Kubernetes spec is needed: the output holds only the CRD groups and refers to the runtime's
//! handwritten types (`ObjectMeta`, `Time`, `IntOrString`, ...) by `::kubeclient_runtime::`
//! paths, so the crate needs `kubeclient-runtime` (or `kubeclient`), `serde` and `serde_json`.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     println!("cargo:rerun-if-changed=crds/certificates.yaml");
//!     let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
//!     kubeclient_codegen::Builder::new()
//!         .crd_file("crds/certificates.yaml")
//!         .root("crate::crds")
//!         .generate()?
//!         .write_to(&out_dir)?;
//!     Ok(())
//! }
//! ```
//! and in the crate: `pub mod crds { include!(concat!(env!("OUT_DIR"), "/lib.rs")); }`, then
//! `crds::api::cert_manager::v1::Certificate` and
//! `crds::Clientset::from_rest_client(rest).cert_manager_v1().certificates("ns")`.
//! Types are named after the kind and the field path of inline objects
//! (`CertificateSpec`, `CertificateSpecPrivateKey`); see [`spec::crd`] for the rules.

pub mod emit;
mod error;
#[cfg(feature = "fetch")]
pub mod fetch;
pub mod fixups;
pub mod ir;
pub mod naming;
pub mod report;
pub mod spec;
mod yaml_depth;

pub use emit::{Files, Layout, Options};
pub use error::{CrdProblem, Error};
/// Where specs are found (the `kubeclient-specs` crate, re-exported for build scripts).
pub use kubeclient_specs as locate;
pub use kubeclient_specs::{KubernetesVersion, SelectedVersion, DEFAULT_VERSION, VERSIONS};

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
    /// What the generator met but did not fully understand: unknown actions, subresources
    /// without a typed method, unknown formats, stale fixups, properties missing from
    /// handwritten types. Print [`report::Report::summary`].
    pub report: report::Report,
    /// Features of this spec missing from [`Builder::declared_features`]: their groups are
    /// compiled without a feature gate.
    pub undeclared_features: std::collections::BTreeSet<String>,
}

/// The report of a run: the IR's diagnostics and the fixups that found their quirk gone.
pub fn report_of(ir: &ir::Ir, fixups: &[fixups::FixupReport]) -> report::Report {
    let stale = fixups.iter().filter_map(|f| {
        f.stale.as_ref().map(|detail| report::Diagnostic {
            severity: report::Severity::Warning,
            topic: report::Topic::StaleFixup,
            subject: f.name.to_owned(),
            detail: format!("{detail}; the fixup changed nothing and can be removed"),
        })
    });
    report::Report::new(ir.diagnostics.iter().cloned().chain(stale).collect())
}

impl Generated {
    /// Write every file under `dir`, creating folders; files whose content is unchanged are not
    /// rewritten (keeps incremental builds incremental).
    pub fn write_to(&self, dir: &Path) -> Result<(), Error> {
        for (rel, text) in &self.files {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| Error::Write {
                    path: parent.to_owned(),
                    source,
                })?;
            }
            if std::fs::read(&path).ok().as_deref() == Some(text.as_bytes()) {
                continue;
            }
            std::fs::write(&path, text).map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
        }
        Ok(())
    }
}

/// A CRD input of the [`Builder`].
#[derive(Debug, Clone)]
enum CrdSource {
    File(PathBuf),
    Bytes(String, Vec<u8>),
}

/// Configures and runs the generator.
#[derive(Debug, Clone)]
pub struct Builder {
    spec: Option<PathBuf>,
    spec_bytes: Option<(String, Vec<u8>)>,
    openapi_v3: Option<PathBuf>,
    proto_dir: Option<PathBuf>,
    proto_numbers_dir: Option<PathBuf>,
    declared: Option<std::collections::BTreeSet<String>>,
    crds: Vec<CrdSource>,
    layout_set: bool,
    runtime_set: bool,
    options: Options,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            spec: None,
            spec_bytes: None,
            openapi_v3: None,
            proto_dir: None,
            proto_numbers_dir: None,
            declared: None,
            crds: Vec::new(),
            layout_set: false,
            runtime_set: false,
            options: Options {
                root: "crate".into(),
                layout: Layout::ModuleTree,
                cfg_features: false,
                ungated: Default::default(),
                spec_version: "unknown".into(),
                out_subdir: String::new(),
                runtime_crate: None,
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
    /// Read OpenAPI v3 documents (every `*.json` file of `dir`, as served at `/openapi/v3/...`)
    /// instead of a swagger file.
    pub fn openapi_v3_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.openapi_v3 = Some(dir.into());
        self
    }
    /// Also generate the kinds the OpenAPI spec lacks (`admission.k8s.io` AdmissionReview,
    /// `apidiscovery.k8s.io` discovery documents) from the `generated.proto` files under `dir`
    /// (laid out by import path: `dir/k8s.io/api/admission/v1/generated.proto`); see
    /// [`spec::proto`].
    pub fn proto_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.proto_dir = Some(dir.into());
        self
    }
    /// Take protobuf field numbers from the `generated.proto` files under `dir` without adding
    /// the proto-only kinds ([`Builder::proto_dir`] does both); for specs that are not a whole
    /// Kubernetes release.
    pub fn proto_numbers_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.proto_numbers_dir = Some(dir.into());
        self
    }
    /// Add a file of CustomResourceDefinitions (YAML or JSON, several documents allowed);
    /// repeatable. Without a Kubernetes spec, only the CRD groups are generated.
    pub fn crd_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.crds.push(CrdSource::File(path.into()));
        self
    }
    /// Add in-memory CRD documents; `origin` names them in errors. Repeatable.
    pub fn crd_bytes(mut self, origin: impl Into<String>, bytes: Vec<u8>) -> Self {
        self.crds.push(CrdSource::Bytes(origin.into(), bytes));
        self
    }
    /// Folder below `OUT_DIR` the files are written to (default: `OUT_DIR` itself). With
    /// [`Layout::IncludeFromOutDir`] the include paths follow, so several generations can share
    /// one `OUT_DIR`.
    pub fn out_subdir(mut self, dir: impl Into<String>) -> Self {
        self.options.out_subdir = dir.into().trim_matches('/').to_owned();
        self
    }
    /// Module path the output is mounted at (default `crate`).
    pub fn root(mut self, root: impl Into<String>) -> Self {
        self.options.root = root.into();
        self
    }
    /// File layout (default: a module tree).
    /// CRD-only builds default to [`Layout::IncludeFromOutDir`] (for build scripts).
    pub fn layout(mut self, layout: Layout) -> Self {
        self.options.layout = layout;
        self.layout_set = true;
        self
    }
    /// Gate each API group behind a cargo feature of its name, and the crate-wide parts behind
    /// `client` (typed clients), `apply` (apply configurations) and `kinds` (patch schemas).
    pub fn cfg_features(mut self, on: bool) -> Self {
        self.options.cfg_features = on;
        self
    }
    /// With [`Builder::cfg_features`], features to leave ungated: pass the features the crate's
    /// `Cargo.toml` declares, and groups of a newer Kubernetes that it does not declare are
    /// compiled unconditionally instead of behind a feature that does not exist (see
    /// [`Generated::undeclared_features`]).
    pub fn declared_features(mut self, declared: impl IntoIterator<Item = String>) -> Self {
        self.declared = Some(declared.into_iter().collect());
        self
    }
    /// The path generated code names the runtime by. CRD-only builds default to
    /// `::kubeclient::runtime` (serde and serde_json are reached through it too), so a crate
    /// that generates code for its CRDs needs only `kubeclient`; pass `::kubeclient_runtime`
    /// to name the runtime crate (and `serde`, `serde_json`) directly. Builds from a
    /// Kubernetes spec (the `kubeclient` crate itself) name `::kubeclient_runtime`.
    pub fn runtime_crate(mut self, path: impl Into<String>) -> Self {
        self.options.runtime_crate = Some(path.into());
        self.runtime_set = true;
        self
    }
    /// Version label written in file headers (e.g. `v1.35`).
    pub fn spec_version(mut self, v: impl Into<String>) -> Self {
        self.options.spec_version = v.into();
        self
    }

    /// Parse, fix up and build the IR without emitting.
    pub fn build_ir(&self) -> Result<(ir::Ir, Vec<fixups::FixupReport>), Error> {
        if let Some(dir) = &self.openapi_v3 {
            let mut spec = read_openapi_v3(dir)?;
            let reports = fixups::apply_all(&mut spec)?;
            spec::hoist::hoist_inline_objects(&mut spec);
            if let Some(protos) = &self.proto_dir {
                spec::proto::add_proto_kinds(&mut spec, protos)?;
            }
            return Ok((self.with_protobuf(ir::build(&spec)?)?, reports));
        }
        let swagger = match (&self.spec_bytes, &self.spec) {
            (Some((o, b)), _) => Some((o.clone(), b.clone())),
            (None, Some(p)) => {
                let b = std::fs::read(p).map_err(|source| Error::Read {
                    path: p.clone(),
                    source,
                })?;
                Some((p.display().to_string(), b))
            }
            (None, None) if !self.crds.is_empty() => None,
            (None, None) => return Err(Error::NoInput),
        };
        let (mut spec, reports) = match swagger {
            Some((origin, bytes)) => {
                let mut spec = spec::Swagger::from_slice(&bytes, &origin)?;
                let reports = fixups::apply_all(&mut spec)?;
                // A cluster's own document writes its CRDs' nested objects inline.
                spec::hoist::hoist_inline_objects(&mut spec);
                if let Some(protos) = &self.proto_dir {
                    spec::proto::add_proto_kinds(&mut spec, protos)?;
                }
                (spec, reports)
            }
            None => (spec::Swagger::default(), Vec::new()),
        };
        if !self.crds.is_empty() {
            let mut crds = Vec::new();
            for source in &self.crds {
                match source {
                    CrdSource::File(p) => {
                        let b = std::fs::read(p).map_err(|source| Error::Read {
                            path: p.clone(),
                            source,
                        })?;
                        crds.extend(spec::crd::parse_crds(&p.display().to_string(), &b)?);
                    }
                    CrdSource::Bytes(origin, b) => crds.extend(spec::crd::parse_crds(origin, b)?),
                }
            }
            spec::crd::add_to_swagger(&mut spec, &crds)?;
        }
        Ok((self.with_protobuf(ir::build(&spec)?)?, reports))
    }

    /// With a proto folder, the field numbers of every Kubernetes type (see [`ir::protobuf`]).
    fn with_protobuf(&self, mut ir: ir::Ir) -> Result<ir::Ir, Error> {
        if let Some(protos) = self.proto_numbers_dir.as_ref().or(self.proto_dir.as_ref()) {
            let schema = spec::proto::load_schema(protos)?;
            ir::protobuf::attach(&mut ir, &schema);
        }
        Ok(ir)
    }

    /// Options used for emitting: CRD-only builds default to the include layout and a header
    /// naming the CRD files.
    fn effective_options(&self) -> Options {
        let mut o = self.options.clone();
        let crd_only = self.spec.is_none()
            && self.spec_bytes.is_none()
            && self.openapi_v3.is_none()
            && !self.crds.is_empty();
        if crd_only && !self.layout_set {
            o.layout = Layout::IncludeFromOutDir;
        }
        if crd_only && !self.runtime_set {
            o.runtime_crate = Some("::kubeclient::runtime".to_owned());
        }
        if o.runtime_crate.as_deref() == Some("::kubeclient_runtime") {
            o.runtime_crate = None;
        }
        if crd_only && o.spec_version == "unknown" {
            let names: Vec<String> = self
                .crds
                .iter()
                .map(|c| match c {
                    CrdSource::File(p) => p
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    CrdSource::Bytes(origin, _) => origin.clone(),
                })
                .collect();
            o.spec_version = format!("(CRDs {})", names.join(", "));
        }
        o
    }

    /// Run all four stages.
    pub fn generate(&self) -> Result<Generated, Error> {
        let (ir, fixups) = self.build_ir()?;
        let mut options = self.effective_options();
        if let Some(declared) = &self.declared {
            options.ungated = ir
                .features()
                .into_iter()
                .filter(|f| !declared.contains(f))
                .collect();
        }
        let files = emit::emit(&ir, &options)?;
        let report = report_of(&ir, &fixups);
        Ok(Generated {
            files,
            ir,
            fixups,
            report,
            undeclared_features: options.ungated,
        })
    }
}

/// Every `*.json` document of an OpenAPI v3 folder, merged into the swagger model.
fn read_openapi_v3(dir: &Path) -> Result<spec::Swagger, Error> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Read {
        path: dir.to_owned(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut docs = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).map_err(|source| Error::Read {
            path: f.clone(),
            source,
        })?;
        let origin = f.display().to_string();
        docs.push((
            origin.clone(),
            spec::openapi_v3::OpenApiV3::from_slice(&bytes, &origin)?,
        ));
    }
    spec::openapi_v3::merge(docs)
}
