//! The differential suite: one list of requests sent to the real kube-apiserver and to the test
//! server, responses normalised (uids, timestamps, resourceVersions, allocated IPs, what the
//! real cluster's controllers write) and compared: status code, Content-Type, Warning headers
//! and body (for errors, the Status reason, message, details and causes). A difference fails
//! the test unless `tests/differential/allow.txt` lists the case with its reason.
//!
//! Protobuf cases send protobuf bodies and ask for protobuf answers, as kubectl 1.32 and
//! client-go do; answers in protobuf are decoded (through `kubeclient::kinds`) and compared as
//! values, with the zero values Go writes for fields it holds by value left out.
//!
//! The report of every difference is written to `target/differential-report.txt`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::rest::Config;
use kubeclient_tests::servers::Server;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// One request of the suite.
struct Case {
    name: String,
    method: &'static str,
    path: String,
    body: Option<Value>,
    content_type: &'static str,
    accept: &'static str,
    /// Compare status and Content-Type only (large documents such as OpenAPI).
    status_only: bool,
}

/// A CertificateSigningRequest named `csr-<unique>` with `status`. The request is a P-256 CSR
/// for `CN=differential, O=kubeclient` made once for this suite (its key was thrown away).
fn csr(unique: &str, status: Value) -> Value {
    const REQUEST: &str = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIbk1JR09BZ0VBTUN3eEZUQVRCZ05WQkFNTURHUnBabVpsY21WdWRHbGhiREVUTUJFR0ExVUVDZ3dLYTNWaQpaV05zYVdWdWREQlpNQk1HQnlxR1NNNDlBZ0VHQ0NxR1NNNDlBd0VIQTBJQUJJVGNmd2dqck12bHZwaW1PdnVaCmJkR1NWaEhQNUEyQ2pnMEJNNFZIeVQwakhWYnBsMXNNMFJpRFBNL00xb3dsNkFYVE5tZmRrdTY0a0lsdExjaEkKeHlpZ0FEQUtCZ2dxaGtqT1BRUURBZ05JQURCRkFpQTFKaW1YMkxRelE1eCtEOTE5eng3bWdxM3lSQ3IrZWhjUgpZWjMyd1lpOGlBSWhBS2MzN09CZXVzR1lkWmo2MW05em9WaEZneEgvOVV1WXhzTVVZalZRekZIWgotLS0tLUVORCBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K";
    json!({
        "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
        "metadata": {"name": format!("csr-{unique}")},
        "spec": {"request": REQUEST, "signerName": "example.com/differential", "usages": ["digital signature"]},
        "status": status,
    })
}

fn case(name: impl Into<String>, method: &'static str, path: impl Into<String>) -> Case {
    Case {
        name: name.into(),
        method,
        path: path.into(),
        body: None,
        content_type: "application/json",
        accept: "application/json",
        status_only: false,
    }
}

impl Case {
    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
    fn content_type(mut self, ct: &'static str) -> Self {
        self.content_type = ct;
        self
    }
    fn accept(mut self, accept: &'static str) -> Self {
        self.accept = accept;
        self
    }
    fn status_only(mut self) -> Self {
        self.status_only = true;
        self
    }
}

/// A kind the suite exercises with every verb.
struct Kind {
    /// Short name used in case names.
    name: &'static str,
    api_version: String,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    /// The object's fields besides apiVersion, kind and metadata.
    fields: Value,
    /// Whether strategic merge patch applies (built-in kinds only).
    strategic: bool,
}

impl Kind {
    fn collection(&self, ns: &str) -> String {
        let base = if self.api_version.contains('/') {
            format!("/apis/{}", self.api_version)
        } else {
            format!("/api/{}", self.api_version)
        };
        if self.namespaced {
            format!("{base}/namespaces/{ns}/{}", self.plural)
        } else {
            format!("{base}/{}", self.plural)
        }
    }

    fn object(&self, name: &str, labels: Value) -> Value {
        let mut obj = json!({
            "apiVersion": self.api_version, "kind": self.kind,
            "metadata": {"name": name, "labels": labels},
        });
        if let (Some(o), Some(f)) = (obj.as_object_mut(), self.fields.as_object()) {
            o.extend(f.clone());
        }
        obj
    }
}

