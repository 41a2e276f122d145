//! `apiextensions.k8s.io/v1` CustomResourceDefinitions as generator input.
//!
//! Each served version of each CRD is turned into the swagger model the rest of the pipeline
//! reads, the way kube-apiserver publishes CRD schemas at `/openapi/v2`:
//!
//! - definitions are named by reversed group, version and kind (`cert-manager.io`, `v1`,
//!   `Certificate` -> `io.cert-manager.v1.Certificate`), with a `<Kind>List` beside each kind;
//! - inline object schemas are hoisted into named definitions (`CertificateSpec`,
//!   `CertificateSpecPrivateKey`, ...: the kind plus the PascalCase field path; array items and
//!   map values take the name of their field; clashes get `2`, `3`, ... in visiting order);
//! - `metadata` is `ObjectMeta`, `x-kubernetes-int-or-string` is `IntOrString`, `format:
//!   date-time` is `Time` (all handwritten in the runtime); `x-kubernetes-preserve-unknown-fields`
//!   without properties, `x-kubernetes-embedded-resource` and objects with neither properties nor
//!   additionalProperties are arbitrary JSON;
//! - paths with `x-kubernetes-action` / `x-kubernetes-group-version-kind` are synthesized for the
//!   eight standard verbs, in the kind's scope, plus `/status` and `/scale` when declared.
//!
//! Errors name the file, the document, the CRD, the version and the path of the schema node.

use super::swagger::{
    AdditionalProperties, Gvk, Operation, Parameter, PathItem, Response, Schema, Swagger,
};
use crate::naming;
use crate::Error;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const LIST_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
const TIME: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
const INT_OR_STRING: &str = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const SCALE: &str = "io.k8s.api.autoscaling.v1.Scale";
const SCALE_SPEC: &str = "io.k8s.api.autoscaling.v1.ScaleSpec";
const SCALE_STATUS: &str = "io.k8s.api.autoscaling.v1.ScaleStatus";

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

/// Where a schema node is, for errors.
#[derive(Clone)]
struct At<'a> {
    origin: &'a str,
    document: usize,
    crd: &'a str,
    version: &'a str,
}

impl At<'_> {
    fn err(&self, path: &str, what: impl Into<String>) -> Error {
        Error::Crd(Box::new(crate::error::CrdProblem {
            origin: self.origin.to_owned(),
            document: self.document,
            crd: self.crd.to_owned(),
            version: self.version.to_owned(),
            path: path.to_owned(),
            what: what.into(),
        }))
    }
}

/// `io.cert-manager` for `cert-manager.io`.
fn reversed_group(group: &str) -> String {
    group.split('.').rev().collect::<Vec<_>>().join(".")
}

/// Path of a property below `path`.
fn prop_path(path: &str, prop: &str) -> String {
    if !prop.is_empty()
        && prop
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        format!("{path}.properties.{prop}")
    } else {
        format!("{path}.properties[{prop:?}]")
    }
}

fn def_ref(name: &str) -> Option<String> {
    Some(format!("#/definitions/{name}"))
}

/// Turns the schema nodes of one served version into definitions.
struct Converter<'a, 'b> {
    at: At<'a>,
    /// Dotted package, e.g. `io.cert-manager.v1`.
    package: &'a str,
    defs: &'b mut BTreeMap<String, Schema>,
    /// Short names already used in the package.
    taken: &'b mut BTreeSet<String>,
}

impl Converter<'_, '_> {
    fn claim(&mut self, base: &str) -> String {
        let name = naming::unique_type_name(naming::type_name(base), |c| self.taken.contains(c));
        self.taken.insert(name.clone());
        name
    }

