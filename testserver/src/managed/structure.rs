//! Walking objects the way structured-merge-diff does, on the generated merge metadata
//! (`kubeclient::discovery::PATCH_TYPES`): which parts of a value are separate fields, which
//! lists are keyed maps or sets, which values are atomic. Kinds the spec does not describe
//! (custom resources) are walked as plain objects with atomic lists.

use super::fieldset::{self, FieldSet};
use kubeclient::runtime::discovery::{
    find_patch_schema, FieldShape, ListType, PatchField, PatchSchema,
};
use serde_json::{Map, Value};

/// How a value is merged and owned.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// An object whose properties are fields (type known or not).
    Struct(Option<&'static PatchSchema>),
    /// An object whose keys are data; values of the given type.
    Map(Option<&'static PatchSchema>),
    /// A list of objects keyed by `keys`.
    KeyedList(&'static [&'static str], Option<&'static PatchSchema>),
    /// A list of distinct scalars.
    Set,
    /// Replaced and owned as a whole.
    Atomic,
}

fn type_named(name: Option<&str>) -> Option<&'static PatchSchema> {
    name.and_then(|name| find_patch_schema(kubeclient::discovery::PATCH_TYPES, name))
}

fn shape_of(field: &PatchField) -> Shape {
    let item = type_named(field.item_type);
    if field.atomic {
        return Shape::Atomic;
    }
    match (field.shape, field.list_type) {
        (FieldShape::List, Some(ListType::Map)) => Shape::KeyedList(field.list_keys, item),
        (FieldShape::List, Some(ListType::Set)) => Shape::Set,
        (FieldShape::List, _) => Shape::Atomic,
        (FieldShape::Map, _) => Shape::Map(item),
        (FieldShape::Object, _) => Shape::Struct(item),
    }
}

/// The shape of field `name` of an object of type `ty`. Fields the table leaves out are
/// scalars, untyped atomic lists or plain objects; the value tells them apart.
fn field_shape(ty: Option<&'static PatchSchema>, name: &str) -> Shape {
    ty.and_then(|t| t.field(name))
        .map_or(Shape::Struct(None), shape_of)
}

/// One child of a composite value: path element, shape, value, and whether the child is an
/// entry (map key, list item, set element) that is owned itself rather than only its fields.
pub struct Child<'v> {
    pub element: String,
    pub shape: Shape,
    pub value: &'v Value,
    pub entry: bool,
}

/// The children of `v`, or `None` when `v` is owned as a whole (scalars, atomic values,
/// lists whose items lack their keys).
pub fn children(shape: Shape, v: &Value) -> Option<Vec<Child<'_>>> {
    match (shape, v) {
        (Shape::Struct(ty), Value::Object(m)) => Some(
            m.iter()
                .map(|(k, cv)| Child {
                    element: fieldset::field(k),
                    shape: field_shape(ty, k),
                    value: cv,
                    entry: false,
                })
                .collect(),
        ),
        (Shape::Map(item), Value::Object(m)) => Some(
            m.iter()
                .map(|(k, cv)| Child {
                    element: fieldset::field(k),
                    shape: Shape::Struct(item),
                    value: cv,
                    entry: true,
                })
                .collect(),
        ),
        (Shape::KeyedList(keys, item), Value::Array(items)) => items
            .iter()
            .map(|i| {
                Some(Child {
                    element: fieldset::key(&key_of(keys, i)?),
                    shape: Shape::Struct(item),
                    value: i,
                    entry: true,
                })
            })
            .collect(),
        (Shape::Set, Value::Array(items)) => Some(
            items
                .iter()
                .map(|i| Child {
                    element: fieldset::value(i),
                    shape: Shape::Atomic,
                    value: i,
                    entry: true,
                })
                .collect(),
        ),
        _ => None,
    }
}

/// The key fields of a list item; `None` when one is missing or not a scalar.
fn key_of(keys: &[&str], item: &Value) -> Option<Map<String, Value>> {
    let m = item.as_object()?;
    if keys.is_empty() {
        return None;
    }
    keys.iter()
        .map(|k| {
            let v = m.get(*k).filter(|v| !v.is_object() && !v.is_array())?;
            Some((k.to_string(), v.clone()))
        })
        .collect()
}

/// The fields an applied configuration sets, as structured-merge-diff's `ToFieldSet` sees them:
/// scalars, atomic and empty values are owned; entries are owned themselves and by field;
/// a non-empty object field is owned only through its fields.
pub fn owned(shape: Shape, v: &Value, entry: bool) -> FieldSet {
    match children(shape, v) {
        Some(cs) if !cs.is_empty() => FieldSet {
            own: entry,
            children: cs
                .into_iter()
                .map(|c| (c.element, owned(c.shape, c.value, c.entry)))
                .collect(),
        },
        _ => FieldSet::leaf(),
    }
}

