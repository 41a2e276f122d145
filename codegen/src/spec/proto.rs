//! Kinds the OpenAPI spec does not carry, read from the `generated.proto` files that define
//! Kubernetes' protobuf wire format: the `admission.k8s.io` AdmissionReview a webhook receives
//! and answers, and the `apidiscovery.k8s.io` aggregated discovery documents. Each message they
//! need becomes a swagger definition (proto field names are the JSON names; a field is required
//! unless its comment says `+optional`, as go-to-protobuf copies Go's markers), so the rest of
//! the generator treats them like any other type. Messages the spec already defines are
//! referenced, not converted.

use super::{AdditionalProperties, Gvk, Schema, Swagger};
use crate::Error;
use std::collections::BTreeMap;
use std::path::Path;

/// One Go package whose kinds are taken from its proto file.
#[derive(Debug, Clone, Copy)]
pub struct ProtoPackage {
    /// Import path of the package (`k8s.io/api/admission/v1`); the file is
    /// `<root>/<path>/generated.proto`.
    pub path: &'static str,
    /// API group of its kinds.
    pub group: &'static str,
    /// API version of its kinds.
    pub version: &'static str,
    /// The messages that are kinds (get `apiVersion`/`kind` and a group/version/kind).
    pub kinds: &'static [&'static str],
}

/// The packages converted by [`add_proto_kinds`]: payloads a webhook or a discovery client needs
/// that the OpenAPI spec does not describe.
pub const PROTO_PACKAGES: &[ProtoPackage] = &[
    ProtoPackage {
        path: "k8s.io/api/admission/v1",
        group: "admission.k8s.io",
        version: "v1",
        kinds: &["AdmissionReview"],
    },
    ProtoPackage {
        path: "k8s.io/api/admission/v1beta1",
        group: "admission.k8s.io",
        version: "v1beta1",
        kinds: &["AdmissionReview"],
    },
    ProtoPackage {
        path: "k8s.io/api/apidiscovery/v2",
        group: "apidiscovery.k8s.io",
        version: "v2",
        kinds: &["APIGroupDiscoveryList", "APIGroupDiscovery"],
    },
];

#[derive(Debug, Default)]
struct Message {
    doc: String,
    fields: Vec<Field>,
}

#[derive(Debug)]
struct Field {
    name: String,
    /// Field number on the wire.
    number: u32,
    ty: String,
    repeated: bool,
    /// `map<string, V>`: the value type.
    map_value: Option<String>,
    optional: bool,
    doc: String,
}

/// Definition name of a proto message (`.k8s.io.api.admission.v1.AdmissionRequest` ->
/// `io.k8s.api.admission.v1.AdmissionRequest`).
fn definition_name(qualified: &str) -> String {
    let q = qualified.trim_start_matches('.');
    match q.strip_prefix("k8s.io.") {
        Some(rest) => format!("io.k8s.{rest}"),
        None => q.to_owned(),
    }
}

/// File holding the messages of a proto package (`k8s.io.api.admission.v1` ->
/// `k8s.io/api/admission/v1/generated.proto`).
fn file_of(package: &str) -> String {
    match package.strip_prefix("k8s.io.") {
        Some(rest) => format!("k8s.io/{}/generated.proto", rest.replace('.', "/")),
        None => format!("{}/generated.proto", package.replace('.', "/")),
    }
}

