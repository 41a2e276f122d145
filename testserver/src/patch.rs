//! PATCH bodies: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch
//! (driven by the spec's patch strategies and merge keys for built-in kinds). Server-side apply
//! is [`crate::managed`]'s: it needs field ownership.

use crate::status::ApiError;
use kubeclient::runtime::discovery::{find_patch_schema, FieldShape, PatchField, PatchSchema};
use serde_json::{Map, Value};

/// The patch type named by `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    /// `application/json-patch+json`.
    Json,
    /// `application/merge-patch+json`.
    Merge,
    /// `application/strategic-merge-patch+json`.
    Strategic,
    /// `application/apply-patch+yaml` (JSON bodies only).
    Apply,
}

impl PatchKind {
    /// Recognise the media type (parameters after `;` ignored).
    pub fn from_content_type(ct: &str) -> Result<Self, ApiError> {
        match ct.split(';').next().unwrap_or("").trim() {
            "application/json-patch+json" => Ok(PatchKind::Json),
            "application/merge-patch+json" => Ok(PatchKind::Merge),
            "application/strategic-merge-patch+json" => Ok(PatchKind::Strategic),
            "application/apply-patch+yaml" | "application/apply-patch+json" => Ok(PatchKind::Apply),
            _ => Err(ApiError::unsupported_media_type(ct)),
        }
    }
}

fn parse_json(body: &[u8], what: &str) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the {what} body is not valid JSON: {e}")))
}

/// Apply a patch body of `kind` to `current`, returning the new object. Apply bodies are
/// not patches of this kind: they go through [`crate::managed::apply`].
pub fn apply(
    kind: PatchKind,
    current: &Value,
    body: &[u8],
    schema: Option<&'static PatchSchema>,
) -> Result<Value, ApiError> {
    let mut doc = current.clone();
    match kind {
        PatchKind::Json => {
            let p: json_patch::Patch = serde_json::from_slice(body).map_err(|e| {
                ApiError::bad_request(format!(
                    "the JSON patch is not a valid RFC 6902 document: {e}"
                ))
            })?;
            json_patch::patch(&mut doc, &p).map_err(|e| {
                ApiError::unprocessable(format!("the JSON patch could not be applied: {e}"))
            })?;
        }
        PatchKind::Merge => json_patch::merge(&mut doc, &parse_json(body, "merge patch")?),
        PatchKind::Apply => {
            return Err(ApiError::internal(
                "server-side apply is handled by the field manager, not as a patch",
            ))
        }
        PatchKind::Strategic => {
            let p = parse_json(body, "patch")?;
            if !p.is_object() {
                return Err(ApiError::bad_request(
                    "a strategic merge patch must be a JSON object",
                ));
            }
            strategic_merge(&mut doc, &p, schema);
        }
    }
    Ok(doc)
}

/// The generated strategic-merge metadata of a built-in kind (`x-kubernetes-patch-strategy` and
/// `-merge-key` from the spec); `None` for kinds the spec does not describe (custom resources),
/// which fall back to the name-based heuristic.
pub fn schema_for(group: &str, version: &str, kind: &str) -> Option<&'static PatchSchema> {
    let (_, _, _, def) = kubeclient::discovery::KIND_DEFINITIONS
        .iter()
        .find(|(g, v, k, _)| *g == group && *v == version && *k == kind)?;
    find_patch_schema(kubeclient::discovery::PATCH_TYPES, def)
}

fn child_type(field: Option<&PatchField>) -> Option<&'static PatchSchema> {
    field
        .and_then(|f| f.item_type)
        .and_then(|name| find_patch_schema(kubeclient::discovery::PATCH_TYPES, name))
}

/// The key a list of objects merges on: without the spec's `x-kubernetes-patch-merge-key`,
/// lists whose items all carry `name` merge by name (containers, env, volumes, ports mostly do);
/// other lists are replaced.
fn merge_key(items: &[Value]) -> Option<&'static str> {
    let all_have =
        |k: &str| !items.is_empty() && items.iter().all(|i| i.get(k).is_some_and(Value::is_string));
    ["name", "containerPort", "mountPath", "type"]
        .into_iter()
        .find(|k| all_have(k))
}