fn kinds(unique: &str, crd_group: &str) -> Vec<Kind> {
    let pod_spec = json!({"containers": [{"name": "c", "image": "nginx"}]});
    let template = json!({"metadata": {"labels": {"app": "web"}}, "spec": pod_spec});
    let selector = json!({"matchLabels": {"app": "web"}});
    let k = |name, api_version: &str, kind, plural, namespaced, fields, strategic| Kind {
        name,
        api_version: api_version.to_owned(),
        kind,
        plural,
        namespaced,
        fields,
        strategic,
    };
    let _ = unique;
    vec![
        k(
            "configmap",
            "v1",
            "ConfigMap",
            "configmaps",
            true,
            json!({"data": {"a": "1"}}),
            true,
        ),
        k(
            "secret",
            "v1",
            "Secret",
            "secrets",
            true,
            json!({"type": "Opaque", "data": {"a": "MQ=="}}),
            true,
        ),
        k(
            "serviceaccount",
            "v1",
            "ServiceAccount",
            "serviceaccounts",
            true,
            json!({}),
            true,
        ),
        k(
            "service",
            "v1",
            "Service",
            "services",
            true,
            json!({"spec": {"ports": [{"port": 80}], "selector": {"app": "web"}}}),
            true,
        ),
        k(
            "pod",
            "v1",
            "Pod",
            "pods",
            true,
            json!({"spec": pod_spec}),
            true,
        ),
        k(
            "pvc",
            "v1",
            "PersistentVolumeClaim",
            "persistentvolumeclaims",
            true,
            json!({"spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}),
            true,
        ),
        k(
            "deployment",
            "apps/v1",
            "Deployment",
            "deployments",
            true,
            json!({"spec": {"replicas": 1, "selector": selector, "template": template}}),
            true,
        ),
        k(
            "statefulset",
            "apps/v1",
            "StatefulSet",
            "statefulsets",
            true,
            json!({"spec": {"replicas": 1, "serviceName": "web", "selector": selector, "template": template}}),
            true,
        ),
        k(
            "daemonset",
            "apps/v1",
            "DaemonSet",
            "daemonsets",
            true,
            json!({"spec": {"selector": selector, "template": template}}),
            true,
        ),
        k(
            "job",
            "batch/v1",
            "Job",
            "jobs",
            true,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}], "restartPolicy": "Never"}}}}),
            true,
        ),
        k(
            "cronjob",
            "batch/v1",
            "CronJob",
            "cronjobs",
            true,
            json!({"spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}], "restartPolicy": "Never"}}}}}}),
            true,
        ),
        k(
            "role",
            "rbac.authorization.k8s.io/v1",
            "Role",
            "roles",
            true,
            json!({"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}),
            true,
        ),
        k(
            "rolebinding",
            "rbac.authorization.k8s.io/v1",
            "RoleBinding",
            "rolebindings",
            true,
            json!({"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
                 "subjects": [{"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"}]}),
            true,
        ),
        k(
            "lease",
            "coordination.k8s.io/v1",
            "Lease",
            "leases",
            true,
            json!({"spec": {"holderIdentity": "a"}}),
            true,
        ),
        k(
            "networkpolicy",
            "networking.k8s.io/v1",
            "NetworkPolicy",
            "networkpolicies",
            true,
            json!({"spec": {"podSelector": {}}}),
            true,
        ),
        k(
            "pdb",
            "policy/v1",
            "PodDisruptionBudget",
            "poddisruptionbudgets",
            true,
            json!({"spec": {"minAvailable": 1, "selector": selector}}),
            true,
        ),
        k(
            "hpa",
            "autoscaling/v2",
            "HorizontalPodAutoscaler",
            "horizontalpodautoscalers",
            true,
            json!({"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                          "minReplicas": 1, "maxReplicas": 3}}),
            true,
        ),
        k(
            "clusterrole",
            "rbac.authorization.k8s.io/v1",
            "ClusterRole",
            "clusterroles",
            false,
            json!({"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}]}),
            true,
        ),
        k(
            "priorityclass",
            "scheduling.k8s.io/v1",
            "PriorityClass",
            "priorityclasses",
            false,
            json!({"value": 1000}),
            true,
        ),
        k(
            "gizmo",
            &format!("{crd_group}/v1"),
            "Gizmo",
            "gizmos",
            true,
            json!({"spec": {"color": "red"}}),
            false,
        ),
    ]
}

fn crd(group: &str) -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("gizmos.{group}")},
        "spec": {"group": group, "scope": "Namespaced",
                 "names": {"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo"},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "subresources": {"status": {}},
                               "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                   "spec": {"type": "object", "properties": {"color": {"type": "string"}}},
                                   "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}]}
    })
}

/// The requests, in order: every verb on every kind, then the error paths.
fn cases(ns: &str, unique: &str, crd_group: &str) -> Vec<Case> {
    let mut out = Vec::new();
    for k in kinds(unique, crd_group) {
        let coll = k.collection(ns);
        // Cluster-scoped objects are shared by the whole cluster: give them this run's name.
        let name = if k.namespaced {
            "obj".to_owned()
        } else {
            format!("obj-{unique}")
        };
        let one = format!("{coll}/{name}");
        let n = k.name;
        out.push(
            case(format!("{n}-create"), "POST", &coll).body(k.object(&name, json!({"app": "web"}))),
        );
        out.push(case(format!("{n}-create-again"), "POST", &coll).body(k.object(&name, json!({}))));
        out.push(case(format!("{n}-get"), "GET", &one));
        out.push(case(
            format!("{n}-get-missing"),
            "GET",
            format!("{coll}/missing"),
        ));
        let list = if k.namespaced {
            coll.clone()
        } else {
            format!("{coll}?labelSelector=run%3D{unique}")
        };
        out.push(case(format!("{n}-list"), "GET", &list));
        out.push(
            case(format!("{n}-update"), "PUT", &one)
                .body(k.object(&name, json!({"app": "web", "tier": "front", "run": unique}))),
        );
        out.push(
            case(format!("{n}-patch-merge"), "PATCH", &one)
                .content_type("application/merge-patch+json")
                .body(json!({"metadata": {"labels": {"merged": "yes"}}})),
        );
        out.push(
            case(format!("{n}-patch-json"), "PATCH", &one)
                .content_type("application/json-patch+json")
                .body(json!([{"op": "add", "path": "/metadata/annotations", "value": {"a": "b"}}])),
        );
        out.push(
            case(format!("{n}-patch-strategic"), "PATCH", &one)
                .content_type("application/strategic-merge-patch+json")
                .body(json!({"metadata": {"labels": {"strategic": "yes"}}})),
        );
        let _ = k.strategic;
        out.push(
            case(
                format!("{n}-apply"),
                "PATCH",
                format!("{one}?fieldManager=diff"),
            )
            .content_type("application/apply-patch+yaml")
            .body(json!({"apiVersion": k.api_version, "kind": k.kind,
                             "metadata": {"name": name, "labels": {"applied": "yes"}}})),
        );
        out.push(case(format!("{n}-get-final"), "GET", &one));
        out.push(case(format!("{n}-delete"), "DELETE", &one));
        out.push(case(format!("{n}-get-after-delete"), "GET", &one));
    }

    out.extend(protobuf_cases(ns, crd_group));

    let cms = format!("/api/v1/namespaces/{ns}/configmaps");
    let cm = |name: &str, data: Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data});
    // The list cases see only these three, whatever earlier cases left behind.
    let seed = |name: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {"set": "x"}}, "data": {"k": name}});
    out.extend([
        case("error-create-in-missing-namespace", "POST", "/api/v1/namespaces/nowhere/configmaps")
            .body(cm("x", json!({}))),
        case("error-invalid-name", "POST", &cms).body(cm("Not_Valid", json!({}))),
        case("error-invalid-data-key", "POST", &cms).body(cm("badkey", json!({"a b": "1"}))),
        case("error-name-mismatch", "PUT", format!("{cms}/one")).body(cm("two", json!({}))),
        case("error-kind-mismatch", "POST", &cms)
            .body(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "k"}})),
        case("error-malformed-json", "POST", &cms).body(json!("not an object")),
        case("error-bad-label-selector", "GET", format!("{cms}?labelSelector=a%3D%28b")),
        case("error-unknown-field-selector", "GET", format!("{cms}?fieldSelector=spec.foo%3Dbar")),
        case("error-bad-field-selector", "GET", format!("{cms}?fieldSelector=metadata.name")),
        // (the label keeps out the pods the real cluster's controllers made)
        case("error-pod-field-selector-ok", "GET", format!("/api/v1/namespaces/{ns}/pods?fieldSelector=spec.nodeName%3D&labelSelector=none%3Dnone")),
        case("error-verb-get-on-create-only", "GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"),
        // The review kinds are evaluated, not stored (kubectl auth can-i).
        case("review-ssar-resource", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
            .body(json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                "spec": {"resourceAttributes": {"namespace": ns, "verb": "list", "group": "apps", "resource": "deployments", "subresource": "scale", "name": "x"}}})),
        case("review-ssar-non-resource", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
            .body(json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                "spec": {"nonResourceAttributes": {"path": "/healthz", "verb": "get"}}})),
        case("review-ssar-no-attributes", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
            .body(json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": {}})),
        case("review-sar-masters", "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews")
            .body(json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                "spec": {"user": "x", "groups": ["system:masters"], "resourceAttributes": {"verb": "get", "resource": "pods"}}})),
        case("review-sar-no-subject", "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews")
            .body(json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                "spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}})),
        case("review-lsar-namespace-mismatch", "POST", format!("/apis/authorization.k8s.io/v1/namespaces/{ns}/localsubjectaccessreviews"))
            .body(json!({"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview",
                "spec": {"user": "u", "resourceAttributes": {"namespace": "other", "verb": "get", "resource": "pods"}}})),
        case("review-lsar", "POST", format!("/apis/authorization.k8s.io/v1/namespaces/{ns}/localsubjectaccessreviews"))
            .body(json!({"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview",
                "spec": {"user": "u", "groups": ["system:masters"], "resourceAttributes": {"namespace": ns, "verb": "get", "resource": "pods"}}})),
        case("review-token-unknown", "POST", "/apis/authentication.k8s.io/v1/tokenreviews")
            .body(json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": "not-a-token"}})),
        // certificatesigningrequests/approval and pods/ephemeralcontainers write one field each.
        case("csr-create", "POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests").body(csr(unique, json!({}))),
        case("csr-approve", "PUT", format!("/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-{unique}/approval"))
            .body(csr(unique, json!({"conditions": [{"type": "Approved", "status": "True", "reason": "Differential", "message": "approved by the suite"}]}))),
        case("csr-approval-get", "GET", format!("/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-{unique}/approval")),
        case("csr-status-untouched-by-main", "PUT", format!("/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-{unique}"))
            .body(csr(unique, json!({"conditions": []}))),
        case("csr-delete", "DELETE", format!("/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-{unique}")),
        case("pod-ephemeral-create", "POST", format!("/api/v1/namespaces/{ns}/pods"))
            .body(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "eph"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}})),
        case("pod-ephemeral-patch", "PATCH", format!("/api/v1/namespaces/{ns}/pods/eph/ephemeralcontainers"))
            .content_type("application/strategic-merge-patch+json")
            .body(json!({"spec": {"ephemeralContainers": [{"name": "debug", "image": "busybox", "targetContainerName": "c"}]}})),
        case("pod-ephemeral-get", "GET", format!("/api/v1/namespaces/{ns}/pods/eph/ephemeralcontainers")),
        case("pod-ephemeral-main-ignored", "PATCH", format!("/api/v1/namespaces/{ns}/pods/eph/ephemeralcontainers"))
            .content_type("application/merge-patch+json")
            .body(json!({"metadata": {"labels": {"a": "b"}}})),
        case("review-token-missing", "POST", "/apis/authentication.k8s.io/v1/tokenreviews")
            .body(json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {}})),
        case("error-verb-deletecollection-namespaces", "DELETE", "/api/v1/namespaces"),
        case("error-unknown-resource", "GET", format!("/api/v1/namespaces/{ns}/widgets")),
        case("error-unknown-group", "GET", "/apis/nowhere.example.com/v1"),
        case("error-unsupported-patch-type", "PATCH", format!("{cms}/x"))
            .content_type("application/xml")
            .body(json!({})),
        case("error-strategic-on-crd", "PATCH", format!("/apis/{crd_group}/v1/namespaces/{ns}/gizmos/x"))
            .content_type("application/strategic-merge-patch+json")
            .body(json!({})),
        case("error-apply-without-field-manager", "PATCH", format!("{cms}/applied"))
            .content_type("application/apply-patch+yaml")
            .body(cm("applied", json!({"a": "1"}))),
        // Server-side apply: create, conflict, force.
        case("apply-create", "PATCH", format!("{cms}/applied?fieldManager=alice"))
            .content_type("application/apply-patch+yaml")
            .body(cm("applied", json!({"a": "1"}))),
        case("apply-conflict", "PATCH", format!("{cms}/applied?fieldManager=bob"))
            .content_type("application/apply-patch+yaml")
            .body(cm("applied", json!({"a": "2"}))),
        case("apply-force", "PATCH", format!("{cms}/applied?fieldManager=bob&force=true"))
            .content_type("application/apply-patch+yaml")
            .body(cm("applied", json!({"a": "2"}))),
        case("apply-force-with-json-rejected", "PATCH", format!("{cms}/applied?force=true"))
            .content_type("application/merge-patch+json")
            .body(json!({"data": {"b": "1"}})),
        // dryRun
        case("dryrun-create", "POST", format!("{cms}?dryRun=All")).body(cm("dry", json!({}))),
        case("dryrun-get", "GET", format!("{cms}/dry")),
        case("dryrun-invalid-value", "POST", format!("{cms}?dryRun=Some")).body(cm("dry", json!({}))),
        // fieldValidation
        case("fieldvalidation-strict", "POST", format!("{cms}?fieldValidation=Strict"))
            .body(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "strict"}, "bogus": 1})),
        case("fieldvalidation-warn", "POST", format!("{cms}?fieldValidation=Warn"))
            .body(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "warn"}, "bogus": 1})),
        case("fieldvalidation-ignore", "POST", format!("{cms}?fieldValidation=Ignore"))
            .body(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ignore"}, "bogus": 1})),
        case("fieldvalidation-default", "POST", &cms)
            .body(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "default-fv"}, "bogus": 1})),
        case("fieldvalidation-bad-value", "POST", format!("{cms}?fieldValidation=Loud"))
            .body(cm("loud", json!({}))),
        // Lists: selectors, limits, continue, resourceVersion semantics.
        case("list-seed-1", "POST", &cms).body(seed("l1")),
        case("list-seed-2", "POST", &cms).body(seed("l2")),
        case("list-seed-3", "POST", &cms).body(seed("l3")),
        case("list-label-selector", "GET", format!("{cms}?labelSelector=set%3Dx")),
        case("list-label-selector-set", "GET", format!("{cms}?labelSelector=set+in+%28x%2Cy%29")),
        case("list-field-selector-name", "GET", format!("{cms}?fieldSelector=metadata.name%3Dl2")),
        case("list-limit", "GET", format!("{cms}?labelSelector=set%3Dx&limit=2")),
        case("list-bad-continue", "GET", format!("{cms}?limit=2&continue=garbage")),
        case("list-rv-match-without-rv", "GET", format!("{cms}?resourceVersionMatch=Exact")),
        case("list-rv-not-a-number", "GET", format!("{cms}?resourceVersion=abc")),
        case("list-rv-match-unknown", "GET", format!("{cms}?resourceVersion=1&resourceVersionMatch=Sometime")),
        case("list-rv-zero", "GET", format!("{cms}?labelSelector=set%3Dx&resourceVersion=0")),
        case("list-exact-zero", "GET", format!("{cms}?resourceVersion=0&resourceVersionMatch=Exact")),
        case("list-table", "GET", format!("{cms}?labelSelector=set%3Dx"))
            .accept("application/json;as=Table;v=v1;g=meta.k8s.io,application/json"),
        case("list-deletecollection", "DELETE", format!("{cms}?labelSelector=set%3Dx")),
        case("list-after-deletecollection", "GET", format!("{cms}?labelSelector=set%3Dx")),
        // (A watch from an old version is not compared: whether kube-apiserver still has it
        // depends on the age of its watch cache, so the same request replays on a fresh cluster
        // and answers 410 on an older one. testserver/tests cover the 410.)
        // Subresources.
        case("status-of-configmap", "GET", format!("{cms}/x/status")),
        // Discovery and OpenAPI.
        case("metrics", "GET", "/metrics").status_only(),
        case("discovery-api", "GET", "/api"),
        case("discovery-core-v1", "GET", "/api/v1").status_only(),
        case("discovery-apps", "GET", "/apis/apps"),
        case("discovery-apps-v1", "GET", "/apis/apps/v1").status_only(),
        case("openapi-v2", "GET", "/openapi/v2").status_only(),
        case("openapi-v3-root", "GET", "/openapi/v3").status_only(),
        case("version", "GET", "/version").status_only(),
        case("healthz", "GET", "/healthz").accept("*/*"),
        case("readyz", "GET", "/readyz").accept("*/*"),
        case("livez", "GET", "/livez").accept("*/*"),
    ]);
    out
}

