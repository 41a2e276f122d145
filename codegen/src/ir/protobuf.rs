//! Protobuf field numbers for the IR: each struct of Kubernetes is matched to the message of the
//! same name in the `generated.proto` files (see [`crate::spec::proto::ProtoSchema`]) and each
//! property to the field of the same JSON name, with its Rust type checked against the field's
//! type. What cannot be matched is reported ([`Topic::ProtobufMissing`],
//! [`Topic::ProtobufExtra`]), never dropped silently: such a property is then not written in
//! protobuf bodies.

use super::runtime_map::PROTO_HANDWRITTEN;
use super::{Ir, ProtoField, ProtoSpecial, Ty, TypeDef, TypeKind};
use crate::report::{Diagnostic, Severity, Topic};
use crate::spec::proto::{
    message_of_definition, ProtoField as Wire, ProtoMessage, ProtoSchema, ProtoType,
};
use std::collections::BTreeMap;

/// Attach message names and field numbers to `ir` from `schema`.
pub fn attach(ir: &mut Ir, schema: &ProtoSchema) {
    ir.protobuf = true;
    let mut diags = Vec::new();
    // First every struct learns its message, so field types can be checked against it.
    for (name, t) in ir.types.iter_mut() {
        let TypeKind::Struct(s) = &mut t.kind else {
            continue;
        };
        let Some(message) = message_of_definition(name) else {
            continue; // a CRD: JSON only, as client-go's dynamic client
        };
        if schema.messages.contains_key(&message) {
            s.proto = Some(message);
        } else {
            diags.push(diag(
                Severity::Warning,
                Topic::ProtobufMissing,
                name,
                format!("no message {message} in the proto files: the type is JSON only"),
            ));
        }
    }
    let snapshot = ir.types.clone();
    let check = Check {
        types: &snapshot,
        schema,
    };
    for (name, t) in ir.types.iter_mut() {
        match &mut t.kind {
            TypeKind::Struct(s) => {
                let Some(message) = s.proto.as_ref().and_then(|m| schema.messages.get(m)) else {
                    continue;
                };
                let mut found: BTreeMap<usize, (Vec<u32>, &Wire)> = BTreeMap::new();
                let mut extra = Vec::new();
                assign(
                    &s.fields,
                    message,
                    schema,
                    &mut Vec::new(),
                    &mut found,
                    &mut extra,
                );
                for w in extra {
                    diags.push(diag(
                        Severity::Warning,
                        Topic::ProtobufExtra,
                        &format!("{name}.{}", w.name),
                        format!(
                            "field {} has no property in the spec: skipped on decode",
                            w.number
                        ),
                    ));
                }
                for (i, f) in s.fields.iter_mut().enumerate() {
                    let subject = format!("{name}.{}", f.json_name);
                    let Some((embedded_in, wire)) = found.remove(&i) else {
                        let (severity, why) =
                            if matches!(f.json_name.as_str(), "apiVersion" | "kind") {
                                (
                                    Severity::Note,
                                    "carried by the protobuf envelope, not the message",
                                )
                            } else {
                                (
                                    Severity::Lossy,
                                    "no field of this name in the message: not written in protobuf",
                                )
                            };
                        diags.push(diag(
                            severity,
                            Topic::ProtobufMissing,
                            &subject,
                            why.to_owned(),
                        ));
                        continue;
                    };
                    match check.field(&f.ty, wire) {
                        Ok(special) => {
                            f.proto = Some(ProtoField {
                                number: wire.number,
                                embedded_in,
                                special,
                            })
                        }
                        Err(why) => diags.push(diag(
                            Severity::Lossy,
                            Topic::ProtobufMissing,
                            &subject,
                            format!(
                                "field {} does not fit: {why}; not written in protobuf",
                                wire.number
                            ),
                        )),
                    }
                }
            }
            TypeKind::List { item } => {
                let Some(message) = message_of_definition(name) else {
                    continue;
                };
                if let Err(why) = check.list(&message, item) {
                    diags.push(diag(Severity::Warning, Topic::ProtobufMissing, name, why));
                }
            }
            _ => {}
        }
    }
    ir.diagnostics.extend(diags);
}

fn diag(severity: Severity, topic: Topic, subject: &str, detail: String) -> Diagnostic {
    Diagnostic {
        severity,
        topic,
        subject: subject.to_owned(),
        detail,
    }
}

