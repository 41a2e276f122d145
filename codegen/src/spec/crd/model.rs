//! The CRD documents as the generator reads them (only the fields it needs), and the
//! multi-document YAML/JSON reader.

use crate::Error;
use serde::Deserialize;
use serde_json::Value;

/// A CustomResourceDefinition (only what the generator reads).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomResourceDefinition {
    /// Must be `apiextensions.k8s.io/v1`.
    #[serde(default)]
    pub api_version: String,
    /// Must be `CustomResourceDefinition`.
    #[serde(default)]
    pub kind: String,
    /// Object metadata (only the name is read).
    #[serde(default)]
    pub metadata: CrdMetadata,
    /// The definition.
    pub spec: CrdSpec,
}

/// `metadata` of a CRD.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CrdMetadata {
    /// `<plural>.<group>`.
    #[serde(default)]
    pub name: String,
}

/// `spec` of a CRD.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrdSpec {
    /// API group, e.g. `cert-manager.io`.
    pub group: String,
    /// Kind and resource names.
    pub names: CrdNames,
    /// `Namespaced` or `Cluster`.
    pub scope: String,
    /// Versions, served or not.
    pub versions: Vec<CrdVersion>,
}

/// `spec.names`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrdNames {
    /// Kind, e.g. `Certificate`.
    pub kind: String,
    /// URL plural, e.g. `certificates`.
    pub plural: String,
    /// Singular name.
    #[serde(default)]
    pub singular: Option<String>,
    /// List kind (default `<kind>List`).
    #[serde(default)]
    pub list_kind: Option<String>,
    /// Short names.
    #[serde(default)]
    pub short_names: Vec<String>,
}

/// One entry of `spec.versions`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrdVersion {
    /// Version name, e.g. `v1`.
    pub name: String,
    /// Served by the API server (only served versions are generated).
    #[serde(default)]
    pub served: bool,
    /// The storage version.
    #[serde(default)]
    pub storage: bool,
    /// Deprecated version.
    #[serde(default)]
    pub deprecated: bool,
    /// Validation schema.
    #[serde(default)]
    pub schema: Option<CrdValidation>,
    /// Declared subresources.
    #[serde(default)]
    pub subresources: Option<CrdSubresources>,
}

/// `schema` of a version.
#[derive(Debug, Clone, Deserialize)]
pub struct CrdValidation {
    /// The structural schema, kept as JSON and walked by the converter.
    #[serde(rename = "openAPIV3Schema", default)]
    pub open_api_v3_schema: Option<Value>,
}

/// `subresources` of a version.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CrdSubresources {
    /// Present when `/status` is served.
    #[serde(default)]
    pub status: Option<Value>,
    /// Present when `/scale` is served.
    #[serde(default)]
    pub scale: Option<Value>,
}

/// One CRD read from an input, with where it came from.
#[derive(Debug, Clone)]
pub struct LocatedCrd {
    /// File name or other origin.
    pub origin: String,
    /// 1-based index of the YAML document in the file.
    pub document: usize,
    /// The CRD.
    pub crd: CustomResourceDefinition,
}

/// Read every CustomResourceDefinition of a YAML (or JSON) file with one or more documents.
/// Documents of other kinds and empty documents are skipped; a file without any CRD is an error.
pub fn parse_crds(origin: &str, bytes: &[u8]) -> Result<Vec<LocatedCrd>, Error> {
    use crate::yaml_depth::{check_yaml_depth, MAX_YAML_DEPTH};
    // Non-UTF-8 input is left to the parser to report.
    if let Ok(text) = std::str::from_utf8(bytes) {
        check_yaml_depth(text, MAX_YAML_DEPTH).map_err(|line| Error::TooDeep {
            origin: origin.to_owned(),
            line,
            max: MAX_YAML_DEPTH,
        })?;
    }
    let mut out = Vec::new();
    for (i, doc) in serde_yaml_ng::Deserializer::from_slice(bytes).enumerate() {
        let document = i + 1;
        let value = Value::deserialize(doc).map_err(|source| Error::ParseCrd {
            origin: origin.to_owned(),
            document,
            source,
        })?;
        if value.is_null() {
            continue;
        }
        let crd_err = |path: &str, what: String| {
            Error::Crd(Box::new(crate::error::CrdProblem {
                origin: origin.to_owned(),
                document,
                crd: value
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("<unnamed>")
                    .to_owned(),
                version: String::new(),
                path: path.to_owned(),
                what,
            }))
        };
        let Some(obj) = value.as_object() else {
            return Err(crd_err(
                "",
                "a document must be a mapping (a Kubernetes object)".into(),
            ));
        };
        if obj.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
            continue;
        }
        match obj.get("apiVersion").and_then(Value::as_str) {
            Some("apiextensions.k8s.io/v1") => {}
            other => {
                return Err(crd_err(
                    "apiVersion",
                    format!(
                    "apiVersion {other:?} is not supported; only apiextensions.k8s.io/v1 CRDs are"
                ),
                ))
            }
        }
        let crd: CustomResourceDefinition = serde_json::from_value(value.clone())
            .map_err(|e| crd_err("", format!("not a valid CustomResourceDefinition: {e}")))?;
        out.push(LocatedCrd {
            origin: origin.to_owned(),
            document,
            crd,
        });
    }
    if out.is_empty() {
        return Err(Error::NoCrds {
            origin: origin.to_owned(),
        });
    }
    Ok(out)
}
