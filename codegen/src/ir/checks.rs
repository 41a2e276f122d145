//! Diagnostics over a spec and its IR: what the generator met but did not fully understand
//! (see [`crate::report`]). Nothing here changes the IR.

use super::resources::{parse_path, verb};
use super::runtime_map::{handwritten, Shape, APIMACHINERY_PREFIX};
use super::{Ir, TypeKind, Verb};
use crate::report::{Diagnostic, Severity, Topic};
use crate::spec::{AdditionalProperties, Schema, Swagger};

/// Subresources the typed clients have a method for without a body type (a marker impl in
/// `emit::resource`), and those that need the body type the spec names.
pub const MARKER_SUBRESOURCES: &[&str] = &[
    "status",
    "log",
    "ephemeralcontainers",
    "resize",
    "approval",
    "finalize",
];
/// See [`MARKER_SUBRESOURCES`].
pub const BODY_SUBRESOURCES: &[&str] = &["scale", "eviction", "binding", "token"];
/// `connect` subresources the typed clients have a method for, with the query parameters the
/// runtime's option type carries (`ExecOptions`, `AttachOptions`, `PortForwardOptions`,
/// `ProxyOptions`). A parameter the spec declares beyond these is reported.
pub const CONNECT_SUBRESOURCES: &[(&str, &[&str])] = &[
    (
        "exec",
        &["command", "container", "stdin", "stdout", "stderr", "tty"],
    ),
    ("attach", &["container", "stdin", "stdout", "stderr", "tty"]),
    ("portforward", &["ports"]),
    ("proxy", &["path"]),
    ("proxy/{path}", &["path"]),
];

/// The parameters the runtime knows for connect subresource `name`, if it has a method.
pub fn connect_params(name: &str) -> Option<&'static [&'static str]> {
    CONNECT_SUBRESOURCES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| *p)
}

/// Formats whose property keeps its plain JSON type: validation-only string formats (the
/// apiextensions list) and the number widths.
const KNOWN_FORMATS: &[(&str, &[&str])] = &[
    ("integer", &["int32", "int64"]),
    ("number", &["double", "float"]),
    (
        "string",
        &[
            "byte",
            "date-time",
            "int-or-string",
            "bsonobjectid",
            "uri",
            "email",
            "hostname",
            "ipv4",
            "ipv6",
            "cidr",
            "mac",
            "uuid",
            "uuid3",
            "uuid4",
            "uuid5",
            "isbn",
            "isbn10",
            "isbn13",
            "creditcard",
            "ssn",
            "hexcolor",
            "rgbcolor",
            "password",
            "date",
            "duration",
            "datetime",
        ],
    ),
];

/// Every diagnostic about `spec` and the IR built from it.
pub(super) fn diagnostics(spec: &Swagger, ir: &Ir) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    actions(spec, &mut out);
    subresources(ir, &mut out);
    for (name, schema) in &spec.definitions {
        formats(name, "", schema, &mut out);
        apimachinery(name, schema, ir, &mut out);
    }
    out
}

fn actions(spec: &Swagger, out: &mut Vec<Diagnostic>) {
    for (path, item) in &spec.paths {
        for (method, op) in item.operations() {
            let Some(action) = op.action.as_deref() else {
                continue;
            };
            if verb(action).is_none() {
                out.push(Diagnostic {
                    severity: Severity::Warning,
                    topic: Topic::UnknownAction,
                    subject: format!("{} {path}", method.to_uppercase()),
                    detail: format!(
                        "action `{action}` is not a verb the generator knows; no typed method uses this operation (the REST builder still reaches it)"
                    ),
                });
            }
        }
    }
    // Resource paths with known actions that name no kind are invisible to typed clients too.
    for (path, item) in &spec.paths {
        if parse_path(path).is_none() {
            continue;
        }
        for (method, op) in item.operations() {
            let known = op.action.as_deref().and_then(verb);
            if known.is_some_and(|v| v != Verb::Connect) && op.gvk.is_none() {
                out.push(Diagnostic {
                    severity: Severity::Warning,
                    topic: Topic::UnknownAction,
                    subject: format!("{} {path}", method.to_uppercase()),
                    detail: "the operation names no x-kubernetes-group-version-kind; no typed method uses it".into(),
                });
            }
        }
    }
}