/// Every node of `v`, itself included (what a newly added value contributes).
pub fn all(shape: Shape, v: &Value) -> FieldSet {
    FieldSet {
        own: true,
        children: children(shape, v)
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.element, all(c.shape, c.value)))
            .collect(),
    }
}

/// Struct fields of built-in kinds that are pointers in Go (absent from an empty object),
/// among those requests commonly carry; every other struct field is a value struct, present
/// (empty) in any Go object that holds it.
const POINTER_STRUCTS: &[&str] = &[
    "f:affinity",
    "f:appArmorProfile",
    "f:behavior",
    "f:capabilities",
    "f:dnsConfig",
    "f:lifecycle",
    "f:livenessProbe",
    "f:ordinals",
    "f:persistentVolumeClaimRetentionPolicy",
    "f:podFailurePolicy",
    "f:readinessProbe",
    "f:rollingUpdate",
    "f:scaleDown",
    "f:scaleUp",
    "f:seLinuxOptions",
    "f:seccompProfile",
    "f:securityContext",
    "f:selector",
    "f:sessionAffinityConfig",
    "f:startupProbe",
    "f:successPolicy",
    "f:windowsOptions",
];

/// List fields of built-in kinds without `omitempty`: an empty Go object holds them as `null`,
/// so a new list is not added itself, only its items.
const NON_OMITEMPTY_LISTS: &[&str] = &["f:containers"];

/// Whether child `c` of a built-in kind's struct is there in any Go object that holds the
/// struct (a value struct, or a list without omitempty), so it is never "added" itself, only
/// what differs below it.
fn value_struct(c: &Child<'_>) -> bool {
    if c.entry {
        return false;
    }
    match c.shape {
        Shape::Struct(_) | Shape::Atomic if c.value.is_object() => {
            !POINTER_STRUCTS.contains(&c.element.as_str())
        }
        Shape::KeyedList(..) | Shape::Set => NON_OMITEMPTY_LISTS.contains(&c.element.as_str()),
        _ => false,
    }
}

/// The nodes a newly added value contributes to its writer's set, as structured-merge-diff
/// compares against the Go object before (an empty one on create): a value struct of a
/// built-in kind (`in_go`: present in that Go object already) is not added itself, only what
/// differs below it; maps, list entries, scalars, pointer structs and every object of a custom
/// resource (compared against `{}`) are added themselves (hence `"."` next to their children).
pub fn added(shape: Shape, v: &Value, in_go: bool, builtin: bool) -> FieldSet {
    let children = children(shape, v).unwrap_or_default();
    let own = match shape {
        _ if !(builtin && in_go) => true,
        // An atomic value struct is owned whole once it differs from the empty one.
        Shape::Atomic => v.as_object().is_some_and(|m| !m.is_empty()),
        _ => false,
    };
    FieldSet {
        own,
        children: children
            .into_iter()
            .map(|c| {
                let present = in_go && builtin && value_struct(&c);
                (c.element.clone(), added(c.shape, c.value, present, builtin))
            })
            .filter(|(_, set)| !set.is_empty())
            .collect(),
    }
}

/// What changed from `old` to `new`: (added or modified, removed), rooted at this node.
pub fn diff(shape: Shape, old: &Value, new: &Value) -> (FieldSet, FieldSet) {
    // Built-in kinds are the ones the merge table types at the root.
    diff_in(shape, old, new, matches!(shape, Shape::Struct(Some(_))))
}

fn diff_in(shape: Shape, old: &Value, new: &Value, builtin: bool) -> (FieldSet, FieldSet) {
    if old == new {
        return Default::default();
    }
    let same_kind = old.is_object() == new.is_object() && old.is_array() == new.is_array();
    let (Some(oc), Some(nc), true) = (children(shape, old), children(shape, new), same_kind) else {
        // Replaced as a whole: everything new is added, the old children are gone.
        let mut removed = all(shape, old);
        removed.own = false;
        return (all(shape, new), removed);
    };
    let mut up = FieldSet::default();
    let mut rm = FieldSet::default();
    for c in &nc {
        match oc.iter().find(|o| o.element == c.element) {
            None => {
                let set = added(c.shape, c.value, builtin && value_struct(c), builtin);
                if !set.is_empty() {
                    up.children.insert(c.element.clone(), set);
                }
            }
            Some(o) => {
                let (u, r) = diff_in(c.shape, o.value, c.value, builtin);
                if !u.is_empty() {
                    up.children.insert(c.element.clone(), u);
                }
                if !r.is_empty() {
                    rm.children.insert(c.element.clone(), r);
                }
            }
        }
    }
    for o in &oc {
        if !nc.iter().any(|c| c.element == o.element) {
            rm.children.insert(o.element.clone(), all(o.shape, o.value));
        }
    }
    (up, rm)
}