/// Strategic merge of `patch` into `target`. With the kind's schema, lists merge by their
/// declared merge key (or as sets for primitive lists with the `merge` strategy) and every other
/// list is replaced, as kube-apiserver does; without one, lists of objects that all carry a
/// common key merge on it.
fn strategic_merge(target: &mut Value, patch: &Value, ty: Option<&'static PatchSchema>) {
    let Some(pmap) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if pmap.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut replaced = pmap.clone();
        replaced.remove("$patch");
        *target = Value::Object(replaced);
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Some(tmap) = target.as_object_mut() else {
        return;
    };
    for (k, pv) in pmap {
        if k.starts_with("$setElementOrder/") || k == "$retainKeys" || k == "$patch" {
            continue;
        }
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(list)), Some(remove)) = (tmap.get_mut(field), pv.as_array()) {
                list.retain(|v| !remove.contains(v));
            }
            continue;
        }
        let field = ty.and_then(|t| t.field(k));
        let child = child_type(field);
        match pv {
            Value::Null => {
                tmap.remove(k);
            }
            Value::Object(entries) if field.is_some_and(|f| f.shape == FieldShape::Map) => {
                // A map: its keys are data, each value merges with the value type.
                let slot = tmap
                    .entry(k.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !slot.is_object() {
                    *slot = Value::Object(Map::new());
                }
                if let Some(m) = slot.as_object_mut() {
                    for (mk, mv) in entries {
                        match mv {
                            Value::Null => {
                                m.remove(mk);
                            }
                            _ => strategic_merge(
                                m.entry(mk.clone()).or_insert(Value::Null),
                                mv,
                                child,
                            ),
                        }
                    }
                }
            }
            Value::Object(_) => {
                strategic_merge(tmap.entry(k.clone()).or_insert(Value::Null), pv, child)
            }
            Value::Array(items) => {
                let declared = ty.map(|_| {
                    field
                        .filter(|f| f.merges())
                        .map(|f| f.merge_key.unwrap_or_default())
                });
                match (tmap.get_mut(k), declared) {
                    // Schema known: merge by the declared key, union primitives, else replace.
                    (Some(Value::Array(existing)), Some(Some(key))) if !key.is_empty() => {
                        merge_list(existing, items, key, child)
                    }
                    (Some(Value::Array(existing)), Some(Some(_))) => {
                        for item in items {
                            if !existing.contains(item) {
                                existing.push(item.clone());
                            }
                        }
                    }
                    (_, Some(_)) => {
                        tmap.insert(k.clone(), strip_directives(pv));
                    }
                    // No schema: the heuristic.
                    (Some(Value::Array(existing)), None) => match merge_key(items) {
                        Some(key) if merge_key(existing) == Some(key) || existing.is_empty() => {
                            merge_list(existing, items, key, None)
                        }
                        _ => {
                            tmap.insert(k.clone(), pv.clone());
                        }
                    },
                    (_, None) => {
                        tmap.insert(k.clone(), pv.clone());
                    }
                }
            }
            _ => {
                tmap.insert(k.clone(), pv.clone());
            }
        }
    }
}