const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";
/// client-go's and kubectl 1.32's `Accept` for built-in kinds.
const PROTOBUF_THEN_JSON: &str = "application/vnd.kubernetes.protobuf, application/json";

/// Every verb in protobuf on a few kinds, Status errors in protobuf, and what the servers
/// answer custom resources and Tables asked for in protobuf.
fn protobuf_cases(ns: &str, crd_group: &str) -> Vec<Case> {
    let pod_spec = json!({"containers": [{"name": "c", "image": "nginx"}]});
    let kinds = [
        (
            "cm",
            "/api/v1",
            "ConfigMap",
            "configmaps",
            json!({"data": {"a": "1"}, "binaryData": {"b": "AAE="}}),
        ),
        (
            "secret",
            "/api/v1",
            "Secret",
            "secrets",
            json!({"stringData": {"p": "x"}, "type": "Opaque"}),
        ),
        (
            "deploy",
            "/apis/apps/v1",
            "Deployment",
            "deployments",
            json!({"spec": {"replicas": 0,
            "selector": {"matchLabels": {"app": "pb"}},
            "template": {"metadata": {"labels": {"app": "pb"}}, "spec": pod_spec}}}),
        ),
        (
            "role",
            "/apis/rbac.authorization.k8s.io/v1",
            "Role",
            "roles",
            json!({"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}),
        ),
    ];
    let mut out = Vec::new();
    for (n, base, kind, plural, fields) in kinds {
        let api_version = base
            .trim_start_matches("/api/")
            .trim_start_matches("/apis/");
        let coll = format!("{base}/namespaces/{ns}/{plural}");
        let one = format!("{coll}/pb");
        let mut obj = json!({"apiVersion": api_version, "kind": kind,
            "metadata": {"name": "pb", "labels": {"wire": "protobuf"}}});
        if let (Some(o), Some(f)) = (obj.as_object_mut(), fields.as_object()) {
            o.extend(f.clone());
        }
        let pb = |c: Case| c.accept(PROTOBUF_THEN_JSON);
        out.push(pb(case(format!("pb-{n}-create"), "POST", &coll)
            .content_type(PROTOBUF)
            .body(obj.clone())));
        out.push(pb(case(format!("pb-{n}-create-again"), "POST", &coll)
            .content_type(PROTOBUF)
            .body(obj.clone())));
        out.push(pb(case(format!("pb-{n}-get"), "GET", &one)));
        out.push(pb(case(
            format!("pb-{n}-get-missing"),
            "GET",
            format!("{coll}/missing"),
        )));
        out.push(pb(case(
            format!("pb-{n}-list"),
            "GET",
            format!("{coll}?labelSelector=wire%3Dprotobuf"),
        )));
        out.push(pb(case(
            format!("pb-{n}-list-paged"),
            "GET",
            format!("{coll}?labelSelector=wire%3Dprotobuf&limit=1"),
        )));
        let mut changed = obj.clone();
        changed["metadata"]["labels"]["updated"] = json!("yes");
        out.push(pb(case(format!("pb-{n}-update"), "PUT", &one)
            .content_type(PROTOBUF)
            .body(changed)));
        out.push(pb(case(format!("pb-{n}-patch-merge"), "PATCH", &one)
            .content_type("application/merge-patch+json")
            .body(json!({"metadata": {"labels": {"merged": "yes"}}}))));
        out.push(pb(case(format!("pb-{n}-patch-strategic"), "PATCH", &one)
            .content_type("application/strategic-merge-patch+json")
            .body(json!({"metadata": {"labels": {"strategic": "yes"}}}))));
        out.push(pb(case(format!("pb-{n}-patch-json"), "PATCH", &one)
            .content_type("application/json-patch+json")
            .body(
                json!([{"op": "add", "path": "/metadata/annotations", "value": {"a": "b"}}]),
            )));
        out.push(pb(case(
            format!("pb-{n}-apply"),
            "PATCH",
            format!("{one}?fieldManager=diff"),
        )
        .content_type("application/apply-patch+yaml")
        .body(json!({"apiVersion": api_version, "kind": kind,
                "metadata": {"name": "pb", "labels": {"applied": "yes"}}}))));
        out.push(pb(case(format!("pb-{n}-delete"), "DELETE", &one)));
        out.push(pb(case(format!("pb-{n}-get-after-delete"), "GET", &one)));
    }
    let gizmos = format!("/apis/{crd_group}/v1/namespaces/{ns}/gizmos");
    let cms = format!("/api/v1/namespaces/{ns}/configmaps");
    out.extend([
        case("pb-only-custom-resource", "GET", &gizmos).accept(PROTOBUF),
        case("pb-then-json-custom-resource", "GET", &gizmos).accept(PROTOBUF_THEN_JSON),
        case(
            "pb-list-table-falls-to-json",
            "GET",
            format!("{cms}?labelSelector=none%3Dnone"),
        )
        .accept(
            "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, application/json",
        ),
        case(
            "pb-q-values-prefer-json",
            "GET",
            format!("{cms}?labelSelector=none%3Dnone"),
        )
        .accept("application/vnd.kubernetes.protobuf;q=0.5, application/json"),
        case(
            "pb-only-list",
            "GET",
            format!("{cms}?labelSelector=none%3Dnone"),
        )
        .accept(PROTOBUF),
        case(
            "pb-watch",
            "GET",
            format!("{cms}?watch=true&labelSelector=none%3Dnone&timeoutSeconds=1"),
        )
        .accept(PROTOBUF),
        case("pb-malformed-body", "POST", &cms)
            .content_type(PROTOBUF)
            .accept(PROTOBUF_THEN_JSON)
            .body(json!("k8s\u{0}not a message")),
    ]);
    out
}

/// A protobuf answer as a JSON value: the object, or for a watch the events, each without the
/// zero values Go writes in protobuf for fields it holds by value (JSON leaves them out, and
/// the test server's answers come from JSON).
fn decode_protobuf(bytes: &[u8]) -> Value {
    fn drop_zeros(v: Value) -> Option<Value> {
        match v {
            Value::Object(m) => Some(Value::Object(
                m.into_iter()
                    .filter_map(|(k, v)| drop_zeros(v).map(|v| (k, v)))
                    .collect(),
            )),
            Value::Array(a) => Some(Value::Array(a.into_iter().filter_map(drop_zeros).collect())),
            Value::String(s) if s.is_empty() => None,
            Value::Bool(false) | Value::Null => None,
            Value::Number(n) if n.as_f64() == Some(0.0) => None,
            other => Some(other),
        }
    }
    let object = |b: &[u8]| -> Value {
        match kubeclient::kinds::protobuf_to_json(b) {
            Some(Ok(json)) => serde_json::from_slice(&json)
                .ok()
                .and_then(drop_zeros)
                .unwrap_or(Value::Null),
            Some(Err(e)) => Value::String(format!("undecodable protobuf: {e}")),
            None => Value::String("protobuf of an unknown kind".into()),
        }
    };
    if bytes.starts_with(kubeclient::runtime::proto::MAGIC) {
        return object(bytes);
    }
    // A watch: length-prefixed WatchEvent frames.
    let mut buf = bytes::BytesMut::from(bytes);
    let mut events = Vec::new();
    while let Ok(Some(frame)) = kubeclient::runtime::proto::envelope::take_frame(&mut buf) {
        match kubeclient::runtime::proto::envelope::decode_watch_event(&frame) {
            Ok((kind, raw)) => events.push(json!({"type": kind, "object": object(&raw)})),
            Err(e) => events.push(Value::String(e.to_string())),
        }
    }
    Value::Array(events)
}

/// What one server answered, ready to compare.
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    content_type: String,
    warnings: Vec<String>,
    body: Value,
}

async fn http_client(config: &Config) -> reqwest::Client {
    let mut b = reqwest::Client::builder().use_rustls_tls();
    if let Some(ca) = &config.tls.ca_data {
        for cert in reqwest::Certificate::from_pem_bundle(ca).expect("CA PEM") {
            b = b.add_root_certificate(cert);
        }
    }
    if let (Some(cert), Some(key)) = (&config.tls.cert_data, &config.tls.key_data) {
        let mut pem = cert.clone();
        pem.extend_from_slice(b"\n");
        pem.extend_from_slice(key.expose().as_bytes());
        b = b.identity(reqwest::Identity::from_pem(&pem).expect("client identity"));
    }
    b.build().expect("http client")
}

async fn send(client: &reqwest::Client, config: &Config, c: &Case) -> Answer {
    let method = reqwest::Method::from_bytes(c.method.as_bytes()).expect("method");
    let mut req = client
        .request(
            method,
            format!("{}{}", config.host.trim_end_matches('/'), c.path),
        )
        .header("Accept", c.accept)
        .header("User-Agent", "kubeclient-differential");
    if let Some(token) = &config.bearer_token {
        req = req.bearer_auth(token.expose());
    }
    if let Some(body) = &c.body {
        let bytes = match body {
            Value::String(s) => s.clone().into_bytes(),
            other if c.content_type == PROTOBUF => {
                kubeclient::kinds::json_to_protobuf(&serde_json::to_vec(other).expect("json"))
                    .expect("a kind with a protobuf form")
                    .expect("encodes as protobuf")
            }
            other => serde_json::to_vec(other).expect("json"),
        };
        req = req.header("Content-Type", c.content_type).body(bytes);
    }
    let resp = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", c.name));
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let content_type = header("content-type").join(",");
    let warnings = header("warning");
    let bytes = resp.bytes().await.expect("body");
    let body = if c.status_only {
        Value::Null
    } else if content_type.starts_with(PROTOBUF) {
        decode_protobuf(&bytes)
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            // Watches are a stream of JSON objects; health checks are text.
            let text = String::from_utf8_lossy(&bytes);
            let events: Vec<Value> = serde_json::Deserializer::from_str(&text)
                .into_iter::<Value>()
                .filter_map(Result::ok)
                .collect();
            if events.is_empty() {
                Value::String(text.into_owned())
            } else {
                Value::Array(events)
            }
        })
    };
    Answer {
        status,
        content_type,
        warnings,
        body,
    }
}