struct Check<'a> {
    types: &'a BTreeMap<String, TypeDef>,
    schema: &'a ProtoSchema,
}

impl Check<'_> {
    /// `List<Foo>` is written as `{ ListMeta metadata = 1; repeated Foo items = 2; }`.
    fn list(&self, message: &str, item: &str) -> Result<(), String> {
        let m = self
            .schema
            .messages
            .get(message)
            .ok_or_else(|| format!("no message {message}: lists of it are JSON only"))?;
        let number = |n: &str| m.fields.iter().find(|f| f.name == n).map(|f| f.number);
        if number("metadata") != Some(1) || number("items") != Some(2) {
            return Err(format!(
                "{message} is not {{ metadata = 1; items = 2 }}: List<T> would mis-encode it"
            ));
        }
        self.named(
            item,
            &ProtoType::Message(message_of_definition(item).unwrap_or_default()),
        )
        .map(drop)
    }

    /// Whether a property of Rust type `ty` can be written as `wire`.
    fn field(&self, ty: &Ty, wire: &Wire) -> Result<Option<ProtoSpecial>, String> {
        match ty {
            Ty::Vec(inner) if wire.repeated => self.element(inner, &wire.ty),
            Ty::Map(inner) if wire.map => {
                if let (Ty::Vec(items), ProtoType::Message(m)) = (inner.as_ref(), &wire.ty) {
                    if let Some(item_ty) = self.wrapper(m) {
                        return match self.element(items, &item_ty)? {
                            None => Ok(Some(ProtoSpecial::WrappedMapValues)),
                            Some(_) => Err("a wrapped list of special values".into()),
                        };
                    }
                }
                self.element(inner, &wire.ty)
            }
            Ty::Vec(_) => Err("a list in the spec, a single value in the message".into()),
            Ty::Map(_) => Err("a map in the spec, not in the message".into()),
            _ if wire.repeated || wire.map => {
                Err("a single value in the spec, repeated in the message".into())
            }
            _ => self.element(ty, &wire.ty),
        }
    }

    /// The element type of a one-field wrapper message (`ExtraValue { repeated string items = 1; }`).
    fn wrapper(&self, message: &str) -> Option<ProtoType> {
        match self.schema.messages.get(message)?.fields.as_slice() {
            [only]
                if only.number == 1
                    && only.repeated
                    && !self.types.contains_key(&definition_of(message)) =>
            {
                Some(only.ty.clone())
            }
            _ => None,
        }
    }

    fn element(&self, ty: &Ty, wire: &ProtoType) -> Result<Option<ProtoSpecial>, String> {
        let scalar = |want: &[&str]| match wire {
            ProtoType::Scalar(s) if want.contains(&s.as_str()) => Ok(None),
            other => Err(format!("{} in the message", show(other))),
        };
        match ty {
            Ty::Bool => scalar(&["bool"]),
            Ty::I32 | Ty::I64 => scalar(&["int32", "int64"]),
            Ty::F64 => scalar(&["double"]),
            Ty::String => scalar(&["string"]),
            Ty::Bytes => scalar(&["bytes"]),
            Ty::Json => self.json(wire),
            Ty::Named(n) => self.named(n, wire),
            Ty::Vec(_) | Ty::Map(_) => Err("nested lists or maps".into()),
        }
    }

    fn named(&self, name: &str, wire: &ProtoType) -> Result<Option<ProtoSpecial>, String> {
        let t = self
            .types
            .get(name)
            .ok_or_else(|| format!("unknown definition {name}"))?;
        let message = |want: &str| match wire {
            ProtoType::Message(m) if m == want => Ok(None),
            other => Err(format!(
                "{} in the message, {want} in the spec",
                show(other)
            )),
        };
        match &t.kind {
            TypeKind::StringNewtype => match wire {
                ProtoType::Scalar(s) if s == "string" => Ok(None),
                other => Err(format!("{} in the message", show(other))),
            },
            TypeKind::Struct(s) => match &s.proto {
                Some(m) => message(m),
                None => Err(format!("{name} has no protobuf message")),
            },
            TypeKind::Runtime(_) if PROTO_HANDWRITTEN.contains(&name) => {
                message(&message_of_definition(name).unwrap_or_default())
            }
            TypeKind::Runtime(path) => Err(format!("the runtime's {path} has no protobuf form")),
            TypeKind::List { item } => {
                let own = message_of_definition(name).unwrap_or_default();
                self.list(&own, item)?;
                message(&own)
            }
            TypeKind::Json => self.json(wire),
        }
    }

    /// A JSON-typed property: the message Go uses for it decides the codec.
    fn json(&self, wire: &ProtoType) -> Result<Option<ProtoSpecial>, String> {
        let ProtoType::Message(m) = wire else {
            return Err(format!("JSON in the spec, {} in the message", show(wire)));
        };
        let msg = self
            .schema
            .messages
            .get(m)
            .ok_or_else(|| format!("no message {m}"))?;
        let short = m.rsplit('.').next().unwrap_or(m);
        let schema_def = || -> Result<String, String> {
            let f = field_named(msg, "schema").ok_or("no `schema` field")?;
            match &f.ty {
                ProtoType::Message(s) => {
                    let def = definition_of(s);
                    match self.types.get(&def).map(|t| &t.kind) {
                        Some(TypeKind::Struct(st)) if st.proto.is_some() => Ok(def),
                        _ => Err(format!("{def} has no protobuf message")),
                    }
                }
                other => Err(format!("schema is {}", show(other))),
            }
        };
        match (short, msg.fields.as_slice()) {
            (_, [only]) if only.number == 1 && only.ty == ProtoType::Scalar("bytes".into()) => {
                Ok(Some(ProtoSpecial::RawJson))
            }
            ("JSONSchemaPropsOrBool", _) => Ok(Some(ProtoSpecial::OrBool(schema_def()?))),
            ("JSONSchemaPropsOrArray", _) => Ok(Some(ProtoSpecial::OrArray(schema_def()?))),
            ("JSONSchemaPropsOrStringArray", _) => {
                Ok(Some(ProtoSpecial::OrStringArray(schema_def()?)))
            }
            _ => Err(format!("JSON in the spec, message {m} has no JSON codec")),
        }
    }
}

