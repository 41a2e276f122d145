//! `kubeclient` without its `client` feature is the types alone: a webhook, a wasm front end or
//! a tool that only reads and writes objects must not pull in an HTTP stack. Checked on the
//! dependency graph cargo resolves (`cargo tree`), for one group and for all of them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use std::process::Command;

const HTTP_STACK: &[&str] = &["reqwest", "tokio", "rustls", "governor", "hyper", "ring"];

fn normal_dependencies(features: &str) -> Vec<String> {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "--manifest-path", manifest, "-p", "kubeclient"])
        .args(["--no-default-features", "--features", features])
        .args(["-e", "normal", "--prefix", "none"])
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn types_only_builds_pull_no_http_stack() {
    for features in ["core", "core,apps,batch,rbac,admission"] {
        let deps = normal_dependencies(features);
        assert!(deps.iter().any(|d| d == "serde_json"), "{deps:?}");
        let http: Vec<&String> = deps
            .iter()
            .filter(|d| HTTP_STACK.iter().any(|h| d.starts_with(h)))
            .collect();
        assert!(http.is_empty(), "--features {features} pulls {http:?}");
    }
    // And the client feature does pull it, so the check above can fail.
    let deps = normal_dependencies("client,core");
    assert!(deps.iter().any(|d| d == "reqwest"), "{deps:?}");
}
