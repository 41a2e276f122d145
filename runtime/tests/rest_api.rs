//! RestClient and ResourceClient against handwritten loopback servers: CRUD on a small store,
//! typed Status errors, Retry-After retries, auth, warnings, decode failures.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod rest_support;

use futures_util::StreamExt;
use kubeclient_runtime::client::{LogOptions, Patch, ResourceClient};
use kubeclient_runtime::meta::v1::{
    CreateOptions, DeleteOptions, GetOptions, ListOptions, ObjectMeta, PatchOptions, UpdateOptions,
    WatchEvent,
};
use kubeclient_runtime::rest::{
    self, Config, CredentialSource, Credentials, CredentialsFuture, Error, RestClient,
};
use kubeclient_runtime::secret::Secret;
use rest_support::{serve, widget, Reply, Req, Widget};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

fn config(url: &str) -> Config {
    let mut c = Config::new(url);
    c.qps = -1.0;
    c
}

fn widgets(url: &str, ns: &str) -> ResourceClient<Widget> {
    let rest = RestClient::new(&config(url)).expect("client");
    ResourceClient::namespaced(rest.for_group_version("example.com", "v1"), ns)
}

/// An in-memory widget store speaking enough of the API server protocol for the tests.
#[derive(Default)]
struct Store {
    objects: BTreeMap<(String, String), Value>,
    rv: u64,
}

