//! Who may call over real HTTPS: client certificates and tokens, authorization rules and
//! impersonation, ServiceAccount tokens, plain-HTTP mode, and shutdown on drop.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod common;

use common::{admin_client, anonymous_client, call, pod, PODS};
use kubeclient_testserver::auth::UserInfo;
use kubeclient_testserver::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_certificates_and_tokens() {
    let s = TestServer::builder()
        .token("alice-token", UserInfo::new("alice", &["devs"]))
        .start()
        .await
        .expect("server starts");
    let anon = anonymous_client(&s);
    let (code, st) = call(&anon, &s, Method::GET, PODS, None).await;
    assert_eq!(
        (code, st["reason"].clone()),
        (StatusCode::UNAUTHORIZED, json!("Unauthorized"))
    );
    let with = |tok: &str| {
        anon.get(format!("{}{PODS}", s.base_url()))
            .bearer_auth(tok)
            .send()
    };
    assert_eq!(
        with("alice-token").await.expect("answered").status(),
        StatusCode::OK
    );
    assert_eq!(
        with("wrong").await.expect("answered").status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        with(s.admin_token().expose())
            .await
            .expect("answered")
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        call(&admin_client(&s), &s, Method::GET, PODS, None).await.0,
        StatusCode::OK
    );
    let reqs = s.requests();
    assert!(reqs.iter().any(|r| r.user.as_deref() == Some("alice")));
    assert!(reqs.iter().any(|r| r.user.as_deref() == Some("admin")));
    assert!(
        reqs.iter()
            .all(|r| r.headers.iter().all(|(k, _)| k != "authorization")),
        "no credentials recorded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_mode_and_shutdown_on_drop() {
    let s = TestServer::builder()
        .plain_http()
        .start()
        .await
        .expect("server starts");
    let url = format!("{}/api/v1/namespaces", s.base_url());
    assert!(url.starts_with("http://"));
    let body: Value = reqwest::get(&url)
        .await
        .expect("answered")
        .json()
        .await
        .expect("json");
    let names: Vec<&str> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|n| n["metadata"]["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["default", "kube-node-lease", "kube-public", "kube-system"]
    );
    let kubeconfig = s.kubeconfig_path().to_path_buf();
    assert!(kubeconfig.exists());
    drop(s);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(reqwest::get(&url).await.is_err(), "server stopped");
    assert!(!kubeconfig.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_rules_and_impersonation() {
    use kubeclient_testserver::auth::{Authorizer, Rule};
    let s = TestServer::builder()
        .token("alice-token", UserInfo::new("alice", &["devs"]))
        .authorizer(Authorizer::Rules(vec![Rule::new(
            &["devs"],
            &["get", "list"],
            &["pods", "pods/log"],
            &["default"],
        )]))
        .start()
        .await
        .expect("server starts");
    let anon = anonymous_client(&s);
    let as_alice = |m: Method, path: &str| {
        anon.request(m, format!("{}{path}", s.base_url()))
            .bearer_auth("alice-token")
            .send()
    };
    assert_eq!(
        as_alice(Method::GET, PODS)
            .await
            .expect("answered")
            .status(),
        StatusCode::OK
    );
    let r = as_alice(Method::DELETE, &format!("{PODS}/x"))
        .await
        .expect("answered");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let st: Value = r.json().await.expect("Status");
    assert_eq!(st["reason"], json!("Forbidden"));
    assert_eq!(
        st["message"],
        json!("pods \"x\" is forbidden: User \"alice\" cannot delete resource \"pods\" in API group \"\" in the namespace \"default\"")
    );
    assert_eq!(
        as_alice(Method::GET, "/api/v1/namespaces/default/secrets")
            .await
            .expect("answered")
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        as_alice(Method::GET, "/api/v1/namespaces/kube-system/pods")
            .await
            .expect("answered")
            .status(),
        StatusCode::FORBIDDEN
    );
    // Discovery is open to every authenticated user.
    assert_eq!(
        as_alice(Method::GET, "/api/v1")
            .await
            .expect("answered")
            .status(),
        StatusCode::OK
    );

    // The admin (system:masters) may impersonate; the impersonated user's rules apply.
    let admin = admin_client(&s);
    let imp = |user: &str, group: &str| {
        admin
            .get(format!(
                "{}/api/v1/namespaces/default/secrets",
                s.base_url()
            ))
            .header("Impersonate-User", user)
            .header("Impersonate-Group", group)
            .send()
    };
    assert_eq!(
        imp("alice", "devs").await.expect("answered").status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        imp("root", "system:masters")
            .await
            .expect("answered")
            .status(),
        StatusCode::OK
    );
    // alice may not impersonate.
    let r = anon
        .get(format!("{}{PODS}", s.base_url()))
        .bearer_auth("alice-token")
        .header("Impersonate-User", "admin")
        .send()
        .await
        .expect("answered");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_log_follow_and_service_account_tokens() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    call(&c, &s, Method::POST, PODS, Some(pod("p", json!({})))).await;
    s.set_pod_log("default", "p", vec!["first".into()]);
    let mut resp = c
        .get(format!("{}{PODS}/p/log?follow=true", s.base_url()))
        .send()
        .await
        .expect("log stream");
    let mut got = String::new();
    while !got.contains("first\n") {
        got.push_str(&String::from_utf8_lossy(
            &resp.chunk().await.expect("chunk").expect("more"),
        ));
    }
    s.append_pod_log("default", "p", vec!["second".into()]);
    while !got.contains("second\n") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), resp.chunk())
            .await
            .expect("in time");
        got.push_str(&String::from_utf8_lossy(
            &chunk.expect("chunk").expect("more"),
        ));
    }
    // Deleting the pod ends the stream.
    call(&c, &s, Method::DELETE, &format!("{PODS}/p"), None).await;
    let end = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while let Ok(Some(_)) = resp.chunk().await {}
    });
    end.await.expect("follow ends with the pod");

    let sas = "/api/v1/namespaces/default/serviceaccounts";
    call(
        &c,
        &s,
        Method::POST,
        sas,
        Some(json!({"metadata": {"name": "bot"}})),
    )
    .await;
    let (code, tr) = call(
        &c,
        &s,
        Method::POST,
        &format!("{sas}/bot/token"),
        Some(json!({"spec": {"audiences": ["api"], "expirationSeconds": 600}})),
    )
    .await;
    assert_eq!(code, StatusCode::CREATED);
    let token = tr["status"]["token"].as_str().expect("token").to_string();
    assert!(tr["status"]["expirationTimestamp"].is_string());
    let r = anonymous_client(&s)
        .get(format!("{}{PODS}", s.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answered");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(s
        .requests()
        .iter()
        .any(|r| r.user.as_deref() == Some("system:serviceaccount:default:bot")));
    assert_eq!(
        call(
            &c,
            &s,
            Method::POST,
            &format!("{sas}/nobody/token"),
            Some(json!({}))
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
}
