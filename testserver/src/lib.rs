//! kubeclient-testserver: an in-process Kubernetes API server over real HTTP/1.1 (and HTTPS with
//! a CA generated at start) that keeps objects in memory with kube-apiserver's semantics, so
//! clients — kubeclient's clientset, kubectl — can be tested against it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kubeclient_testserver::StartError> {
//! let server = kubeclient_testserver::TestServer::start().await?;
//! let config = server.config();            // kubeclient_runtime::rest::Config
//! let kubeconfig = server.kubeconfig_path(); // for kubectl --kubeconfig
//! # let _ = (config, kubeconfig); Ok(()) }
//! ```
//!
//! What it serves: get, list (label and field selectors, limit/continue), watch (from a
//! resourceVersion, bookmarks, timeouts, initial events, 410 Gone), create (generateName,
//! namespace existence), update (resourceVersion conflicts, status/main separation,
//! generation), patch (JSON, merge, strategic from the spec's merge keys),
//! server-side apply with managedFields, conflicts and force, delete
//! (finalizers, preconditions), deletecollection, the status, scale, log, eviction and binding
//! subresources, CRDs, discovery (legacy and aggregated), and — when given the upstream specs
//! directory ([`Builder::openapi_specs`]) — the real `/openapi/v2` and `/openapi/v3` documents
//! and `fieldValidation` of built-in kinds.
//!
//! Objects come back as kube-apiserver returns them: defaulted as `SetDefaults_*` default them,
//! with what the default admission plugins and registries add (a pod's ServiceAccount volume, a
//! Service's cluster IP, a namespace's `default` ServiceAccount), and errors worded as the real
//! server words them. `tests/tests/differential.rs` compares the two servers request by request;
//! `tests/differential/allow.txt` lists what still differs and why.
//!
//! `pods/exec`, `pods/attach` and `pods/portforward` need a kubelet. Without one
//! ([`Builder::kubelet`]) they answer as kube-apiserver does for a pod no node runs. With
//! [`Builder::local_kubelet`] (`--kubelet=local` on the binary) exec runs the command **as a
//! process on this host** in a directory per container, so `kubectl exec` and `kubectl cp`
//! work; attach starts the container's `command` and `args` as its main process (whose output
//! is then its `pods/log`); port-forward to a pod's port P connects to `127.0.0.1:P`. A test
//! can implement [`kubelet::Kubelet`] itself instead. Both wire protocols are spoken: WebSocket
//! (`v5.channel.k8s.io`, `v4.channel.k8s.io`, the kubelet's WebSocket port-forward) and SPDY/3.1
//! (exec and attach from kubectl 1.29 and older, port-forward straight or tunneled in a
//! WebSocket), so kubectl 1.27 to 1.33 all work. `pods/proxy` and `services/proxy` forward plain
//! HTTP to a pod's port the same way.

pub mod auth;
mod crd;
mod defaults;
pub mod faults;
mod gc;
mod handler;
mod http;
mod kubeconfig;
pub mod kubelet;
mod managed;
mod objmeta;
mod patch;
mod protobuf;
pub mod real;
pub mod record;
mod resources;
mod selector;
mod specs;
mod status;
mod store;
mod tls;
mod unknown_fields;

pub use handler::MAX_REQUEST_BODY_BYTES;

use auth::{TokenTable, UserInfo};
use handler::State;
use kubeclient_runtime::discovery::ApiResourceInfo;
use kubeclient_runtime::rest;
use kubeclient_runtime::secret::Secret;
use record::{RecordedRequest, Recorder};
use resources::Registry;
use serde_json::json;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use store::{EventType, Store};