/// Parse the package name and messages of a go-to-protobuf `generated.proto`.
fn parse(origin: &str, text: &str) -> Result<(String, BTreeMap<String, Message>), Error> {
    let bad = |line: usize, what: &str| Error::Unsupported {
        definition: format!("{origin}:{line}"),
        field: String::new(),
        what: what.to_owned(),
    };
    let mut package = String::new();
    let mut messages = BTreeMap::new();
    let mut comment: Vec<String> = Vec::new();
    let mut current: Option<(String, Message)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(c) = line.strip_prefix("//") {
            comment.push(c.strip_prefix(' ').unwrap_or(c).to_owned());
            continue;
        }
        let doc = std::mem::take(&mut comment);
        if let Some(p) = line.strip_prefix("package ") {
            package = p.trim_end_matches(';').trim().to_owned();
        } else if let Some(name) = line.strip_prefix("message ") {
            let empty = name.trim_end().ends_with("{}");
            let name = name
                .trim_end_matches("{}")
                .trim_end_matches('{')
                .trim()
                .to_owned();
            if current.is_some() {
                return Err(bad(i + 1, "nested messages are not supported"));
            }
            let text: Vec<&String> = doc.iter().filter(|l| !l.starts_with('+')).collect();
            let doc = text
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            let m = Message {
                doc,
                fields: Vec::new(),
            };
            if empty {
                messages.insert(name, m);
            } else {
                current = Some((name, m));
            }
        } else if line == "}" {
            if let Some((name, m)) = current.take() {
                messages.insert(name, m);
            }
        } else if let Some((_, m)) = current.as_mut() {
            if line.is_empty() {
                continue;
            }
            let (decl, number) = line.split_once('=').unwrap_or((line, ""));
            let decl = decl.trim();
            let number: u32 = number
                .trim()
                .trim_end_matches(';')
                .trim()
                .parse()
                .map_err(|_| bad(i + 1, &format!("no field number in `{line}`")))?;
            let words: Vec<&str> = decl.split_whitespace().collect();
            let optional = doc.iter().any(|l| l.trim() == "+optional");
            let text = doc
                .iter()
                .filter(|l| !l.trim_start().starts_with('+'))
                .cloned()
                .collect::<Vec<_>>()
                .join("\n");
            let field = match words.as_slice() {
                ["optional", ty, name] | ["repeated", ty, name] => Field {
                    name: (*name).to_owned(),
                    number,
                    ty: (*ty).to_owned(),
                    repeated: words[0] == "repeated",
                    map_value: None,
                    optional,
                    doc: text,
                },
                _ if decl.starts_with("map<") => {
                    let inner = decl
                        .strip_prefix("map<")
                        .and_then(|r| r.split_once('>'))
                        .ok_or_else(|| bad(i + 1, "malformed map field"))?;
                    let (_, value) = inner
                        .0
                        .split_once(',')
                        .ok_or_else(|| bad(i + 1, "malformed map field"))?;
                    Field {
                        name: inner.1.trim().to_owned(),
                        number,
                        ty: String::new(),
                        repeated: false,
                        map_value: Some(value.trim().to_owned()),
                        optional,
                        doc: text,
                    }
                }
                _ => return Err(bad(i + 1, &format!("cannot read field `{line}`"))),
            };
            m.fields.push(field);
        }
    }
    if package.is_empty() {
        return Err(bad(0, "no `package` statement"));
    }
    Ok((package, messages))
}

/// Schema of a proto scalar or message type; messages are queued for conversion.
fn type_schema(ty: &str, package: &str, queue: &mut Vec<(String, String)>) -> Schema {
    let scalar = |t: &str, f: Option<&str>| Schema {
        type_: Some(t.to_owned()),
        format: f.map(str::to_owned),
        ..Schema::default()
    };
    match ty {
        "string" => scalar("string", None),
        "bool" => scalar("boolean", None),
        "int32" | "uint32" | "sint32" => scalar("integer", Some("int32")),
        "int64" | "uint64" | "sint64" => scalar("integer", Some("int64")),
        "double" | "float" => scalar("number", Some("double")),
        "bytes" => scalar("string", Some("byte")),
        message => {
            let qualified = if message.starts_with('.') {
                message.to_owned()
            } else {
                format!(".{package}.{message}")
            };
            let def = definition_name(&qualified);
            let (pkg, _) = qualified
                .trim_start_matches('.')
                .rsplit_once('.')
                .unwrap_or(("", ""));
            queue.push((pkg.to_owned(), def.clone()));
            Schema {
                ref_: Some(format!("#/definitions/{def}")),
                ..Schema::default()
            }
        }
    }
}

