//! API errors and the `metav1.Status` bodies the real server sends with them.

use serde_json::{json, Value};

/// A failed API call: HTTP status code, machine-readable reason and message, as kube-apiserver
/// reports it in a `Status` body.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code} {reason}: {message}")]
pub struct ApiError {
    /// HTTP status code.
    pub code: u16,
    /// `Status.reason` (`NotFound`, `AlreadyExists`, `Conflict`, ...).
    pub reason: &'static str,
    /// Human-readable message, in kube-apiserver's wording where it matters to clients.
    pub message: String,
    /// `Status.details` (name, group, kind, causes) when the error concerns one object.
    pub details: Option<Value>,
}

/// Identifies the object an error is about, for `Status.details`.
pub struct Target<'a> {
    /// API group of the resource.
    pub group: &'a str,
    /// Plural resource name (`pods`); kube-apiserver puts it in `details.kind`.
    pub plural: &'a str,
    /// Object name.
    pub name: &'a str,
}

impl Target<'_> {
    fn details(&self) -> Value {
        // kube-apiserver leaves the core group's empty name out.
        let mut details = json!({"name": self.name, "kind": self.plural});
        if !self.group.is_empty() {
            details["group"] = json!(self.group);
        }
        details
    }
    /// `pods "x"` or `deployments.apps "x"`, as the real messages spell it.
    fn qualified(&self) -> String {
        if self.group.is_empty() {
            format!("{} \"{}\"", self.plural, self.name)
        } else {
            format!("{}.{} \"{}\"", self.plural, self.group, self.name)
        }
    }
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }
    /// 400 BadRequest.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }
    /// 401 Unauthorized.
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }
    /// 403 Forbidden with kube-apiserver's message.
    pub fn forbidden(message: &str, plural: &str, name: &str) -> Self {
        ApiError {
            details: Some(json!({"name": name, "kind": plural})),
            ..Self::new(403, "Forbidden", message)
        }
    }
    /// 404 NotFound for a path that names no resource.
    pub fn path_not_found(path: &str) -> Self {
        // go-restful's 404, as kube-apiserver turns it into a Status (no path in it).
        let _ = path;
        ApiError {
            details: Some(json!({})),
            ..Self::new(
                404,
                "NotFound",
                "the server could not find the requested resource",
            )
        }
    }
    /// 404 NotFound for an object.
    pub fn not_found(t: &Target<'_>) -> Self {
        ApiError {
            details: Some(t.details()),
            ..Self::new(404, "NotFound", format!("{} not found", t.qualified()))
        }
    }
    /// 409 AlreadyExists.
    pub fn already_exists(t: &Target<'_>) -> Self {
        ApiError {
            details: Some(t.details()),
            ..Self::new(
                409,
                "AlreadyExists",
                format!("{} already exists", t.qualified()),
            )
        }
    }
    /// 409 Conflict: the caller's resourceVersion or precondition is stale.
    pub fn conflict(t: &Target<'_>, why: &str) -> Self {
        ApiError {
            details: Some(t.details()),
            ..Self::new(
                409,
                "Conflict",
                format!("Operation cannot be fulfilled on {}: {why}", t.qualified()),
            )
        }
    }
    /// 422 Invalid, with one cause naming the offending field.
    pub fn invalid(kind: &str, name: &str, group: &str, field: &str, why: &str) -> Self {
        let shown = if name.is_empty() { "" } else { name };
        let mut details = json!({
            "name": name, "kind": kind,
            "causes": [{"reason": "FieldValueInvalid", "message": why, "field": field}]
        });
        if !group.is_empty() {
            details["group"] = json!(group);
        }
        ApiError {
            details: Some(details),
            ..Self::new(
                422,
                "Invalid",
                format!("{kind} \"{shown}\" is invalid: {field}: {why}"),
            )
        }
    }
    /// 422 Invalid raised by the registry itself, which names the resource (plural and group)
    /// where validation names the kind.
    pub fn invalid_in_registry(t: &Target<'_>, field: &str, why: &str) -> Self {
        let mut details = t.details();
        details["causes"] =
            json!([{"reason": "FieldValueInvalid", "message": why, "field": field}]);
        ApiError {
            details: Some(details),
            ..Self::new(
                422,
                "Invalid",
                format!("{} is invalid: {field}: {why}", t.qualified()),
            )
        }
    }
    /// 405 MethodNotAllowed for a verb the resource does not serve.
    pub fn method_not_allowed(verb: &str, plural: &str) -> Self {
        // go-restful's 405 as kube-apiserver words it: neither verb nor resource named.
        let _ = (verb, plural);
        ApiError {
            details: Some(json!({})),
            ..Self::new(
                405,
                "MethodNotAllowed",
                "the server does not allow this method on the requested resource",
            )
        }
    }
    /// 406 NotAcceptable: nothing in `Accept` is a type the endpoint can produce.
    pub fn not_acceptable(supported: &[&str]) -> Self {
        Self::new(
            406,
            "NotAcceptable",
            format!(
                "only the following media types are accepted: {}",
                supported.join(", ")
            ),
        )
    }
    /// 410 Gone / Expired: a resourceVersion older than the retained history.
    pub fn expired(requested: u64, oldest: u64) -> Self {
        Self::new(
            410,
            "Expired",
            format!("too old resource version: {requested} ({oldest})"),
        )
    }
    /// 410 Expired for a continue token whose snapshot is no longer retained, in
    /// kube-apiserver's words.
    pub fn continue_expired() -> Self {
        Self::new(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.")
    }
    /// 504 Timeout for a resourceVersion the server has not reached; the cause type
    /// `ResourceVersionTooLarge` is what client-go's reflector looks for.
    pub fn too_large_resource_version(requested: u64, current: u64) -> Self {
        ApiError {
            details: Some(json!({
                "causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                "retryAfterSeconds": 1
            })),
            ..Self::new(
                504,
                "Timeout",
                format!("Too large resource version: {requested}, current: {current}"),
            )
        }
    }
    /// 403 Forbidden for a create in a namespace that is being deleted (the NamespaceLifecycle
    /// admission plugin's error).
    pub fn namespace_terminating(t: &Target<'_>, ns: &str) -> Self {
        let mut details = t.details();
        if let Some(m) = details.as_object_mut() {
            m.insert("causes".into(), json!([{"reason": "NamespaceTerminating", "message": format!("namespace {ns} is being terminated"), "field": "metadata.namespace"}]));
        }
        ApiError {
            details: Some(details),
            ..Self::new(403, "Forbidden", format!("{} is forbidden: unable to create new content in namespace {ns} because it is being terminated", t.qualified()))
        }
    }
    /// 422 Invalid list options (`ListOptions` in kube-apiserver's validation).
    pub fn invalid_list_options(field: &str, why: &str) -> Self {
        ApiError {
            details: Some(json!({
                "group": "meta.k8s.io", "kind": "ListOptions",
                "causes": [{"reason": "FieldValueForbidden", "message": format!("Forbidden: {why}"), "field": field}]
            })),
            ..Self::new(
                422,
                "Invalid",
                format!("ListOptions.meta.k8s.io \"\" is invalid: {field}: Forbidden: {why}"),
            )
        }
    }
    /// 422 Invalid request options (`CreateOptions`, `PatchOptions`, ...): each error is
    /// (cause reason, field, message), worded as apimachinery's field errors.
    pub fn invalid_options(kind: &str, errs: &[(&str, &str, String)]) -> Self {
        let mut bodies: Vec<String> = errs.iter().map(|(_, f, m)| format!("{f}: {m}")).collect();
        let joined = if bodies.len() == 1 {
            bodies.remove(0)
        } else {
            format!("[{}]", bodies.join(", "))
        };
        let causes: Vec<Value> = errs
            .iter()
            .map(|(r, f, m)| json!({"reason": r, "message": m, "field": f}))
            .collect();
        ApiError {
            details: Some(json!({"group": "meta.k8s.io", "kind": kind, "causes": causes})),
            ..Self::new(
                422,
                "Invalid",
                format!("{kind}.meta.k8s.io \"\" is invalid: {joined}"),
            )
        }
    }
    /// 415 UnsupportedMediaType for a body type the endpoint does not take.
    pub fn unsupported_media_type(content_type: &str) -> Self {
        // go-restful refuses the route before kube-apiserver's handler sees the request.
        let _ = content_type;
        ApiError {
            details: Some(json!({})),
            ..Self::new(415, "UnsupportedMediaType", "415: Unsupported Media Type")
        }
    }
    /// 415 for a patch type custom resources do not take (strategic merge), in the words of
    /// the apiextensions patch handler.
    pub fn unsupported_patch_for_custom_resource() -> Self {
        Self::new(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
    }
    /// 422 Invalid without a single field to blame (a patch that cannot be applied).
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(422, "Invalid", message)
    }
    /// 415 UnsupportedMediaType for a request body that is not JSON (protobuf, CBOR).
    pub fn unsupported_body(content_type: &str) -> Self {
        Self::new(415, "UnsupportedMediaType", format!("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml; got {content_type:?}"))
    }
    /// 413 RequestEntityTooLarge, worded as kube-apiserver's `limitedReadBody`.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            413,
            "RequestEntityTooLarge",
            format!("Request entity too large: limit is {limit}"),
        )
    }
    /// 503 ServiceUnavailable (a proxy target that cannot be reached).
    pub fn service_unavailable(message: impl Into<String>) -> Self {
        Self::new(503, "ServiceUnavailable", message)
    }
    /// 500 InternalError.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message)
    }

    /// The `Status` body for this error.
    pub fn to_status(&self) -> Value {
        let mut v = json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {},
            "status": "Failure", "message": self.message, "reason": self.reason, "code": self.code
        });
        if let (Some(d), Some(map)) = (&self.details, v.as_object_mut()) {
            map.insert("details".into(), d.clone());
        }
        v
    }
}

/// A `Status` with `status: Success` (what deletes of some kinds and evictions return).
pub fn success(code: u16, details: Option<Value>) -> Value {
    let mut v = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": code});
    if let (Some(d), Some(map)) = (details, v.as_object_mut()) {
        map.insert("details".into(), d);
    }
    v
}
