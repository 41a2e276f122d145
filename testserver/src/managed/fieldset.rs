//! Sets of field paths in the shape of `fieldsV1`: every node may be owned itself (a leaf, or
//! `"."` next to children) and has children keyed by path element — `f:name` (a field or map
//! key), `k:{"name":"web"}` (an item of a keyed list), `v:"x"` (an element of a set).

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A set of field paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet {
    /// The path to this node is in the set.
    pub own: bool,
    /// Paths below, by path element.
    pub children: BTreeMap<String, FieldSet>,
}

impl FieldSet {
    /// A set holding just this node.
    pub fn leaf() -> Self {
        FieldSet {
            own: true,
            children: BTreeMap::new(),
        }
    }

    /// No path at all.
    pub fn is_empty(&self) -> bool {
        !self.own && self.children.is_empty()
    }

    /// The node at `element`, created when missing.
    pub fn child_mut(&mut self, element: &str) -> &mut FieldSet {
        self.children.entry(element.to_string()).or_default()
    }

    /// Add every path of `other`.
    pub fn union(&mut self, other: &FieldSet) {
        self.own |= other.own;
        for (k, v) in &other.children {
            self.child_mut(k).union(v);
        }
    }

    /// Remove every path of `other` (exact paths: a node's descendants stay unless `other`
    /// names them too).
    pub fn subtract(&mut self, other: &FieldSet) {
        if other.own {
            self.own = false;
        }
        for (k, v) in &other.children {
            if let Some(mine) = self.children.get_mut(k) {
                mine.subtract(v);
                if mine.is_empty() {
                    self.children.remove(k);
                }
            }
        }
    }

    /// The paths in both sets.
    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        FieldSet {
            own: self.own && other.own,
            children: self
                .children
                .iter()
                .filter_map(|(k, v)| {
                    let both = v.intersection(other.children.get(k)?);
                    (!both.is_empty()).then(|| (k.clone(), both))
                })
                .collect(),
        }
    }

    /// Every path in the set, as element lists, in order.
    pub fn paths(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        self.collect_paths(&mut Vec::new(), &mut out);
        out
    }

    fn collect_paths(&self, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        if self.own && !prefix.is_empty() {
            out.push(prefix.clone());
        }
        for (k, v) in &self.children {
            prefix.push(k.clone());
            v.collect_paths(prefix, out);
            prefix.pop();
        }
    }

    /// The `fieldsV1` JSON of the set.
    pub fn to_fields_v1(&self) -> Value {
        let mut m = Map::new();
        if self.own && !self.children.is_empty() {
            m.insert(".".into(), Value::Object(Map::new()));
        }
        for (k, v) in &self.children {
            m.insert(k.clone(), v.to_fields_v1());
        }
        Value::Object(m)
    }

    /// Read `fieldsV1` JSON; the error says what is malformed.
    pub fn from_fields_v1(v: &Value) -> Result<FieldSet, String> {
        let Some(m) = v.as_object() else {
            return Err(format!("expected an object, found {v}"));
        };
        if m.is_empty() {
            return Ok(FieldSet::leaf());
        }
        let mut set = FieldSet::default();
        for (k, child) in m {
            if k == "." {
                set.own = true;
                continue;
            }
            if !matches!(k.get(..2), Some("f:" | "k:" | "v:" | "i:")) {
                return Err(format!(
                    "path element {k:?} is not one of f:, k:, v:, i: or \".\""
                ));
            }
            set.children
                .insert(k.clone(), FieldSet::from_fields_v1(child)?);
        }
        Ok(set)
    }
}

/// The path element of a field or map key.
pub fn field(name: &str) -> String {
    format!("f:{name}")
}

/// The path element of a keyed-list item: its key fields as a JSON object (sorted by name).
pub fn key(fields: &Map<String, Value>) -> String {
    format!("k:{}", Value::Object(fields.clone()))
}

/// The path element of a set element.
pub fn value(v: &Value) -> String {
    format!("v:{v}")
}

/// A path as kube-apiserver prints it in conflicts: `.spec.containers[name="web"].image`.
pub fn display(path: &[String]) -> String {
    let mut out = String::new();
    for element in path {
        let (kind, rest) = element.split_at(element.len().min(2));
        match kind {
            "f:" => {
                out.push('.');
                out.push_str(rest);
            }
            "k:" => {
                let fields: Vec<String> = serde_json::from_str::<Map<String, Value>>(rest)
                    .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect())
                    .unwrap_or_else(|_| vec![rest.to_string()]);
                out.push_str(&format!("[{}]", fields.join(",")));
            }
            "v:" => out.push_str(&format!("[={rest}]")),
            _ => out.push_str(&format!("[{rest}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_v1_round_trips_and_set_algebra() {
        let v = json!({"f:data": {".": {}, "f:a": {}}, "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}}}}});
        let s = FieldSet::from_fields_v1(&v).expect("valid");
        assert_eq!(s.to_fields_v1(), v);
        let paths: Vec<String> = s.paths().iter().map(|p| display(p)).collect();
        assert_eq!(
            paths,
            [
                ".data",
                ".data.a",
                ".spec.containers[name=\"web\"]",
                ".spec.containers[name=\"web\"].image"
            ]
        );
        let image = FieldSet::from_fields_v1(
            &json!({"f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {"f:image": {}}}}}),
        )
        .expect("valid");
        assert_eq!(s.intersection(&image), image);
        let mut rest = s.clone();
        rest.subtract(&image);
        assert_eq!(rest.paths().len(), 3);
        rest.union(&image);
        assert_eq!(rest, s);
        assert!(FieldSet::from_fields_v1(&json!({"x:y": {}})).is_err());
        assert!(FieldSet::from_fields_v1(&json!([])).is_err());
    }
}
