//! Server-side apply configurations (client-go `applyconfigurations`).
//!
//! An apply configuration says which fields a field manager wants to own and with what values;
//! the server merges it and records the manager as the owner of exactly those fields. So it
//! must hold *only* what was set: a typed object would also send its required fields as empty
//! values and take them over. The generated `FooApplyConfiguration` types are thin builders over
//! [`Object`], a JSON object holding the set fields; they serialize as that object.
//!
//! ```
//! use kubeclient_runtime::apply::Object;
//! let mut o = Object::default();
//! o.set("replicas", 3);
//! o.extend("args", ["--v=2"]);
//! let expected = serde_json::json!({"replicas": 3, "args": ["--v=2"]});
//! assert_eq!(serde_json::to_value(&o).ok(), Some(expected));
//! ```

mod extract;
mod object_meta;

pub use extract::{extract, extract_fields, ExtractError};
pub use object_meta::ObjectMetaApplyConfiguration;

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// The fields an apply configuration sets, as a JSON object in the API's field names.
#[derive(Clone, Default, PartialEq)]
pub struct Object(Map<String, Value>);

impl Object {
    /// The set fields.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The set fields, to read or change any field the builders do not name.
    pub fn as_map_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.0
    }

    /// The set fields, by value.
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }

    /// An apply configuration of the fields in `map`.
    pub fn from_map(map: Map<String, Value>) -> Self {
        Object(map)
    }

    /// Set `key` to `value`, replacing what was there.
    pub fn set<T: Serialize>(&mut self, key: &str, value: T) {
        self.set_in(&[], key, value);
    }

    /// Append `items` to the list `key` (client-go's `WithX(items...)` appends too).
    pub fn extend<T: Serialize>(&mut self, key: &str, items: impl IntoIterator<Item = T>) {
        self.extend_in(&[], key, items);
    }

    /// Add `entries` to the map `key`, replacing entries with the same keys.
    pub fn insert_entries<K: Into<String>, V: Serialize>(
        &mut self,
        key: &str,
        entries: impl IntoIterator<Item = (K, V)>,
    ) {
        self.insert_entries_in(&[], key, entries);
    }

    /// Set `key` to the text `value` (what the generated setters of string fields call: one
    /// generic call each keeps the generated crate cheap to compile).
    pub fn set_string(&mut self, key: &str, value: impl Into<String>) {
        self.set_in(&[], key, value.into());
    }

    /// Append the texts `items` to the list `key`.
    pub fn extend_strings(
        &mut self,
        key: &str,
        items: impl IntoIterator<Item = impl Into<String>>,
    ) {
        self.extend_in(&[], key, items.into_iter().map(Into::<String>::into));
    }

    /// Add text `entries` to the map `key`, replacing entries with the same keys.
    pub fn insert_string_entries(
        &mut self,
        key: &str,
        entries: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
    ) {
        self.insert_entries_in(&[], key, entries.into_iter().map(|(k, v)| (k, v.into())));
    }

    /// [`Object::set`] in the object at `path` (`&["metadata"]`), made where absent.
    pub fn set_in<T: Serialize>(&mut self, path: &[&str], key: &str, value: T) {
        let value = to_json(value);
        with_at(&mut self.0, path, |m| m.insert(key.to_owned(), value));
    }

    /// [`Object::extend`] in the object at `path`, made where absent.
    pub fn extend_in<T: Serialize>(
        &mut self,
        path: &[&str],
        key: &str,
        items: impl IntoIterator<Item = T>,
    ) {
        let items = items.into_iter().map(to_json);
        with_at(&mut self.0, path, |m| {
            let slot = m.entry(key.to_owned()).or_insert(Value::Null);
            if !slot.is_array() {
                *slot = Value::Array(Vec::new());
            }
            if let Value::Array(list) = slot {
                list.extend(items);
            }
        });
    }

    /// [`Object::insert_entries`] in the object at `path`, made where absent.
    pub fn insert_entries_in<K: Into<String>, V: Serialize>(
        &mut self,
        path: &[&str],
        key: &str,
        entries: impl IntoIterator<Item = (K, V)>,
    ) {
        let entries = entries.into_iter().map(|(k, v)| (k.into(), to_json(v)));
        let mut path = path.to_vec();
        path.push(key);
        with_at(&mut self.0, &path, |m| m.extend(entries));
    }

    /// `metadata.name`, if set.
    pub fn name(&self) -> Option<&str> {
        self.meta_str("name")
    }

    /// `metadata.namespace`, if set.
    pub fn namespace(&self) -> Option<&str> {
        self.meta_str("namespace")
    }

    fn meta_str(&self, key: &str) -> Option<&str> {
        self.0.get("metadata")?.get(key)?.as_str()
    }
}

/// Run `f` on the object at `path` below `map`, made (replacing any non-object) where absent.
fn with_at<R>(
    map: &mut Map<String, Value>,
    path: &[&str],
    f: impl FnOnce(&mut Map<String, Value>) -> R,
) -> R {
    match path.split_first() {
        None => f(map),
        Some((key, rest)) => {
            let mut child = match map.remove(*key) {
                Some(Value::Object(m)) => m,
                _ => Map::new(),
            };
            let r = with_at(&mut child, rest, f);
            map.insert((*key).to_owned(), Value::Object(child));
            r
        }
    }
}

/// `value` as JSON. Apply configurations only hold values that are JSON by construction
/// (strings, numbers, maps with string keys, other apply configurations), so this cannot fail;
/// should a foreign `Serialize` refuse, the field is sent as `null`, which the server rejects
/// with a clear error rather than this client inventing one.
fn to_json<T: Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl Serialize for Object {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Value::Object(self.0.clone()), f)
    }
}

/// An apply configuration of a served kind: what `ResourceClient::apply` sends. Implemented by
/// the generated `FooApplyConfiguration` of every resource kind.
pub trait ApplyConfiguration: Serialize {
    /// The kind it configures.
    type Resource;
    /// The set fields.
    fn object(&self) -> &Object;
}

/// `v` as a `String`: the conversion generated setters taking `impl Into<String>` use, named so
/// that iterator adapters can call it without type annotations.
#[inline]
pub fn string(v: impl Into<String>) -> String {
    v.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_setters_write_what_the_generic_ones_write() {
        let mut texts = Object::default();
        texts.set_string("image", "nginx");
        texts.extend_strings("args", ["-a", "-b"]);
        texts.extend_strings("args", [String::from("-c")]);
        texts.insert_string_entries("labels", [("app", "web")]);
        texts.insert_string_entries("labels", [("tier", String::from("front"))]);
        let mut generic = Object::default();
        generic.set("image", "nginx");
        generic.extend("args", ["-a", "-b", "-c"]);
        generic.insert_entries("labels", [("app", "web"), ("tier", "front")]);
        assert_eq!(texts, generic);
        assert_eq!(
            serde_json::to_value(&texts).unwrap(),
            serde_json::json!({"image": "nginx", "args": ["-a", "-b", "-c"], "labels": {"app": "web", "tier": "front"}})
        );
    }
}
