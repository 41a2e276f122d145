//! Generated types holding credentials print none of them: a Secret's data (also the copy
//! `kubectl apply` keeps in the last-applied annotation), in a list, in a watch event and in an
//! informer event, and the tokens of TokenReview and TokenRequest. Marker values must not appear
//! in Debug output.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::api::authentication::v1::{
    TokenRequest, TokenRequestSpec, TokenRequestStatus, TokenReview, TokenReviewSpec,
};
use kubeclient::api::core::v1::Secret;
use kubeclient::cache::{Deleted, Event};
use kubeclient::meta::v1::{List, ObjectMeta, WatchEvent};
use kubeclient_runtime::meta::v1::LAST_APPLIED_ANNOTATION;
use std::sync::Arc;

const MARK: &str = "LEAKMARK";
/// `LEAKMARK-data` in base64, as a Secret's `data` carries it.
const MARK_B64: &str = "TEVBS01BUkst";

fn check(what: &str, value: &impl std::fmt::Debug) {
    for text in [format!("{value:?}"), format!("{value:#?}")] {
        assert!(
            !text.contains(MARK) && !text.contains(MARK_B64),
            "{what} leaks a credential:\n{text}"
        );
    }
}

fn secret() -> Secret {
    let applied = serde_json::json!({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
        "stringData": {"password": format!("{MARK}-applied")},
    });
    serde_json::from_value(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "annotations": {LAST_APPLIED_ANNOTATION: applied.to_string()}},
        "type": "Opaque",
        "data": {"password": "TEVBS01BUkstZGF0YQ=="},
        "stringData": {"token": format!("{MARK}-stringdata")},
    }))
    .expect("secret decodes")
}

#[test]
fn secrets_lists_and_events_do_not_print_secret_data() {
    let s = secret();
    // The data decodes to the marker: make sure it is really there before checking Debug.
    assert!(serde_json::to_string(&s).unwrap().contains(MARK_B64));
    check("Secret", &s);
    check(
        "List<Secret>",
        &List {
            items: vec![s.clone()],
            ..Default::default()
        },
    );
    check("WatchEvent<Secret>", &WatchEvent::Added(s.clone()));
    check("WatchEvent<Secret>", &WatchEvent::Deleted(s.clone()));
    let obj = Arc::new(s);
    check(
        "informer Event<Secret>",
        &Event::Updated {
            old: obj.clone(),
            new: obj.clone(),
        },
    );
    check(
        "informer Event<Secret>",
        &Event::Deleted(Deleted::FinalStateUnknown {
            key: "default/s".into(),
            last: obj,
        }),
    );
}

#[test]
fn token_review_and_token_request_do_not_print_tokens() {
    let review = TokenReview {
        metadata: ObjectMeta::default(),
        spec: TokenReviewSpec {
            token: Some(format!("{MARK}-review").into()),
            audiences: Some(vec!["api".into()]),
        },
        ..Default::default()
    };
    check("TokenReview", &review);
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: vec!["api".into()],
            ..Default::default()
        },
        status: Some(TokenRequestStatus {
            token: format!("{MARK}-issued").into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    check("TokenRequest", &request);
}
