//! The create-only review kinds, evaluated instead of stored, as kube-apiserver does:
//! `authorization.k8s.io` SelfSubjectAccessReview, SubjectAccessReview,
//! LocalSubjectAccessReview and SelfSubjectRulesReview (what `kubectl auth can-i` asks), and
//! `authentication.k8s.io` SelfSubjectReview (`kubectl auth whoami`) and TokenReview.
//!
//! Answers follow the real server's: the access reviews echo the request with managedFields and
//! a `status.allowed`; the rules review drops its spec; TokenReview reports an unknown token in
//! `status.error` rather than failing.

use super::objects::{parse_object, writer, Part};
use super::{json_response, Body, Req, State, Target};
use crate::auth::{Authorizer, UserInfo};
use crate::managed;
use crate::objmeta::now_rfc3339;
use crate::status::ApiError;
use hyper::Response;
use serde_json::{json, Map, Value};

/// The audience kube-apiserver's own tokens are for (`--api-audiences`, default the issuer).
const API_AUDIENCE: &str = "https://kubernetes.default.svc.cluster.local";

/// Non-resource URLs every authenticated user may `get` (the `system:discovery` and
/// `system:public-info-viewer` cluster roles).
const PUBLIC_URLS: &[&str] = &[
    "/api",
    "/api/*",
    "/apis",
    "/apis/*",
    "/healthz",
    "/livez",
    "/openapi",
    "/openapi/*",
    "/readyz",
    "/version",
    "/version/",
];

/// Whether `t` is a review kind this module answers.
pub fn handles(t: &Target) -> bool {
    matches!(
        (t.def.group.as_str(), t.def.plural.as_str()),
        (
            "authorization.k8s.io",
            "selfsubjectaccessreviews"
                | "subjectaccessreviews"
                | "localsubjectaccessreviews"
                | "selfsubjectrulesreviews"
        ) | (
            "authentication.k8s.io",
            "selfsubjectreviews" | "tokenreviews"
        )
    )
}

/// Evaluate a POSTed review and answer 201 with its status; nothing is stored.
pub fn create(state: &State, t: &Target, req: &Req) -> Result<Response<Body>, ApiError> {
    let mut obj = parse_object(t, &req.body)?;
    let answer = match t.def.plural.as_str() {
        "selfsubjectrulesreviews" => rules_review(state, &req.user, &obj),
        "selfsubjectreviews" => self_subject_review(&req.user, &obj),
        "tokenreviews" => {
            with_managed_fields(t, req, &mut obj)?;
            token_review(state, obj)?
        }
        plural => {
            with_managed_fields(t, req, &mut obj)?;
            access_review(state, t, plural, &req.user, obj)?
        }
    };
    Ok(json_response(
        201,
        serde_json::to_vec(&answer).unwrap_or_default(),
    ))
}

/// The access and token reviews go through the normal create path's field manager, so their
/// answer carries an `Update` managedFields entry for the spec.
fn with_managed_fields(t: &Target, req: &Req, obj: &mut Value) -> Result<(), ApiError> {
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    // Without a schema every object counts as added itself, as pointer structs such as
    // `resourceAttributes` are; `spec` is a value struct in Go, present in the empty object, so
    // it carries no `"."` of its own.
    managed::on_create(None, obj, &writer(t, req, Part::Main, ""))?;
    if let Some(entries) = obj
        .pointer_mut("/metadata/managedFields")
        .and_then(Value::as_array_mut)
    {
        for e in entries {
            if let Some(spec) = e
                .pointer_mut("/fieldsV1/f:spec")
                .and_then(Value::as_object_mut)
            {
                spec.remove(".");
            }
        }
    }
    Ok(())
}

