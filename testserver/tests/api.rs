//! Semantics over real HTTPS: status codes and Status bodies, resourceVersions, selectors,
//! pagination, subresources, finalizers, CRDs, authentication.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod common;

use common::{admin_client, anonymous_client, call, call_ct, rv};
use kubeclient_testserver::auth::UserInfo;
use kubeclient_testserver::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn pod(name: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
}

const PODS: &str = "/api/v1/namespaces/default/pods";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_get_update_delete_with_real_status_codes() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);

    let (code, created) = call(&c, &s, Method::POST, PODS, Some(pod("a", json!({})))).await;
    assert_eq!(code, StatusCode::CREATED);
    assert_eq!(created["metadata"]["generation"], json!(1));
    assert!(created["metadata"]["uid"]
        .as_str()
        .is_some_and(|u| u.len() == 36));
    assert!(created["metadata"]["creationTimestamp"].is_string());
    assert_eq!(created["status"]["phase"], json!("Pending"));

    let (code, st) = call(&c, &s, Method::POST, PODS, Some(pod("a", json!({})))).await;
    assert_eq!(
        (code, st["reason"].clone(), st["kind"].clone()),
        (
            StatusCode::CONFLICT,
            json!("AlreadyExists"),
            json!("Status")
        )
    );
    assert_eq!(st["details"]["name"], json!("a"));

    let (code, st) = call(&c, &s, Method::GET, &format!("{PODS}/nope"), None).await;
    assert_eq!(
        (code, st["reason"].clone()),
        (StatusCode::NOT_FOUND, json!("NotFound"))
    );
    assert_eq!(st["message"], json!("pods \"nope\" not found"));

    let mut nameless = pod("", json!({}));
    nameless["metadata"]
        .as_object_mut()
        .expect("meta")
        .remove("name");
    let (code, st) = call(&c, &s, Method::POST, PODS, Some(nameless.clone())).await;
    assert_eq!(
        (code, st["reason"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("Invalid"))
    );
    assert_eq!(st["details"]["causes"][0]["field"], json!("metadata.name"));

    nameless["metadata"]["generateName"] = json!("gen-");
    let (code, gen) = call(&c, &s, Method::POST, PODS, Some(nameless)).await;
    assert_eq!(code, StatusCode::CREATED);
    let gen_name = gen["metadata"]["name"].as_str().expect("name");
    assert!(
        gen_name.starts_with("gen-") && gen_name.len() == 9,
        "{gen_name}"
    );

    let (code, st) = call(
        &c,
        &s,
        Method::POST,
        "/api/v1/namespaces/missing/pods",
        Some(pod("x", json!({}))),
    )
    .await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert_eq!(st["message"], json!("namespaces \"missing\" not found"));

    // Update: label change keeps generation, spec change bumps it; rv always increases.
    let mut upd = created.clone();
    upd["metadata"]["labels"] = json!({"x": "y"});
    let (code, u1) = call(&c, &s, Method::PUT, &format!("{PODS}/a"), Some(upd)).await;
    assert_eq!(code, StatusCode::OK);
    assert!(rv(&u1) > rv(&created));
    assert_eq!(u1["metadata"]["generation"], json!(1));
    let mut upd = u1.clone();
    upd["spec"]["containers"][0]["image"] = json!("nginx:2");
    let (_, u2) = call(&c, &s, Method::PUT, &format!("{PODS}/a"), Some(upd)).await;
    assert_eq!(u2["metadata"]["generation"], json!(2));

    // Stale resourceVersion: 409 Conflict.
    let (code, st) = call(&c, &s, Method::PUT, &format!("{PODS}/a"), Some(u1)).await;
    assert_eq!(
        (code, st["reason"].clone()),
        (StatusCode::CONFLICT, json!("Conflict"))
    );

    // Verbs a resource lacks: 405.
    let (code, st) = call(&c, &s, Method::DELETE, "/api/v1/namespaces", None).await;
    assert_eq!(
        (code, st["reason"].clone()),
        (StatusCode::METHOD_NOT_ALLOWED, json!("MethodNotAllowed"))
    );

    let (code, _) = call(&c, &s, Method::DELETE, &format!("{PODS}/a"), None).await;
    assert_eq!(code, StatusCode::OK);
    let (code, _) = call(&c, &s, Method::GET, &format!("{PODS}/a"), None).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    let (code, _) = call(&c, &s, Method::GET, "/api/v1/nothing", None).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_selectors_and_pagination() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    for i in 0..7 {
        let tier = if i % 2 == 0 { "front" } else { "back" };
        let mut p = pod(&format!("p{i}"), json!({"app": "web", "tier": tier}));
        p["spec"]["nodeName"] = json!(format!("node{}", i % 3));
        assert_eq!(
            call(&c, &s, Method::POST, PODS, Some(p)).await.0,
            StatusCode::CREATED
        );
    }
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["metadata"]["name"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let q = |sel: &str| format!("{PODS}?labelSelector={}", urlencode(sel));
    assert_eq!(
        names(&call(&c, &s, Method::GET, &q("tier=front"), None).await.1),
        ["p0", "p2", "p4", "p6"]
    );
    assert_eq!(
        names(
            &call(&c, &s, Method::GET, &q("tier notin (front)"), None)
                .await
                .1
        ),
        ["p1", "p3", "p5"]
    );
    assert_eq!(
        names(&call(&c, &s, Method::GET, &q("!tier"), None).await.1),
        Vec::<String>::new()
    );
    let f = format!(
        "{PODS}?fieldSelector={}",
        urlencode("spec.nodeName=node1,metadata.name!=p4")
    );
    assert_eq!(names(&call(&c, &s, Method::GET, &f, None).await.1), ["p1"]);
    let (_, all) = call(
        &c,
        &s,
        Method::GET,
        "/api/v1/pods?fieldSelector=status.phase%3DPending",
        None,
    )
    .await;
    assert_eq!(names(&all).len(), 7);
    assert_eq!(all["kind"], json!("PodList"));

    let mut seen = Vec::new();
    let mut path = format!("{PODS}?limit=3");
    let mut pages = 0;
    let mut first_rv = None;
    loop {
        let (code, page) = call(&c, &s, Method::GET, &path, None).await;
        assert_eq!(code, StatusCode::OK);
        first_rv.get_or_insert(page["metadata"]["resourceVersion"].clone());
        assert_eq!(
            Some(&page["metadata"]["resourceVersion"]),
            first_rv.as_ref()
        );
        seen.extend(names(&page));
        pages += 1;
        match page["metadata"]["continue"].as_str() {
            Some(token) => {
                assert!(page["metadata"]["remainingItemCount"].as_u64().is_some());
                path = format!("{PODS}?limit=3&continue={token}");
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ["p0", "p1", "p2", "p3", "p4", "p5", "p6"]);
    let (code, _) = call(
        &c,
        &s,
        Method::GET,
        &format!("{PODS}?labelSelector=a%20in%20b"),
        None,
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_and_scale_subresources() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
        "status": {"replicas": 9}});
    let base = "/apis/apps/v1/namespaces/default/deployments";
    let (code, d) = call(&c, &s, Method::POST, base, Some(deploy)).await;
    assert_eq!(code, StatusCode::CREATED);
    assert!(d.get("status").is_none(), "create drops status: {d}");

    // Main endpoint ignores status changes.
    let mut upd = d.clone();
    upd["status"] = json!({"replicas": 5});
    let (_, d2) = call(&c, &s, Method::PUT, &format!("{base}/web"), Some(upd)).await;
    assert!(d2.get("status").is_none());
    // /status ignores everything else.
    let mut upd = d2.clone();
    upd["status"] = json!({"replicas": 1});
    upd["spec"]["replicas"] = json!(7);
    let (code, d3) = call(
        &c,
        &s,
        Method::PUT,
        &format!("{base}/web/status"),
        Some(upd),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        (
            d3["status"]["replicas"].clone(),
            d3["spec"]["replicas"].clone()
        ),
        (json!(1), json!(1))
    );

    let (code, sc) = call(&c, &s, Method::GET, &format!("{base}/web/scale"), None).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        (
            sc["kind"].clone(),
            sc["spec"]["replicas"].clone(),
            sc["status"]["selector"].clone()
        ),
        (json!("Scale"), json!(1), json!("app=web"))
    );
    let (code, sc) = call_ct(
        &c,
        &s,
        Method::PATCH,
        &format!("{base}/web/scale"),
        Some(json!({"spec": {"replicas": 4}})),
        "application/merge-patch+json",
    )
    .await;
    assert_eq!(
        (code, sc["spec"]["replicas"].clone()),
        (StatusCode::OK, json!(4))
    );
    let (_, d4) = call(&c, &s, Method::GET, &format!("{base}/web"), None).await;
    assert_eq!(
        (
            d4["spec"]["replicas"].clone(),
            d4["metadata"]["generation"].clone()
        ),
        (json!(4), json!(2))
    );

    // pods/log and pods/binding.
    call(&c, &s, Method::POST, PODS, Some(pod("p", json!({})))).await;
    s.set_pod_log(
        "default",
        "p",
        vec!["one".into(), "two".into(), "three".into()],
    );
    let text = c
        .get(format!("{}{PODS}/p/log?tailLines=2", s.base_url()))
        .send()
        .await
        .expect("log")
        .text()
        .await
        .expect("text");
    assert_eq!(text, "two\nthree\n");
    let (code, _) = call(&c, &s, Method::POST, &format!("{PODS}/p/binding"), Some(json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "p"}, "target": {"kind": "Node", "name": "n1"}}))).await;
    assert_eq!(code, StatusCode::CREATED);
    let (_, p) = call(&c, &s, Method::GET, &format!("{PODS}/p"), None).await;
    assert_eq!(p["spec"]["nodeName"], json!("n1"));
    let (code, _) = call(
        &c,
        &s,
        Method::POST,
        &format!("{PODS}/p/eviction"),
        Some(json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "p"}})),
    )
    .await;
    assert_eq!(code, StatusCode::CREATED);
    assert_eq!(
        call(&c, &s, Method::GET, &format!("{PODS}/p"), None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finalizers_and_preconditions() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let cms = "/api/v1/namespaces/default/configmaps";
    let cm =
        json!({"metadata": {"name": "f", "finalizers": ["example.com/keep"]}, "data": {"k": "v"}});
    let (_, created) = call(&c, &s, Method::POST, cms, Some(cm)).await;
    let (code, st) = call(
        &c,
        &s,
        Method::DELETE,
        &format!("{cms}/f"),
        Some(json!({"preconditions": {"uid": "wrong"}})),
    )
    .await;
    assert_eq!(
        (code, st["reason"].clone()),
        (StatusCode::CONFLICT, json!("Conflict"))
    );
    let (code, pending) = call(
        &c,
        &s,
        Method::DELETE,
        &format!("{cms}/f"),
        Some(json!({"preconditions": {"uid": created["metadata"]["uid"]}})),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert!(pending["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(
        call(&c, &s, Method::GET, &format!("{cms}/f"), None).await.0,
        StatusCode::OK
    );
    let (code, _) = call_ct(
        &c,
        &s,
        Method::PATCH,
        &format!("{cms}/f"),
        Some(json!({"metadata": {"finalizers": null}})),
        "application/merge-patch+json",
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        call(&c, &s, Method::GET, &format!("{cms}/f"), None).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crd_makes_its_resource_served() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
                               "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}, {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}],
                               "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.size", "statusReplicasPath": ".status.size"}}}]}});
    let (code, created) = call(
        &c,
        &s,
        Method::POST,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        Some(crd),
    )
    .await;
    assert_eq!(code, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["status"]["conditions"][1]["type"],
        json!("Established")
    );
    let (_, groups) = call(&c, &s, Method::GET, "/apis", None).await;
    assert!(groups["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .any(|g| g["name"] == "example.com"));
    let (_, rl) = call(&c, &s, Method::GET, "/apis/example.com/v1", None).await;
    assert_eq!(rl["resources"][0]["name"], json!("widgets"));
    let base = "/apis/example.com/v1/namespaces/default/widgets";
    let (code, w) = call(&c, &s, Method::POST, base, Some(json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 2}}))).await;
    assert_eq!(code, StatusCode::CREATED, "{w}");
    let (_, sc) = call(&c, &s, Method::GET, &format!("{base}/w/scale"), None).await;
    assert_eq!(sc["spec"]["replicas"], json!(2));
    // kubectl get asks for a Table: the CRD's printer columns, with the object's metadata.
    let resp = c
        .get(format!("{}{base}", s.base_url()))
        .header(
            "Accept",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        )
        .send()
        .await
        .expect("table request");
    // (the media type only, as kube-apiserver answers: the body's kind says Table)
    assert_eq!(resp.headers()["content-type"], "application/json");
    let table: Value = resp.json().await.expect("table json");
    let heads: Vec<&Value> = table["columnDefinitions"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| &c["name"])
        .collect();
    assert_eq!(heads, [&json!("Name"), &json!("Size"), &json!("Age")]);
    assert_eq!(
        table["rows"][0]["cells"].as_array().map(|c| &c[..2]),
        Some(&[json!("w"), json!(2)][..])
    );
    assert_eq!(
        table["rows"][0]["object"]["kind"],
        json!("PartialObjectMetadata")
    );
    let (code, _) = call(
        &c,
        &s,
        Method::DELETE,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com",
        None,
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        call(&c, &s, Method::GET, base, None).await.0,
        StatusCode::NOT_FOUND
    );
    let bad = json!({"metadata": {"name": "wrong.name"}, "spec": {"group": "example.com", "scope": "Namespaced", "names": {"plural": "x", "kind": "X"}, "versions": [{"name": "v1", "served": true, "storage": true}]}});
    let (code, _) = call(
        &c,
        &s,
        Method::POST,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        Some(bad),
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
}

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
async fn concurrent_writers_see_one_winner_per_resource_version() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let cms = "/api/v1/namespaces/default/configmaps";
    let (_, cm) = call(
        &c,
        &s,
        Method::POST,
        cms,
        Some(json!({"metadata": {"name": "race"}, "data": {"n": "0"}})),
    )
    .await;
    let mut tasks = Vec::new();
    // Every writer changes the data (a no-op update would succeed without a new resourceVersion).
    for i in 1..=16 {
        let (c, mut body, url) = (c.clone(), cm.clone(), format!("{}{cms}/race", s.base_url()));
        body["data"]["n"] = json!(i.to_string());
        tasks.push(tokio::spawn(async move {
            c.put(url)
                .json(&body)
                .send()
                .await
                .expect("answered")
                .status()
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.expect("task"));
    }
    assert_eq!(
        codes.iter().filter(|c| **c == StatusCode::OK).count(),
        1,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| **c == StatusCode::CONFLICT).count(),
        15
    );
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_collection_and_dry_run() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    for (n, app) in [("a", "web"), ("b", "web"), ("c", "db")] {
        call(
            &c,
            &s,
            Method::POST,
            PODS,
            Some(pod(n, json!({"app": app}))),
        )
        .await;
    }
    let (code, dry) = call(
        &c,
        &s,
        Method::POST,
        &format!("{PODS}?dryRun=All"),
        Some(pod("d", json!({}))),
    )
    .await;
    assert_eq!(
        (code, dry["metadata"]["name"].clone()),
        (StatusCode::CREATED, json!("d"))
    );
    assert_eq!(
        call(&c, &s, Method::GET, &format!("{PODS}/d"), None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (code, gone) = call(
        &c,
        &s,
        Method::DELETE,
        &format!("{PODS}?labelSelector=app%3Dweb"),
        None,
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(gone["items"].as_array().map(Vec::len), Some(2));
    let (_, left) = call(&c, &s, Method::GET, PODS, None).await;
    let names: Vec<&str> = left["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["metadata"]["name"].as_str())
        .collect();
    assert_eq!(names, ["c"]);
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_pages_and_exact_reads_come_from_one_snapshot() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    const CMS: &str = "/api/v1/namespaces/default/configmaps";
    let names = |list: &Value| -> Vec<String> {
        list["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|i| i["metadata"]["name"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    for i in 0..6 {
        let (code, _) = call(
            &c,
            &s,
            Method::POST,
            CMS,
            Some(json!({"metadata": {"name": format!("c{i}")}, "data": {"v": "1"}})),
        )
        .await;
        assert_eq!(code, StatusCode::CREATED);
    }
    let (_, first) = call(&c, &s, Method::GET, &format!("{CMS}?limit=2"), None).await;
    let snapshot_rv = first["metadata"]["resourceVersion"]
        .as_str()
        .expect("rv")
        .to_string();
    assert_eq!(names(&first), ["c0", "c1"]);

    // Changes after the first page: delete c3, add c9, modify c4.
    call(&c, &s, Method::DELETE, &format!("{CMS}/c3"), None).await;
    call(
        &c,
        &s,
        Method::POST,
        CMS,
        Some(json!({"metadata": {"name": "c9"}})),
    )
    .await;
    let (code, _) = call_ct(
        &c,
        &s,
        Method::PATCH,
        &format!("{CMS}/c4"),
        Some(json!({"data": {"v": "2"}})),
        "application/merge-patch+json",
    )
    .await;
    assert_eq!(code, StatusCode::OK);

    // The remaining pages still show the state of the first page.
    let mut token = first["metadata"]["continue"]
        .as_str()
        .expect("more")
        .to_string();
    let mut rest = Vec::new();
    loop {
        let (code, page) = call(
            &c,
            &s,
            Method::GET,
            &format!("{CMS}?limit=2&continue={token}"),
            None,
        )
        .await;
        assert_eq!(code, StatusCode::OK, "{page}");
        assert_eq!(page["metadata"]["resourceVersion"], json!(snapshot_rv));
        for item in page["items"].as_array().expect("items") {
            if item["metadata"]["name"] == "c4" {
                assert_eq!(item["data"]["v"], json!("1"), "c4 as it was");
            }
        }
        rest.extend(names(&page));
        match page["metadata"]["continue"].as_str() {
            Some(t) => token = t.to_string(),
            None => break,
        }
    }
    assert_eq!(rest, ["c2", "c3", "c4", "c5"]);

    // resourceVersionMatch=Exact reads that version; the latest list has the changes.
    let (code, exact) = call(
        &c,
        &s,
        Method::GET,
        &format!("{CMS}?resourceVersion={snapshot_rv}&resourceVersionMatch=Exact"),
        None,
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{exact}");
    assert_eq!(names(&exact), ["c0", "c1", "c2", "c3", "c4", "c5"]);
    let (_, latest) = call(
        &c,
        &s,
        Method::GET,
        &format!("{CMS}?resourceVersion={snapshot_rv}&resourceVersionMatch=NotOlderThan"),
        None,
    )
    .await;
    assert_eq!(names(&latest), ["c0", "c1", "c2", "c4", "c5", "c9"]);

    // Option validation and versions out of range, with kube-apiserver's codes.
    let bad = [
        ("resourceVersionMatch=Exact", 422),
        ("resourceVersion=0&resourceVersionMatch=Exact", 422),
        ("resourceVersion=1&resourceVersionMatch=Sometimes", 422),
        ("resourceVersion=abc", 400),
        (
            "resourceVersion=999999999&resourceVersionMatch=NotOlderThan",
            504,
        ),
    ];
    for (query, want) in bad {
        let (code, body) = call(&c, &s, Method::GET, &format!("{CMS}?{query}"), None).await;
        assert_eq!(code.as_u16(), want, "{query}: {body}");
    }
    let (_, too_large) = call(
        &c,
        &s,
        Method::GET,
        &format!("{CMS}?resourceVersion=999999999"),
        None,
    )
    .await;
    assert_eq!(
        too_large["details"]["causes"][0]["reason"],
        json!("ResourceVersionTooLarge")
    );

    // Once the history behind the snapshot is compacted, the token has expired: 410.
    s.compact();
    let (code, gone) = call(
        &c,
        &s,
        Method::GET,
        &format!(
            "{CMS}?limit=2&continue={}",
            first["metadata"]["continue"].as_str().unwrap_or("")
        ),
        None,
    )
    .await;
    assert_eq!(code, StatusCode::GONE, "{gone}");
    assert_eq!(gone["reason"], json!("Expired"));
    let (code, _) = call(
        &c,
        &s,
        Method::GET,
        &format!("{CMS}?resourceVersion={snapshot_rv}&resourceVersionMatch=Exact"),
        None,
    )
    .await;
    assert_eq!(code, StatusCode::GONE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespaces_terminate_after_their_contents() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let (code, ns) = call(
        &c,
        &s,
        Method::POST,
        "/api/v1/namespaces",
        Some(json!({"metadata": {"name": "team"}})),
    )
    .await;
    assert_eq!(code, StatusCode::CREATED);
    assert_eq!(ns["spec"]["finalizers"], json!(["kubernetes"]));
    let cms = "/api/v1/namespaces/team/configmaps";
    call(
        &c,
        &s,
        Method::POST,
        cms,
        Some(json!({"metadata": {"name": "plain"}})),
    )
    .await;
    call(
        &c,
        &s,
        Method::POST,
        cms,
        Some(json!({"metadata": {"name": "held", "finalizers": ["example.com/hold"]}})),
    )
    .await;

    // Deleting marks the namespace Terminating and deletes what it can.
    let (code, marked) = call(&c, &s, Method::DELETE, "/api/v1/namespaces/team", None).await;
    assert_eq!(code, StatusCode::OK, "{marked}");
    assert_eq!(marked["status"]["phase"], json!("Terminating"));
    assert!(marked["metadata"]["deletionTimestamp"].is_string());
    let (code, _) = call(&c, &s, Method::GET, &format!("{cms}/plain"), None).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    let (_, held) = call(&c, &s, Method::GET, &format!("{cms}/held"), None).await;
    assert!(held["metadata"]["deletionTimestamp"].is_string(), "{held}");

    // No new content while terminating; a second delete is a conflict, as upstream.
    let (code, refused) = call(
        &c,
        &s,
        Method::POST,
        cms,
        Some(json!({"metadata": {"name": "late"}})),
    )
    .await;
    assert_eq!(code, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(refused["message"], json!("configmaps \"late\" is forbidden: unable to create new content in namespace team because it is being terminated"));
    assert_eq!(
        refused["details"]["causes"][0]["reason"],
        json!("NamespaceTerminating")
    );
    let (code, _) = call(&c, &s, Method::DELETE, "/api/v1/namespaces/team", None).await;
    assert_eq!(code, StatusCode::CONFLICT);
    let (code, _) = call(&c, &s, Method::GET, "/api/v1/namespaces/team", None).await;
    assert_eq!(code, StatusCode::OK);

    // Removing the last finalizer lets the object and then the namespace go.
    let (code, _) = call_ct(
        &c,
        &s,
        Method::PATCH,
        &format!("{cms}/held"),
        Some(json!({"metadata": {"finalizers": null}})),
        "application/merge-patch+json",
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    let (code, _) = call(&c, &s, Method::GET, "/api/v1/namespaces/team", None).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

/// Shapes kube-apiserver gives that the differential suite found the test server lacking.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_shaped_as_kube_apiserver_answers() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    let cms = "/api/v1/namespaces/default/configmaps";
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}});
    let (code, created) = call(&c, &s, Method::POST, cms, Some(cm)).await;
    assert_eq!(code, StatusCode::CREATED, "{created}");

    // List items of built-in kinds carry no type; the object itself does.
    let (_, list) = call(&c, &s, Method::GET, cms, None).await;
    let item = &list["items"][0];
    assert_eq!(item["metadata"]["name"], "a");
    assert!(
        item.get("kind").is_none() && item.get("apiVersion").is_none(),
        "{item}"
    );

    // Unsupported field selectors are refused in kube-apiserver's words.
    let (code, st) = call(
        &c,
        &s,
        Method::GET,
        &format!("{cms}?fieldSelector=spec.x%3Dy"),
        None,
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(
        st["message"],
        "\"spec.x\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
    );

    // A delete that removes the object answers a Status naming it.
    let (code, st) = call(&c, &s, Method::DELETE, &format!("{cms}/a"), None).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(st["kind"], "Status");
    assert_eq!(st["status"], "Success");
    assert_eq!(st["details"]["kind"], "configmaps");
    assert_eq!(st["details"]["uid"], created["metadata"]["uid"]);

    // Leases need the resourceVersion they replace.
    let leases = "/apis/coordination.k8s.io/v1/namespaces/default/leases";
    let lease = json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l"}, "spec": {"holderIdentity": "a"}});
    call(&c, &s, Method::POST, leases, Some(lease.clone())).await;
    let (code, st) = call(&c, &s, Method::PUT, &format!("{leases}/l"), Some(lease)).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{st}");
    assert_eq!(
        st["details"]["causes"][0]["field"],
        "metadata.resourceVersion"
    );

    // Services are defaulted and get a cluster IP; new namespaces their default ServiceAccount.
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"ports": [{"port": 80}]}});
    let (_, svc) = call(
        &c,
        &s,
        Method::POST,
        "/api/v1/namespaces/default/services",
        Some(svc),
    )
    .await;
    assert_eq!(svc["spec"]["type"], "ClusterIP");
    assert_eq!(svc["spec"]["ports"][0]["targetPort"], 80);
    assert!(svc["spec"]["clusterIP"].is_string());
    // As on a real cluster, pods reach the API server through `default/kubernetes`.
    let (code, api) = call(
        &c,
        &s,
        Method::GET,
        "/api/v1/namespaces/default/services/kubernetes",
        None,
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(api["spec"]["ports"][0]["port"], 443);
    assert_ne!(api["spec"]["clusterIP"], svc["spec"]["clusterIP"]);
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "fresh"}});
    call(&c, &s, Method::POST, "/api/v1/namespaces", Some(ns)).await;
    let (code, _) = call(
        &c,
        &s,
        Method::GET,
        "/api/v1/namespaces/fresh/serviceaccounts/default",
        None,
    )
    .await;
    assert_eq!(code, StatusCode::OK);
}
