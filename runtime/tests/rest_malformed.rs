//! Malformed responses from a raw socket server: each gives an error value, never a panic, a
//! hang or an allocation sized by what the server claims.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_runtime::rest::{Config, Error, RestClient};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serve one connection: read the request, write `response`, then either close or hold the
/// connection open without writing more.
async fn one_shot(response: &'static [u8], hold_open: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf).await;
            let _ = conn.write_all(response).await;
            if hold_open {
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
        }
    });
    format!("http://{addr}")
}

fn config(url: &str, timeout: Option<Duration>) -> Config {
    let mut c = Config::new(url);
    c.qps = -1.0;
    c.timeout = timeout;
    c
}

const HUGE_LENGTH_THEN_CLOSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2147483648\r\nConnection: close\r\n\r\n{\"kind\":";

#[tokio::test]
async fn a_2_gib_content_length_that_never_arrives_is_a_transport_error() {
    let url = one_shot(HUGE_LENGTH_THEN_CLOSE, false).await;
    let rest = RestClient::new(&config(&url, None)).expect("client");
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        rest.get().abs_path("/api/v1/pods").do_raw(),
    )
    .await;
    let err = result
        .expect("no hang")
        .expect_err("incomplete body is an error");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}

#[tokio::test]
async fn a_body_that_stalls_is_cut_by_the_request_timeout() {
    let url = one_shot(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2147483648\r\n\r\n{\"kind\":",
        true,
    )
    .await;
    let rest = RestClient::new(&config(&url, Some(Duration::from_millis(500)))).expect("client");
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        rest.get().abs_path("/api/v1/pods").do_raw(),
    )
    .await;
    let err = result
        .expect("timeout fires before the test's")
        .expect_err("stalled body is an error");
    assert!(
        err.to_string().to_lowercase().contains("timed out")
            || matches!(err, Error::Transport { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn wrong_content_type_and_non_json_body_is_a_decode_error_describing_the_body() {
    let url = one_shot(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello world",
        false,
    )
    .await;
    let rest = RestClient::new(&config(&url, None)).expect("client");
    let err = rest
        .get()
        .abs_path("/version")
        .do_::<serde_json::Value>()
        .await
        .expect_err("not JSON");
    match &err {
        // The body may be a Secret: its size and shape are described, never quoted.
        Error::Decode { body, .. } => {
            assert!(body.contains("11 bytes") && body.contains("text"), "{body}");
            assert!(!err.to_string().contains("hello"), "{err}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_status_with_unknown_fields_is_still_a_typed_api_error() {
    let url = one_shot(
        b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 141\r\nConnection: close\r\n\r\n{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404,\"newField\":{\"x\":[1,2]},\"message\":\"pods \\\"p\\\" not found\"}",
        false,
    )
    .await;
    let rest = RestClient::new(&config(&url, None)).expect("client");
    let err = rest
        .get()
        .abs_path("/api/v1/namespaces/d/pods/p")
        .do_raw()
        .await
        .expect_err("404");
    assert!(err.is_not_found(), "{err:?}");
}
