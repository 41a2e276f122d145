//! The proxy subresources the spec declares (pods, services, nodes) as typed request builders:
//! where they point. (Neither the test server nor a kubelet-less real cluster has anything to
//! proxy to, so only the requests are checked here.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::rest::Config;
use kubeclient::Clientset;
use reqwest::Method;

#[test]
fn proxy_requests_address_the_object_and_path() {
    let cs = Clientset::new(Config::new("https://10.0.0.1:6443")).unwrap();
    let core = cs.core_v1();
    let url = |r: kubeclient::rest::Request| r.url().unwrap().to_string();
    assert_eq!(
        url(core.pods("ns").proxy(Method::GET, "web:8080", "/metrics")),
        "https://10.0.0.1:6443/api/v1/namespaces/ns/pods/web:8080/proxy/metrics"
    );
    assert_eq!(
        url(core
            .services("ns")
            .proxy(Method::POST, "https:api:443", "v1/items")
            .param("dry", "true")),
        "https://10.0.0.1:6443/api/v1/namespaces/ns/services/https:api:443/proxy/v1/items?dry=true"
    );
    assert_eq!(
        url(core.nodes().proxy(Method::GET, "node-1", "")),
        "https://10.0.0.1:6443/api/v1/nodes/node-1/proxy"
    );
    // Path segments are escaped, never interpreted.
    assert_eq!(
        url(core.nodes().proxy(Method::GET, "node-1", "logs/a b?c")),
        "https://10.0.0.1:6443/api/v1/nodes/node-1/proxy/logs/a%20b%3Fc"
    );
    // `..` cannot climb out of the proxy into another API path.
    let escape = core
        .nodes()
        .proxy(Method::GET, "node-1", "../../namespaces/x/secrets");
    assert!(escape.url().is_ok());
    let sent = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(escape.do_raw());
    assert!(
        matches!(sent, Err(kubeclient::rest::Error::InvalidRequest(_))),
        "{sent:?}"
    );
}