    fn string(
        &self,
        obj: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<Option<String>, Error> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self
                .at
                .err(path, format!("`{key}` must be a string, found {other}"))),
        }
    }

    fn flag(&self, obj: &Map<String, Value>, key: &str, path: &str) -> Result<bool, Error> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self
                .at
                .err(path, format!("`{key}` must be a boolean, found {other}"))),
        }
    }

    fn strings(
        &self,
        obj: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<Vec<String>, Error> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_owned).ok_or_else(|| {
                        self.at
                            .err(path, format!("`{key}` must list strings, found {v}"))
                    })
                })
                .collect(),
            Some(other) => Err(self.at.err(
                path,
                format!("`{key}` must be a list of strings, found {other}"),
            )),
        }
    }

    fn properties<'v>(
        &self,
        obj: &'v Map<String, Value>,
        path: &str,
    ) -> Result<Vec<(&'v String, &'v Value)>, Error> {
        match obj.get("properties") {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Object(m)) => {
                let mut props: Vec<_> = m.iter().collect();
                props.sort_by(|a, b| a.0.cmp(b.0));
                Ok(props)
            }
            Some(other) => Err(self.at.err(
                path,
                format!("`properties` must be a mapping, found {other}"),
            )),
        }
    }

    /// Checks shared by every node; returns the object and its `type`.
    fn open<'v>(
        &self,
        node: &'v Value,
        path: &str,
    ) -> Result<(&'v Map<String, Value>, Option<String>), Error> {
        let Some(obj) = node.as_object() else {
            return Err(self
                .at
                .err(path, format!("a schema must be a mapping, found {node}")));
        };
        if obj.contains_key("$ref") {
            return Err(self.at.err(
                path,
                "`$ref` is not allowed in a CRD schema (CRD schemas must be self-contained)",
            ));
        }
        let ty = self.string(obj, "type", path)?;
        match ty.as_deref() {
            None | Some("object" | "array" | "string" | "integer" | "number" | "boolean") => Ok((obj, ty)),
            Some(other) => Err(self.at.err(
                path,
                format!("unknown `type: {other}` (expected object, array, string, integer, number or boolean)"),
            )),
        }
    }

    /// Convert one schema node; `hint` is the type name a hoisted object here would get.
    fn node(&mut self, node: &Value, path: &str, hint: &str) -> Result<Schema, Error> {
        let (obj, ty) = self.open(node, path)?;
        let mut s = Schema {
            description: self.string(obj, "description", path)?,
            format: self.string(obj, "format", path)?,
            list_type: self.string(obj, "x-kubernetes-list-type", path)?,
            list_map_keys: self.strings(obj, "x-kubernetes-list-map-keys", path)?,
            map_type: self.string(obj, "x-kubernetes-map-type", path)?,
            ..Schema::default()
        };
        if let Some(Value::Array(values)) = obj.get("enum") {
            s.enum_ = Some(values.clone());
        }
        if self.flag(obj, "x-kubernetes-int-or-string", path)? {
            s.ref_ = def_ref(INT_OR_STRING);
            s.format = None;
            return Ok(s);
        }
        let preserve = self.flag(obj, "x-kubernetes-preserve-unknown-fields", path)?;
        let embedded = self.flag(obj, "x-kubernetes-embedded-resource", path)?;
        let props = self.properties(obj, path)?;
        if embedded || (preserve && props.is_empty()) {
            s.preserve_unknown_fields = Some(true);
            return Ok(s);
        }
        match ty.as_deref() {
            Some("array") => {
                s.type_ = ty;
                if let Some(items) = obj.get("items") {
                    s.items = Some(Box::new(self.node(
                        items,
                        &format!("{path}.items"),
                        hint,
                    )?));
                }
            }
            Some("object") | None if !props.is_empty() => {
                let name = self.claim(hint);
                let mut def = Schema {
                    type_: Some("object".into()),
                    description: s.description.clone(),
                    required: self.strings(obj, "required", path)?,
                    map_type: s.map_type.clone(),
                    // Keys beyond the properties are kept, not dropped.
                    preserve_unknown_fields: preserve.then_some(true),
                    ..Schema::default()
                };
                for (prop, child) in props {
                    let child_hint = naming::nested_type_name(&name, prop);
                    def.properties.insert(
                        prop.clone(),
                        self.node(child, &prop_path(path, prop), &child_hint)?,
                    );
                }
                let full = format!("{}.{name}", self.package);
                self.defs.insert(full.clone(), def);
                return Ok(Schema {
                    ref_: def_ref(&full),
                    description: s.description,
                    ..Schema::default()
                });
            }
            Some("object") | None => {
                s.type_ = ty;
                match obj.get("additionalProperties") {
                    None | Some(Value::Null) => {}
                    Some(Value::Bool(b)) => {
                        s.additional_properties = Some(AdditionalProperties::Bool(*b))
                    }
                    Some(v) => {
                        let value = self.node(v, &format!("{path}.additionalProperties"), hint)?;
                        s.additional_properties =
                            Some(AdditionalProperties::Schema(Box::new(value)));
                    }
                }
            }
            _ => s.type_ = ty,
        }
        Ok(s)
    }

    /// The top-level schema of a version: the kind's own definition.
    fn root(&mut self, node: &Value, path: &str, kind_def: &str, gvk: Gvk) -> Result<(), Error> {
        let (obj, ty) = self.open(node, path)?;
        if !matches!(ty.as_deref(), None | Some("object")) {
            return Err(self.at.err(
                path,
                "the top-level schema of a CRD version must be `type: object`",
            ));
        }
        let kind = gvk.kind.clone();
        let mut def = Schema {
            type_: Some("object".into()),
            description: self.string(obj, "description", path)?,
            required: self
                .strings(obj, "required", path)?
                .into_iter()
                .filter(|r| r != "metadata")
                .collect(),
            gvk: vec![gvk],
            preserve_unknown_fields: self
                .flag(obj, "x-kubernetes-preserve-unknown-fields", path)?
                .then_some(true),
            ..Schema::default()
        };
        for (prop, child) in self.properties(obj, path)? {
            let p = prop_path(path, prop);
            let converted = match prop.as_str() {
                "metadata" => {
                    self.open(child, &p)?;
                    Schema {
                        ref_: def_ref(OBJECT_META),
                        ..Schema::default()
                    }
                }
                "apiVersion" | "kind" => Schema {
                    type_: Some("string".into()),
                    ..Schema::default()
                },
                _ => self.node(child, &p, &naming::nested_type_name(&kind, prop))?,
            };
            def.properties.insert(prop.clone(), converted);
        }
        def.properties
            .entry("apiVersion".into())
            .or_insert_with(|| Schema {
                type_: Some("string".into()),
                ..Schema::default()
            });
        def.properties
            .entry("kind".into())
            .or_insert_with(|| Schema {
                type_: Some("string".into()),
                ..Schema::default()
            });
        def.properties
            .entry("metadata".into())
            .or_insert_with(|| Schema {
                ref_: def_ref(OBJECT_META),
                ..Schema::default()
            });
        self.defs.insert(kind_def.to_owned(), def);
        Ok(())
    }
}

