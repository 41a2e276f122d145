//! The real kubectl binary against the server over HTTPS, with the client-certificate and the
//! token contexts of the written kubeconfig. Skipped (with a message) only when no kubectl is
//! on PATH.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

mod common;

use common::{admin_client, call};
use kubeclient_testserver::TestServer;
use reqwest::Method;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn have_kubectl() -> bool {
    let found = Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        kubeclient_test_support::missing("kubectl on PATH");
    }
    found
}

/// `kubectl.<version>` beside the `kubectl` found on PATH (the machine keeps older and newer
/// clients there); `None`, reported as missing, when there is none.
fn kubectl_release(version: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&path)
        .map(|d| d.join("kubectl"))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::canonicalize(p).ok())
        .map(|p| p.with_file_name(format!("kubectl.{version}")))
        .filter(|p| p.is_file());
    kubeclient_test_support::require(found, format_args!("kubectl.{version} beside kubectl"))
}

struct Kubectl {
    binary: PathBuf,
    kubeconfig: PathBuf,
    cache: tempfile::TempDir,
    context: &'static str,
}

impl Kubectl {
    fn new(server: &TestServer, context: &'static str) -> Self {
        Kubectl {
            binary: PathBuf::from("kubectl"),
            kubeconfig: server.kubeconfig_path().to_path_buf(),
            cache: tempfile::tempdir().expect("tempdir"),
            context,
        }
    }
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.binary);
        c.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--context")
            .arg(self.context);
        c.arg("--cache-dir")
            .arg(self.cache.path())
            .args(args)
            .env_remove("KUBECONFIG");
        c
    }
    /// Run to completion on a blocking thread (the server runs on this runtime).
    async fn output(&self, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        let mut cmd = self.command(args);
        let input = stdin.map(str::to_string);
        tokio::task::spawn_blocking(move || {
            cmd.stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = cmd.spawn().expect("kubectl starts");
            if let (Some(text), Some(mut pipe)) = (input, child.stdin.take()) {
                pipe.write_all(text.as_bytes()).expect("stdin written");
            }
            child.wait_with_output().expect("kubectl finishes")
        })
        .await
        .expect("blocking task")
    }
    /// Run to completion; returns stdout, failing the test with stderr when kubectl fails.
    async fn run(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.output(args, stdin).await;
        assert!(
            out.status.success(),
            "kubectl {} failed: {}\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    /// Run a command that must fail; returns its stderr.
    async fn fail(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.output(args, stdin).await;
        assert!(
            !out.status.success(),
            "kubectl {} succeeded",
            args.join(" ")
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
    async fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args, None).await;
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("kubectl {args:?} printed no JSON ({e}): {out}"))
    }
}

const POD: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: c
    image: nginx
  - name: sidecar
    image: busybox
"#;

const DEPLOYMENT: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: nginx
"#;