/// Merge an applied configuration into the live object: fields and map keys merge, keyed
/// list items merge by key (new ones appended), sets gain the new elements, everything else
/// is replaced. A `null` in the configuration removes the field.
pub fn merge(shape: Shape, live: &Value, config: &Value) -> Value {
    match (shape, live, config) {
        (Shape::Struct(_) | Shape::Map(_), Value::Object(l), Value::Object(c)) => {
            let mut out = l.clone();
            for (k, cv) in c {
                if cv.is_null() {
                    out.remove(k);
                    continue;
                }
                let child = match shape {
                    Shape::Struct(ty) => field_shape(ty, k),
                    Shape::Map(item) => Shape::Struct(item),
                    _ => Shape::Struct(None),
                };
                let merged = merge(child, l.get(k).unwrap_or(&Value::Null), cv);
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (Shape::KeyedList(keys, item), Value::Array(l), Value::Array(c))
            if l.iter().chain(c).all(|i| key_of(keys, i).is_some()) =>
        {
            let mut out = l.clone();
            for ci in c {
                let k = key_of(keys, ci);
                match out.iter_mut().find(|li| key_of(keys, li) == k) {
                    Some(li) => *li = merge(Shape::Struct(item), li, ci),
                    None => out.push(ci.clone()),
                }
            }
            Value::Array(out)
        }
        (Shape::Set, Value::Array(l), Value::Array(c)) => {
            let mut out = l.clone();
            for ci in c {
                if !out.contains(ci) {
                    out.push(ci.clone());
                }
            }
            Value::Array(out)
        }
        _ => config.clone(),
    }
}

/// Remove from `v` every owned path of `set` (a field, map key, list item or set element),
/// except nodes `keep` still has paths at or below: those stay and only their removed
/// children go (a manager that stops owning `spec` itself may still own `spec.replicas`).
pub fn remove(v: &mut Value, set: &FieldSet, keep: &FieldSet) {
    let nothing = FieldSet::default();
    for (element, sub) in &set.children {
        let kept = keep.children.get(element).unwrap_or(&nothing);
        let whole = sub.own && kept.is_empty();
        let (kind, rest) = element.split_at(element.len().min(2));
        match (kind, &mut *v) {
            ("f:", Value::Object(m)) => {
                if whole {
                    m.remove(rest);
                } else if let Some(child) = m.get_mut(rest) {
                    remove(child, sub, kept);
                }
            }
            ("k:", Value::Array(items)) => {
                let Ok(Value::Object(k)) = serde_json::from_str::<Value>(rest) else {
                    continue;
                };
                let matches = |i: &Value| k.iter().all(|(kk, kv)| i.get(kk) == Some(kv));
                if whole {
                    items.retain(|i| !matches(i));
                } else if let Some(i) = items.iter_mut().find(|i| matches(i)) {
                    remove(i, sub, kept);
                }
            }
            ("v:", Value::Array(items)) if whole => {
                if let Ok(gone) = serde_json::from_str::<Value>(rest) {
                    items.retain(|i| *i != gone);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Shape {
        Shape::Struct(crate::patch::schema_for("apps", "v1", "Deployment"))
    }

    #[test]
    fn owned_fields_follow_the_schema() {
        let applied = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
            "template": {"spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}}}});
        let set = owned(deployment(), &applied, false);
        let fields = set.to_fields_v1();
        assert_eq!(
            fields,
            json!({
                "f:metadata": {"f:labels": {"f:app": {}}},
                "f:spec": {
                    "f:replicas": {},
                    "f:selector": {},
                    "f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {
                        ".": {}, "f:image": {}, "f:name": {},
                        "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:protocol": {}}}
                    }}}}
                }
            }),
            "labels are a map, selector is atomic, containers and ports are keyed lists"
        );
    }

    #[test]
    fn diff_and_merge_by_key() {
        let live = json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}}}});
        let config =
            json!({"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "z"}]}}}});
        let merged = merge(deployment(), &live, &config);
        assert_eq!(
            merged.pointer("/spec/template/spec/containers"),
            Some(&json!([{"name": "a", "image": "x"}, {"name": "b", "image": "z"}]))
        );
        let (up, rm) = diff(deployment(), &live, &merged);
        let shown: Vec<String> = up.paths().iter().map(|p| fieldset::display(p)).collect();
        assert_eq!(shown, [".spec.template.spec.containers[name=\"b\"].image"]);
        assert!(rm.is_empty());
        let mut pruned = merged.clone();
        remove(&mut pruned, &up, &FieldSet::default());
        assert_eq!(
            pruned.pointer("/spec/template/spec/containers/1"),
            Some(&json!({"name": "b"}))
        );
    }
}