impl Store {
    fn handle(&mut self, req: Req) -> Reply {
        let parts: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
        let (ns, rest) = match parts.as_slice() {
            ["apis", "example.com", "v1", "namespaces", ns, rest @ ..] => (Some(*ns), rest),
            ["apis", "example.com", "v1", rest @ ..] => (None, rest),
            _ => return Reply::status(404, "NotFound", "no such path"),
        };
        match (req.method.as_str(), rest) {
            ("GET", ["widgets"]) if req.query("watch") == Some("true") => {
                let mut text = Vec::new();
                for obj in self.matching(ns) {
                    text.extend(
                        json!({"type":"ADDED","object":obj})
                            .to_string()
                            .into_bytes(),
                    );
                    text.push(b'\n');
                }
                text.extend(
                    json!({"type":"BOOKMARK","object":{"kind":"Widget","apiVersion":"example.com/v1","metadata":{"resourceVersion":self.rv.to_string()}}})
                        .to_string()
                        .into_bytes(),
                );
                text.push(b'\n');
                // One HTTP chunk per byte: the client must reassemble events.
                Reply::chunks(200, text.into_iter().map(|b| vec![b]).collect())
            }
            ("GET", ["widgets"]) => {
                let items: Vec<Value> = self
                    .matching(ns)
                    .into_iter()
                    .filter(|o| match req.query("labelSelector") {
                        Some(sel) => {
                            let (k, v) = sel.split_once('=').unwrap_or((sel, ""));
                            o["metadata"]["labels"][k] == json!(v)
                        }
                        None => true,
                    })
                    .collect();
                Reply::json(
                    200,
                    &json!({"kind":"WidgetList","apiVersion":"example.com/v1","metadata":{"resourceVersion":self.rv.to_string()},"items":items}),
                )
            }
            ("POST", ["widgets"]) => {
                let Some(ns) = ns else {
                    return Reply::status(405, "MethodNotAllowed", "namespace required");
                };
                let Ok(mut obj) = serde_json::from_slice::<Value>(&req.body) else {
                    return Reply::status(400, "BadRequest", "body is not JSON");
                };
                let Some(name) = obj["metadata"]["name"].as_str().map(str::to_owned) else {
                    return Reply::status(422, "Invalid", "metadata.name: Required value");
                };
                let key = (ns.to_owned(), name.clone());
                if self.objects.contains_key(&key) {
                    return Reply::status(
                        409,
                        "AlreadyExists",
                        &format!("widgets \"{name}\" already exists"),
                    );
                }
                self.rv += 1;
                obj["metadata"]["namespace"] = json!(ns);
                obj["metadata"]["resourceVersion"] = json!(self.rv.to_string());
                obj["metadata"]["uid"] = json!(format!("uid-{}", self.rv));
                self.objects.insert(key, obj.clone());
                Reply::json(201, &obj)
            }
            (method, ["widgets", name, sub @ ..]) => {
                let Some(ns) = ns else {
                    return Reply::status(404, "NotFound", "cluster path");
                };
                let key = (ns.to_owned(), (*name).to_owned());
                let Some(current) = self.objects.get(&key).cloned() else {
                    return Reply::status(
                        404,
                        "NotFound",
                        &format!("widgets.example.com \"{name}\" not found"),
                    );
                };
                match (method, sub) {
                    ("GET", []) | ("GET", ["status"]) => Reply::json(200, &current),
                    ("GET", ["log"]) => Reply::bytes(
                        200,
                        "text/plain",
                        format!("log of {name}\nline 2\n").into_bytes(),
                    ),
                    ("PUT", []) | ("PUT", ["status"]) => {
                        let Ok(mut obj) = serde_json::from_slice::<Value>(&req.body) else {
                            return Reply::status(400, "BadRequest", "body is not JSON");
                        };
                        if obj["metadata"]["resourceVersion"]
                            != current["metadata"]["resourceVersion"]
                        {
                            return Reply::status(409, "Conflict", "the object has been modified");
                        }
                        self.rv += 1;
                        obj["metadata"]["resourceVersion"] = json!(self.rv.to_string());
                        self.objects.insert(key, obj.clone());
                        Reply::json(200, &obj)
                    }
                    ("PATCH", []) => {
                        let ct = req.header("content-type").unwrap_or_default();
                        if ct == "application/apply-patch+yaml"
                            && req.query("fieldManager").is_none()
                        {
                            return Reply::status(422, "Invalid", "fieldManager required");
                        }
                        if ct != "application/merge-patch+json"
                            && ct != "application/apply-patch+yaml"
                        {
                            return Reply::status(415, "UnsupportedMediaType", ct);
                        }
                        let Ok(patch) = serde_json::from_slice::<Value>(&req.body) else {
                            return Reply::status(400, "BadRequest", "patch is not JSON");
                        };
                        let mut obj = current;
                        merge(&mut obj, &patch);
                        self.rv += 1;
                        obj["metadata"]["resourceVersion"] = json!(self.rv.to_string());
                        self.objects.insert(key, obj.clone());
                        Reply::json(200, &obj)
                    }
                    ("DELETE", []) => {
                        self.objects.remove(&key);
                        Reply::json(
                            200,
                            &json!({"kind":"Status","apiVersion":"v1","status":"Success"}),
                        )
                    }
                    _ => Reply::status(405, "MethodNotAllowed", "unsupported"),
                }
            }
            _ => Reply::status(405, "MethodNotAllowed", "unsupported"),
        }
    }

    fn matching(&self, ns: Option<&str>) -> Vec<Value> {
        self.objects
            .iter()
            .filter(|((n, _), _)| ns.is_none_or(|ns| ns == n))
            .map(|(_, v)| v.clone())
            .collect()
    }
}

fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

async fn store_server() -> rest_support::Server {
    let store = Arc::new(Mutex::new(Store::default()));
    serve(move |req| store.lock().expect("store lock").handle(req)).await
}