fn op(
    id: String,
    action: &str,
    gvk: &Gvk,
    body: Option<&str>,
    response: &str,
) -> Option<Operation> {
    let reference = |name: &str| Schema {
        ref_: def_ref(name),
        ..Schema::default()
    };
    let mut responses = BTreeMap::new();
    responses.insert(
        "200".to_owned(),
        Response {
            schema: Some(reference(response)),
        },
    );
    Some(Operation {
        operation_id: Some(id),
        description: None,
        action: Some(action.to_owned()),
        gvk: Some(gvk.clone()),
        parameters: body
            .map(|b| Parameter {
                ref_: None,
                name: Some("body".into()),
                in_: Some("body".into()),
                schema: Some(reference(b)),
            })
            .into_iter()
            .collect(),
        responses,
        consumes: Vec::new(),
        produces: vec!["application/json".into(), "application/yaml".into()],
    })
}

/// Paths of one served version, spelled as kube-apiserver publishes them.
#[allow(clippy::too_many_arguments)]
fn add_paths(
    paths: &mut BTreeMap<String, PathItem>,
    group: &str,
    version: &str,
    plural: &str,
    namespaced: bool,
    gvk: &Gvk,
    kind_def: &str,
    list_def: &str,
    status: bool,
    scale: bool,
) {
    let gv = format!("/apis/{group}/{version}");
    let ns = if namespaced {
        "/namespaces/{namespace}"
    } else {
        ""
    };
    let id = |verb: &str, suffix: &str| {
        naming::operation_id(verb, group, version, namespaced, &gvk.kind, suffix)
    };
    let base = format!("{gv}{ns}/{plural}");
    paths.insert(
        base.clone(),
        PathItem {
            get: op(id("list", ""), "list", gvk, None, list_def),
            post: op(id("create", ""), "post", gvk, Some(kind_def), kind_def),
            delete: op(
                id("deletecollection", ""),
                "deletecollection",
                gvk,
                None,
                "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
            ),
            ..PathItem::default()
        },
    );
    paths.insert(
        format!("{base}/{{name}}"),
        PathItem {
            get: op(id("read", ""), "get", gvk, None, kind_def),
            put: op(id("replace", ""), "put", gvk, Some(kind_def), kind_def),
            patch: op(
                id("patch", ""),
                "patch",
                gvk,
                Some("io.k8s.apimachinery.pkg.apis.meta.v1.Patch"),
                kind_def,
            ),
            delete: op(
                id("delete", ""),
                "delete",
                gvk,
                None,
                "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
            ),
            ..PathItem::default()
        },
    );
    paths.insert(
        format!("{gv}/watch{ns}/{plural}"),
        PathItem {
            get: op(
                id("watch", "List"),
                "watchlist",
                gvk,
                None,
                "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
            ),
            ..PathItem::default()
        },
    );
    paths.insert(
        format!("{gv}/watch{ns}/{plural}/{{name}}"),
        PathItem {
            get: op(
                id("watch", ""),
                "watch",
                gvk,
                None,
                "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
            ),
            ..PathItem::default()
        },
    );
    if namespaced {
        let all = |verb: &str| {
            naming::operation_id(verb, group, version, false, &gvk.kind, "ForAllNamespaces")
        };
        paths.insert(
            format!("{gv}/{plural}"),
            PathItem {
                get: op(all("list"), "list", gvk, None, list_def),
                ..PathItem::default()
            },
        );
        paths.insert(
            format!("{gv}/watch/{plural}"),
            PathItem {
                get: op(
                    all("watch"),
                    "watchlist",
                    gvk,
                    None,
                    "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
                ),
                ..PathItem::default()
            },
        );
    }
    if status {
        paths.insert(
            format!("{base}/{{name}}/status"),
            PathItem {
                get: op(id("read", "Status"), "get", gvk, None, kind_def),
                put: op(
                    id("replace", "Status"),
                    "put",
                    gvk,
                    Some(kind_def),
                    kind_def,
                ),
                patch: op(
                    id("patch", "Status"),
                    "patch",
                    gvk,
                    Some("io.k8s.apimachinery.pkg.apis.meta.v1.Patch"),
                    kind_def,
                ),
                ..PathItem::default()
            },
        );
    }
    if scale {
        let scale_gvk = Gvk {
            group: "autoscaling".into(),
            version: "v1".into(),
            kind: "Scale".into(),
        };
        paths.insert(
            format!("{base}/{{name}}/scale"),
            PathItem {
                get: op(id("read", "Scale"), "get", &scale_gvk, None, SCALE),
                put: op(
                    id("replace", "Scale"),
                    "put",
                    &scale_gvk,
                    Some(SCALE),
                    SCALE,
                ),
                patch: op(
                    id("patch", "Scale"),
                    "patch",
                    &scale_gvk,
                    Some("io.k8s.apimachinery.pkg.apis.meta.v1.Patch"),
                    SCALE,
                ),
                ..PathItem::default()
            },
        );
    }
}