fn subresources(ir: &Ir, out: &mut Vec<Diagnostic>) {
    for t in ir.types.values() {
        let TypeKind::Struct(s) = &t.kind else {
            continue;
        };
        let Some(r) = &s.resource else { continue };
        for sub in r.subresources.values() {
            let subject = format!("{}/{}/{}", r.gvk.api_version(), r.plural, sub.name);
            let verbs: Vec<&str> = sub.verbs.iter().map(|v| v.discovery_name()).collect();
            let (severity, detail) = if sub.verbs.iter().all(|v| *v == Verb::Connect) {
                let Some(known) = connect_params(&sub.name) else {
                    out.push(Diagnostic {
                        severity: Severity::Warning,
                        topic: Topic::SubresourceWithoutMethod,
                        subject,
                        detail: "a connect subresource the generator has no typed method for; reach it through the REST builder".into(),
                    });
                    continue;
                };
                let declared = sub.connect.iter().flat_map(|c| &c.params);
                for p in declared.filter(|p| !known.contains(&p.as_str())) {
                    out.push(Diagnostic {
                        severity: Severity::Warning,
                        topic: Topic::UnknownConnectParameter,
                        subject: format!("{subject}?{p}"),
                        detail: "the typed method's options have no field for this query parameter; set it through the REST builder".into(),
                    });
                }
                continue;
            } else if MARKER_SUBRESOURCES.contains(&sub.name.as_str()) {
                continue;
            } else if BODY_SUBRESOURCES.contains(&sub.name.as_str()) {
                if sub.body_type.is_some() {
                    continue;
                }
                (
                    Severity::Warning,
                    format!("verbs {verbs:?} name no body kind, so no typed method is generated"),
                )
            } else {
                (
                    Severity::Warning,
                    format!(
                        "verbs {verbs:?}: a subresource the generator has no typed method for; reach it through the REST builder"
                    ),
                )
            };
            out.push(Diagnostic {
                severity,
                topic: Topic::SubresourceWithoutMethod,
                subject,
                detail,
            });
        }
    }
}

fn formats(definition: &str, path: &str, s: &Schema, out: &mut Vec<Diagnostic>) {
    if let (Some(ty), Some(format)) = (s.type_.as_deref(), s.format.as_deref()) {
        let known = KNOWN_FORMATS
            .iter()
            .any(|(t, fs)| *t == ty && fs.contains(&format));
        if !known {
            let subject = if path.is_empty() {
                definition.to_owned()
            } else {
                format!("{definition}.{path}")
            };
            out.push(Diagnostic {
                severity: Severity::Warning,
                topic: Topic::UnknownFormat,
                subject,
                detail: format!("`{ty}` with format `{format}` is generated as a plain `{ty}`"),
            });
        }
    }
    let join = |p: &str| {
        if path.is_empty() {
            p.to_owned()
        } else {
            format!("{path}.{p}")
        }
    };
    for (name, p) in &s.properties {
        formats(definition, &join(name), p, out);
    }
    if let Some(items) = &s.items {
        formats(definition, &format!("{path}[]"), items, out);
    }
    if let Some(AdditionalProperties::Schema(v)) = &s.additional_properties {
        formats(definition, &format!("{path}{{}}"), v, out);
    }
    for a in &s.all_of {
        formats(definition, path, a, out);
    }
}

/// Handwritten apimachinery types against the spec, field by field; generated ones noted.
fn apimachinery(name: &str, schema: &Schema, ir: &Ir, out: &mut Vec<Diagnostic>) {
    if !name.starts_with(APIMACHINERY_PREFIX) {
        return;
    }
    let Some(h) = handwritten(name) else {
        let module = ir
            .types
            .get(name)
            .map(|t| format!("{}::{}", t.module.join("::"), t.rust_name))
            .unwrap_or_default();
        out.push(Diagnostic {
            severity: Severity::Note,
            topic: Topic::GeneratedApimachinery,
            subject: name.to_owned(),
            detail: format!("no handwritten runtime type; generated as `{module}`"),
        });
        return;
    };
    let missing: Vec<&String> = match h.shape {
        Shape::FreeForm => return,
        Shape::Scalar => schema.properties.keys().collect(),
        Shape::Struct { fields, .. } => schema
            .properties
            .keys()
            .filter(|p| !fields.contains(&p.as_str()))
            .collect(),
    };
    for prop in missing {
        let (severity, detail) = match h.shape {
            Shape::Struct { extra: true, .. } => (
                Severity::Warning,
                format!(
                    "`{}` has no field for it; it is kept as JSON in the type's `extra` map",
                    h.path
                ),
            ),
            _ => (
                Severity::Lossy,
                format!(
                    "`{}` has no field for it and no `extra` map: the property is dropped on decode",
                    h.path
                ),
            ),
        };
        out.push(Diagnostic {
            severity,
            topic: Topic::HandwrittenFieldMissing,
            subject: format!("{name}.{prop}"),
            detail,
        });
    }
}