/// 422 as kube-apiserver words validation errors of these kinds, which have no name.
fn invalid(group: &str, field: &str, why: String) -> ApiError {
    ApiError {
        code: 422,
        reason: "Invalid",
        message: format!(".{group} \"\" is invalid: {field}: {why}"),
        details: Some(json!({
            "group": group,
            "causes": [{"reason": "FieldValueInvalid", "message": why, "field": field}],
        })),
    }
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn access_review(
    state: &State,
    t: &Target,
    plural: &str,
    caller: &UserInfo,
    mut obj: Value,
) -> Result<Value, ApiError> {
    let group = "authorization.k8s.io";
    let spec = obj.get("spec").cloned().unwrap_or_else(|| json!({}));
    let resource = spec.get("resourceAttributes").filter(|v| v.is_object());
    let non_resource = spec.get("nonResourceAttributes").filter(|v| v.is_object());
    if resource.is_some() == non_resource.is_some() {
        let field = if resource.is_some() {
            "spec.nonResourceAttributes"
        } else {
            "spec.resourceAttributes"
        };
        let why = if resource.is_some() { "{...}" } else { "null" };
        return Err(invalid(
            group,
            field,
            format!("Invalid value: {why}: exactly one of nonResourceAttributes or resourceAttributes must be specified"),
        ));
    }
    let subject = match plural {
        "selfsubjectaccessreviews" => caller.clone(),
        _ => {
            let user = str_at(&spec, "user");
            let groups: Vec<String> = spec
                .get("groups")
                .and_then(Value::as_array)
                .map(|g| {
                    g.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if user.is_empty() && groups.is_empty() {
                return Err(invalid(
                    group,
                    "spec.user",
                    "Invalid value: \"\": at least one of user or group must be specified"
                        .to_owned(),
                ));
            }
            UserInfo {
                name: user.to_owned(),
                groups,
            }
        }
    };
    if plural == "localsubjectaccessreviews" {
        if non_resource.is_some() {
            return Err(invalid(
                group,
                "spec.nonResourceAttributes",
                "Invalid value: {...}: disallowed on this kind of request".to_owned(),
            ));
        }
        let ns = resource.map(|r| str_at(r, "namespace")).unwrap_or_default();
        if ns != t.namespace {
            return Err(invalid(
                group,
                "spec.resourceAttributes.namespace",
                format!("Invalid value: {ns:?}: must match metadata.namespace"),
            ));
        }
    }
    let allowed = match (resource, non_resource) {
        (Some(r), _) => {
            let plural = str_at(r, "resource");
            let resource = match str_at(r, "subresource") {
                "" => plural.to_owned(),
                sub => format!("{plural}/{sub}"),
            };
            state.authorizer.allows(
                &subject,
                str_at(r, "verb"),
                &resource,
                str_at(r, "namespace"),
            )
        }
        (None, Some(n)) => non_resource_allowed(&state.authorizer, &subject, n),
        (None, None) => false,
    };
    if plural == "localsubjectaccessreviews" {
        obj["metadata"]["namespace"] = json!(t.namespace);
    }
    obj["status"] = json!({ "allowed": allowed });
    Ok(obj)
}

fn non_resource_allowed(authorizer: &Authorizer, user: &UserInfo, attrs: &Value) -> bool {
    let path = str_at(attrs, "path");
    let public = str_at(attrs, "verb") == "get"
        && PUBLIC_URLS.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == *p,
        });
    // The test server's rules are about resources; only superusers get the other URLs.
    public || authorizer.allows(user, "*", "*", "")
}

/// What the caller may do in `spec.namespace`, as RBAC rules (the spec is not echoed, as
/// kube-apiserver does not echo it either).
fn rules_review(state: &State, caller: &UserInfo, obj: &Value) -> Value {
    let namespace = obj
        .pointer("/spec/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut resource_rules = vec![
        json!({"verbs": ["create"], "apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]}),
        json!({"verbs": ["create"], "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"]}),
    ];
    let mut non_resource_rules = Vec::new();
    let superuser = match &state.authorizer {
        Authorizer::AllowAll => true,
        Authorizer::Rules(rules) => {
            for r in rules.iter().filter(|r| {
                r.subjects
                    .iter()
                    .any(|s| s == &caller.name || caller.groups.contains(s))
                    && r.namespaces.iter().any(|n| n == "*" || n == namespace)
            }) {
                resource_rules
                    .push(json!({"verbs": r.verbs, "apiGroups": ["*"], "resources": r.resources}));
            }
            caller.groups.iter().any(|g| g == "system:masters")
        }
    };
    if superuser {
        resource_rules.push(json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}));
        non_resource_rules.push(json!({"verbs": ["*"], "nonResourceURLs": ["*"]}));
    }
    non_resource_rules.push(json!({"verbs": ["get"], "nonResourceURLs": PUBLIC_URLS}));
    json!({
        "kind": "SelfSubjectRulesReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {},
        "spec": {},
        "status": {
            "resourceRules": resource_rules,
            "nonResourceRules": non_resource_rules,
            "incomplete": false,
        },
    })
}