fn object(
    description: &str,
    props: &[(&str, Schema)],
    required: &[&str],
    gvk: Option<Gvk>,
) -> Schema {
    Schema {
        type_: Some("object".into()),
        description: Some(description.into()),
        properties: props
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
        required: required.iter().map(|r| (*r).to_owned()).collect(),
        gvk: gvk.into_iter().collect(),
        ..Schema::default()
    }
}

fn scalar(ty: &str, format: Option<&str>) -> Schema {
    Schema {
        type_: Some(ty.into()),
        format: format.map(str::to_owned),
        ..Schema::default()
    }
}

/// Definitions the converted CRDs reference without defining them: apimachinery types (mapped to
/// the runtime) and, when a CRD serves `/scale`, `autoscaling/v1` Scale. Existing definitions
/// (a Kubernetes spec given too) are left alone.
fn add_support_definitions(defs: &mut BTreeMap<String, Schema>, scale: bool) {
    let mut add = |name: &str, s: Schema| {
        defs.entry(name.to_owned()).or_insert(s);
    };
    add(
        OBJECT_META,
        object("Standard object metadata.", &[], &[], None),
    );
    add(LIST_META, object("Standard list metadata.", &[], &[], None));
    add(TIME, scalar("string", Some("date-time")));
    add(INT_OR_STRING, scalar("string", Some("int-or-string")));
    add(
        "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
        object("Status of an operation.", &[], &[], None),
    );
    add(
        "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
        object("A patch body.", &[], &[], None),
    );
    add(
        "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
        object("A watch event.", &[], &[], None),
    );
    if scale {
        let r = |n: &str| Schema {
            ref_: def_ref(n),
            ..Schema::default()
        };
        add(
            SCALE,
            object(
                "Scale represents a scaling request for a resource.",
                &[
                    ("apiVersion", scalar("string", None)),
                    ("kind", scalar("string", None)),
                    ("metadata", r(OBJECT_META)),
                    ("spec", r(SCALE_SPEC)),
                    ("status", r(SCALE_STATUS)),
                ],
                &[],
                Some(Gvk {
                    group: "autoscaling".into(),
                    version: "v1".into(),
                    kind: "Scale".into(),
                }),
            ),
        );
        add(
            SCALE_SPEC,
            object(
                "ScaleSpec describes the attributes of a scale subresource.",
                &[("replicas", scalar("integer", Some("int32")))],
                &[],
                None,
            ),
        );
        add(
            SCALE_STATUS,
            object(
                "ScaleStatus represents the current status of a scale subresource.",
                &[
                    ("replicas", scalar("integer", Some("int32"))),
                    ("selector", scalar("string", None)),
                ],
                &["replicas"],
                None,
            ),
        );
    }
}