#[tokio::test]
async fn crud_watch_and_subresources_against_a_store() {
    let server = store_server().await;
    let client = widgets(&server.url, "default");

    let created = client
        .create(&widget("w1", 1), &CreateOptions::default())
        .await
        .expect("create");
    assert_eq!(created.metadata.namespace.as_deref(), Some("default"));
    assert_eq!(created.metadata.resource_version.as_deref(), Some("1"));
    client
        .create(&widget("w2", 2), &CreateOptions::default())
        .await
        .expect("create w2");

    let got = client.get("w1", &GetOptions::default()).await.expect("get");
    assert_eq!(got.spec.size, 1);
    let status = client
        .get_status("w1", &GetOptions::default())
        .await
        .expect("get status");
    assert_eq!(status.metadata.name.as_deref(), Some("w1"));

    let list = client.list(&ListOptions::default()).await.expect("list");
    assert_eq!(list.items.len(), 2);
    assert_eq!(list.metadata.resource_version.as_deref(), Some("2"));

    let mut changed = got.clone();
    changed.spec.size = 10;
    let updated = client
        .update(&changed, &UpdateOptions::default())
        .await
        .expect("update");
    assert_eq!(updated.spec.size, 10);
    // Updating again from the stale copy is a conflict.
    let stale = client
        .update(&changed, &UpdateOptions::default())
        .await
        .expect_err("stale update");
    assert!(stale.is_conflict(), "{stale}");
    assert!(rest::error::is_conflict(&stale));

    let patched = client
        .patch(
            "w1",
            &Patch::Merge(json!({"spec":{"color":"red"}})),
            &PatchOptions::default(),
        )
        .await
        .expect("merge patch");
    assert_eq!(patched.spec.color.as_deref(), Some("red"));
    assert_eq!(patched.spec.size, 10);
    let apply = client
        .patch(
            "w1",
            &Patch::Apply(json!({"spec":{"size":3}})),
            &PatchOptions::default(),
        )
        .await;
    assert!(
        matches!(apply, Err(Error::InvalidRequest(_))),
        "apply without field manager must fail locally"
    );
    let applied = client
        .patch(
            "w1",
            &Patch::Apply(json!({"spec":{"size":3}})),
            &PatchOptions {
                field_manager: Some("tests".into()),
                ..Default::default()
            },
        )
        .await
        .expect("apply");
    assert_eq!(applied.spec.size, 3);

    let logs = client
        .logs(
            "w1",
            &LogOptions {
                tail_lines: Some(2),
                ..Default::default()
            },
        )
        .await
        .expect("logs");
    assert_eq!(logs, "log of w1\nline 2\n");

    // Watch from the all-namespaces client: events arrive one byte per HTTP chunk.
    let all = widgets(&server.url, "");
    let events: Vec<_> = all
        .watch(&ListOptions::default())
        .await
        .expect("watch")
        .collect()
        .await;
    let events: Vec<WatchEvent<Widget>> = events.into_iter().map(|e| e.expect("event")).collect();
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(
        matches!(&events[0], WatchEvent::Added(w) if w.metadata.name.as_deref() == Some("w1") && w.spec.size == 3)
    );
    assert!(matches!(&events[1], WatchEvent::Added(w) if w.metadata.name.as_deref() == Some("w2")));
    assert!(
        matches!(&events[2], WatchEvent::Bookmark(w) if w.metadata.resource_version.as_deref() == Some("5"))
    );

    client
        .delete("w1", &DeleteOptions::default())
        .await
        .expect("delete");
    let gone = client
        .get("w1", &GetOptions::default())
        .await
        .expect_err("deleted");
    assert!(gone.is_not_found(), "{gone}");
    let dup = client
        .create(&widget("w2", 2), &CreateOptions::default())
        .await
        .expect_err("duplicate");
    assert!(dup.is_already_exists() && !dup.is_not_found(), "{dup}");
    let unnamed = Widget {
        metadata: ObjectMeta::default(),
        ..Default::default()
    };
    assert!(matches!(
        client.update(&unnamed, &UpdateOptions::default()).await,
        Err(Error::InvalidRequest(_))
    ));
}

