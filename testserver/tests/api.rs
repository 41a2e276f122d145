//! Object semantics over real HTTPS: status codes and Status bodies, resourceVersions,
//! subresources, finalizers and preconditions, CRDs, deletecollection and dry run, namespace
//! lifecycle, and answers shaped as kube-apiserver shapes them. Lists, auth and apply have
//! their own files (`api_lists.rs`, `api_auth.rs`, `api_apply.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod common;

use common::{admin_client, call, call_ct, pod, rv, PODS};
use kubeclient_testserver::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

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