/// Convert CRDs into definitions and paths and add them to `spec` (empty for CRD-only input).
/// A kind (group, version, kind) or resource (group, plural) defined twice is an error naming
/// both places.
pub fn add_to_swagger(spec: &mut Swagger, crds: &[LocatedCrd]) -> Result<(), Error> {
    // Kinds first, so hoisted names never take a kind's or list's name.
    let mut taken: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut kinds: BTreeMap<(String, String, String), String> = BTreeMap::new();
    let mut plurals: BTreeMap<(String, String), String> = BTreeMap::new();
    for c in crds {
        let spec_ = &c.crd.spec;
        let name = c.crd.metadata.name.as_str();
        let here = format!("{}, document {} (CRD `{name}`)", c.origin, c.document);
        let at = At {
            origin: &c.origin,
            document: c.document,
            crd: name,
            version: "",
        };
        check_names(&at, spec_)?;
        if let Some(prev) = plurals.insert(
            (spec_.group.clone(), spec_.names.plural.clone()),
            here.clone(),
        ) {
            return Err(Error::DuplicateCrd {
                what: format!("resource {}/{}", spec_.group, spec_.names.plural),
                first: prev,
                second: here,
            });
        }
        for v in spec_.versions.iter().filter(|v| v.served) {
            let key = (
                spec_.group.clone(),
                v.name.clone(),
                spec_.names.kind.clone(),
            );
            if let Some(prev) = kinds.insert(key, here.clone()) {
                return Err(Error::DuplicateCrd {
                    what: format!("kind {}/{}/{}", spec_.group, v.name, spec_.names.kind),
                    first: prev,
                    second: here,
                });
            }
            let package = format!("{}.{}", reversed_group(&spec_.group), v.name);
            let set = taken.entry(package).or_default();
            set.insert(naming::type_name(&spec_.names.kind));
            set.insert(naming::type_name(&list_kind(&spec_.names)));
        }
    }

    let mut defs = BTreeMap::new();
    let mut paths = BTreeMap::new();
    let mut any_scale = false;
    for c in crds {
        let s = &c.crd.spec;
        let name = c.crd.metadata.name.as_str();
        let namespaced = s.scope == "Namespaced";
        let served: Vec<(usize, &CrdVersion)> = s
            .versions
            .iter()
            .enumerate()
            .filter(|(_, v)| v.served)
            .collect();
        for (i, v) in served {
            let at = At {
                origin: &c.origin,
                document: c.document,
                crd: name,
                version: &v.name,
            };
            let path = format!("spec.versions[{i}].schema.openAPIV3Schema");
            let Some(root) = v
                .schema
                .as_ref()
                .and_then(|s| s.open_api_v3_schema.as_ref())
            else {
                return Err(at.err(
                    &path,
                    "a served version needs a schema (spec.versions[].schema.openAPIV3Schema)",
                ));
            };
            let package = format!("{}.{}", reversed_group(&s.group), v.name);
            let gvk = Gvk {
                group: s.group.clone(),
                version: v.name.clone(),
                kind: s.names.kind.clone(),
            };
            let kind_def = format!("{package}.{}", s.names.kind);
            let list_name = list_kind(&s.names);
            let list_def = format!("{package}.{list_name}");
            let mut set = taken.remove(&package).unwrap_or_default();
            let mut conv = Converter {
                at: at.clone(),
                package: &package,
                defs: &mut defs,
                taken: &mut set,
            };
            conv.root(root, &path, &kind_def, gvk.clone())?;
            taken.insert(package.clone(), set);
            if let (Some(def), false) = (defs.get_mut(&kind_def), s.names.short_names.is_empty()) {
                def.extra.insert(
                    super::SHORT_NAMES_EXTENSION.into(),
                    Value::from(s.names.short_names.clone()),
                );
            }
            defs.insert(
                list_def.clone(),
                object(
                    &format!("{list_name} is a list of {}.", s.names.kind),
                    &[
                        ("apiVersion", scalar("string", None)),
                        ("kind", scalar("string", None)),
                        (
                            "metadata",
                            Schema {
                                ref_: def_ref(LIST_META),
                                ..Schema::default()
                            },
                        ),
                        (
                            "items",
                            Schema {
                                type_: Some("array".into()),
                                items: Some(Box::new(Schema {
                                    ref_: def_ref(&kind_def),
                                    ..Schema::default()
                                })),
                                ..Schema::default()
                            },
                        ),
                    ],
                    &["items"],
                    Some(Gvk {
                        group: s.group.clone(),
                        version: v.name.clone(),
                        kind: list_name.clone(),
                    }),
                ),
            );
            let subs = v.subresources.clone().unwrap_or_default();
            let scale = subs.scale.is_some();
            any_scale |= scale;
            add_paths(
                &mut paths,
                &s.group,
                &v.name,
                &s.names.plural,
                namespaced,
                &gvk,
                &kind_def,
                &list_def,
                subs.status.is_some(),
                scale,
            );
        }
    }
    for (name, def) in defs {
        if spec.definitions.contains_key(&name) {
            return Err(Error::DuplicateCrd {
                what: format!("definition `{name}`"),
                first: "the Kubernetes spec".into(),
                second: "a CRD".into(),
            });
        }
        spec.definitions.insert(name, def);
    }
    for (p, item) in paths {
        if spec.paths.contains_key(&p) {
            return Err(Error::DuplicateCrd {
                what: format!("path `{p}`"),
                first: "the Kubernetes spec".into(),
                second: "a CRD".into(),
            });
        }
        spec.paths.insert(p, item);
    }
    add_support_definitions(&mut spec.definitions, any_scale);
    Ok(())
}