/// Add the kinds of [`PROTO_PACKAGES`] (and every message they need that `spec` lacks) from the
/// proto files under `root` (`<root>/k8s.io/api/admission/v1/generated.proto`, ...). Returns the
/// definitions added.
pub fn add_proto_kinds(spec: &mut Swagger, root: &Path) -> Result<Vec<String>, Error> {
    let mut files: BTreeMap<String, BTreeMap<String, Message>> = BTreeMap::new();
    fn load(
        files: &mut BTreeMap<String, BTreeMap<String, Message>>,
        root: &Path,
        package: &str,
    ) -> Result<(), Error> {
        if files.contains_key(package) {
            return Ok(());
        }
        let path = root.join(file_of(package));
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        let (_, messages) = parse(&path.display().to_string(), &text)?;
        files.insert(package.to_owned(), messages);
        Ok(())
    }
    let mut queue: Vec<(String, String)> = Vec::new();
    let mut kinds: BTreeMap<String, Gvk> = BTreeMap::new();
    for p in PROTO_PACKAGES {
        let package = p.path.replace('/', ".");
        for k in p.kinds {
            let def = definition_name(&format!("{package}.{k}"));
            kinds.insert(
                def.clone(),
                Gvk {
                    group: p.group.to_owned(),
                    version: p.version.to_owned(),
                    kind: (*k).to_owned(),
                },
            );
            queue.push((package.clone(), def));
        }
    }
    let mut added = Vec::new();
    while let Some((package, def)) = queue.pop() {
        if spec.definitions.contains_key(&def) {
            continue;
        }
        load(&mut files, root, &package)?;
        let short = def.rsplit('.').next().unwrap_or(&def);
        let Some(m) = files.get(&package).and_then(|f| f.get(short)) else {
            return Err(Error::DanglingRef {
                definition: def.clone(),
                field: String::new(),
                target: format!("message {short} in {}", file_of(&package)),
            });
        };
        let mut schema = Schema {
            type_: Some("object".into()),
            description: Some(m.doc.clone()).filter(|d| !d.is_empty()),
            ..Schema::default()
        };
        if let Some(gvk) = kinds.get(&def) {
            for (prop, doc) in [
                (
                    "apiVersion",
                    "APIVersion defines the versioned schema of this representation of an object.",
                ),
                (
                    "kind",
                    "Kind is a string value representing the REST resource this object represents.",
                ),
            ] {
                schema.properties.insert(
                    prop.to_owned(),
                    Schema {
                        type_: Some("string".into()),
                        description: Some(doc.to_owned()),
                        ..Schema::default()
                    },
                );
            }
            schema.gvk = vec![gvk.clone()];
        }
        for f in &m.fields {
            let mut s = match &f.map_value {
                Some(v) => Schema {
                    type_: Some("object".into()),
                    additional_properties: Some(AdditionalProperties::Schema(Box::new(
                        type_schema(v, &package, &mut queue),
                    ))),
                    ..Schema::default()
                },
                None if f.repeated => Schema {
                    type_: Some("array".into()),
                    items: Some(Box::new(type_schema(&f.ty, &package, &mut queue))),
                    ..Schema::default()
                },
                None => type_schema(&f.ty, &package, &mut queue),
            };
            s.description = Some(f.doc.clone()).filter(|d| !d.is_empty());
            if !f.optional {
                schema.required.push(f.name.clone());
            }
            schema.properties.insert(f.name.clone(), s);
        }
        spec.definitions.insert(def.clone(), schema);
        added.push(def);
    }
    added.sort();
    Ok(added)
}

/// The protobuf schema of Kubernetes: every message of every `generated.proto` under a folder,
/// by canonical name (the Go import path with dots, then the message: `k8s.io.api.core.v1.Pod`,
/// `k8s.io.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON`). The generator matches
/// definitions to these messages by name and properties to fields by their JSON name.
#[derive(Debug, Clone, Default)]
pub struct ProtoSchema {
    /// Messages by canonical name.
    pub messages: BTreeMap<String, ProtoMessage>,
}

/// One message.
#[derive(Debug, Clone, Default)]
pub struct ProtoMessage {
    /// Fields in file order.
    pub fields: Vec<ProtoField>,
}

