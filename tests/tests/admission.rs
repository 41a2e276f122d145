//! A validating webhook written with this crate alone: the AdmissionReview types come from the
//! proto files beside the spec (the OpenAPI spec does not describe them).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::api::admission::v1::{AdmissionResponse, AdmissionReview};
use kubeclient::api::core::v1::Pod;
use serde_json::json;

#[test]
fn a_webhook_reads_the_request_and_answers_with_kubeclient_types() {
    let review: AdmissionReview = serde_json::from_value(json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "default",
            "operation": "CREATE",
            "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
            "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}},
            "dryRun": false
        }
    }))
    .expect("an AdmissionReview decodes");
    let request = review.request.as_ref().expect("a request");
    assert_eq!(request.kind.kind, "Pod");
    assert_eq!(request.user_info.username.as_deref(), Some("alice"));
    let object = request.object.as_ref().expect("an object");
    let pod: Pod = serde_json::from_value(object.0.clone()).expect("the object is a Pod");
    assert_eq!(pod.metadata.name.as_deref(), Some("web"));

    let answer = AdmissionReview {
        response: Some(
            AdmissionResponse {
                uid: request.uid.clone(),
                allowed: false,
                warnings: Some(vec!["pods named web are reserved".into()]),
                ..Default::default()
            }
            .into(),
        ),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&answer).unwrap(),
        json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "response": {
                "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
                "allowed": false,
                "warnings": ["pods named web are reserved"]
            }
        })
    );
}