fn list_kind(names: &CrdNames) -> String {
    names
        .list_kind
        .clone()
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| format!("{}List", names.kind))
}

/// Names the generator builds identifiers and paths from must be usable as such.
fn check_names(at: &At<'_>, s: &CrdSpec) -> Result<(), Error> {
    let dns = |v: &str| {
        !v.is_empty()
            && v.split('.').all(|l| {
                !l.is_empty()
                    && l.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            })
    };
    if !dns(&s.group) {
        return Err(at.err(
            "spec.group",
            format!("group {:?} must be a non-empty DNS subdomain", s.group),
        ));
    }
    if s.group.starts_with("apimachinery.") || s.group == "k8s.io" {
        return Err(at.err(
            "spec.group",
            format!(
                "group {:?} collides with Kubernetes' own type packages",
                s.group
            ),
        ));
    }
    if !dns(&s.names.plural) || s.names.plural.contains('.') {
        return Err(at.err(
            "spec.names.plural",
            format!("plural {:?} must be a lowercase DNS label", s.names.plural),
        ));
    }
    for (field, k) in [
        ("spec.names.kind", s.names.kind.clone()),
        ("spec.names.listKind", list_kind(&s.names)),
    ] {
        if !naming::is_plain_ident(&k) || !k.starts_with(|c: char| c.is_ascii_uppercase()) {
            return Err(at.err(field, format!("kind {k:?} must be a CamelCase identifier")));
        }
    }
    if s.scope != "Namespaced" && s.scope != "Cluster" {
        return Err(at.err(
            "spec.scope",
            format!("scope {:?} must be `Namespaced` or `Cluster`", s.scope),
        ));
    }
    if s.versions.is_empty() {
        return Err(at.err("spec.versions", "a CRD needs at least one version"));
    }
    let mut seen = BTreeSet::new();
    for (i, v) in s.versions.iter().enumerate() {
        let ok = v.name.starts_with(|c: char| c.is_ascii_lowercase())
            && v.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !ok {
            return Err(at.err(
                &format!("spec.versions[{i}].name"),
                format!(
                    "version {:?} must be a lowercase DNS label starting with a letter",
                    v.name
                ),
            ));
        }
        if !seen.insert(v.name.as_str()) {
            return Err(at.err(
                &format!("spec.versions[{i}].name"),
                format!("version {:?} is listed twice", v.name),
            ));
        }
    }
    if !s.versions.iter().any(|v| v.served) {
        return Err(at.err("spec.versions", "no version is served"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverses_groups() {
        assert_eq!(reversed_group("cert-manager.io"), "io.cert-manager");
        assert_eq!(
            reversed_group("monitoring.coreos.com"),
            "com.coreos.monitoring"
        );
    }
}