/// How go-to-protobuf spells a property: the JSON name, sometimes capitalised (`Webhooks`,
/// `uID`) and without `$` or `-` (`$ref` -> `ref`, `x-kubernetes-list-type` ->
/// `xKubernetesListType`).
fn normalized(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Match the properties of a struct (`fields`) to the fields of `message`: by name, then
/// through the messages of embedded Go structs, whose fields the JSON form flattens into the
/// struct. `found` gets (field index -> (embedding path, wire field)); `extra` the wire fields
/// matched by nothing.
fn assign<'a>(
    fields: &[super::Field],
    message: &'a ProtoMessage,
    schema: &'a ProtoSchema,
    path: &mut Vec<u32>,
    found: &mut BTreeMap<usize, (Vec<u32>, &'a Wire)>,
    extra: &mut Vec<&'a Wire>,
) {
    let mut unmatched = Vec::new();
    for w in &message.fields {
        let key = normalized(&w.name);
        let hit = fields
            .iter()
            .enumerate()
            .find(|(i, f)| !found.contains_key(i) && normalized(&f.json_name) == key);
        match hit {
            Some((i, _)) => {
                found.insert(i, (path.clone(), w));
            }
            None => unmatched.push(w),
        }
    }
    for w in unmatched {
        let embedded = match (&w.ty, w.repeated || w.map) {
            (ProtoType::Message(m), false) if path.len() < 4 => schema.messages.get(m),
            _ => None,
        };
        let before = found.len();
        if let Some(inner) = embedded {
            path.push(w.number);
            let mut inner_extra = Vec::new();
            assign(fields, inner, schema, path, found, &mut inner_extra);
            path.pop();
            if found.len() > before {
                extra.extend(inner_extra);
                continue;
            }
        }
        extra.push(w);
    }
}

fn field_named<'a>(m: &'a ProtoMessage, name: &str) -> Option<&'a Wire> {
    m.fields.iter().find(|f| f.name == name)
}

/// Definition name of a canonical message name (`k8s.io.api.core.v1.Pod` -> `io.k8s.api.core.v1.Pod`).
fn definition_of(message: &str) -> String {
    match message.strip_prefix("k8s.io.") {
        Some(rest) => format!("io.k8s.{rest}"),
        None => message.to_owned(),
    }
}

fn show(t: &ProtoType) -> String {
    match t {
        ProtoType::Scalar(s) => s.clone(),
        ProtoType::Message(m) => format!("message {m}"),
    }
}