/// Replaces what legitimately differs between two servers (and two runs) with placeholders.
fn normalise(v: &mut Value, uids: &BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                match k.as_str() {
                    "uid" | "creationTimestamp" | "resourceVersion" | "time"
                    | "deletionTimestamp" | "lastTransitionTime" | "continue" | "clusterIP"
                    | "clusterIPs" | "serverAddress"
                        if !val.is_null() =>
                    {
                        *val = Value::String(format!("<{k}>"));
                    }
                    _ => normalise(val, uids),
                }
            }
            // What the real cluster's controllers write races with the suite (they run as
            // kube-controller-manager, or in the realcluster binary itself).
            if let Some(Value::Object(ann)) = map.get_mut("annotations") {
                ann.remove("deployment.kubernetes.io/revision");
                if ann.is_empty() {
                    map.remove("annotations");
                }
            }
            if let Some(Value::Array(fields)) = map.get_mut("managedFields") {
                fields.retain(|f| {
                    f["manager"] != "kube-controller-manager" && f["manager"] != "realcluster"
                });
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| normalise(i, uids)),
        Value::String(s) => {
            for uid in uids {
                if s.contains(uid.as_str()) {
                    *s = s.replace(uid.as_str(), "<uid>");
                }
            }
            // The oldest version a server still has depends on its age and history window.
            if let Some(rest) = s.strip_prefix("too old resource version: ") {
                if let Some((asked, _)) = rest.split_once(" (") {
                    *s = format!("too old resource version: {asked} (<oldest>)");
                }
            }
            if let Some(i) = s.find("kube-api-access-") {
                s.replace_range(i.., "kube-api-access-<random>");
            }
        }
        _ => {}
    }
}

