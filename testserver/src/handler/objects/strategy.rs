//! Kind-specific rules of the registry strategies the test server repeats: validation on
//! create and update, create defaults, CertificateSigningRequest conditions, DaemonSet template
//! generations.

use crate::handler::Target;
use crate::objmeta::{meta_mut, now_rfc3339};
use crate::status::ApiError;
use serde_json::{json, Value};

/// Validation kube-apiserver does that the test server repeats: the data keys of ConfigMaps
/// and Secrets (`IsConfigMapKey`).
pub(super) fn validate(t: &Target, name: &str, obj: &Value) -> Result<(), ApiError> {
    let fields: &[&str] = match (t.def.group.as_str(), t.def.kind.as_str()) {
        ("", "ConfigMap") => &["data", "binaryData"],
        ("", "Secret") => &["data", "stringData"],
        _ => return Ok(()),
    };
    for field in fields {
        let keys = obj
            .get(*field)
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.keys());
        for key in keys {
            let ok = !key.is_empty()
                && key.len() <= 253
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !ok {
                return Err(ApiError::invalid(
                    &t.def.kind,
                    name,
                    &t.def.group,
                    &format!("{field}[{key}]"),
                    &format!("Invalid value: {key:?}: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"),
                ));
            }
        }
    }
    Ok(())
}

/// The Pod strategy's update validation: besides images, `activeDeadlineSeconds`, added
/// tolerations and `terminationGracePeriodSeconds`, a pod's spec cannot change (422; the real
/// message goes on with a Go diff of the specs, left out here).
pub(super) fn check_pod_update(
    t: &Target,
    name: &str,
    old: &Value,
    new: &Value,
) -> Result<(), ApiError> {
    if (t.def.group.as_str(), t.def.plural.as_str()) != ("", "pods") {
        return Ok(());
    }
    let comparable = |v: &Value| {
        let mut spec = v.get("spec").cloned().unwrap_or(Value::Null);
        if let Some(m) = spec.as_object_mut() {
            for mutable in [
                "activeDeadlineSeconds",
                "tolerations",
                "terminationGracePeriodSeconds",
            ] {
                m.remove(mutable);
            }
            for list in ["containers", "initContainers"] {
                for c in m
                    .get_mut(list)
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_object_mut)
                {
                    c.remove("image");
                }
            }
        }
        spec
    };
    if comparable(old) == comparable(new) {
        return Ok(());
    }
    let mut e = ApiError::invalid(
        &t.def.kind,
        name,
        &t.def.group,
        "spec",
        "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
    );
    if let Some(d) = e.details.as_mut() {
        d["causes"][0]["reason"] = json!("FieldValueForbidden");
    }
    Err(e)
}

/// The Job strategy's update validation: the selector never changes, the pod template only
/// while the job is suspended (422 otherwise; the real message also prints the Go template).
pub(super) fn check_job_update(
    t: &Target,
    name: &str,
    old: &Value,
    new: &Value,
) -> Result<(), ApiError> {
    if (t.def.group.as_str(), t.def.plural.as_str()) != ("batch", "jobs") {
        return Ok(());
    }
    let suspended = new.pointer("/spec/suspend") == Some(&json!(true));
    let field = if new.pointer("/spec/selector") != old.pointer("/spec/selector") {
        "spec.selector"
    } else if !suspended && new.pointer("/spec/template") != old.pointer("/spec/template") {
        "spec.template"
    } else {
        return Ok(());
    };
    let shown = serde_json::to_string(
        new.pointer(&format!("/{}", field.replace('.', "/")))
            .unwrap_or(&Value::Null),
    )
    .unwrap_or_default();
    let mut e = ApiError::invalid(
        &t.def.kind,
        name,
        &t.def.group,
        field,
        &format!("Invalid value: {shown}: field is immutable"),
    );
    e.message = e.message.replacen("Job ", "Job.batch ", 1);
    Err(e)
}