#[tokio::test]
async fn request_builder_paths_and_params() {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let record = seen.clone();
    let server = serve(move |req: Req| {
        let q: Vec<String> = req.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        record
            .lock()
            .expect("lock")
            .push(format!("{} {}?{}", req.method, req.path, q.join("&")));
        Reply::json(200, &json!({}))
    })
    .await;
    let rest = RestClient::new(&config(&format!("{}/prefix/", server.url))).expect("client");
    let core = rest.for_group_version("", "v1");
    core.get()
        .namespace("ns1")
        .resource("pods")
        .name("p")
        .sub_resource("log")
        .param("follow", "true")
        .do_raw()
        .await
        .expect("get");
    rest.for_group_version("apps", "v1")
        .delete()
        .resource("deployments")
        .params(
            ListOptions {
                label_selector: Some("a=b,c!=d".into()),
                limit: Some(5),
                ..Default::default()
            }
            .query_pairs(),
        )
        .do_raw()
        .await
        .expect("delete");
    rest.get()
        .abs_path("/version")
        .do_raw()
        .await
        .expect("version");
    let bad = core
        .get()
        .resource("pods")
        .name("../secrets")
        .do_raw()
        .await;
    assert!(matches!(bad, Err(Error::InvalidRequest(_))));
    let empty = core.get().resource("pods").name("").do_raw().await;
    assert!(matches!(empty, Err(Error::InvalidRequest(_))));
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(
        seen,
        vec![
            "GET /prefix/api/v1/namespaces/ns1/pods/p/log?follow=true".to_owned(),
            "DELETE /prefix/apis/apps/v1/deployments?labelSelector=a=b,c!=d&limit=5".to_owned(),
            "GET /prefix/version?".to_owned(),
        ]
    );
}

#[tokio::test]
async fn non_2xx_answers_become_typed_status_errors() {
    let server = serve(|req: Req| match req.path.as_str() {
        "/forbidden" => Reply::status(
            403,
            "Forbidden",
            "pods is forbidden: User \"x\" cannot list",
        ),
        "/unauthorized" => Reply::status(401, "Unauthorized", "Unauthorized"),
        "/invalid" => Reply::status(422, "Invalid", "spec.size: Invalid value"),
        "/timeout" => Reply::status(504, "Timeout", "request timed out"),
        "/gone" => Reply::status(410, "Expired", "too old resource version"),
        "/throttled" => Reply::status(429, "TooManyRequests", "slow down"),
        "/html" => Reply::bytes(
            502,
            "text/html",
            format!("<html><body>{}</body></html>", "bad gateway ".repeat(1000)).into_bytes(),
        ),
        "/bare404" => Reply::bytes(404, "text/plain", b"404 page not found".to_vec()),
        _ => Reply::json(200, &json!({})),
    })
    .await;
    let rest = RestClient::new(&config(&server.url)).expect("client");
    let err = |path: &'static str| {
        let rest = rest.clone();
        async move { rest.get().abs_path(path).do_raw().await.expect_err(path) }
    };
    assert!(err("/forbidden").await.is_forbidden());
    assert!(err("/unauthorized").await.is_unauthorized());
    assert!(err("/invalid").await.is_invalid());
    assert!(err("/timeout").await.is_timeout());
    let gone = err("/gone").await;
    assert!(gone.is_gone() && gone.is_resource_expired());
    let throttled = err("/throttled").await;
    assert!(throttled.is_too_many_requests());
    let html = err("/html").await;
    let status = html.status().expect("synthesized status");
    assert_eq!(status.code, Some(502));
    assert!(
        status
            .message
            .as_deref()
            .is_some_and(|m| m.contains("bad gateway") && m.len() < 1200),
        "{html}"
    );
    let bare = err("/bare404").await;
    assert!(bare.is_not_found(), "{bare}");
    // 429 without Retry-After is not retried: one hit each for the 8 error paths.
    assert_eq!(server.hits(), 8);
}