pub use resources::{generated_resources, BUILTIN_RESOURCES};
pub use specs::locate_generated as locate_openapi_specs;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listen address could not be bound.
    #[error("binding {addr}: {source}")]
    Bind {
        /// Requested address.
        addr: SocketAddr,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The CA, certificates or TLS configuration could not be made.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The kubeconfig file could not be written.
    #[error("writing kubeconfig {path}: {source}")]
    Kubeconfig {
        /// Where it was to be written.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The OpenAPI specs directory given to [`Builder::openapi_specs`] is not a directory.
    #[error("OpenAPI specs directory {path} does not exist or is not a directory")]
    SpecsDir {
        /// The path given.
        path: PathBuf,
    },
}

/// Configures a [`TestServer`] before it starts.
#[derive(Debug, Clone)]
pub struct Builder {
    resources: &'static [ApiResourceInfo],
    listen: SocketAddr,
    https: bool,
    history_window: usize,
    tokens: TokenTable,
    bookmark_interval: Duration,
    kubeconfig_path: Option<PathBuf>,
    authorizer: auth::Authorizer,
    openapi_specs: Option<PathBuf>,
    kubelet: Option<Arc<dyn kubelet::Kubelet>>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            resources: resources::generated_resources(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            https: true,
            history_window: 10_000,
            tokens: TokenTable::default(),
            bookmark_interval: Duration::from_secs(10),
            kubeconfig_path: None,
            authorizer: auth::Authorizer::AllowAll,
            openapi_specs: None,
            kubelet: None,
        }
    }
}

