//! PATCH bodies: JSON patch (RFC 6902), JSON merge patch (RFC 7386), strategic merge patch
//! (approximated without the spec's merge keys) and server-side apply (approximated).

use crate::status::ApiError;
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

/// Apply a patch body of `kind` to `current`, returning the new object.
///
/// Server-side apply is coarse: the applied configuration is merged like a strategic merge
/// patch; managedFields are not tracked, so there are no ownership conflicts and fields a
/// manager stops applying are not removed.
pub fn apply(
    kind: PatchKind,
    current: &Value,
    body: &[u8],
    _force: bool,
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
        PatchKind::Strategic | PatchKind::Apply => {
            let p = parse_json(body, "patch")?;
            if !p.is_object() {
                return Err(ApiError::bad_request(
                    "a strategic merge patch must be a JSON object",
                ));
            }
            strategic_merge(&mut doc, &p);
        }
    }
    Ok(doc)
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

fn strategic_merge(target: &mut Value, patch: &Value) {
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
        match pv {
            Value::Null => {
                tmap.remove(k);
            }
            Value::Object(_) => strategic_merge(tmap.entry(k.clone()).or_insert(Value::Null), pv),
            Value::Array(items) => match (tmap.get_mut(k), merge_key(items)) {
                (Some(Value::Array(existing)), Some(key))
                    if merge_key(existing) == Some(key) || existing.is_empty() =>
                {
                    merge_list(existing, items, key)
                }
                _ => {
                    tmap.insert(k.clone(), pv.clone());
                }
            },
            _ => {
                tmap.insert(k.clone(), pv.clone());
            }
        }
    }
}

fn merge_list(existing: &mut Vec<Value>, items: &[Value], key: &str) {
    for item in items {
        let id = item.get(key).cloned();
        let pos = existing.iter().position(|e| e.get(key) == id.as_ref());
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (pos, delete) {
            (Some(i), true) => {
                existing.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => strategic_merge(&mut existing[i], item),
            (None, false) => {
                let mut fresh = Value::Object(Map::new());
                strategic_merge(&mut fresh, item);
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
        apply(kind, &cur, &serde_json::to_vec(&p).expect("json"), false).expect("patch applies")
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
            false
        )
        .is_err());
        assert!(PatchKind::from_content_type("text/plain").is_err());
    }
}
