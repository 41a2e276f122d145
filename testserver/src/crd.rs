//! CustomResourceDefinitions: creating one makes the server serve its resource, deleting it
//! removes the resource and its objects.

use crate::handler::{State, Target};
use crate::resources::{ResourceDef, ScalePaths, SubresourceDef};
use crate::status::ApiError;
use serde_json::{json, Value};

fn is_crd(t: &Target) -> bool {
    t.def.group == "apiextensions.k8s.io" && t.def.plural == "customresourcedefinitions"
}

fn s<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    v.pointer(path)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Resource definitions (one per served version) of a CRD object.
fn defs(crd_name: &str, crd: &Value) -> Result<Vec<ResourceDef>, ApiError> {
    let invalid = |field: &str, why: &str| {
        ApiError::invalid(
            "CustomResourceDefinition",
            crd_name,
            "apiextensions.k8s.io",
            field,
            why,
        )
    };
    let group = s(crd, "/spec/group").ok_or_else(|| invalid("spec.group", "Required value"))?;
    let plural = s(crd, "/spec/names/plural")
        .ok_or_else(|| invalid("spec.names.plural", "Required value"))?;
    let kind =
        s(crd, "/spec/names/kind").ok_or_else(|| invalid("spec.names.kind", "Required value"))?;
    if crd_name != format!("{plural}.{group}") {
        return Err(invalid(
            "metadata.name",
            &format!("Invalid value: {crd_name:?}: must be spec.names.plural+\".\"+spec.group"),
        ));
    }
    let singular =
        s(crd, "/spec/names/singular").map_or_else(|| kind.to_lowercase(), str::to_string);
    let namespaced = match s(crd, "/spec/scope") {
        Some("Namespaced") => true,
        Some("Cluster") => false,
        _ => {
            return Err(invalid(
                "spec.scope",
                "Unsupported value: must be Namespaced or Cluster",
            ))
        }
    };
    let short_names: Vec<String> = crd
        .pointer("/spec/names/shortNames")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let versions = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .filter(|v| !v.is_empty());
    let versions = versions.ok_or_else(|| {
        invalid(
            "spec.versions",
            "Required value: must have at least one version",
        )
    })?;
    let verbs: Vec<String> = crate::resources::ALL_VERBS
        .iter()
        .map(|v| v.to_string())
        .collect();
    let mut out = Vec::new();
    for v in versions {
        let Some(version) = s(v, "/name") else {
            return Err(invalid("spec.versions[].name", "Required value"));
        };
        if v.get("served").and_then(Value::as_bool) == Some(false) {
            continue;
        }
        let mut subresources = Vec::new();
        let sub_verbs: Vec<String> = ["get", "patch", "update"]
            .iter()
            .map(|v| v.to_string())
            .collect();
        if v.pointer("/subresources/status").is_some() {
            subresources.push(SubresourceDef {
                name: "status".into(),
                group: group.into(),
                version: version.into(),
                kind: kind.into(),
                verbs: sub_verbs.clone(),
            });
        }
        let scale = v.pointer("/subresources/scale").map(|sc| {
            let path = |p: &str, default: &str| {
                s(sc, p)
                    .unwrap_or(default)
                    .trim_start_matches('.')
                    .to_string()
            };
            ScalePaths {
                spec_replicas: path("/specReplicasPath", ".spec.replicas"),
                status_replicas: path("/statusReplicasPath", ".status.replicas"),
                label_selector: s(sc, "/labelSelectorPath")
                    .map(|p| p.trim_start_matches('.').to_string()),
            }
        });
        if scale.is_some() {
            subresources.push(SubresourceDef {
                name: "scale".into(),
                group: "autoscaling".into(),
                version: "v1".into(),
                kind: "Scale".into(),
                verbs: sub_verbs,
            });
        }
        out.push(ResourceDef {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: singular.clone(),
            short_names: short_names.clone(),
            namespaced,
            verbs: verbs.clone(),
            subresources,
            scale,
            crd: Some(crd_name.to_string()),
            printer_columns: printer_columns(v),
        });
    }
    Ok(out)
}

/// A CRD version's `additionalPrinterColumns`; without any, the `Age` column kube-apiserver
/// gives custom resources.
fn printer_columns(version: &Value) -> Vec<crate::resources::PrinterColumn> {
    let text = |c: &Value, k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let declared: Vec<_> = version
        .get("additionalPrinterColumns")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| crate::resources::PrinterColumn {
            name: text(c, "name"),
            type_: text(c, "type"),
            format: text(c, "format"),
            description: text(c, "description"),
            priority: c.get("priority").and_then(Value::as_i64).unwrap_or(0),
            json_path: text(c, "jsonPath"),
        })
        .collect();
    if !declared.is_empty() {
        return declared;
    }
    vec![crate::resources::PrinterColumn {
        name: "Age".into(),
        type_: "date".into(),
        format: String::new(),
        description: String::new(),
        priority: 0,
        json_path: ".metadata.creationTimestamp".into(),
    }]
}

/// Validate a CRD being created and fill in the status the apiextensions controllers would.
pub fn on_create(t: &Target, obj: &mut Value) -> Result<(), ApiError> {
    if !is_crd(t) {
        return Ok(());
    }
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    defs(&name, obj)?;
    let storage: Vec<Value> = obj
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
                .filter_map(|v| v.get("name").cloned())
                .collect()
        })
        .unwrap_or_default();
    let names = obj.pointer("/spec/names").cloned().unwrap_or(json!({}));
    let now = crate::objmeta::now_rfc3339();
    if let Some(m) = obj.as_object_mut() {
        m.insert(
            "status".into(),
            json!({
                "acceptedNames": names,
                "storedVersions": storage,
                "conditions": [
                    {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": now},
                    {"type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": now}
                ]
            }),
        );
    }
    Ok(())
}

/// After a CRD was written (`Some`) or removed (`None`), bring the served resources in line.
pub fn after_write(state: &State, t: &Target, name: &str, obj: Option<&Value>) {
    if !is_crd(t) {
        return;
    }
    let Ok(new_defs) = obj.map(|o| defs(name, o)).transpose() else {
        return;
    };
    let removed_key = {
        let mut reg = state.registry_mut();
        let old_key = reg.by_crd(name).map(|d| d.storage_key());
        reg.remove_crd(name);
        if let Some(defs) = new_defs {
            for d in defs {
                reg.insert(d);
            }
        }
        old_key.filter(|_| obj.is_none())
    };
    if let Some(key) = removed_key {
        let mut store = state.store();
        for o in store.list(&key, None) {
            let ns = o
                .value
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let n = o
                .value
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            store.remove(&key, &ns, &n);
        }
    }
}