impl Builder {
    /// Serve this resource table instead of the default, the generated
    /// `kubeclient::discovery::resources()` (e.g. [`BUILTIN_RESOURCES`] for a minimal server).
    pub fn resources(mut self, table: &'static [ApiResourceInfo]) -> Self {
        self.resources = table;
        self
    }
    /// Listen address; default `127.0.0.1:0` (an ephemeral port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }
    /// Serve plain HTTP without authentication (every request acts as an admin). HTTPS with
    /// client-certificate and token authentication is the default.
    pub fn plain_http(mut self) -> Self {
        self.https = false;
        self
    }
    /// How many events the watch history keeps; watches from older resourceVersions get 410.
    pub fn history_window(mut self, events: usize) -> Self {
        self.history_window = events.max(1);
        self
    }
    /// Accept `token` as a bearer token for `user`.
    pub fn token(mut self, token: impl Into<Secret>, user: UserInfo) -> Self {
        self.tokens.insert(token.into(), user);
        self
    }
    /// Interval of BOOKMARK events for watches that allow them (default 10 s).
    pub fn bookmark_interval(mut self, every: Duration) -> Self {
        self.bookmark_interval = every;
        self
    }
    /// Authorize requests with `authorizer` (default: allow every authenticated user).
    /// Impersonation headers are honoured for users allowed the `impersonate` verb on `users`.
    pub fn authorizer(mut self, authorizer: auth::Authorizer) -> Self {
        self.authorizer = authorizer;
        self
    }
    /// Where to write the kubeconfig (default: a fresh temporary directory removed on drop).
    pub fn kubeconfig_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.kubeconfig_path = Some(path.into());
        self
    }

    /// Serve the upstream OpenAPI documents in `dir` (laid out as
    /// `openapi-specs/kubernetes/v1.35/`: `swagger.json`, `v3/api__v1_openapi.json`, ...) at
    /// `/openapi/v2` and `/openapi/v3`, for the group/versions the server serves. Files are read
    /// on first request. [`locate_openapi_specs`] finds the directory of the generated version.
    /// Without this, `/openapi/v2` is not served and `/openapi/v3` has minimal documents.
    pub fn openapi_specs(mut self, dir: impl Into<PathBuf>) -> Self {
        self.openapi_specs = Some(dir.into());
        self
    }

    /// Serve `pods/exec` and `pods/attach` with `kubelet` (a test's own implementation, or
    /// [`kubelet::LocalKubelet`]). Without one they answer as kube-apiserver does for a pod no
    /// node runs.
    pub fn kubelet(mut self, kubelet: Arc<dyn kubelet::Kubelet>) -> Self {
        self.kubelet = Some(kubelet);
        self
    }

    /// Serve exec and attach with a [`kubelet::LocalKubelet`] rooted at `root`.
    ///
    /// **This runs any command a client sends as a process on this host, with this process's
    /// user and rights.** For tests only; never expose such a server.
    pub fn local_kubelet(self, root: impl Into<PathBuf>) -> Self {
        self.kubelet(Arc::new(kubelet::LocalKubelet::new(root)))
    }

    /// Bind, generate the PKI, write the kubeconfig and start serving on the current tokio
    /// runtime.
    pub async fn start(self) -> Result<TestServer, StartError> {
        // Only the directory is checked here; the files are read when first asked for.
        if let Some(dir) = &self.openapi_specs {
            if !dir.is_dir() {
                return Err(StartError::SpecsDir { path: dir.clone() });
            }
        }
        let listener = tokio::net::TcpListener::bind(self.listen)
            .await
            .map_err(|source| StartError::Bind {
                addr: self.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: self.listen,
            source,
        })?;
        let scheme = if self.https { "https" } else { "http" };
        let base_url = format!("{scheme}://{addr}");

        let admin_token = Secret::new(format!("admin-{}", uuid::Uuid::new_v4().simple()));
        let mut tokens = self.tokens;
        tokens.insert(
            admin_token.clone(),
            UserInfo::new("admin", &["system:masters"]),
        );

        let (pki, client) = if self.https {
            let pki = tls::Pki::generate()?;
            let client = pki.issue_client("admin", Some("system:masters"))?;
            (Some(pki), Some(client))
        } else {
            (None, None)
        };

        let (tmpdir, kubeconfig_path) = match self.kubeconfig_path {
            Some(p) => (None, p),
            None => {
                let dir = std::env::temp_dir().join(format!(
                    "kubeclient-testserver-{}",
                    uuid::Uuid::new_v4().simple()
                ));
                std::fs::create_dir_all(&dir).map_err(|source| StartError::Kubeconfig {
                    path: dir.clone(),
                    source,
                })?;
                (Some(dir.clone()), dir.join("kubeconfig"))
            }
        };
        let doc = kubeconfig::document(
            &base_url,
            &kubeconfig::KubeconfigAuth {
                ca_pem: pki.as_ref().map(|p| p.ca_pem.as_str()),
                client: client.as_ref().map(|(c, k)| (c.as_str(), k)),
                token: self.https.then_some(&admin_token),
            },
        );
        kubeconfig::write(&kubeconfig_path, &doc).map_err(|source| StartError::Kubeconfig {
            path: kubeconfig_path.clone(),
            source,
        })?;

        let mut config = rest::Config::new(base_url.clone());
        if let (Some(pki), Some((cert, key))) = (&pki, &client) {
            config.tls.ca_data = Some(pki.ca_pem.clone().into_bytes());
            config.tls.cert_data = Some(cert.clone().into_bytes());
            config.tls.key_data = Some(key.clone());
        }

        let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
        let state = Arc::new(State {
            registry: RwLock::new(Registry::from_table(self.resources)),
            store: Mutex::new(Store::new(self.history_window)),
            tokens,
            require_auth: self.https,
            bookmark_interval: self.bookmark_interval,
            address: addr.to_string(),
            pod_logs: Mutex::new(Default::default()),
            recorder: Recorder::default(),
            faults: faults::Faults::default(),
            issued_tokens: Mutex::new(TokenTable::default()),
            authorizer: self.authorizer,
            shutdown: shutdown_rx.clone(),
            openapi: self.openapi_specs.map(specs::OpenApiSpecs::new),
            kubelet: self.kubelet,
            metrics: Default::default(),
        });
        seed_namespaces(&state);
        let acceptor = pki
            .as_ref()
            .map(|p| tokio_rustls::TlsAcceptor::from(p.server_config.clone()));
        tokio::spawn(http::serve(listener, acceptor, state.clone(), shutdown_rx));
        Ok(TestServer {
            base_url,
            state,
            shutdown: shutdown_tx,
            config,
            kubeconfig_path,
            tmpdir,
            admin_token,
            pki,
        })
    }
}

