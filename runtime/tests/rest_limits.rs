//! Client-side rate limiting through the RestClient, and watch decoding under every framing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod rest_support;

use bytes::Bytes;
use futures_util::StreamExt;
use kubeclient_runtime::flowcontrol::{RateLimiter, TokenBucket};
use kubeclient_runtime::meta::v1::WatchEvent;
use kubeclient_runtime::rest::{watch, Config, Error, RestClient};
use rest_support::{serve, Reply, Req, Widget};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
struct Counting(AtomicUsize);

impl RateLimiter for Counting {
    fn acquire(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(std::future::ready(()))
    }
    fn try_accept(&self) -> bool {
        true
    }
}

#[tokio::test]
async fn every_attempt_waits_on_the_shared_limiter() {
    let n = Arc::new(AtomicUsize::new(0));
    let counter = n.clone();
    let server = serve(move |_req: Req| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::status(429, "TooManyRequests", "later").header("Retry-After", "0")
        } else {
            Reply::json(200, &serde_json::json!({}))
        }
    })
    .await;
    let limiter = Arc::new(Counting::default());
    let mut config = Config::new(&server.url);
    config.rate_limiter = Some(limiter.clone());
    let rest = RestClient::new(&config).expect("client");
    let apps = rest.for_group_version("apps", "v1");
    let core = rest.for_group_version("", "v1");
    assert!(
        Arc::ptr_eq(apps.rate_limiter(), core.rate_limiter()),
        "group clients share one limiter"
    );
    apps.get()
        .resource("deployments")
        .do_raw()
        .await
        .expect("after retry");
    core.get().resource("pods").do_raw().await.expect("ok");
    // Two requests, one retried: three waits.
    assert_eq!(limiter.0.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn default_limiter_lets_60_plus_minus_1_through_in_10s() {
    let rest = RestClient::new(&Config::new("https://127.0.0.1:1")).expect("client");
    let limiter = rest.for_group_version("", "v1").rate_limiter().clone();
    let start = tokio::time::Instant::now();
    let mut passed = 0;
    loop {
        limiter.acquire().await;
        if start.elapsed() > Duration::from_secs(10) {
            break;
        }
        passed += 1;
    }
    assert!((59..=61).contains(&passed), "{passed} requests in 10 s");
}

#[tokio::test]
async fn negative_qps_is_not_limited() {
    let mut config = Config::new("https://127.0.0.1:1");
    config.qps = -1.0;
    let rest = RestClient::new(&config).expect("client");
    assert!((0..10_000).all(|_| rest.rate_limiter().try_accept()));
    let limited = RestClient::new(&Config::new("https://127.0.0.1:1")).expect("client");
    assert_eq!(
        (0..100)
            .filter(|_| limited.rate_limiter().try_accept())
            .count(),
        10,
        "burst of 10"
    );
}

#[tokio::test]
async fn real_requests_are_paced_after_the_burst() {
    let server = serve(|_req: Req| Reply::json(200, &serde_json::json!({}))).await;
    let mut config = Config::new(&server.url);
    config.rate_limiter = Some(Arc::new(TokenBucket::new(5.0, 10)));
    let rest = RestClient::new(&config).expect("client");
    let start = Instant::now();
    for _ in 0..12 {
        rest.get().abs_path("/api").do_raw().await.expect("ok");
    }
    // Ten at once, then one every 200 ms.
    assert!(
        start.elapsed() >= Duration::from_millis(350),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(server.hits(), 12);
}

fn events_text(big_len: usize) -> Vec<u8> {
    let big = "x".repeat(big_len);
    let mut text = String::new();
    text.push_str(r#"{"type":"ADDED","object":{"metadata":{"name":"a{b}\"c"},"spec":{"size":1}}}"#);
    text.push('\n');
    text.push_str(&format!(r#"{{"type":"MODIFIED","object":{{"metadata":{{"name":"big","annotations":{{"blob":"{big}"}}}},"spec":{{"size":2}}}}}}"#));
    text.push('\n');
    // Concatenated without a newline, as some proxies deliver them.
    text.push_str(r#"{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"77"}}}"#);
    text.push_str(
        r#"{"type":"DELETED","object":{"metadata":{"name":"a{b}\"c"},"spec":{"size":1}}}"#,
    );
    text.push('\n');
    text.into_bytes()
}

async fn decode(chunks: Vec<Vec<u8>>) -> Vec<Result<WatchEvent<Widget>, Error>> {
    let body = futures_util::stream::iter(chunks.into_iter().map(|c| Ok(Bytes::from(c))));
    watch::decode_stream::<Widget, _>(body).collect().await
}

fn summary(events: &[Result<WatchEvent<Widget>, Error>]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Ok(WatchEvent::Added(w)) => format!("ADDED {:?} {}", w.metadata.name, w.spec.size),
            Ok(WatchEvent::Modified(w)) => format!(
                "MODIFIED {:?} {}",
                w.metadata.name,
                w.metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("blob"))
                    .map(|b| b.len())
                    .unwrap_or(0)
            ),
            Ok(WatchEvent::Deleted(w)) => format!("DELETED {:?}", w.metadata.name),
            Ok(WatchEvent::Bookmark(w)) => format!("BOOKMARK {:?}", w.metadata.resource_version),
            Ok(WatchEvent::Error(s)) => format!("ERROR {s:?}"),
            Err(e) => format!("Err {e}"),
        })
        .collect()
}

#[tokio::test]
async fn watch_split_at_every_byte_boundary_yields_the_same_events() {
    let text = events_text(300_000);
    let expected = summary(&decode(vec![text.clone()]).await);
    assert_eq!(
        expected,
        vec![
            "ADDED Some(\"a{b}\\\"c\") 1".to_owned(),
            "MODIFIED Some(\"big\") 300000".to_owned(),
            "BOOKMARK Some(\"77\")".to_owned(),
            "DELETED Some(\"a{b}\\\"c\")".to_owned(),
        ]
    );
    // Cut in two at every byte boundary of the small events around the big one.
    let small: Vec<usize> = (0..=200).chain(text.len() - 200..=text.len()).collect();
    for cut in small {
        let got = summary(&decode(vec![text[..cut].to_vec(), text[cut..].to_vec()]).await);
        assert_eq!(got, expected, "cut at {cut}");
    }
    // One byte per chunk through the whole stream, including the 300 kB event.
    let bytes: Vec<Vec<u8>> = text.iter().map(|b| vec![*b]).collect();
    assert_eq!(summary(&decode(bytes).await), expected);
}

#[tokio::test]
async fn watch_over_http_one_byte_per_chunk() {
    let text = events_text(20_000);
    let chunks: Vec<Vec<u8>> = text.chunks(1).map(<[u8]>::to_vec).collect();
    let server = serve(move |req: Req| {
        assert_eq!(req.query("watch"), Some("true"));
        Reply::chunks(200, chunks.clone())
    })
    .await;
    let mut config = Config::new(&server.url);
    config.qps = -1.0;
    let rest = RestClient::new(&config).expect("client");
    let events: Vec<_> = rest
        .get()
        .abs_path("/w")
        .watch::<Widget>()
        .await
        .expect("watch")
        .collect()
        .await;
    assert_eq!(summary(&events), summary(&decode(vec![text]).await));
}

#[tokio::test]
async fn timeout_is_one_deadline_across_retries() {
    // Every answer is a 429 asking to retry in 1 s: ten retries would take ten seconds.
    let server = serve(|_req: Req| {
        Reply::status(429, "TooManyRequests", "later").header("Retry-After", "1")
    })
    .await;
    let mut config = Config::new(&server.url);
    config.qps = -1.0;
    config.timeout = Some(Duration::from_millis(2_500));
    let rest = RestClient::new(&config).expect("client");
    let started = Instant::now();
    let err = rest
        .get()
        .abs_path("/x")
        .do_raw()
        .await
        .expect_err("times out");
    let took = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        took >= Duration::from_millis(2_400) && took < Duration::from_millis(4_000),
        "{took:?}"
    );
    assert!(server.hits() <= 4, "{}", server.hits());
}

#[tokio::test]
async fn watch_event_larger_than_client_go_limit_is_an_error() {
    assert_eq!(watch::MAX_EVENT_BYTES, 16 * 1024 * 1024);
    // One event that never ends: 17 MiB of a string, in 1 MiB chunks.
    let mut chunks = vec![br#"{"type":"ADDED","object":{"metadata":{"name":""#.to_vec()];
    chunks.extend((0..17).map(|_| vec![b'a'; 1024 * 1024]));
    let events = decode(chunks).await;
    assert_eq!(events.len(), 1);
    let msg = match &events[0] {
        Err(e @ Error::Watch { .. }) => e.to_string(),
        other => panic!("expected a size error, got {other:?}"),
    };
    assert!(
        msg.contains("maximum watch event size of 16777216 bytes"),
        "{msg}"
    );
}

#[tokio::test]
async fn server_messages_quoted_in_errors_are_capped() {
    let huge = "m".repeat(5 * 1024 * 1024);
    let server = serve(move |_req: Req| Reply::status(500, "InternalError", &huge)).await;
    let mut config = Config::new(&server.url);
    config.qps = -1.0;
    let rest = RestClient::new(&config).expect("client");
    let err = rest.get().abs_path("/x").do_raw().await.expect_err("500");
    let text = err.to_string();
    assert!(text.len() < 2_000, "{} bytes", text.len());
    assert!(text.contains("more bytes"), "{}", &text[..200]);
    // The Status itself keeps the whole message.
    let full = err
        .status()
        .and_then(|s| s.message.as_deref())
        .map(str::len);
    assert_eq!(full, Some(5 * 1024 * 1024));
}