/// Kind-specific defaults on create.
pub(super) fn apply_create_defaults(t: &Target, obj: &mut Value) {
    let Some(map) = obj.as_object_mut() else {
        return;
    };
    if t.def.has_status() && t.def.crd.is_none() && t.def.group != "apiextensions.k8s.io" {
        // Create strategies of built-in kinds with a status subresource reset status.
        map.remove("status");
    }
    if t.def.crd.is_some() && t.def.has_status() {
        map.remove("status");
    }
    match (t.def.group.as_str(), t.def.plural.as_str()) {
        ("", "namespaces") => {
            map.insert("status".into(), json!({"phase": "Active"}));
            // The namespace controller's finalizer: contents are deleted before the namespace.
            map.insert("spec".into(), json!({"finalizers": ["kubernetes"]}));
        }
        ("", "pods") => {
            map.insert(
                "status".into(),
                json!({"phase": "Pending", "qosClass": "BestEffort"}),
            );
        }
        // The create strategies reset status to Go's zero value; these are its fields
        // without omitempty.
        ("policy", "poddisruptionbudgets") => {
            map.insert(
                "status".into(),
                json!({"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}),
            );
        }
        ("apps", "daemonsets") => {
            // The strategy records the template's generation for old clients.
            if let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut) {
                let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
                if let Some(a) = annotations.as_object_mut() {
                    a.insert(
                        "deprecated.daemonset.template.generation".into(),
                        json!("1"),
                    );
                }
            }
        }
        ("autoscaling", "horizontalpodautoscalers") => {
            map.insert(
                "status".into(),
                json!({"currentMetrics": null, "desiredReplicas": 0}),
            );
        }
        // Its conditions are reset to an empty list, which omitempty leaves out.
        ("certificates.k8s.io", "certificatesigningrequests") => {
            map.insert("status".into(), json!({}));
        }
        _ => {}
    }
}

pub(super) fn is_csr(t: &Target) -> bool {
    (t.def.group.as_str(), t.def.plural.as_str())
        == ("certificates.k8s.io", "certificatesigningrequests")
}

/// What kube-apiserver's csrStrategy.PrepareForCreate does: the requester is whoever sent the
/// request, and nobody creates a pre-approved request.
pub(super) fn prepare_csr(obj: &mut Value, user: &crate::auth::UserInfo) {
    let mut groups = user.groups.clone();
    if !groups.iter().any(|g| g == "system:authenticated") {
        groups.push("system:authenticated".into());
    }
    if let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) {
        for k in ["uid", "extra"] {
            spec.remove(k);
        }
        spec.insert("username".into(), json!(user.name));
        spec.insert("groups".into(), json!(groups));
    }
}

/// csrStrategy's condition timestamps: `lastUpdateTime` now when unset, `lastTransitionTime`
/// kept from the same condition type and status before, else now.
pub(super) fn stamp_csr_conditions(old: &Value, new: &mut Value) {
    let now = now_rfc3339();
    let before = old
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let Some(conds) = new
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for c in conds.iter_mut().filter_map(Value::as_object_mut) {
        if c.get("lastUpdateTime").is_none_or(Value::is_null) {
            c.insert("lastUpdateTime".into(), json!(now));
        }
        if c.get("lastTransitionTime").is_none_or(Value::is_null) {
            let kept = before.iter().find(|o| {
                o.get("type") == c.get("type")
                    && o.get("status") == c.get("status")
                    && o.get("lastTransitionTime").is_some_and(|t| !t.is_null())
            });
            let at = kept
                .and_then(|o| o.get("lastTransitionTime").cloned())
                .unwrap_or_else(|| json!(now));
            c.insert("lastTransitionTime".into(), at);
        }
    }
}

/// A DaemonSet's template generation lives in Go as `spec.templateGeneration` and in v1 as
/// the `deprecated.daemonset.template.generation` annotation the conversion writes: kept from
/// the stored version, one more when the template changes.
pub(super) fn keep_template_generation(old: &Value, new: &mut Value) {
    const KEY: &str = "deprecated.daemonset.template.generation";
    let before = old
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(KEY))
        .and_then(Value::as_str)
        .and_then(|g| g.parse::<i64>().ok())
        .unwrap_or(1);
    let changed = old.pointer("/spec/template") != new.pointer("/spec/template");
    let generation = if changed { before + 1 } else { before };
    if let Some(meta) = meta_mut(new) {
        let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
        if let Some(a) = annotations.as_object_mut() {
            a.insert(KEY.into(), json!(generation.to_string()));
        }
    }
}