/// A list inserted whole must not keep `$patch` directives on its items.
fn strip_directives(list: &Value) -> Value {
    match list {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter(|i| i.get("$patch").and_then(Value::as_str) != Some("delete"))
                .map(|i| {
                    let mut i = i.clone();
                    if let Some(m) = i.as_object_mut() {
                        m.remove("$patch");
                    }
                    i
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn merge_list(
    existing: &mut Vec<Value>,
    items: &[Value],
    key: &str,
    ty: Option<&'static PatchSchema>,
) {
    for item in items {
        let id = item.get(key).cloned();
        let pos = existing.iter().position(|e| e.get(key) == id.as_ref());
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (pos, delete) {
            (Some(i), true) => {
                existing.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => strategic_merge(&mut existing[i], item, ty),
            (None, false) => {
                let mut fresh = Value::Object(Map::new());
                strategic_merge(&mut fresh, item, ty);
                existing.push(fresh);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(kind: PatchKind, cur: Value, p: Value) -> Value {
        apply(kind, &cur, &serde_json::to_vec(&p).expect("json"), None).expect("patch applies")
    }

    #[test]
    fn the_three_patch_types() {
        let cur = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"containers": [{"name": "c", "image": "x"}, {"name": "d", "image": "y"}]}});
        let merged = run(
            PatchKind::Merge,
            cur.clone(),
            json!({"metadata": {"labels": {"a": null, "c": "3"}}}),
        );
        assert_eq!(merged["metadata"]["labels"], json!({"b": "2", "c": "3"}));
        let jp = run(
            PatchKind::Json,
            cur.clone(),
            json!([{"op": "replace", "path": "/spec/containers/0/image", "value": "z"}]),
        );
        assert_eq!(jp["spec"]["containers"][0]["image"], json!("z"));
        let smp = run(
            PatchKind::Strategic,
            cur.clone(),
            json!({"spec": {"containers": [{"name": "d", "image": "w"}, {"name": "e", "image": "v"}]}}),
        );
        assert_eq!(
            smp["spec"]["containers"],
            json!([{"name": "c", "image": "x"}, {"name": "d", "image": "w"}, {"name": "e", "image": "v"}])
        );
        let del = run(
            PatchKind::Strategic,
            cur,
            json!({"spec": {"containers": [{"name": "c", "$patch": "delete"}]}}),
        );
        assert_eq!(
            del["spec"]["containers"],
            json!([{"name": "d", "image": "y"}])
        );
        assert!(apply(
            PatchKind::Json,
            &json!({}),
            b"[{\"op\":\"test\",\"path\":\"/a\",\"value\":1}]",
            None
        )
        .is_err());
        assert!(PatchKind::from_content_type("text/plain").is_err());
    }

    fn strategic(kind: (&str, &str, &str), cur: Value, p: Value) -> Value {
        let schema = schema_for(kind.0, kind.1, kind.2);
        assert!(schema.is_some(), "{kind:?} has patch metadata");
        apply(
            PatchKind::Strategic,
            &cur,
            &serde_json::to_vec(&p).expect("json"),
            schema,
        )
        .expect("patch applies")
    }

    #[test]
    fn spec_merge_keys_drive_list_merges() {
        let pod = ("", "v1", "Pod");
        // containers merge by `name`, their ports by `containerPort` (not by `name`, which
        // the heuristic would pick), env by `name`.
        let cur = json!({"spec": {"containers": [{"name": "c", "image": "x",
            "ports": [{"containerPort": 80, "name": "http"}], "env": [{"name": "A", "value": "1"}]}]}});
        let out = strategic(
            pod,
            cur,
            json!({"spec": {"containers": [{"name": "c",
            "ports": [{"containerPort": 443, "name": "http"}], "env": [{"name": "B", "value": "2"}]}]}}),
        );
        let c = &out["spec"]["containers"][0];
        assert_eq!(c["image"], json!("x"));
        assert_eq!(
            c["ports"],
            json!([{"containerPort": 80, "name": "http"}, {"containerPort": 443, "name": "http"}])
        );
        assert_eq!(
            c["env"],
            json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])
        );
    }

    #[test]
    fn lists_without_a_strategy_are_replaced_and_primitive_merge_lists_are_sets() {
        let pod = ("", "v1", "Pod");
        // `args` has no patch strategy: replaced. `metadata.finalizers` has `merge`: a set union.
        let cur = json!({"metadata": {"finalizers": ["a"]}, "spec": {"containers": [{"name": "c", "args": ["1", "2"]}]}});
        let out = strategic(
            pod,
            cur,
            json!({"metadata": {"finalizers": ["b", "a"]},
            "spec": {"containers": [{"name": "c", "args": ["3"]}]}}),
        );
        assert_eq!(out["spec"]["containers"][0]["args"], json!(["3"]));
        assert_eq!(out["metadata"]["finalizers"], json!(["a", "b"]));
    }

    #[test]
    fn deployment_template_lists_merge_through_nested_types() {
        let out = strategic(
            ("apps", "v1", "Deployment"),
            json!({"spec": {"template": {"spec": {"volumes": [{"name": "v1", "emptyDir": {}}]}}}}),
            json!({"spec": {"template": {"spec": {"volumes": [{"name": "v2", "emptyDir": {}}, {"name": "v1", "$patch": "delete"}]}}}}),
        );
        assert_eq!(
            out["spec"]["template"]["spec"]["volumes"],
            json!([{"name": "v2", "emptyDir": {}}])
        );
    }
}