/// The namespaces a fresh cluster has, and its `default/kubernetes` Service.
fn seed_namespaces(state: &State) {
    let key = handler::namespaces_key();
    let mut store = state.store();
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        let obj = json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": ns, "uid": uuid::Uuid::new_v4().to_string(), "creationTimestamp": objmeta::now_rfc3339(),
                         "labels": {"kubernetes.io/metadata.name": ns}},
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"}
        });
        store.put(&key, "", ns, obj, EventType::Added);
        handler::add_default_service_account(&mut store, ns);
    }
    // The Service through which pods reach the API server (the apiserver's own controller
    // writes it, without a field manager).
    let port: u16 = state
        .address
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(443);
    let service = json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default", "uid": uuid::Uuid::new_v4().to_string(),
                     "creationTimestamp": objmeta::now_rfc3339(),
                     "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "internalTrafficPolicy": "Cluster",
                 "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                 "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}],
                 "sessionAffinity": "None", "type": "ClusterIP"},
        "status": {"loadBalancer": {}}
    });
    let services = resources::StorageKey {
        group: String::new(),
        plural: "services".into(),
    };
    store.put(
        &services,
        "default",
        "kubernetes",
        service,
        EventType::Added,
    );
}

/// A running server. Shuts down (and removes its temporary kubeconfig) when dropped.
pub struct TestServer {
    base_url: String,
    state: Arc<State>,
    shutdown: tokio::sync::watch::Sender<bool>,
    config: rest::Config,
    kubeconfig_path: PathBuf,
    tmpdir: Option<PathBuf>,
    admin_token: Secret,
    pki: Option<tls::Pki>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("base_url", &self.base_url)
            .field("kubeconfig_path", &self.kubeconfig_path)
            .finish_non_exhaustive()
    }
}

impl TestServer {
    /// A builder with the defaults (HTTPS, built-in resource table, ephemeral port).
    pub fn builder() -> Builder {
        Builder::default()
    }
    /// Start with the defaults.
    pub async fn start() -> Result<TestServer, StartError> {
        Builder::default().start().await
    }
    /// `https://127.0.0.1:PORT` (or `http://` in plain-HTTP mode).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
    /// A `rest::Config` for the admin user (client certificate, trusting the server's CA).
    pub fn config(&self) -> rest::Config {
        self.config.clone()
    }
    /// The kubeconfig file: context `testserver` (client certificate, current) and
    /// `testserver-token` (bearer token).
    pub fn kubeconfig_path(&self) -> &Path {
        &self.kubeconfig_path
    }
    /// The admin's bearer token.
    pub fn admin_token(&self) -> &Secret {
        &self.admin_token
    }
    /// The CA certificate (PEM), in HTTPS mode.
    pub fn ca_pem(&self) -> Option<&str> {
        self.pki.as_ref().map(|p| p.ca_pem.as_str())
    }
    /// Issue a client certificate for `user` in `group`: (cert PEM, key PEM). `None` in
    /// plain-HTTP mode.
    pub fn issue_client_certificate(
        &self,
        user: &str,
        group: Option<&str>,
    ) -> Option<Result<(String, Secret), tls::TlsError>> {
        self.pki.as_ref().map(|p| p.issue_client(user, group))
    }
    /// The latest resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.state.store().current_rv()
    }
    /// Drop all watch history: watches from any earlier resourceVersion now get 410 Gone.
    pub fn compact(&self) {
        self.state.store().compact();
    }
    /// Set the lines `pods/log` returns for a pod.
    pub fn set_pod_log(&self, namespace: &str, pod: &str, lines: Vec<String>) {
        self.state
            .pod_logs()
            .insert((namespace.to_string(), pod.to_string()), lines);
    }
    /// Append lines to a pod's log (followers of `pods/log?follow=true` receive them).
    pub fn append_pod_log(&self, namespace: &str, pod: &str, lines: Vec<String>) {
        self.state
            .pod_logs()
            .entry((namespace.to_string(), pod.to_string()))
            .or_default()
            .extend(lines);
    }
    /// The requests received so far, oldest first (credentials removed); at most the latest
    /// [`record::RECORDER_CAPACITY`].
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.recorder.snapshot()
    }
    /// Arm a fault for the next matching requests.
    pub fn inject(&self, fault: faults::Fault) {
        self.state.faults.add(fault);
    }
    /// Disarm all faults.
    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }
    /// Forget the recorded requests.
    pub fn clear_requests(&self) {
        self.state.recorder.clear();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(dir) = &self.tmpdir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