#[tokio::test]
async fn retry_after_is_honoured_for_429_and_5xx_then_succeeds() {
    let bodies = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let record = bodies.clone();
    let server = serve(move |req: Req| {
        let mut bodies = record.lock().expect("lock");
        bodies.push(req.body.clone());
        match bodies.len() {
            1 => Reply::status(429, "TooManyRequests", "slow down").header("Retry-After", "0"),
            2 => Reply::status(503, "ServiceUnavailable", "restarting").header("Retry-After", "0"),
            _ => Reply::json(201, &json!({"metadata":{"name":"w"},"spec":{"size":7}})),
        }
    })
    .await;
    // POST bodies are buffered, so they are replayed like client-go replays them.
    let client = widgets(&server.url, "default");
    let created = client
        .create(&widget("w", 7), &CreateOptions::default())
        .await
        .expect("created after retries");
    assert_eq!(created.spec.size, 7);
    let bodies = bodies.lock().expect("lock").clone();
    assert_eq!(bodies.len(), 3);
    assert!(
        bodies.iter().all(|b| b == &bodies[0] && !b.is_empty()),
        "every attempt sends the same body"
    );
}

#[tokio::test]
async fn giving_up_after_ten_retries_returns_the_last_status() {
    let n = Arc::new(AtomicUsize::new(0));
    let counter = n.clone();
    let server = serve(move |_req: Req| {
        let attempt = counter.fetch_add(1, Ordering::SeqCst) + 1;
        Reply::status(503, "ServiceUnavailable", &format!("attempt {attempt}"))
            .header("Retry-After", "0")
    })
    .await;
    let rest = RestClient::new(&config(&server.url)).expect("client");
    let err = rest
        .get()
        .abs_path("/api")
        .do_raw()
        .await
        .expect_err("never succeeds");
    assert!(err.is_service_unavailable(), "{err}");
    // One try plus ten retries, as client-go's maxRetries = 10.
    assert_eq!(server.hits(), 11);
    assert_eq!(
        err.status().and_then(|s| s.message.as_deref()),
        Some("attempt 11")
    );
    // A 5xx without Retry-After is returned at once.
    let plain = serve(|_req: Req| Reply::status(500, "InternalError", "boom")).await;
    let rest = RestClient::new(&config(&plain.url)).expect("client");
    assert!(rest
        .get()
        .abs_path("/api")
        .do_raw()
        .await
        .expect_err("500")
        .is_internal_error());
    assert_eq!(plain.hits(), 1);
}

