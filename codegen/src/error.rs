//! Errors of the generator. Every variant names the input (file, definition, field, path) and
//! says what is wrong, so a user can fix a spec or a CRD without reading generator code.

use std::path::PathBuf;

/// Anything that stops generation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// File that was read.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The spec is not valid JSON or does not have the swagger shape.
    #[error("{origin}: not a valid swagger 2.0 document: {source}")]
    ParseSpec {
        /// File name or other origin of the document.
        origin: String,
        /// Underlying error, with line and column.
        source: serde_json::Error,
    },
    /// An output file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// File that was written.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// A `$ref` points at a definition that does not exist.
    #[error("definition `{definition}`, field `{field}`: $ref `{target}` names no definition")]
    DanglingRef {
        /// Definition holding the reference.
        definition: String,
        /// Property path within it.
        field: String,
        /// The reference.
        target: String,
    },
    /// A schema shape the generator cannot express.
    #[error("definition `{definition}`, field `{field}`: {what}")]
    Unsupported {
        /// Definition.
        definition: String,
        /// Property path within it.
        field: String,
        /// What is not supported.
        what: String,
    },
    /// A definition or property name cannot become a Rust identifier.
    #[error("definition `{definition}`: `{name}` cannot be turned into a Rust identifier")]
    BadIdentifier {
        /// Definition.
        definition: String,
        /// Offending name.
        name: String,
    },
    /// Two definitions of one package turn into the same Rust type name.
    #[error("definitions `{first}` and `{second}` both become type `{ident}`")]
    TypeCollision {
        /// First definition.
        first: String,
        /// Second definition.
        second: String,
        /// The shared identifier.
        ident: String,
    },
    /// An operation acts on a kind that has no definition.
    #[error("path `{path}` ({method}): kind {group}/{version}/{kind} has no definition")]
    KindWithoutDefinition {
        /// Path template.
        path: String,
        /// HTTP method.
        method: String,
        /// Group.
        group: String,
        /// Version.
        version: String,
        /// Kind.
        kind: String,
    },
    /// A resource kind has no `metadata` property of type ObjectMeta.
    #[error("definition `{definition}` is served as a resource at `{path}` but has no `metadata: ObjectMeta` property")]
    ResourceWithoutMetadata {
        /// Definition.
        definition: String,
        /// A path that serves it.
        path: String,
    },
    /// Two API groups would share one cargo feature name.
    #[error("API groups `{first}` and `{second}` would both use cargo feature `{feature}`")]
    FeatureCollision {
        /// First group.
        first: String,
        /// Second group.
        second: String,
        /// Feature name.
        feature: String,
    },
    /// A package's definitions name kinds of more than one API group.
    #[error("package `{package}` holds kinds of groups `{first}` and `{second}`; cannot pick its cargo feature")]
    PackageGroupConflict {
        /// Package.
        package: String,
        /// First group.
        first: String,
        /// Second group.
        second: String,
    },
    /// The builder was given nothing to generate from.
    #[error(
        "no input: call spec_file(), spec_bytes(), openapi_v3_dir(), crd_file() or crd_bytes()"
    )]
    NoInput,
    /// A generator option has a value it cannot use.
    #[error("option `{option}` = `{value}`: {what}")]
    BadOption {
        /// Option name (`root`, `runtime_crate`).
        option: &'static str,
        /// The value given.
        value: String,
        /// What is wrong with it.
        what: String,
    },
    /// A generator thread died (a generator bug, not a problem with the input).
    #[error("internal error while generating `{file}`: {what}")]
    Internal {
        /// Output file being generated, or `<all files>`.
        file: String,
        /// What happened.
        what: String,
    },
    /// Emitted tokens did not parse as Rust (a generator bug; the file name says where).
    #[error("generated `{file}` is not valid Rust: {source}")]
    Format {
        /// Output file.
        file: String,
        /// Parse error.
        source: syn::Error,
    },
    /// A CRD file is not valid YAML (or JSON).
    #[error("{origin}: document {document}: not valid YAML: {source}")]
    ParseCrd {
        /// File name or other origin.
        origin: String,
        /// 1-based document index within the file.
        document: usize,
        /// Underlying error, with line and column.
        source: serde_yaml_ng::Error,
    },
    /// A CRD input nests deeper than any real CRD; refused before parsing, as the YAML
    /// parser's time grows with the square of the depth.
    #[error("{origin}: line {line}: nested deeper than {max} levels")]
    TooDeep {
        /// File name or other origin.
        origin: String,
        /// 1-based line where the limit is passed.
        line: usize,
        /// The limit.
        max: usize,
    },
    /// A CustomResourceDefinition cannot be turned into types (boxed: it carries a lot of context).
    #[error(transparent)]
    Crd(Box<CrdProblem>),
    /// A CRD input holds no CustomResourceDefinition.
    #[error("{origin}: no apiextensions.k8s.io/v1 CustomResourceDefinition found")]
    NoCrds {
        /// File name or other origin.
        origin: String,
    },
    /// The same kind, resource or definition is defined twice.
    #[error("{what} is defined twice: in {first} and in {second}")]
    DuplicateCrd {
        /// What is duplicated (`kind cert-manager.io/v1/Certificate`).
        what: String,
        /// First place.
        first: String,
        /// Second place.
        second: String,
    },
}

/// Where in which CRD something is wrong, and what.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: document {document}, CRD `{crd}`{}, at `{path}`: {what}", version_label(.version))]
pub struct CrdProblem {
    /// File name or other origin.
    pub origin: String,
    /// 1-based document index within the file.
    pub document: usize,
    /// `metadata.name` of the CRD.
    pub crd: String,
    /// The version concerned (empty when the problem is not version specific).
    pub version: String,
    /// Path of the offending node within the CRD document
    /// (`spec.versions[0].schema.openAPIV3Schema.properties.spec...`).
    pub path: String,
    /// What is wrong.
    pub what: String,
}

fn version_label(version: &str) -> String {
    if version.is_empty() {
        String::new()
    } else {
        format!(", version `{version}`")
    }
}