/// One field of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtoField {
    /// Name (the JSON property name, as go-to-protobuf writes it).
    pub name: String,
    /// Field number.
    pub number: u32,
    /// Type (of each element when repeated; of the value for a map).
    pub ty: ProtoType,
    /// `repeated`.
    pub repeated: bool,
    /// A `map<string, ty>`.
    pub map: bool,
}

/// A field's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtoType {
    /// `string`, `int32`, `bytes`, ...
    Scalar(String),
    /// A message, by canonical name.
    Message(String),
}

/// Canonical name of a definition's message (`io.k8s.api.core.v1.Pod` ->
/// `k8s.io.api.core.v1.Pod`); `None` for definitions outside Kubernetes (CRDs).
pub fn message_of_definition(definition: &str) -> Option<String> {
    definition
        .strip_prefix("io.k8s.")
        .map(|rest| format!("k8s.io.{rest}"))
}

const SCALARS: &[&str] = &[
    "string", "bool", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "double", "float",
    "bytes", "fixed32", "fixed64",
];

/// Read every `generated.proto` below `root`.
pub fn load_schema(root: &Path) -> Result<ProtoSchema, Error> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|source| Error::Read {
            path: dir.clone(),
            source,
        })?;
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "generated.proto") {
                files.push(p);
            }
        }
    }
    files.sort();
    // Package statements use `_` where import paths have `-` (`apiextensions_apiserver`):
    // references are resolved through the package -> import path table.
    let mut parsed = Vec::new();
    let mut canonical_of: BTreeMap<String, String> = BTreeMap::new();
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|source| Error::Read {
            path: f.clone(),
            source,
        })?;
        let (package, messages) = parse(&f.display().to_string(), &text)?;
        let import = f
            .parent()
            .and_then(|d| d.strip_prefix(root).ok())
            .map(|d| {
                d.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .unwrap_or_default();
        canonical_of.insert(package.clone(), import.clone());
        parsed.push((package, import, messages));
    }
    let resolve = |package: &str, ty: &str| -> ProtoType {
        if SCALARS.contains(&ty) {
            return ProtoType::Scalar(ty.to_owned());
        }
        let qualified = match ty.strip_prefix('.') {
            Some(q) => q.to_owned(),
            None => format!("{package}.{ty}"),
        };
        let (pkg, name) = qualified.rsplit_once('.').unwrap_or(("", &qualified));
        let canonical = canonical_of
            .get(pkg)
            .cloned()
            .unwrap_or_else(|| pkg.to_owned());
        ProtoType::Message(format!("{canonical}.{name}"))
    };
    let mut schema = ProtoSchema::default();
    for (package, import, messages) in parsed {
        for (name, m) in messages {
            let fields = m
                .fields
                .iter()
                .map(|f| ProtoField {
                    name: f.name.clone(),
                    number: f.number,
                    ty: resolve(&package, f.map_value.as_deref().unwrap_or(&f.ty)),
                    repeated: f.repeated,
                    map: f.map_value.is_some(),
                })
                .collect();
            schema
                .messages
                .insert(format!("{import}.{name}"), ProtoMessage { fields });
        }
    }
    Ok(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_messages_fields_and_optional_markers() {
        let text = "package k8s.io.api.x.v1;\n\n// A thing.\nmessage Thing {\n  // name is required.\n  optional string name = 1;\n\n  // +optional\n  repeated .k8s.io.api.x.v1.Other others = 2;\n\n  // +optional\n  map<string, string> labels = 3;\n}\n";
        let (package, messages) = parse("x.proto", text).unwrap();
        assert_eq!(package, "k8s.io.api.x.v1");
        let thing = &messages["Thing"];
        assert_eq!(thing.doc, "A thing.");
        let names: Vec<(&str, bool)> = thing
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.optional))
            .collect();
        assert_eq!(names, [("name", false), ("others", true), ("labels", true)]);
        assert!(thing.fields[1].repeated);
        assert_eq!(thing.fields[2].map_value.as_deref(), Some("string"));
        assert_eq!(
            file_of("k8s.io.apimachinery.pkg.apis.meta.v1"),
            "k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto"
        );
        assert_eq!(
            definition_name(".k8s.io.api.x.v1.Other"),
            "io.k8s.api.x.v1.Other"
        );
    }
}
