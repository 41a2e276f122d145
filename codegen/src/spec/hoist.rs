//! A cluster's own OpenAPI (what `kubeclient-codegen fetch` copies) describes its CRDs with
//! nested object schemas written inline, where upstream's spec names every object type as a
//! definition. Each inline object with properties becomes a definition of its own here, named
//! like the CRD frontend names them (the kind plus the field path: `GizmoSpec`,
//! `GizmoSpecTemplate`; array items and map values take their field's name; a clash gets `2`,
//! `3`, ...), in the same package, so the rest of the generator sees the upstream shape.

use super::{AdditionalProperties, Schema, Swagger};
use heck::ToUpperCamelCase;
use std::collections::{BTreeMap, BTreeSet};

/// Nesting beyond this is left inline (and then refused by the IR with the field's path):
/// real schemas nest a few levels, and input is bounded.
const MAX_DEPTH: usize = 64;

/// Hoists every inline object schema with properties into a definition of its own; returns
/// how many definitions were added.
pub fn hoist_inline_objects(spec: &mut Swagger) -> usize {
    let mut taken: BTreeSet<String> = spec.definitions.keys().cloned().collect();
    let mut added = BTreeMap::new();
    let names: Vec<String> = spec.definitions.keys().cloned().collect();
    for name in names {
        let Some(def) = spec.definitions.get_mut(&name) else {
            continue;
        };
        let (package, kind) = name.rsplit_once('.').unwrap_or(("", name.as_str()));
        let (package, kind) = (package.to_owned(), kind.to_owned());
        let mut h = Hoister {
            package: &package,
            taken: &mut taken,
            added: &mut added,
        };
        for (prop, schema) in def.properties.iter_mut() {
            h.hoist(schema, &format!("{kind}{}", prop.to_upper_camel_case()), 0);
        }
        if let Some(AdditionalProperties::Schema(v)) = def.additional_properties.as_mut() {
            h.hoist(v, &format!("{kind}Value"), 0);
        }
    }
    let n = added.len();
    spec.definitions.extend(added);
    n
}

struct Hoister<'a> {
    package: &'a str,
    taken: &'a mut BTreeSet<String>,
    added: &'a mut BTreeMap<String, Schema>,
}

impl Hoister<'_> {
    fn hoist(&mut self, schema: &mut Schema, base: &str, depth: usize) {
        if depth > MAX_DEPTH || schema.ref_.is_some() {
            return;
        }
        let object = matches!(schema.type_.as_deref(), Some("object") | None);
        if object && !schema.properties.is_empty() {
            for (prop, child) in schema.properties.iter_mut() {
                self.hoist(
                    child,
                    &format!("{base}{}", prop.to_upper_camel_case()),
                    depth + 1,
                );
            }
            if let Some(AdditionalProperties::Schema(v)) = schema.additional_properties.as_mut() {
                self.hoist(v, base, depth + 1);
            }
            let name = self.claim(base);
            let inline = std::mem::take(schema);
            *schema = Schema {
                ref_: Some(format!("#/definitions/{name}")),
                description: inline.description.clone(),
                ..Default::default()
            };
            self.added.insert(name, inline);
            return;
        }
        if let Some(items) = schema.items.as_mut() {
            self.hoist(items, base, depth + 1);
        }
        if let Some(AdditionalProperties::Schema(v)) = schema.additional_properties.as_mut() {
            self.hoist(v, base, depth + 1);
        }
    }

    /// `<package>.<base>`, or with `2`, `3`, ... appended when taken.
    fn claim(&mut self, base: &str) -> String {
        let prefix = if self.package.is_empty() {
            String::new()
        } else {
            format!("{}.", self.package)
        };
        let mut name = format!("{prefix}{base}");
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{prefix}{base}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_objects_become_named_definitions() {
        let mut spec: Swagger = serde_json::from_value(serde_json::json!({
            "definitions": {
                "com.example.v1.Gizmo": {"type": "object", "properties": {
                    "spec": {"type": "object", "description": "Desired.", "properties": {
                        "size": {"type": "integer"},
                        "template": {"type": "object", "properties": {"image": {"type": "string"}}},
                        "ports": {"type": "array", "items": {"type": "object", "properties": {"port": {"type": "integer"}}}}
                    }},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}}
                }},
                "com.example.v1.GizmoSpecTemplate": {"type": "object"}
            }
        }))
        .unwrap();
        assert_eq!(hoist_inline_objects(&mut spec), 3);
        let d = &spec.definitions;
        let gizmo = &d["com.example.v1.Gizmo"];
        assert_eq!(
            gizmo.properties["spec"].ref_.as_deref(),
            Some("#/definitions/com.example.v1.GizmoSpec")
        );
        assert_eq!(
            gizmo.properties["spec"].description.as_deref(),
            Some("Desired.")
        );
        assert!(
            gizmo.properties["labels"].ref_.is_none(),
            "a plain map stays a map"
        );
        let spec_def = &d["com.example.v1.GizmoSpec"];
        // The name was taken: the template gets `2`.
        assert_eq!(
            spec_def.properties["template"].ref_.as_deref(),
            Some("#/definitions/com.example.v1.GizmoSpecTemplate2")
        );
        assert_eq!(
            spec_def.properties["ports"]
                .items
                .as_ref()
                .unwrap()
                .ref_
                .as_deref(),
            Some("#/definitions/com.example.v1.GizmoSpecPorts")
        );
    }
}