/// `userInfo` as the authenticator reports it: every authenticated user is also in
/// `system:authenticated`.
fn user_info(user: &UserInfo) -> Value {
    let mut groups = user.groups.clone();
    if !groups.iter().any(|g| g == "system:authenticated") {
        groups.push("system:authenticated".into());
    }
    json!({ "username": user.name, "groups": groups })
}

fn self_subject_review(caller: &UserInfo, obj: &Value) -> Value {
    json!({
        "kind": "SelfSubjectReview",
        "apiVersion": str_at(obj, "apiVersion"),
        "metadata": { "creationTimestamp": now_rfc3339() },
        "status": { "userInfo": user_info(caller) },
    })
}

fn token_review(state: &State, mut obj: Value) -> Result<Value, ApiError> {
    let token = obj
        .pointer("/spec/token")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if token.is_empty() {
        return Err(ApiError::bad_request(
            "token is required for TokenReview in authentication",
        ));
    }
    let audiences: Vec<String> = obj
        .pointer("/spec/audiences")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let for_api = audiences.is_empty() || audiences.iter().any(|a| a == API_AUDIENCE);
    let header = format!("Bearer {token}");
    let user = state.tokens.authenticate(&header).or_else(|| {
        state
            .issued_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .authenticate(&header)
    });
    let mut status = Map::new();
    match user.filter(|_| for_api) {
        Some(u) => {
            status.insert("authenticated".into(), json!(true));
            status.insert("user".into(), user_info(&u));
            status.insert("audiences".into(), json!([API_AUDIENCE]));
        }
        None => {
            status.insert("user".into(), json!({}));
            status.insert("error".into(), json!("invalid bearer token"));
        }
    }
    obj["status"] = Value::Object(status);
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Rule;

    #[test]
    fn non_resource_urls_are_public_only_for_get() {
        let rules = Authorizer::Rules(vec![Rule::new(&["dev"], &["get"], &["pods"], &["*"])]);
        let dev = UserInfo::new("dev", &[]);
        let get = |path: &str| json!({"path": path, "verb": "get"});
        assert!(non_resource_allowed(&rules, &dev, &get("/healthz")));
        assert!(non_resource_allowed(&rules, &dev, &get("/apis/apps/v1")));
        assert!(!non_resource_allowed(&rules, &dev, &get("/metrics")));
        assert!(!non_resource_allowed(
            &rules,
            &dev,
            &json!({"path": "/healthz", "verb": "post"})
        ));
        let root = UserInfo::new("root", &["system:masters"]);
        assert!(non_resource_allowed(&rules, &root, &get("/metrics")));
    }

    #[test]
    fn user_info_adds_system_authenticated_once() {
        let u = user_info(&UserInfo::new("a", &["system:authenticated", "x"]));
        assert_eq!(u["groups"], json!(["system:authenticated", "x"]));
        let u = user_info(&UserInfo::new("a", &[]));
        assert_eq!(u["groups"], json!(["system:authenticated"]));
    }
}
