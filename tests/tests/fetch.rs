//! `kubeclient-codegen fetch` against a live API server (the test server serving the upstream
//! 1.35 documents): the copied files are byte for byte what the server serves, laid out like the
//! upstream specs, and the generator reads them back to the same types.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_codegen::fetch::{from_cluster, v3_file_name};
use kubeclient_codegen::Builder;
use kubeclient_testserver::{locate_openapi_specs, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetches_a_clusters_openapi_and_generates_from_it() {
    let Some(specs) =
        kubeclient_test_support::require(locate_openapi_specs(), "the upstream specs directory")
    else {
        return;
    };
    let server = TestServer::builder()
        .openapi_specs(&specs)
        .start()
        .await
        .expect("server starts");
    let out = tempfile::tempdir().expect("tempdir");
    let fetched = from_cluster(&server.config(), out.path())
        .await
        .expect("fetch");

    let swagger = fetched.swagger.as_ref().expect("swagger.json written");
    assert_eq!(
        std::fs::read(swagger).unwrap(),
        std::fs::read(specs.join("swagger.json")).unwrap()
    );
    assert!(fetched.v3.len() >= 30, "{} v3 documents", fetched.v3.len());
    for file in &fetched.v3 {
        let name = file.file_name().expect("name").to_owned();
        let upstream = std::fs::read(specs.join("v3").join(&name)).unwrap_or_default();
        assert_eq!(
            std::fs::read(file).unwrap(),
            upstream,
            "{name:?} differs from upstream"
        );
    }
    assert!(fetched
        .v3
        .iter()
        .any(|f| f.ends_with(v3_file_name("apis/apps/v1"))));

    // The generator reads the copies back: the same types as from the upstream file.
    let from_copy = Builder::new()
        .spec_file(swagger)
        .build_ir()
        .expect("generates from the copy")
        .0;
    let from_upstream = Builder::new()
        .spec_file(specs.join("swagger.json"))
        .build_ir()
        .expect("upstream")
        .0;
    assert_eq!(from_copy.types.len(), from_upstream.types.len());
    let from_v3 = Builder::new()
        .openapi_v3_dir(out.path().join("v3"))
        .build_ir()
        .expect("generates from v3")
        .0;
    assert!(from_v3.types.contains_key("io.k8s.api.apps.v1.Deployment"));
}

/// The same against the real kube-apiserver 1.35: what a user points `fetch` at. Its documents
/// are its own (1.35.4, aggregated APIs included), so they are compared with the published
/// 1.35 spec by the types they generate, and the generator must understand all of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetches_the_real_clusters_openapi_and_generates_from_it() {
    let Some(real) = kubeclient_tests::servers::Server::real().await else {
        return;
    };
    let Some(specs) =
        kubeclient_test_support::require(locate_openapi_specs(), "the upstream specs directory")
    else {
        return;
    };
    let out = tempfile::tempdir().expect("tempdir");
    let fetched = from_cluster(&real.config(), out.path())
        .await
        .expect("fetch from kube-apiserver");
    let swagger = fetched.swagger.as_ref().expect("swagger.json written");
    assert!(fetched.v3.len() >= 30, "{} v3 documents", fetched.v3.len());

    let (ir, fixups) = Builder::new()
        .spec_file(swagger)
        .build_ir()
        .expect("generates from the cluster's swagger");
    let report = kubeclient_codegen::report_of(&ir, &fixups);
    let warnings: Vec<String> = report
        .at_least(kubeclient_codegen::report::Severity::Warning)
        .map(|d| d.to_string())
        .collect();
    assert!(warnings.is_empty(), "{}", warnings.join("\n"));
    let upstream = Builder::new()
        .spec_file(specs.join("swagger.json"))
        .build_ir()
        .expect("upstream")
        .0;
    // A cluster describes what it serves: the GA versions (alpha and most beta APIs are off by
    // default), so those are compared.
    let ga = |name: &str| {
        name.strip_prefix("io.k8s.api.")
            .and_then(|rest| rest.split('.').nth(1))
            .is_some_and(|v| {
                v.len() >= 2 && v.starts_with('v') && v[1..].bytes().all(|b| b.is_ascii_digit())
            })
    };
    let missing: Vec<&String> = upstream
        .types
        .keys()
        .filter(|k| ga(k) && !ir.types.contains_key(*k))
        .collect();
    assert!(
        missing.is_empty(),
        "GA types of the published 1.35 spec the real server does not describe: {missing:?}"
    );
    let from_v3 = Builder::new()
        .openapi_v3_dir(out.path().join("v3"))
        .build_ir()
        .expect("generates from the cluster's v3 documents")
        .0;
    assert!(from_v3.types.contains_key("io.k8s.api.apps.v1.Deployment"));
}