fn collect_uids(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, val) in map {
                if k == "uid" {
                    if let Some(s) = val.as_str() {
                        out.insert(s.to_owned());
                    }
                }
                collect_uids(val, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_uids(i, out)),
        _ => {}
    }
}

/// Drops `status` of kinds whose controllers run only on the real cluster.
fn drop_controller_status(case: &str, v: &mut Value) {
    const CONTROLLED: [&str; 6] = [
        "deployment-",
        "statefulset-",
        "daemonset-",
        "job-",
        "cronjob-",
        "pvc-",
    ];
    if !CONTROLLED.iter().any(|p| case.starts_with(p)) {
        return;
    }
    if let Some(o) = v.as_object_mut() {
        o.remove("status");
    }
}

/// `pattern<TAB or spaces>reason` lines; `*` in a pattern matches any run of characters. A
/// pattern starting with `?` is a race (the real cluster's controllers may or may not have run
/// yet): it is never reported as stale.
fn allow_list() -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("differential/allow.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((p, r)) => (p.to_owned(), r.trim().to_owned()),
            None => panic!("{}: entry {l:?} has no reason", path.display()),
        })
        .collect()
}

fn matches(pattern: &str, name: &str) -> bool {
    let pattern = pattern.strip_prefix('?').unwrap_or(pattern);
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_server_answers_as_kube_apiserver_does() {
    let Some(real) = Server::real().await else {
        return;
    };
    let test = Server::test_server().await;
    let unique = real.unique("diff");
    let ns = unique.clone();
    let crd_group = format!("{unique}.example.com");

    let servers = [("real", &real), ("test", &test)];
    let mut clients = Vec::new();
    for (_, s) in servers {
        let config = s.config();
        let client = http_client(&config).await;
        // Set up the namespace and the CRD on each server.
        let ns_case = case("setup-namespace", "POST", "/api/v1/namespaces")
            .body(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}));
        assert_eq!(send(&client, &config, &ns_case).await.status, 201);
        let crd_case = case(
            "setup-crd",
            "POST",
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        )
        .body(crd(&crd_group));
        assert_eq!(send(&client, &config, &crd_case).await.status, 201);
        clients.push((client, config));
    }
    real.wait_for_crd(&format!("gizmos.{crd_group}")).await;
    // The real cluster needs the namespace's default ServiceAccount before pods.
    let sa = format!("/api/v1/namespaces/{ns}/serviceaccounts/default");
    for _ in 0..300 {
        if send(&clients[0].0, &clients[0].1, &case("wait-sa", "GET", &sa))
            .await
            .status
            == 200
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let allow = allow_list();
    let all = cases(&ns, &unique, &crd_group);
    assert!(all.len() >= 150, "{} cases", all.len());
    let mut report = String::new();
    let mut unexpected = Vec::new();
    let mut allowed_used = BTreeMap::<&str, usize>::new();
    for c in &all {
        let mut answers = Vec::new();
        for (client, config) in &clients {
            answers.push(send(client, config, c).await);
        }
        let mut uids = BTreeSet::new();
        for a in &answers {
            collect_uids(&a.body, &mut uids);
        }
        for a in &mut answers {
            normalise(&mut a.body, &uids);
            drop_controller_status(&c.name, &mut a.body);
            if let Some(items) = a.body.get_mut("items").and_then(Value::as_array_mut) {
                items
                    .iter_mut()
                    .for_each(|i| drop_controller_status(&c.name, i));
            }
        }
        let (real_a, test_a) = (&answers[0], &answers[1]);
        if real_a == test_a {
            continue;
        }
        let entry = allow.iter().find(|(p, _)| matches(p, &c.name));
        let _ =
            writeln!(
            report,
            "== {} {} {}{}\n-- kube-apiserver: {} {} {:?}\n{}\n-- test server: {} {} {:?}\n{}\n",
            c.name,
            c.method,
            c.path,
            entry.map(|(p, r)| format!("   [allowed by {p}: {r}]")).unwrap_or_default(),
            real_a.status,
            real_a.content_type,
            real_a.warnings,
            serde_json::to_string_pretty(&real_a.body).unwrap_or_default(),
            test_a.status,
            test_a.content_type,
            test_a.warnings,
            serde_json::to_string_pretty(&test_a.body).unwrap_or_default(),
        );
        match entry {
            Some((p, _)) => *allowed_used.entry(p.as_str()).or_default() += 1,
            None => unexpected.push(c.name.clone()),
        }
    }
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    let _ = std::fs::create_dir_all(&target);
    let report_path = target.join("differential-report.txt");
    std::fs::write(&report_path, &report).expect("report");
    let differing = allowed_used.values().sum::<usize>() + unexpected.len();
    println!(
        "differential: {} cases, {} identical, {} allowed differences, {} unexpected (report: {})",
        all.len(),
        all.len() - differing,
        allowed_used.values().sum::<usize>(),
        unexpected.len(),
        report_path.display()
    );
    let stale: Vec<&str> = allow
        .iter()
        .map(|(p, _)| p.as_str())
        .filter(|p| !p.starts_with('?') && !allowed_used.contains_key(p))
        .collect();
    assert!(
        stale.is_empty(),
        "allow-list entries that no longer match a difference (remove them): {stale:?}"
    );
    assert!(
        unexpected.is_empty(),
        "{} cases answer differently from kube-apiserver (see {}): {unexpected:?}",
        unexpected.len(),
        report_path.display()
    );
}
