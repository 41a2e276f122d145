//! Credentials never reach Debug or Display: every public type holding one and every error path
//! that quotes input is walked with marker values, and no marker may appear in what it prints.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use futures_util::StreamExt;
use kubeclient_runtime::cache::{Deleted, Event};
use kubeclient_runtime::clientcmd::{
    self,
    view::{view, ViewOptions},
    ClientConfig, Overrides,
};
use kubeclient_runtime::dynamic::DynamicObject;
use kubeclient_runtime::meta::v1::{List, ObjectMeta, WatchEvent, LAST_APPLIED_ANNOTATION};
use kubeclient_runtime::rest::{self, watch::JsonFramer, RestClient};
use kubeclient_runtime::secret::Secret;
use std::sync::Arc;

/// Every marker starts with this; a marker in output is a leak.
const MARK: &str = "LEAKMARK";

fn marker(what: &str) -> String {
    format!("{MARK}{what}")
}

/// Fail when `text` (Debug or Display of `what`) holds any marker.
fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains(MARK) && !text.contains("424242424242"),
        "{what} leaks a credential:\n{text}"
    );
}

fn check_debug(what: &str, value: &impl std::fmt::Debug) {
    assert_clean(what, &format!("{value:?}"));
    assert_clean(what, &format!("{value:#?}"));
}

fn check_error(what: &str, err: &(dyn std::error::Error + 'static)) {
    assert_clean(what, &format!("{err:?}"));
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = next {
        assert_clean(what, &e.to_string());
        next = e.source();
    }
}

fn kubeconfig() -> String {
    format!(
        r#"apiVersion: v1
kind: Config
current-context: ctx
clusters:
- name: c
  cluster:
    server: https://admin:{pw}@127.0.0.1:1
    proxy-url: http://p:{proxy}@127.0.0.1:3128
users:
- name: u
  user:
    token: {token}
    client-certificate-data: {cert}
    client-key-data: {key}
- name: basic
  user:
    username: admin
    password: {password}
contexts:
- name: ctx
  context: {{cluster: c, user: u}}
"#,
        pw = marker("serverpw"),
        proxy = marker("proxypw"),
        token = marker("token"),
        password = marker("password"),
        cert = base64_of("-----BEGIN CERTIFICATE-----\n"),
        key = base64_of(&marker("key")),
    )
}

fn base64_of(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn rest_config_client_and_request_hide_url_passwords_and_tokens() {
    let mut config = rest::Config::new(format!("https://u:{}@127.0.0.1:6443", marker("hostpw")));
    config.bearer_token = Some(Secret::new(marker("bearer")));
    config.username = Some("u".into());
    config.password = Some(Secret::new(marker("basic")));
    config.proxy_url = Some(format!("socks5://p:{}@127.0.0.1:1080", marker("socks")));
    config.tls.key_data = Some(Secret::new(marker("tlskey")));
    check_debug("rest::Config", &config);
    let client = RestClient::new(&config).expect("client");
    check_debug("RestClient", &client);
    check_debug("Request", &client.get().abs_path("/api"));

    // A host the client refuses is quoted without its password.
    let bad = rest::Config::new(format!(
        "https://u:{}@127.0.0.1:6443/?q=1",
        marker("badhost")
    ));
    let err = RestClient::new(&bad).expect_err("query in host");
    check_error("host error", &err);
}

#[tokio::test]
async fn transport_errors_hide_the_url_password() {
    // Nothing listens on port 1: the connect fails and the error quotes the URL.
    let mut config = rest::Config::new(format!("http://u:{}@127.0.0.1:1", marker("transport")));
    config.qps = -1.0;
    let client = RestClient::new(&config).expect("client");
    let err = client
        .get()
        .abs_path("/api")
        .do_raw()
        .await
        .expect_err("refused");
    assert!(matches!(err, rest::Error::Transport { .. }), "{err:?}");
    check_error("transport error", &err);
}

#[test]
fn kubeconfig_types_overrides_and_view_hide_credentials() {
    let config = clientcmd::load(kubeconfig().as_bytes()).expect("kubeconfig");
    check_debug("clientcmd::Config", &config);
    let overrides = Overrides {
        server: Some(format!("https://a:{}@h:1", marker("oserver"))),
        proxy_url: Some(format!("http://a:{}@h:2", marker("oproxy"))),
        token: Some(Secret::new(marker("otoken"))),
        ..Default::default()
    };
    check_debug("Overrides", &overrides);
    let cc = ClientConfig::new(config.clone(), overrides, vec![]);
    check_debug("ClientConfig", &cc);
    let rest_config = ClientConfig::new(config.clone(), Overrides::default(), vec![])
        .rest_config()
        .expect("rest config");
    check_debug("rest::Config from kubeconfig", &rest_config);
    let viewed = view(&config, &ViewOptions::default()).expect("view");
    assert_clean("view()", &viewed.to_string());
    // --raw shows the file as it is.
    let raw = view(
        &config,
        &ViewOptions {
            raw: true,
            ..Default::default()
        },
    )
    .expect("raw view");
    assert!(raw.to_string().contains(&marker("serverpw")));
}

#[test]
fn kubeconfig_parse_errors_do_not_quote_a_wrongly_typed_token() {
    let mut errors = 0;
    for text in [
        "users:\n- name: u\n  user:\n    token: 424242424242\n".to_owned(),
        "users:\n- name: u\n  user:\n    token: [x]\n    password: 424242424242\n".to_owned(),
        format!(
            "clusters:\n- name: c\n  cluster:\n    disable-compression: {}\n",
            marker("yaml")
        ),
        format!(
            "clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-verify: \"{}\"\n",
            marker("bool")
        ),
        r#"{"users": [{"name": "u", "user": {"token": 424242424242}}]}"#.to_owned(),
        format!(
            r#"{{"clusters": [{{"name": "c", "cluster": {{"insecure-skip-tls-verify": "{}"}}}}]}}"#,
            marker("json")
        ),
    ] {
        match clientcmd::load(text.as_bytes()) {
            Ok(c) => check_debug("kubeconfig", &c),
            Err(e) => {
                errors += 1;
                check_error("kubeconfig parse error", &e);
            }
        }
    }
    assert!(errors >= 4, "only {errors} inputs were refused");
}

fn secret_object() -> DynamicObject {
    let applied = serde_json::json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "s"},
        "data": {"password": base64_of(&marker("applied"))},
        "stringData": {"k": marker("appliedplain")},
    });
    serde_json::from_value(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "s",
            "annotations": {LAST_APPLIED_ANNOTATION: applied.to_string(), "note": "kept"},
        },
        "type": "Opaque",
        "data": {"password": marker("data")},
        "stringData": {"k": marker("stringdata")},
    }))
    .expect("secret")
}

