//! Unknown fields in request bodies of built-in kinds, found with the OpenAPI v2 schema the
//! way kube-apiserver's strict JSON decoder finds them (`unknown field "spec.foo"`), and dropped
//! from the object as Go's decoder drops them whatever `fieldValidation` says.
//!
//! Needs the upstream `swagger.json` ([`crate::Builder::openapi_specs`]); without it nothing is
//! checked. The schema is parsed once per process and directory.

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The definitions of one `swagger.json`, indexed by group/version/kind.
#[derive(Debug)]
pub struct Schemas {
    definitions: Map<String, Value>,
    by_gvk: HashMap<(String, String, String), String>,
}

type Cache = Mutex<HashMap<PathBuf, Option<Arc<Schemas>>>>;

impl Schemas {
    /// The schemas of `dir/swagger.json`, read on first use; `None` when it cannot be read.
    pub fn load(dir: &Path) -> Option<Arc<Schemas>> {
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let mut cache = CACHE
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        cache
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                let bytes = std::fs::read(dir.join("swagger.json")).ok()?;
                Schemas::parse(&bytes).map(Arc::new)
            })
            .clone()
    }

    fn parse(bytes: &[u8]) -> Option<Schemas> {
        let mut doc: Value = serde_json::from_slice(bytes).ok()?;
        let definitions = match doc.get_mut("definitions")?.take() {
            Value::Object(m) => m,
            _ => return None,
        };
        let mut by_gvk = HashMap::new();
        for (name, def) in &definitions {
            let gvks = def
                .get("x-kubernetes-group-version-kind")
                .and_then(Value::as_array);
            for gvk in gvks.into_iter().flatten() {
                let s = |k: &str| gvk.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                by_gvk.insert((s("group"), s("version"), s("kind")), name.clone());
            }
        }
        Some(Schemas {
            definitions,
            by_gvk,
        })
    }

    /// Remove the fields of `obj` (an object of group/version/kind) its schema does not know,
    /// and empty optional maps and lists (Go's omitempty drops them); returns the unknown
    /// fields' paths as kube-apiserver names them (`bogus`, `spec.containers[0].x`).
    /// Kinds without a schema are left alone.
    pub fn prune(&self, group: &str, version: &str, kind: &str, obj: &mut Value) -> Vec<String> {
        let mut out = Vec::new();
        let key = (group.to_string(), version.to_string(), kind.to_string());
        if let Some(def) = self.by_gvk.get(&key) {
            self.walk_definition(def, obj, "", &mut out);
        }
        out
    }

    fn walk_definition(&self, name: &str, v: &mut Value, path: &str, out: &mut Vec<String>) {
        if let Some(schema) = self.definitions.get(name) {
            self.walk(schema, v, path, out);
        }
    }

    fn walk(&self, schema: &Value, v: &mut Value, path: &str, out: &mut Vec<String>) {
        if let Some(name) = reference(schema) {
            return self.walk_definition(name, v, path, out);
        }
        if schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true)) {
            return;
        }
        match v {
            Value::Object(m) => {
                if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                    let unknown: Vec<String> = m
                        .keys()
                        .filter(|k| !props.contains_key(k.as_str()))
                        .cloned()
                        .collect();
                    for k in unknown {
                        m.remove(&k);
                        out.push(join(path, &k));
                    }
                    for (k, child) in m.iter_mut() {
                        if let Some(s) = props.get(k) {
                            self.walk(s, child, &join(path, k), out);
                        }
                    }
                    // Go's omitempty: an empty optional map or list is not there at all.
                    let required = schema.get("required").and_then(Value::as_array);
                    m.retain(|k, child| {
                        let empty = child.as_object().is_some_and(Map::is_empty)
                            && props
                                .get(k)
                                .is_some_and(|s| s.get("additionalProperties").is_some())
                            || child.as_array().is_some_and(Vec::is_empty);
                        !empty || required.is_some_and(|r| r.iter().any(|n| n == k.as_str()))
                    });
                } else if let Some(s) = schema.get("additionalProperties").filter(|s| s.is_object())
                {
                    for (k, child) in m.iter_mut() {
                        self.walk(s, child, &join(path, k), out);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(s) = schema.get("items") {
                    for (i, item) in items.iter_mut().enumerate() {
                        self.walk(s, item, &format!("{path}[{i}]"), out);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The definition a schema refers to (`$ref`, or the one `allOf` entry that is a `$ref`).
fn reference(schema: &Value) -> Option<&str> {
    let direct = schema.get("$ref").and_then(Value::as_str);
    let wrapped = || {
        schema
            .get("allOf")?
            .as_array()?
            .iter()
            .find_map(|s| s.get("$ref").and_then(Value::as_str))
    };
    direct
        .or_else(wrapped)
        .and_then(|r| r.strip_prefix("#/definitions/"))
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_named_and_dropped() {
        let doc = json!({"definitions": {
            "Pod": {"x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "Pod"}],
                    "properties": {"kind": {}, "spec": {"$ref": "#/definitions/Spec"}}},
            "Spec": {"properties": {"containers": {"items": {"$ref": "#/definitions/C"}}}},
            "C": {"properties": {"name": {}, "env": {"additionalProperties": {}}, "args": {}}},
        }});
        let s = Schemas::parse(&serde_json::to_vec(&doc).expect("json")).expect("schemas");
        let mut pod = json!({"kind": "Pod", "bogus": 1, "spec": {"containers": [{"name": "c", "x": 2, "env": {}, "args": []}]}});
        assert_eq!(
            s.prune("", "v1", "Pod", &mut pod),
            ["bogus", "spec.containers[0].x"]
        );
        assert_eq!(
            pod,
            json!({"kind": "Pod", "spec": {"containers": [{"name": "c"}]}})
        );
        let mut other = json!({"bogus": 1});
        assert!(s.prune("", "v1", "Other", &mut other).is_empty());
    }
}