/// `kubectl auth can-i` and `auth whoami` are answered by evaluating the review kinds, not by
/// storing them. kubectl 1.31, because 1.32 sends these reviews as protobuf.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_auth_can_i_and_whoami() {
    use kubeclient_testserver::auth::{Authorizer, Rule};
    if !have_kubectl() {
        return;
    }
    let Some(binary) = kubectl_release("1.31") else {
        return;
    };
    let s = TestServer::builder()
        .authorizer(Authorizer::Rules(vec![Rule::new(
            &["dev"],
            &["get", "list"],
            &["pods", "pods/log"],
            &["default"],
        )]))
        .start()
        .await
        .expect("server starts");
    let k = Kubectl {
        binary,
        ..Kubectl::new(&s, "testserver")
    };
    assert_eq!(
        k.run(&["auth", "can-i", "delete", "secrets", "-A"], None)
            .await
            .trim(),
        "yes"
    );
    let who = k.run(&["auth", "whoami", "-o", "json"], None).await;
    let who: Value = serde_json::from_str(&who).unwrap();
    assert_eq!(who["status"]["userInfo"]["username"], "admin", "{who}");
    assert!(who["status"]["userInfo"]["groups"]
        .as_array()
        .unwrap()
        .contains(&json!("system:authenticated")));
    // As `dev` (impersonated by the admin): what the rule allows, and nothing else.
    let as_dev = |verb: &'static str, what: &'static str, ns: &'static str| {
        ["auth", "can-i", verb, what, "-n", ns, "--as", "dev"]
    };
    assert_eq!(
        k.run(&as_dev("get", "pods", "default"), None).await.trim(),
        "yes"
    );
    assert_eq!(
        k.run(&as_dev("get", "pods/log", "default"), None)
            .await
            .trim(),
        "yes"
    );
    let out = k.output(&as_dev("delete", "pods", "default"), None).await;
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "no");
    assert!(!out.status.success(), "`can-i` exits 1 on no");
    let out = k.output(&as_dev("get", "pods", "prod"), None).await;
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "no");
    // Nothing was stored.
    let (code, _) = call(
        &admin_client(&s),
        &s,
        Method::GET,
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        None,
    )
    .await;
    assert_eq!(code, 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_crud_patch_scale_apply() {
    if !have_kubectl() {
        return;
    }
    let s = TestServer::start().await.expect("server starts");
    let k = Kubectl::new(&s, "testserver");

    let resources = k.run(&["api-resources", "--no-headers"], None).await;
    for r in [
        "pods",
        "deployments",
        "customresourcedefinitions",
        "namespaces",
    ] {
        assert!(
            resources.lines().any(|l| l.starts_with(r)),
            "api-resources lacks {r}:\n{resources}"
        );
    }

    assert!(k
        .run(&["create", "-f", "-"], Some(POD))
        .await
        .contains("pod/web created"));
    let list = k.json(&["get", "pods", "-o", "json"]).await;
    assert_eq!(list["items"][0]["metadata"]["name"], json!("web"));

    k.run(&["label", "pod", "web", "tier=front"], None).await;
    k.run(
        &[
            "patch",
            "pod",
            "web",
            "--type=merge",
            "-p",
            r#"{"metadata":{"annotations":{"a":"b"}}}"#,
        ],
        None,
    )
    .await;
    k.run(
        &[
            "patch",
            "pod",
            "web",
            "--type=json",
            "-p",
            r#"[{"op":"add","path":"/metadata/labels/x","value":"y"}]"#,
        ],
        None,
    )
    .await;
    k.run(
        &[
            "patch",
            "pod",
            "web",
            "--type=strategic",
            "-p",
            r#"{"spec":{"containers":[{"name":"sidecar","image":"busybox:2"}]}}"#,
        ],
        None,
    )
    .await;
    let pod = k.json(&["get", "pod", "web", "-o", "json"]).await;
    assert_eq!(
        pod["metadata"]["labels"],
        json!({"app": "web", "tier": "front", "x": "y"})
    );
    assert_eq!(pod["metadata"]["annotations"]["a"], json!("b"));
    assert_eq!(
        pod["spec"]["containers"][0]["image"],
        json!("nginx"),
        "strategic merge keeps the other container"
    );
    assert_eq!(pod["spec"]["containers"][1]["image"], json!("busybox:2"));
    let selected = k
        .json(&[
            "get",
            "pods",
            "-l",
            "tier in (front),!missing",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(selected["items"].as_array().map(Vec::len), Some(1));

    assert!(k
        .run(&["apply", "-f", "-"], Some(DEPLOYMENT))
        .await
        .contains("deployment.apps/web created"));
    let changed = DEPLOYMENT.replace("image: nginx", "image: nginx:2");
    assert!(k
        .run(&["apply", "-f", "-"], Some(&changed))
        .await
        .contains("configured"));
    // Server-side printing: kubectl shows kube-apiserver's columns for the kind.
    let table = k.run(&["get", "deployment", "web"], None).await;
    assert!(
        table.starts_with("NAME   READY   UP-TO-DATE   AVAILABLE   AGE"),
        "{table}"
    );
    assert!(table.contains("web    0/1"), "{table}");
    let wide = k
        .run(&["get", "deployment", "web", "-o", "wide"], None)
        .await;
    assert!(
        wide.contains("SELECTOR") && wide.contains("app=web"),
        "{wide}"
    );
    k.run(&["scale", "deployment", "web", "--replicas=3"], None)
        .await;
    let d = k.json(&["get", "deployment", "web", "-o", "json"]).await;
    assert_eq!(d["spec"]["replicas"], json!(3));
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"],
        json!("nginx:2")
    );
    // Server-side apply of the manifest would set replicas back: `kubectl scale` owns them now,
    // so kube-apiserver (and this server) refuse with a conflict until forced.
    let ssa = changed.replace("name: web\nspec:", "name: web\n  labels: {via: ssa}\nspec:");
    let stderr = k
        .fail(&["apply", "--server-side", "-f", "-"], Some(&ssa))
        .await;
    assert!(
        stderr.contains("Apply failed with 1 conflict") && stderr.contains(".spec.replicas"),
        "{stderr}"
    );
    assert!(k
        .run(
            &["apply", "--server-side", "--force-conflicts", "-f", "-"],
            Some(&ssa)
        )
        .await
        .contains("serverside-applied"));
    let d = k
        .json(&[
            "get",
            "deploy",
            "web",
            "-o",
            "json",
            "--show-managed-fields",
        ])
        .await;
    assert_eq!(d["metadata"]["labels"]["via"], json!("ssa"));
    assert_eq!(d["spec"]["replicas"], json!(1), "{d:#}");
    let managers = d["metadata"]["managedFields"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let applier = managers
        .iter()
        .find(|m| m["manager"] == "kubectl" && m["operation"] == "Apply")
        .unwrap_or_else(|| panic!("an Apply entry for kubectl: {managers:?}"));
    assert!(applier.pointer("/fieldsV1/f:spec/f:replicas").is_some());
    assert!(applier
        .pointer("/fieldsV1/f:metadata/f:labels/f:via")
        .is_some());
    // Applying again without the label removes it: nobody else owns it.
    k.run(&["apply", "--server-side", "-f", "-"], Some(&changed))
        .await;
    let d = k.json(&["get", "deploy", "web", "-o", "json"]).await;
    assert_eq!(
        d["metadata"]["labels"].get("via"),
        None,
        "{}",
        d["metadata"]
    );

    assert!(k
        .run(&["delete", "pod", "web"], None)
        .await
        .contains("pod \"web\" deleted"));
    let list = k.json(&["get", "pods", "-o", "json"]).await;
    assert_eq!(list["items"], json!([]));
    let err = k
        .command(&["get", "pod", "web"])
        .output()
        .expect("kubectl runs");
    assert!(!err.status.success());
    assert!(
        String::from_utf8_lossy(&err.stderr).contains("NotFound"),
        "{}",
        String::from_utf8_lossy(&err.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_token_context_and_watch() {
    if !have_kubectl() {
        return;
    }
    let s = TestServer::start().await.expect("server starts");
    let k = Kubectl::new(&s, "testserver-token");
    let ns = k.json(&["get", "namespaces", "-o", "json"]).await;
    assert_eq!(ns["items"].as_array().map(Vec::len), Some(4));
    // kubectl's typed generators send protobuf (kubectl 1.32+); manifests go as JSON.
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: w1\ndata:\n  k: v1\n";
    k.run(&["create", "-f", "-"], Some(cm)).await;
    for args in [
        &["create", "namespace", "demo"][..],
        // In its own namespace: the watch below expects `default` to hold only w1.
        &[
            "create",
            "configmap",
            "typed",
            "-n",
            "demo",
            "--from-literal=k=v",
        ],
        &["create", "secret", "generic", "s1", "--from-literal=p=x"],
        &["create", "serviceaccount", "sa1"],
        &["create", "deployment", "web", "--image=nginx"],
        &["create", "role", "r1", "--verb=get", "--resource=pods"],
    ] {
        k.run(args, None).await;
    }
    let typed = k
        .json(&["get", "configmap", "typed", "-n", "demo", "-o", "json"])
        .await;
    assert_eq!(typed["data"], json!({"k": "v"}));
    let web = k.json(&["get", "deployment", "web", "-o", "json"]).await;
    assert_eq!(
        web["spec"]["template"]["spec"]["containers"][0]["image"],
        json!("nginx")
    );

    let mut child = k
        .command(&[
            "get",
            "configmaps",
            "-w",
            "--no-headers",
            "-o",
            "custom-columns=NAME:.metadata.name,K:.data.k",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kubectl get -w starts");
    let stdout = child.stdout.take().expect("stdout");
    let reader = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            lines.push(line.split_whitespace().collect::<Vec<_>>().join(" "));
            if lines.iter().any(|l| l == "w1 v2") || Instant::now() > deadline {
                break;
            }
        }
        lines
    });
    // Change the object once the watch is established.
    let c = admin_client(&s);
    let url = "/api/v1/namespaces/default/configmaps/w1";
    let deadline = Instant::now() + Duration::from_secs(10);
    while !s
        .requests()
        .iter()
        .any(|r| r.path.ends_with("/configmaps") && r.query.contains("watch=true"))
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, mut cm) = call(&c, &s, Method::GET, url, None).await;
    cm["data"]["k"] = json!("v2");
    call(&c, &s, Method::PUT, url, Some(cm)).await;
    let lines = tokio::time::timeout(Duration::from_secs(30), reader)
        .await
        .expect("watch output in time")
        .expect("reader");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        lines.first().map(String::as_str),
        Some("w1 v1"),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l == "w1 v2"),
        "kubectl get -w saw the change: {lines:?}"
    );

    let watches = |s: &TestServer| {
        s.requests()
            .iter()
            .filter(|r| r.path.contains("/configmaps") && r.query.contains("watch=true"))
            .count()
    };
    // With its default printer, `kubectl get -w` asks for Table rows: one header, then rows in
    // the same columns for every change (not a second, different table per event).
    let mut child = k
        .command(&["get", "configmap", "w1", "-w"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kubectl get -w starts");
    let stdout = child.stdout.take().expect("stdout");
    let reader = tokio::task::spawn_blocking(move || {
        let lines: Vec<String> = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
            .take(3)
            .collect();
        lines
    });
    // Change the object once this watch is established (its watch request has arrived).
    let deadline = Instant::now() + Duration::from_secs(10);
    while watches(&s) < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, mut cm) = call(&c, &s, Method::GET, url, None).await;
    cm["data"]["k2"] = json!("more");
    call(&c, &s, Method::PUT, url, Some(cm)).await;
    let lines = tokio::time::timeout(Duration::from_secs(30), reader)
        .await
        .expect("watch output in time")
        .expect("reader");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(lines, ["NAME DATA", "w1 1", "w1 2"], "{lines:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_uses_aggregated_discovery() {
    if !have_kubectl() {
        return;
    }
    let s = TestServer::start().await.expect("server starts");
    let k = Kubectl::new(&s, "testserver");
    let resources = k.run(&["api-resources", "--no-headers"], None).await;
    for r in ["pods", "deployments", "customresourcedefinitions"] {
        assert!(
            resources.lines().any(|l| l.starts_with(r)),
            "api-resources lacks {r}:\n{resources}"
        );
    }
    let requests = s.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    let apis = requests
        .iter()
        .find(|r| r.path == "/apis")
        .unwrap_or_else(|| panic!("kubectl fetched /apis: {paths:?}"));
    assert!(
        apis.headers
            .iter()
            .any(|(k, v)| k == "accept" && v.contains("g=apidiscovery.k8s.io;v=v2;")),
        "{:?}",
        apis.headers
    );
    // The aggregated documents carry every resource: no per-group-version lists follow.
    let per_gv: Vec<&&str> = paths
        .iter()
        .filter(|p| p.starts_with("/apis/") || p.starts_with("/api/"))
        .collect();
    assert!(per_gv.is_empty(), "per-group-version requests: {per_gv:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_explain_with_the_specs() {
    if !have_kubectl() {
        return;
    }
    let Some(dir) = kubeclient_test_support::require(
        kubeclient_testserver::locate_openapi_specs(),
        format_args!(
            "the OpenAPI specs of Kubernetes {}",
            kubeclient::KUBERNETES_VERSION
        ),
    ) else {
        return;
    };
    let s = TestServer::builder()
        .openapi_specs(dir)
        .start()
        .await
        .expect("server starts");
    let k = Kubectl::new(&s, "testserver");
    let out = k.run(&["explain", "pods.spec.containers"], None).await;
    assert!(out.contains("FIELD: containers"), "{out}");
    assert!(out.contains("image"), "{out}");
    let out = k
        .run(&["explain", "deployments", "--api-version=apps/v1"], None)
        .await;
    assert!(out.contains("KIND:       Deployment"), "{out}");
    assert!(out.contains("VERSION:    v1"), "{out}");
    // Client-side apply computes its patch from the served schemas.
    k.run(&["apply", "-f", "-"], Some(DEPLOYMENT)).await;
    let changed = DEPLOYMENT.replace("image: nginx", "image: nginx:2");
    assert!(k
        .run(&["apply", "-f", "-"], Some(&changed))
        .await
        .contains("configured"));
    let d = k.json(&["get", "deployment", "web", "-o", "json"]).await;
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"],
        json!("nginx:2")
    );
}

/// An admin session with kubectl 1.32, which speaks protobuf to built-in kinds: its typed
/// generators send protobuf bodies and ask for protobuf answers, which the server gives (read
/// back by kubectl, so a wrong byte fails the command).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_1_32_session_in_protobuf() {
    if !have_kubectl() {
        return;
    }
    let s = TestServer::start().await.expect("server starts");
    let k = Kubectl::new(&s, "testserver");
    let version = k.run(&["version", "--client", "-o", "json"], None).await;
    let minor: u32 = serde_json::from_str::<Value>(&version).unwrap()["clientVersion"]["minor"]
        .as_str()
        .and_then(|m| m.trim_end_matches('+').parse().ok())
        .unwrap_or(0);
    if minor < 32 {
        kubeclient_test_support::missing("kubectl 1.32 or newer on PATH (it speaks protobuf)");
        return;
    }
    let ns = ["-n", "pb"];
    k.run(&["create", "namespace", "pb"], None).await;
    let generators: &[&[&str]] = &[
        &[
            "create",
            "deployment",
            "web",
            "--image=nginx",
            "--replicas=2",
        ],
        &["create", "configmap", "cm", "--from-literal=k=v"],
        &[
            "create",
            "secret",
            "generic",
            "sec",
            "--from-literal=password=x",
        ],
        &["create", "service", "clusterip", "svc", "--tcp=80:8080"],
        &["create", "job", "once", "--image=busybox"],
        &[
            "create",
            "cronjob",
            "tick",
            "--image=busybox",
            "--schedule=*/5 * * * *",
        ],
        &[
            "create",
            "role",
            "reader",
            "--verb=get,list",
            "--resource=pods",
        ],
        &[
            "create",
            "rolebinding",
            "readers",
            "--role=reader",
            "--user=dev",
        ],
        &["create", "serviceaccount", "bot"],
        &[
            "create",
            "poddisruptionbudget",
            "pdb",
            "--selector=app=web",
            "--min-available=1",
        ],
        &["create", "quota", "q", "--hard=pods=10"],
        &["create", "ingress", "ing", "--rule=example.com/=svc:80"],
    ];
    for g in generators {
        let args: Vec<&str> = g.iter().chain(&ns).copied().collect();
        let out = k.run(&args, None).await;
        assert!(out.contains("created"), "kubectl {args:?}: {out}");
    }
    for g in [
        &[
            "create",
            "clusterrole",
            "watcher",
            "--verb=watch",
            "--resource=pods",
        ][..],
        &[
            "create",
            "clusterrolebinding",
            "watchers",
            "--clusterrole=watcher",
            "--group=devs",
        ],
        &["create", "priorityclass", "high", "--value=1000"],
    ] {
        assert!(k.run(g, None).await.contains("created"), "kubectl {g:?}");
    }
    let token = k.run(&["create", "token", "bot", "-n", "pb"], None).await;
    // (The test server's tokens are opaque, not JWTs.)
    assert!(!token.trim().is_empty(), "a token");

    let yaml = k
        .run(
            &["get", "deployment", "web", "-n", "pb", "-o", "yaml"],
            None,
        )
        .await;
    assert!(
        yaml.contains("kind: Deployment") && yaml.contains("replicas: 2"),
        "{yaml}"
    );
    let svc = k
        .json(&["get", "service", "svc", "-n", "pb", "-o", "json"])
        .await;
    assert_eq!(svc["spec"]["ports"][0]["targetPort"], json!(8080));
    let cron = k
        .json(&["get", "cronjob", "tick", "-n", "pb", "-o", "json"])
        .await;
    assert_eq!(cron["spec"]["schedule"], json!("*/5 * * * *"));
    let sec = k
        .json(&["get", "secret", "sec", "-n", "pb", "-o", "json"])
        .await;
    assert_eq!(sec["data"]["password"], json!("eA=="));

    k.run(
        &["scale", "deployment", "web", "--replicas=3", "-n", "pb"],
        None,
    )
    .await;
    k.run(
        &["label", "deployment", "web", "tier=front", "-n", "pb"],
        None,
    )
    .await;
    let d = k
        .json(&["get", "deployment", "web", "-n", "pb", "-o", "json"])
        .await;
    assert_eq!(d["spec"]["replicas"], json!(3));
    assert_eq!(d["metadata"]["labels"]["tier"], json!("front"));
    // No controller runs here: report the rollout done as kube-controller-manager would.
    let status = json!({"status": {"observedGeneration": d["metadata"]["generation"],
        "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
        "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}});
    k.run(
        &[
            "patch",
            "deployment",
            "web",
            "-n",
            "pb",
            "--subresource=status",
            "--type=merge",
            "-p",
            &status.to_string(),
        ],
        None,
    )
    .await;
    let rollout = k
        .run(
            &[
                "rollout",
                "status",
                "deployment/web",
                "-n",
                "pb",
                "--timeout=30s",
            ],
            None,
        )
        .await;
    assert!(rollout.contains("successfully rolled out"), "{rollout}");
    assert_eq!(
        k.run(
            &["auth", "can-i", "create", "deployments", "-n", "pb"],
            None
        )
        .await
        .trim(),
        "yes"
    );
    k.run(&["delete", "configmap", "cm", "-n", "pb"], None)
        .await;
    k.fail(&["get", "configmap", "cm", "-n", "pb"], None).await;

    // kubectl did speak protobuf: its generators sent protobuf bodies and asked for it back.
    let requests = s.requests();
    let header = |r: &kubeclient_testserver::record::RecordedRequest, name: &str| {
        r.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let protobuf_posts = requests
        .iter()
        .filter(|r| r.method == "POST")
        .filter(|r| header(r, "content-type").contains("protobuf"))
        .filter(|r| header(r, "accept").starts_with("application/vnd.kubernetes.protobuf"))
        .count();
    assert!(
        protobuf_posts >= generators.len() + 4,
        "only {protobuf_posts} protobuf creates"
    );
}