#[test]
fn secrets_tokens_and_last_applied_copies_in_dynamic_objects_are_redacted() {
    let secret = secret_object();
    let text = format!("{secret:?}");
    assert_clean("DynamicObject Secret", &text);
    assert!(text.contains("kept") && text.contains("Opaque"), "{text}");
    check_debug("ObjectMeta", &secret.metadata);

    // List items come without apiVersion and kind.
    let mut item = secret.clone();
    item.api_version.clear();
    item.kind.clear();
    let list = List {
        items: vec![item.clone()],
        ..Default::default()
    };
    check_debug("List<DynamicObject>", &list);
    check_debug("WatchEvent", &WatchEvent::Added(secret.clone()));
    check_debug("WatchEvent", &WatchEvent::Modified(item));
    let obj = Arc::new(secret);
    check_debug(
        "informer Event",
        &Event::Added {
            obj: obj.clone(),
            initial_list: true,
        },
    );
    check_debug(
        "informer Event",
        &Event::Deleted(Deleted::FinalStateUnknown {
            key: "ns/s".into(),
            last: obj,
        }),
    );

    for (kind, top) in [("TokenReview", "spec"), ("TokenRequest", "status")] {
        let token: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "authentication.k8s.io/v1",
            "kind": kind,
            top: {"token": marker("dyntoken"), "audiences": ["a"]},
        }))
        .expect("token object");
        check_debug(kind, &token);
    }
}

#[test]
fn decode_and_watch_framing_errors_quote_nothing_of_the_body() {
    let body = format!(r#"{{"name":"s","generation":"{}"}}"#, marker("decode"));
    let err = rest::decode_json::<ObjectMeta>(body.as_bytes()).expect_err("wrong type");
    check_error("decode error", &err);
    assert!(err.to_string().contains("invalid type: string"), "{err}");

    let event = format!(
        r#"{{"type":"ADDED","object":{{"metadata":{{"generation":"{}"}}}}}}"#,
        marker("event")
    );
    let err = rest::watch::decode_event::<DynamicObject>(event.as_bytes()).expect_err("wrong type");
    check_error("watch decode error", &err);

    let mut framer = JsonFramer::new();
    let framed = framer.push(format!("{{\"a\":1}}\n{}", marker("garbage")).as_bytes());
    assert_eq!(framed.frames.len(), 1);
    let err = framed.error.expect("garbage is an error");
    check_error("watch framing error", &err);
    let mut framer = JsonFramer::new();
    let framed = framer.push(format!("{{\"data\":\"{}", marker("cut")).as_bytes());
    assert!(framed.error.is_none());
    let err = framer.finish().expect_err("truncated");
    check_error("truncated watch error", &err);
}

#[tokio::test]
async fn watch_stream_errors_quote_nothing_of_the_stream() {
    let chunks = vec![Ok(bytes::Bytes::from(format!(
        "{{\"type\":\"ADDED\",\"object\":{{}}}}\n<html>{}</html>",
        marker("html")
    )))];
    let events: Vec<_> =
        rest::watch::decode_stream::<DynamicObject, _>(futures_util::stream::iter(chunks))
            .collect()
            .await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events[0].is_ok());
    if let Err(e) = &events[1] {
        check_error("watch stream error", e);
    }
}
