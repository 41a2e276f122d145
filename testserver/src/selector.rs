//! Label and field selectors, in the syntax of `labelSelector` / `fieldSelector` query
//! parameters.

use crate::status::ApiError;
use serde_json::Value;

/// A parsed label selector (the runtime's parser, as clients use it); all requirements must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector(kubeclient::runtime::labels::Selector);

impl LabelSelector {
    /// Parse `a=b,c!=d,e in (f,g),h notin (i),j,!k`; a bad requirement is 400 BadRequest.
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        for part in kubeclient::runtime::labels::split_requirements(s) {
            exact_value_token(part)?;
        }
        kubeclient::runtime::labels::Selector::parse(s)
            .map(LabelSelector)
            .map_err(|e| ApiError::bad_request(e.to_string()))
    }

    /// True when `obj`'s labels satisfy every requirement.
    pub fn matches(&self, obj: &Value) -> bool {
        let labels = obj.pointer("/metadata/labels");
        self.0
            .matches_with(|k| labels.and_then(|l| l.get(k)).and_then(Value::as_str))
    }

    /// True when it selects everything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// kube-apiserver's lexer reads a parenthesis after `=`, `==` or `!=` as a token of its own,
/// where the parser wants a value: `a=(b` is refused in its words.
fn exact_value_token(requirement: &str) -> Result<(), ApiError> {
    let value = ["!=", "==", "="]
        .iter()
        .find_map(|op| requirement.split_once(op).map(|(_, v)| v.trim_start()));
    match value.and_then(|v| v.chars().next()) {
        Some(c @ ('(' | ')')) => Err(ApiError::bad_request(format!(
            "unable to parse requirement: found '{c}', expected: identifier"
        ))),
        _ => Ok(()),
    }
}

/// A parsed field selector: `metadata.name=x,spec.nodeName!=y`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    /// Parse; each term is `path=value`, `path==value` or `path!=value`.
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        let mut terms = Vec::new();
        for part in kubeclient::runtime::labels::split_requirements(s) {
            let (path, eq, value) = if let Some((k, v)) = part.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = part.split_once("==") {
                (k, true, v)
            } else if let Some((k, v)) = part.split_once('=') {
                (k, true, v)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{part}'; can't understand '{part}'"
                )));
            };
            terms.push((path.trim().to_string(), eq, value.trim().to_string()));
        }
        Ok(FieldSelector(terms))
    }

    /// True when every term holds. A field the object lacks compares as the empty string,
    /// as kube-apiserver's field sets do for unset fields.
    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|(path, eq, want)| {
            let got = field_value(obj, path);
            (got == *want) == *eq
        })
    }

    /// True when it selects everything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The fields kube-apiserver can select objects of a built-in kind by, beyond the default
/// `metadata.name` and `metadata.namespace` (the field label conversion functions of
/// `pkg/apis/*/v1/conversion.go`, 1.35), with the message of an unsupported one.
fn supported_fields(group: &str, kind: &str) -> Option<&'static [&'static str]> {
    Some(match (group, kind) {
        ("", "Pod") => &[
            "metadata.name",
            "metadata.namespace",
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
            "spec.host",
        ],
        ("", "Node") => &["metadata.name", "spec.unschedulable"],
        ("", "ReplicationController") => {
            &["metadata.name", "metadata.namespace", "status.replicas"]
        }
        ("", "Event") => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
            "metadata.namespace",
            "metadata.name",
        ],
        ("", "Namespace") => &["status.phase", "metadata.name"],
        ("", "Secret") => &["type", "metadata.namespace", "metadata.name"],
        ("", "Service") => &[
            "metadata.namespace",
            "metadata.name",
            "spec.clusterIP",
            "spec.type",
        ],
        ("batch", "Job") => &["metadata.name", "metadata.namespace", "status.successful"],
        ("certificates.k8s.io", "CertificateSigningRequest") => {
            &["metadata.name", "spec.signerName"]
        }
        ("events.k8s.io", "Event") => &[
            "regarding.kind",
            "regarding.namespace",
            "regarding.name",
            "regarding.uid",
            "regarding.apiVersion",
            "regarding.resourceVersion",
            "regarding.fieldPath",
            "reportingController",
            "type",
            "metadata.namespace",
            "metadata.name",
        ],
        ("resource.k8s.io", "ResourceSlice") => &["metadata.name", "spec.nodeName", "spec.driver"],
        _ => return None,
    })
}

impl FieldSelector {
    /// 400 unless every term names a field objects of this kind can be selected by, in
    /// kube-apiserver's words. Custom resources are not checked (their selectable fields
    /// come from the CRD).
    pub fn check_supported(&self, group: &str, kind: &str, custom: bool) -> Result<(), ApiError> {
        if custom {
            return Ok(());
        }
        let Some((path, _, _)) =
            self.0
                .iter()
                .find(|(path, _, _)| match supported_fields(group, kind) {
                    Some(fields) => !fields.contains(&path.as_str()),
                    None => !matches!(path.as_str(), "metadata.name" | "metadata.namespace"),
                })
        else {
            return Ok(());
        };
        let message = match (group, kind) {
            ("batch", "Job") => format!("field label {path:?} not supported for Job"),
            ("resource.k8s.io", "ResourceSlice") => format!(
                "field label not supported for resource.k8s.io/v1, Kind=ResourceSlice: {path}"
            ),
            _ if supported_fields(group, kind).is_some() => {
                format!("field label not supported: {path}")
            }
            _ => format!(
                "{path:?} is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
            ),
        };
        Err(ApiError::bad_request(message))
    }
}

/// A dotted path's value rendered as a string (`""` when missing).
pub fn field_value(obj: &Value, path: &str) -> String {
    let mut cur = obj;
    for seg in path.split('.') {
        match cur.get(seg) {
            Some(v) => cur = v,
            None => return String::new(),
        }
    }
    match cur {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(labels: Value) -> Value {
        json!({"metadata": {"name": "p", "namespace": "ns", "labels": labels}, "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}})
    }

    #[test]
    fn label_operators() {
        let p = pod(json!({"app": "web", "tier": "front"}));
        for (sel, want) in [
            ("app=web", true),
            ("app==web", true),
            ("app!=web", false),
            ("app in (web, db)", true),
            ("app notin (web,db)", false),
            ("tier notin (back)", true),
            ("missing notin (x)", true),
            ("app", true),
            ("!app", false),
            ("!missing", true),
            ("app=web,tier in (front),!missing", true),
            ("app in (db)", false),
            ("", true),
        ] {
            assert_eq!(
                LabelSelector::parse(sel).expect(sel).matches(&p),
                want,
                "{sel}"
            );
        }
        assert!(LabelSelector::parse("app in web").is_err());
    }

    #[test]
    fn field_selectors() {
        let p = pod(json!({}));
        for (sel, want) in [
            ("metadata.name=p", true),
            ("metadata.namespace==ns", true),
            ("spec.nodeName=n1,status.phase=Running", true),
            ("status.phase!=Running", false),
            ("spec.nodeName=", false),
            ("spec.missing=", true),
        ] {
            assert_eq!(
                FieldSelector::parse(sel).expect(sel).matches(&p),
                want,
                "{sel}"
            );
        }
        assert!(FieldSelector::parse("nonsense").is_err());
    }
}
