//! LIST over real HTTPS: label and field selectors, limit and continue, and pages and exact
//! reads served from one snapshot, as kube-apiserver serves them from etcd.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod common;

use common::{admin_client, call, call_ct, pod, PODS};
use kubeclient_testserver::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

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

/// A protobuf list is written from each item's kept message: it must be byte for byte what
/// converting the JSON answer to the same request whole gives, pages and empty lists included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protobuf_lists_equal_the_json_answer_converted() {
    let s = TestServer::start().await.expect("server starts");
    let c = admin_client(&s);
    for i in 0..5 {
        let p = pod(&format!("p{i}"), json!({"app": "web", "n": i.to_string()}));
        assert_eq!(
            call(&c, &s, Method::POST, PODS, Some(p)).await.0,
            StatusCode::CREATED
        );
    }
    // The protobuf answer to `path`, and the JSON answer to it converted whole, must be equal.
    let same_as_converted = |path: String| {
        let get = |accept: &'static str| {
            c.get(format!("{}{path}", s.base_url()))
                .header("accept", accept)
                .send()
        };
        let (pb, json) = (
            get("application/vnd.kubernetes.protobuf"),
            get("application/json"),
        );
        async move {
            let mut bodies = Vec::new();
            for resp in [pb.await, json.await] {
                let resp = resp.expect("request is answered");
                assert_eq!(resp.status(), StatusCode::OK, "{path}");
                bodies.push(resp.bytes().await.expect("body").to_vec());
            }
            let converted = kubeclient::kinds::json_to_protobuf(&bodies[1])
                .expect("the list has a protobuf form")
                .expect("the JSON list converts");
            assert!(
                bodies[0].starts_with(kubeclient_runtime::proto::MAGIC),
                "{path}"
            );
            assert_eq!(bodies[0], converted, "{path}: protobuf list differs");
        }
    };
    let (_, first) = call(&c, &s, Method::GET, &format!("{PODS}?limit=2"), None).await;
    let token = first["metadata"]["continue"]
        .as_str()
        .expect("a continue token");
    for query in [
        String::new(),
        "?limit=2".into(),
        format!("?limit=2&continue={token}"),
        "?labelSelector=app%3Dnone".into(),
    ] {
        same_as_converted(format!("{PODS}{query}")).await;
    }

    // An object stored in one version and listed in another is read as the listed version's
    // type, as the whole conversion reads it.
    let hpa = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                 "minReplicas": 1, "maxReplicas": 3}});
    let v2 = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers";
    assert_eq!(
        call(&c, &s, Method::POST, v2, Some(hpa)).await.0,
        StatusCode::CREATED
    );
    for path in [
        v2,
        "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers",
    ] {
        same_as_converted(path.into()).await;
    }
}
