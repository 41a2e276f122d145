//! One served version's `openAPIV3Schema` turned into swagger definitions: hoisting inline
//! objects into named definitions and mapping Kubernetes extensions to runtime types.

use super::super::swagger::{AdditionalProperties, Gvk, Schema};
use super::*;
use crate::naming;
use crate::Error;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

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

/// Turns the schema nodes of one served version into definitions.
pub(super) struct Converter<'a, 'b> {
    pub(super) at: At<'a>,
    /// Dotted package, e.g. `io.cert-manager.v1`.
    pub(super) package: &'a str,
    pub(super) defs: &'b mut BTreeMap<String, Schema>,
    /// Short names already used in the package.
    pub(super) taken: &'b mut BTreeSet<String>,
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
    pub(super) fn root(
        &mut self,
        node: &Value,
        path: &str,
        kind_def: &str,
        gvk: Gvk,
    ) -> Result<(), Error> {
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

pub(super) fn object(
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

pub(super) fn scalar(ty: &str, format: Option<&str>) -> Schema {
    Schema {
        type_: Some(ty.into()),
        format: format.map(str::to_owned),
        ..Schema::default()
    }
}