#[tokio::test]
async fn watch_errors_and_malformed_bodies_never_panic() {
    let server = serve(|req: Req| match req.path.as_str() {
        "/gone" => Reply::chunks(
            200,
            vec![
                br#"{"type":"ADDED","object":{"metadata":{"name":"a"}}}"#.to_vec(),
                b"\n".to_vec(),
                br#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410,"message":"too old resource version: 1 (5)"}}"#.to_vec(),
                b"\n".to_vec(),
            ],
        ),
        "/truncated-watch" => Reply::chunks(200, vec![br#"{"type":"ADDED","object":{"metadata":{"na"#.to_vec()]),
        "/html-watch" => Reply::chunks(200, vec![b"<html>oops</html>".to_vec()]),
        "/truncated" => Reply::bytes(200, "application/json", br#"{"metadata":{"name":"x"},"spec":{"si"#.to_vec()),
        "/html" => Reply::bytes(200, "text/html", b"<html>proxy login</html>".to_vec()),
        _ => Reply::json(404, &json!({})),
    })
    .await;
    let rest = RestClient::new(&config(&server.url)).expect("client");

    let events: Vec<_> = rest
        .get()
        .abs_path("/gone")
        .watch::<Widget>()
        .await
        .expect("watch")
        .collect()
        .await;
    assert_eq!(events.len(), 2);
    assert!(
        matches!(&events[0], Ok(WatchEvent::Added(w)) if w.metadata.name.as_deref() == Some("a"))
    );
    let err = events[1].as_ref().expect_err("ERROR event");
    assert!(err.is_gone(), "{err}");

    let events: Vec<_> = rest
        .get()
        .abs_path("/truncated-watch")
        .watch::<Widget>()
        .await
        .expect("watch")
        .collect()
        .await;
    assert!(
        matches!(events.as_slice(), [Err(Error::Watch { .. })]),
        "{events:?}"
    );
    let events: Vec<_> = rest
        .get()
        .abs_path("/html-watch")
        .watch::<Widget>()
        .await
        .expect("watch")
        .collect()
        .await;
    assert!(
        matches!(events.as_slice(), [Err(Error::Watch { .. })]),
        "{events:?}"
    );

    let truncated = rest
        .get()
        .abs_path("/truncated")
        .do_::<Widget>()
        .await
        .expect_err("truncated");
    assert!(
        matches!(&truncated, Error::Decode { category: serde_json::error::Category::Eof, body, .. } if body.contains("JSON object")),
        "{truncated}"
    );
    let html = rest
        .get()
        .abs_path("/html")
        .do_::<Widget>()
        .await
        .expect_err("html");
    assert!(
        matches!(&html, Error::Decode { body, .. } if body.contains("HTML") && !html.to_string().contains("proxy login")),
        "{html}"
    );
}

#[derive(Debug)]
struct RotatingToken {
    current: Mutex<&'static str>,
    invalidations: AtomicUsize,
}

impl CredentialSource for RotatingToken {
    fn credentials(&self) -> CredentialsFuture<'_> {
        let token = *self.current.lock().expect("lock");
        Box::pin(async move { Ok(Credentials::Bearer(Secret::new(token))) })
    }
    fn invalidate(&self) {
        self.invalidations.fetch_add(1, Ordering::SeqCst);
        *self.current.lock().expect("lock") = "fresh-token";
    }
}

#[tokio::test]
async fn auth_impersonation_user_agent_and_credential_refresh() {
    let seen = Arc::new(Mutex::new(Vec::<Req>::new()));
    let record = seen.clone();
    let server = serve(move |req: Req| {
        record.lock().expect("lock").push(req.clone());
        match req.header("authorization") {
            Some("Bearer fresh-token")
            | Some("Bearer static-token")
            | Some("Basic YWxpY2U6czNjcmV0") => Reply::json(200, &json!({})),
            _ => Reply::status(401, "Unauthorized", "Unauthorized"),
        }
    })
    .await;

    let mut cfg = config(&server.url);
    cfg.bearer_token = Some(Secret::new("static-token"));
    cfg.impersonate.user = Some("jane".into());
    cfg.impersonate.uid = Some("42".into());
    cfg.impersonate.groups = vec!["dev".into(), "ops".into()];
    cfg.impersonate
        .extra
        .insert("scopes".into(), vec!["a".into(), "b".into()]);
    let rest = RestClient::new(&cfg).expect("client");
    assert!(!format!("{rest:?}").contains("static-token"));
    rest.get().abs_path("/api").do_raw().await.expect("bearer");
    {
        let seen = seen.lock().expect("lock");
        let req = &seen[0];
        assert_eq!(req.header("impersonate-user"), Some("jane"));
        assert_eq!(req.header("impersonate-uid"), Some("42"));
        assert_eq!(req.headers_named("impersonate-group"), vec!["dev", "ops"]);
        assert_eq!(
            req.headers_named("impersonate-extra-scopes"),
            vec!["a", "b"]
        );
        let ua = req.header("user-agent").unwrap_or_default();
        assert!(
            ua.starts_with("kubeclient/")
                && ua.contains(&format!(
                    "({}/{})",
                    std::env::consts::OS,
                    std::env::consts::ARCH
                )),
            "{ua}"
        );
        assert_eq!(req.header("accept-encoding"), Some("gzip"));
    }

    let mut basic = config(&server.url);
    basic.username = Some("alice".into());
    basic.password = Some(Secret::new("s3cret"));
    RestClient::new(&basic)
        .expect("client")
        .get()
        .abs_path("/api")
        .do_raw()
        .await
        .expect("basic auth");

    let source = Arc::new(RotatingToken {
        current: Mutex::new("expired-token"),
        invalidations: AtomicUsize::new(0),
    });
    let mut dynamic = config(&server.url);
    dynamic.bearer_token = Some(Secret::new("ignored-when-credentials-set"));
    dynamic.credentials = Some(source.clone());
    let rest = RestClient::new(&dynamic).expect("client");
    rest.get()
        .abs_path("/api")
        .do_raw()
        .await
        .expect("retried with fresh token");
    assert_eq!(source.invalidations.load(Ordering::SeqCst), 1);
    let last_two: Vec<Option<String>> = seen
        .lock()
        .expect("lock")
        .iter()
        .rev()
        .take(2)
        .map(|r| r.header("authorization").map(str::to_owned))
        .collect();
    assert_eq!(
        last_two,
        vec![
            Some("Bearer fresh-token".to_owned()),
            Some("Bearer expired-token".to_owned())
        ]
    );

    // A 401 that persists is returned after one refresh, not looped on.
    let stuck = Arc::new(StuckToken(AtomicUsize::new(0)));
    let mut cfg = config(&server.url);
    cfg.credentials = Some(stuck.clone());
    let before = seen.lock().expect("lock").len();
    let err = RestClient::new(&cfg)
        .expect("client")
        .get()
        .abs_path("/api")
        .do_raw()
        .await
        .expect_err("401");
    assert!(err.is_unauthorized(), "{err}");
    assert!(!err.to_string().contains("bad-token"));
    assert_eq!(stuck.0.load(Ordering::SeqCst), 1);
    assert_eq!(seen.lock().expect("lock").len() - before, 2);
}

#[derive(Debug)]
struct StuckToken(AtomicUsize);

impl CredentialSource for StuckToken {
    fn credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async { Ok(Credentials::Bearer(Secret::new("bad-token"))) })
    }
    fn invalidate(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[derive(Debug, Default)]
struct Collect(Mutex<Vec<String>>);

impl rest::WarningHandler for Collect {
    fn handle_warning(&self, code: u16, _agent: &str, message: &str) {
        self.0
            .lock()
            .expect("lock")
            .push(format!("{code} {message}"));
    }
}

#[tokio::test]
async fn warning_headers_reach_the_handler() {
    let server = serve(|_req: Req| {
        Reply::json(200, &json!({}))
            .header(
                "Warning",
                r#"299 - "example.com/v1beta1 Widget is deprecated""#,
            )
            .header("Warning", r#"299 - "unknown field \"spec.colour\"""#)
    })
    .await;
    let handler = Arc::new(Collect::default());
    let rest = RestClient::new(&config(&server.url))
        .expect("client")
        .with_warning_handler(handler.clone());
    rest.get().abs_path("/x").do_raw().await.expect("ok");
    assert_eq!(
        *handler.0.lock().expect("lock"),
        vec![
            "299 example.com/v1beta1 Widget is deprecated".to_owned(),
            "299 unknown field \"spec.colour\"".to_owned()
        ]
    );
}

#[tokio::test]
async fn connection_reset_on_get_is_retried() {
    // The first connection is closed without an answer; the second is served.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut first, _) = listener.accept().await.expect("accept");
        let mut buf = [0u8; 1024];
        let _ = first.read(&mut buf).await;
        drop(first);
        let (mut second, _) = listener.accept().await.expect("accept");
        let _ = second.read(&mut buf).await;
        let _ = second
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            .await;
    });
    let rest = RestClient::new(&config(&format!("http://{addr}"))).expect("client");
    let body = rest
        .get()
        .abs_path("/api")
        .do_raw()
        .await
        .expect("retried after reset");
    assert_eq!(&body[..], b"{}");
    task.await.expect("server");
}

#[tokio::test]
async fn typed_calls_are_send_and_all_namespaces_lists_across_namespaces() {
    let server = store_server().await;
    for ns in ["a", "b"] {
        widgets(&server.url, ns)
            .create(&widget("w", 1), &CreateOptions::default())
            .await
            .expect("create");
    }
    let all = widgets(&server.url, "");
    assert_eq!(all.namespace(), None);
    // Spawning proves the futures are Send, as generated clients and informers need.
    let listed = tokio::spawn(async move { all.list(&ListOptions::default()).await })
        .await
        .expect("join")
        .expect("list");
    let mut namespaces: Vec<_> = listed
        .items
        .iter()
        .filter_map(|w| w.metadata.namespace.clone())
        .collect();
    namespaces.sort();
    assert_eq!(namespaces, vec!["a".to_owned(), "b".to_owned()]);
    let one = widgets(&server.url, "a");
    let watch = tokio::spawn(async move {
        let stream = one.watch(&ListOptions::default()).await?;
        Ok::<_, Error>(stream.collect::<Vec<_>>().await.len())
    });
    assert_eq!(
        watch.await.expect("join").expect("watch"),
        2,
        "one ADDED and one BOOKMARK in namespace a"
    );
}

#[tokio::test]
async fn requests_go_through_the_configured_proxy() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let proxy_addr = proxy.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let (mut conn, _) = proxy.accept().await.expect("accept");
        let mut buf = vec![0u8; 4096];
        let n = conn.read(&mut buf).await.expect("read");
        let _ = conn
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            .await;
        String::from_utf8_lossy(&buf[..n])
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    });
    // The API host does not resolve: only the proxy can answer.
    let mut cfg = config("http://api.kubernetes.invalid:6443");
    cfg.proxy_url = Some(format!("http://{proxy_addr}"));
    RestClient::new(&cfg)
        .expect("client")
        .get()
        .abs_path("/version")
        .do_raw()
        .await
        .expect("via proxy");
    assert_eq!(
        task.await.expect("proxy"),
        "GET http://api.kubernetes.invalid:6443/version HTTP/1.1"
    );

    // SOCKS5 is supported (reqwest `socks` feature); tests/rest_proxy.rs drives a real one.
    let mut socks = config("https://127.0.0.1:1");
    socks.proxy_url = Some("socks5://127.0.0.1:1080".into());
    RestClient::new(&socks).expect("socks5 proxy builds a client");
}

