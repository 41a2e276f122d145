//! Server-side apply over real HTTPS: field owners in managedFields, conflicts, and force.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod common;

use common::{admin_client, call, call_ct};
use kubeclient_testserver::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Server-side apply of ConfigMap `default/settings` with `data`, as `query` (`fieldManager=...`).
async fn apply_cm(
    c: &reqwest::Client,
    s: &TestServer,
    query: &str,
    data: Value,
) -> (StatusCode, Value) {
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": data});
    let path = format!("/api/v1/namespaces/default/configmaps/settings?{query}");
    call_ct(
        c,
        s,
        Method::PATCH,
        &path,
        Some(body),
        "application/apply-patch+yaml",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_side_apply_tracks_owners_conflicts_and_force() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let path = "/api/v1/namespaces/default/configmaps/settings";

    // fieldManager is required for apply: 422 on the PatchOptions, as kube-apiserver answers.
    let (code, body) = apply_cm(&c, &s, "", json!({"a": "1"})).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["details"]["causes"][0]["field"], "fieldManager");

    // Apply creates (201) and records the applier.
    let (code, created) = apply_cm(&c, &s, "fieldManager=alice", json!({"a": "1", "b": "2"})).await;
    assert_eq!(code, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["metadata"]["managedFields"][0]["manager"],
        json!("alice")
    );
    assert_eq!(
        created["metadata"]["managedFields"][0]["operation"],
        json!("Apply")
    );
    assert_eq!(
        created["metadata"]["managedFields"][0]["fieldsV1"],
        json!({"f:data": {"f:a": {}, "f:b": {}}})
    );

    // A merge patch by another manager takes the field it changes.
    let (code, patched) = call_ct(
        &c,
        &s,
        Method::PATCH,
        &format!("{path}?fieldManager=editor"),
        Some(json!({"data": {"b": "3"}})),
        "application/merge-patch+json",
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{patched}");
    let editor = &patched["metadata"]["managedFields"][1];
    assert_eq!(
        (editor["manager"].clone(), editor["operation"].clone()),
        (json!("editor"), json!("Update"))
    );
    assert_eq!(editor["fieldsV1"], json!({"f:data": {"f:b": {}}}));

    // Alice re-applies b=2: 409 naming the editor and the field, as kube-apiserver words it.
    let (code, err) = apply_cm(&c, &s, "fieldManager=alice", json!({"a": "1", "b": "2"})).await;
    assert_eq!(code, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["reason"], json!("Conflict"));
    assert_eq!(
        err["message"],
        json!("Apply failed with 1 conflict: conflict with \"editor\" using v1: .data.b")
    );
    assert_eq!(
        err["details"]["causes"][0],
        json!({"reason": "FieldManagerConflict", "message": "conflict with \"editor\" using v1", "field": ".data.b"})
    );

    // Forced: alice owns b again and the editor's entry, now empty, is dropped.
    let (code, forced) = apply_cm(
        &c,
        &s,
        "fieldManager=alice&force=true",
        json!({"a": "1", "b": "2"}),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{forced}");
    assert_eq!(forced["data"], json!({"a": "1", "b": "2"}));
    let managers: Vec<&Value> = forced["metadata"]["managedFields"]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| &m["manager"])
        .collect();
    assert_eq!(managers, [&json!("alice")]);

    // Dropping a from the applied configuration deletes it; a dry run changes nothing.
    let (_, dry) = apply_cm(&c, &s, "fieldManager=alice&dryRun=All", json!({"b": "2"})).await;
    assert_eq!(dry["data"], json!({"b": "2"}));
    let (_, now) = call(&c, &s, Method::GET, path, None).await;
    assert_eq!(now["data"], json!({"a": "1", "b": "2"}));
    let (_, pruned) = apply_cm(&c, &s, "fieldManager=alice", json!({"b": "2"})).await;
    assert_eq!(pruned["data"], json!({"b": "2"}));

    // A plain create is owned by the writer (fieldManager, else the User-Agent's product).
    let (code, posted) = call(
        &c,
        &s,
        Method::POST,
        "/api/v1/namespaces/default/configmaps",
        Some(json!({"metadata": {"name": "posted"}, "data": {"k": "v"}})),
    )
    .await;
    assert_eq!(code, StatusCode::CREATED, "{posted}");
    assert_eq!(
        posted["metadata"]["managedFields"][0]["operation"],
        json!("Update")
    );
    assert_eq!(
        posted["metadata"]["managedFields"][0]["fieldsV1"],
        json!({"f:data": {".": {}, "f:k": {}}})
    );
}
