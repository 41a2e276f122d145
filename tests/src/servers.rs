//! One test body, two servers: the in-process [`TestServer`] and the real kube-apiserver
//! ([`RealCluster`], built from the `k8s.io/kubernetes` Go module). The real server is the
//! reference; the test server must behave the same wherever these tests reach.
//!
//! ```ignore
//! kubeclient_tests::on_both_servers!(creates_a_config_map);
//! async fn creates_a_config_map(s: Server) {
//!     let ns = s.namespace("cm").await;          // a fresh namespace: the real cluster is shared
//!     let cs = kubeclient::Clientset::new(s.config()).unwrap();
//!     // ...
//! }
//! ```
//! expands to the tests `creates_a_config_map::test_server` and
//! `creates_a_config_map::real_cluster`. Without the real cluster (no Go toolchain, say) the
//! second fails under `CI=true` and is skipped with a message elsewhere.

use kubeclient_runtime::rest::{self, RestClient};
use kubeclient_testserver::real::RealCluster;
use kubeclient_testserver::TestServer;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// The server a test body runs against.
pub enum Server {
    /// A fresh in-process test server, for this test alone.
    Test(Box<TestServer>),
    /// The real cluster shared by every test of this process.
    Real(&'static RealCluster),
}

impl Server {
    /// A fresh in-process test server serving every generated resource (and the upstream
    /// OpenAPI documents, when the specs are found).
    pub async fn test_server() -> Server {
        let mut builder = TestServer::builder();
        if let Some(specs) = kubeclient_testserver::locate_openapi_specs() {
            builder = builder.openapi_specs(specs);
        }
        match builder.start().await {
            Ok(s) => Server::Test(Box::new(s)),
            Err(e) => panic!("test server starts: {e}"),
        }
    }

    /// The real cluster, or `None` after reporting it missing (see
    /// [`kubeclient_test_support::missing`]).
    pub async fn real() -> Option<Server> {
        match RealCluster::shared_async().await {
            Ok(c) => Some(Server::Real(c)),
            Err(e) => {
                kubeclient_test_support::missing(format_args!("the real kube-apiserver ({e})"));
                None
            }
        }
    }

    /// Whether this is the real kube-apiserver.
    pub fn is_real(&self) -> bool {
        matches!(self, Server::Real(_))
    }

    /// The test server, for what only it can do (faults, compaction, pod logs); `None` on the
    /// real cluster.
    pub fn test(&self) -> Option<&TestServer> {
        match self {
            Server::Test(s) => Some(s),
            Server::Real(_) => None,
        }
    }

    /// Client configuration with admin rights.
    pub fn config(&self) -> rest::Config {
        match self {
            Server::Test(s) => s.config(),
            Server::Real(c) => c.config(),
        }
    }

    /// An admin kubeconfig, for kubectl.
    pub fn kubeconfig_path(&self) -> &Path {
        match self {
            Server::Test(s) => s.kubeconfig_path(),
            Server::Real(c) => c.kubeconfig_path(),
        }
    }

    /// `<prefix>-<pid>-<n>`: a name no other test on the shared cluster uses (a valid DNS
    /// label for short prefixes).
    pub fn unique(&self, prefix: &str) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        format!("{prefix}-{}-{n}", std::process::id())
    }

    fn rest(&self, group: &str, version: &str) -> RestClient {
        match RestClient::new(&self.config()) {
            Ok(r) => r.for_group_version(group, version),
            Err(e) => panic!("REST client: {e}"),
        }
    }

    /// Creates a namespace of its own for one test (see [`Self::unique`]) and returns its name.
    /// On the real cluster it also waits for the `default` ServiceAccount, without which pods
    /// are refused.
    pub async fn namespace(&self, prefix: &str) -> String {
        let name = self.unique(prefix);
        let rest = self.rest("", "v1");
        let body = serde_json::json!({
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}
        });
        if let Err(e) = rest
            .post()
            .resource("namespaces")
            .body_json(&body)
            .do_raw()
            .await
        {
            panic!("creating namespace {name}: {e}");
        }
        if self.is_real() {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            loop {
                let sa = rest
                    .get()
                    .namespace(&name)
                    .resource("serviceaccounts")
                    .name("default");
                if sa.do_raw().await.is_ok() {
                    break;
                }
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "namespace {name}: no default ServiceAccount after 60 s"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        name
    }

    /// Waits until the CustomResourceDefinition `name` is `Established` (the real server serves
    /// a new CRD's resources a moment after creating it).
    pub async fn wait_for_crd(&self, name: &str) {
        let rest = self.rest("apiextensions.k8s.io", "v1");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let crd: Result<serde_json::Value, _> = rest
                .get()
                .resource("customresourcedefinitions")
                .name(name)
                .do_()
                .await;
            let established = crd.ok().is_some_and(|c| {
                c.pointer("/status/conditions")
                    .and_then(|c| c.as_array())
                    .is_some_and(|cs| {
                        cs.iter()
                            .any(|c| c["type"] == "Established" && c["status"] == "True")
                    })
            });
            if established {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "CRD {name} not established after 30 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Runs `async fn $name(s: Server)` twice: `$name::test_server` against a fresh test server and
/// `$name::real_cluster` against the shared real kube-apiserver.
#[macro_export]
macro_rules! on_both_servers {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn test_server() {
                super::$name($crate::servers::Server::test_server().await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn real_cluster() {
                if let Some(s) = $crate::servers::Server::real().await {
                    super::$name(s).await
                }
            }
        }
    )+};
}
