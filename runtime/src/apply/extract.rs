//! `extract`: the apply configuration one field manager owns in an object, read from its
//! `managedFields` (client-go `ExtractDeployment`, apimachinery `managedfields.ExtractInto`).
//!
//! A `FieldsV1` set is a trie of path elements: `f:<name>` a field of an object (or a key of a
//! map), `k:<json>` the item of a list-map whose key fields equal `<json>`, `v:<json>` the item
//! of a set equal to `<json>`, `i:<n>` the n-th item of an atomic list, and `.` the node
//! itself. Like apimachinery, only leaves count (`fieldset.Leaves()`): a node that has children
//! contributes those children, a node without children its whole value.

use super::Object;
use crate::meta::v1::ObjectMeta;
use crate::Resource;
use serde::Serialize;
use serde_json::{Map, Value};

/// Why an object's managed fields could not be read back as an apply configuration.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The manager's `fieldsV1` is not a JSON object (the server would never send one).
    #[error("managedFields of manager `{manager}` is not a field set: {source}")]
    FieldSet {
        /// The field manager asked for.
        manager: String,
        /// What the JSON parser said.
        source: serde_json::Error,
    },
    /// The object did not serialize to a JSON object.
    #[error("the object does not encode as a JSON object: {0}")]
    Encode(#[from] serde_json::Error),
}

/// The fields `field_manager` owns in `obj` through an `Apply` operation on `subresource`
/// (`""` for the main resource, `"status"`), with `apiVersion`, `kind`, `metadata.name` and
/// `metadata.namespace` set as client-go's `ExtractFoo` does. A manager that owns nothing
/// yields just those.
///
/// # Errors
/// [`ExtractError`] when the manager's field set or the object is not valid JSON.
pub fn extract<K: Resource + Serialize>(
    obj: &K,
    field_manager: &str,
    subresource: &str,
) -> Result<Object, ExtractError> {
    let meta = obj.metadata();
    let mut out = match owned_fields(meta, field_manager, subresource) {
        Some(set) => {
            let set: Map<String, Value> =
                serde_json::from_str(set).map_err(|source| ExtractError::FieldSet {
                    manager: field_manager.to_owned(),
                    source,
                })?;
            let value = serde_json::to_value(obj)?;
            match extract_fields(&value, &set) {
                Value::Object(m) => m,
                _ => Map::new(),
            }
        }
        None => Map::new(),
    };
    out.insert("apiVersion".into(), K::API_VERSION.into());
    out.insert("kind".into(), K::KIND.into());
    let mut out = Object::from_map(out);
    if let Some(name) = &meta.name {
        out.set_in(&["metadata"], "name", name);
    }
    if let Some(ns) = meta.namespace.as_deref().filter(|ns| !ns.is_empty()) {
        out.set_in(&["metadata"], "namespace", ns);
    }
    Ok(out)
}

/// The `fieldsV1` text of `manager`'s apply entry on `subresource`.
fn owned_fields<'m>(meta: &'m ObjectMeta, manager: &str, subresource: &str) -> Option<&'m str> {
    meta.managed_fields.iter().flatten().find_map(|e| {
        let mine = e.manager.as_deref() == Some(manager)
            && e.operation.as_deref() == Some("Apply")
            && e.subresource.as_deref().unwrap_or("") == subresource;
        mine.then(|| e.fields_v1.as_ref().map(|f| f.as_str()))
            .flatten()
    })
}

/// The parts of `value` that the field set `set` names (see the module docs).
pub fn extract_fields(value: &Value, set: &Map<String, Value>) -> Value {
    // A child that is not an object (never sent by a server) counts as a leaf.
    let children: Vec<(&str, Option<&Map<String, Value>>)> = set
        .iter()
        .filter(|(k, _)| k.as_str() != ".")
        .map(|(k, v)| (k.as_str(), v.as_object()))
        .collect();
    if children.is_empty() {
        return value.clone();
    }
    match value {
        Value::Object(fields) => Value::Object(
            children
                .iter()
                .filter_map(|(k, sub)| {
                    let name = k.strip_prefix("f:")?;
                    let v = fields.get(name)?;
                    Some((name.to_owned(), below(v, *sub)))
                })
                .collect(),
        ),
        Value::Array(items) => {
            let matchers: Vec<(Item, Option<&Map<String, Value>>)> = children
                .iter()
                .filter_map(|(k, sub)| Some((Item::parse(k)?, *sub)))
                .collect();
            Value::Array(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| {
                        let (_, sub) = matchers.iter().find(|(m, _)| m.matches(i, item))?;
                        Some(below(item, *sub))
                    })
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

fn below(value: &Value, set: Option<&Map<String, Value>>) -> Value {
    match set {
        Some(set) => extract_fields(value, set),
        None => value.clone(),
    }
}

/// A path element that picks list items.
enum Item {
    /// `k:{...}`: the key fields of a list-map item.
    Key(Map<String, Value>),
    /// `v:...`: a set item's value.
    Value(Value),
    /// `i:n`: a position.
    Index(usize),
}

impl Item {
    fn parse(element: &str) -> Option<Item> {
        if let Some(json) = element.strip_prefix("k:") {
            return serde_json::from_str(json).ok().map(Item::Key);
        }
        if let Some(json) = element.strip_prefix("v:") {
            return serde_json::from_str(json).ok().map(Item::Value);
        }
        element.strip_prefix("i:")?.parse().ok().map(Item::Index)
    }

    fn matches(&self, index: usize, item: &Value) -> bool {
        match self {
            Item::Key(keys) => keys.iter().all(|(k, v)| item.get(k) == Some(v)),
            Item::Value(v) => item == v,
            Item::Index(i) => *i == index,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn keeps_only_owned_leaves_and_keyed_items() {
        let obj = json!({
            "metadata": {"name": "web", "labels": {"app": "web", "other": "x"}, "uid": "1"},
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {"spec": {"containers": [
                    {"name": "a", "image": "nginx", "terminationMessagePath": "/dev/x"},
                    {"name": "b", "image": "busybox"}
                ]}},
                "finalizers": ["x", "y"],
            }
        });
        let fields = set(json!({
            "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
            "f:spec": {
                "f:replicas": {},
                "f:selector": {},
                "f:template": {"f:spec": {"f:containers": {
                    "k:{\"name\":\"a\"}": {".": {}, "f:image": {}, "f:name": {}}
                }}},
                "f:finalizers": {"v:\"y\"": {}},
            }
        }));
        assert_eq!(
            extract_fields(&obj, &fields),
            json!({
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "replicas": 3,
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {"spec": {"containers": [{"name": "a", "image": "nginx"}]}},
                    "finalizers": ["y"],
                }
            })
        );
    }

    #[test]
    fn index_items_and_malformed_elements() {
        let obj = json!({"l": [1, 2, 3]});
        let fields = set(json!({"f:l": {"i:1": {}, "k:not json": {}, "x:y": {}}}));
        assert_eq!(extract_fields(&obj, &fields), json!({"l": [2]}));
    }
}