#[tokio::test]
async fn timeout_cuts_buffered_requests_but_not_watches() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        // First connection: never answers.
        let (silent, _) = listener.accept().await.expect("accept");
        // Second: a watch that pauses longer than the timeout between events.
        let (mut conn, _) = listener.accept().await.expect("accept");
        let mut buf = vec![0u8; 4096];
        let _ = conn.read(&mut buf).await;
        let event = |name: &str| {
            let body = format!(
                "{{\"type\":\"ADDED\",\"object\":{{\"metadata\":{{\"name\":\"{name}\"}}}}}}\n"
            );
            format!("{:x}\r\n{body}\r\n", body.len())
        };
        let _ = conn
            .write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{}",
                    event("one")
                )
                .as_bytes(),
            )
            .await;
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        let _ = conn
            .write_all(format!("{}0\r\n\r\n", event("two")).as_bytes())
            .await;
        drop(silent);
    });
    let mut cfg = config(&format!("http://{addr}"));
    cfg.timeout = Some(std::time::Duration::from_millis(200));
    let rest = RestClient::new(&cfg).expect("client");
    let err = rest
        .get()
        .abs_path("/slow")
        .do_raw()
        .await
        .expect_err("times out");
    assert!(matches!(&err, Error::Timeout { .. }), "{err:?}");
    let events: Vec<_> = rest
        .get()
        .abs_path("/watch")
        .watch::<Widget>()
        .await
        .expect("watch")
        .collect()
        .await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events.iter().all(Result::is_ok));
    task.await.expect("server");
}
