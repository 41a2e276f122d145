//! Generating for a Kubernetes version the generator has never seen: new apimachinery types are
//! generated, new properties of handwritten ones are reported (and kept in their `extra`
//! maps), and what the generator does not understand is reported instead of dropped.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_codegen::report::{Severity, Topic};
use kubeclient_codegen::{locate, Builder, Layout};
use serde_json::{json, Value};
use std::path::PathBuf;

fn real_spec() -> Option<Value> {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let path = locate::SearchPath::new(&workspace)
        .spec("v1.35")
        .ok()?
        .swagger();
    Some(serde_json::from_slice(&std::fs::read(path).ok()?).expect("spec is JSON"))
}

#[test]
fn a_never_seen_version_generates_and_reports_what_is_new() {
    let Some(mut doc) = real_spec() else {
        kubeclient_test_support::missing("the Kubernetes v1.35 swagger.json");
        return;
    };
    let meta = "io.k8s.apimachinery.pkg.apis.meta.v1";
    let defs = doc["definitions"].as_object_mut().unwrap();
    defs.insert(
        format!("{meta}.ShardInfo"),
        json!({"type": "object", "properties": {
            "shardCount": {"type": "integer", "format": "int32"},
            "hash": {"type": "string", "format": "sha256"}
        }}),
    );
    doc["definitions"][format!("{meta}.ListMeta")]["properties"]["shardInfo"] =
        json!({"$ref": format!("#/definitions/{meta}.ShardInfo")});
    doc["definitions"]["io.k8s.apimachinery.pkg.api.resource.Quantity"]["properties"] =
        json!({"milli": {"type": "integer"}});
    // An action and a subresource the generator does not know.
    let pods = "/api/v1/namespaces/{namespace}/pods/{name}";
    let get = doc["paths"][pods]["get"].clone();
    let mut frob = get.clone();
    frob["x-kubernetes-action"] = json!("frobnicate");
    frob["operationId"] = json!("frobnicateCoreV1NamespacedPod");
    doc["paths"][format!("{pods}/frob")] = json!({ "post": frob, "get": get });
    // A connect subresource and an exec parameter the generator does not know.
    let exec = doc["paths"][format!("{pods}/exec")].clone();
    doc["paths"][format!("{pods}/debug")] = exec;
    doc["paths"][format!("{pods}/exec")]["parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "priority", "in": "query", "type": "string"}));

    let generated = Builder::new()
        .spec_bytes("v1.99.json", serde_json::to_vec(&doc).unwrap())
        .layout(Layout::IncludeFromOutDir)
        .spec_version("v1.99")
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    let report = &generated.report;
    let summary = report.summary();
    let has = |topic: Topic, subject: &str| report.of(topic).any(|d| d.subject.contains(subject));
    assert!(
        has(Topic::HandwrittenFieldMissing, "ListMeta.shardInfo"),
        "{summary}"
    );
    assert!(has(Topic::GeneratedApimachinery, "ShardInfo"), "{summary}");
    assert!(has(Topic::UnknownFormat, "ShardInfo.hash"), "{summary}");
    assert!(has(Topic::UnknownAction, "/frob"), "{summary}");
    assert!(
        has(Topic::SubresourceWithoutMethod, "v1/pods/frob"),
        "{summary}"
    );
    assert!(
        has(Topic::SubresourceWithoutMethod, "v1/pods/debug"),
        "{summary}"
    );
    assert!(
        has(Topic::UnknownConnectParameter, "v1/pods/exec?priority"),
        "{summary}"
    );
    // The connect subresources it knows become typed methods (through their markers).
    let all: String = generated.files.values().cloned().collect();
    for marker in ["Exec", "Attach", "PortForward", "Proxy"] {
        let pod = format!("subresources::{marker} for Pod {{}}");
        assert!(all.contains(&pod), "no {marker} marker for Pod");
    }
    assert!(all.contains("subresources::Proxy for Service {}"));
    assert!(all.contains("subresources::Proxy for Node {}"));
    // Quantity is a string on the wire: properties for it cannot be kept, and that is said.
    let lossy: Vec<_> = report.at_least(Severity::Lossy).collect();
    assert_eq!(lossy.len(), 1, "{summary}");
    assert!(lossy[0].subject.ends_with("Quantity.milli"), "{summary}");
    let meta_file = generated
        .files
        .get("apimachinery/meta/v1.rs")
        .expect("generated apimachinery module");
    assert!(meta_file.contains("pub struct ShardInfo"), "{meta_file}");
    let lib = &generated.files["lib.rs"];
    assert!(lib.contains("pub mod apimachinery"), "{lib}");
    // Generated apimachinery types are shared by every group: never behind a feature.
    let gated = Builder::new()
        .spec_bytes("v1.99.json", serde_json::to_vec(&doc).unwrap())
        .layout(Layout::IncludeFromOutDir)
        .cfg_features(true)
        .generate()
        .unwrap();
    assert!(!gated.ir.features().contains(""));
    let lib = &gated.files["lib.rs"];
    let at = lib.find("pub mod apimachinery").unwrap();
    assert!(
        !lib[at.saturating_sub(80)..at].contains("cfg(feature"),
        "{lib}"
    );
}

#[test]
fn supported_versions_need_no_new_handwritten_fields() {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    for v in locate::VERSIONS {
        let Ok(spec) = locate::SearchPath::new(&workspace)
            .spec(v.name)
            .map(|f| f.swagger())
        else {
            kubeclient_test_support::missing(format_args!("the {} spec", v.name));
            continue;
        };
        let (ir, fixups) = Builder::new().spec_file(&spec).build_ir().unwrap();
        let report = kubeclient_codegen::report_of(&ir, &fixups);
        let warnings: Vec<String> = report
            .at_least(Severity::Warning)
            .map(|d| d.to_string())
            .collect();
        assert!(warnings.is_empty(), "{}: {}", v.name, warnings.join("\n"));
    }
}

#[test]
fn groups_a_crate_does_not_declare_are_compiled_ungated() {
    let spec =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/edge-cases/spec.json");
    let gated = Builder::new()
        .spec_file(&spec)
        .layout(Layout::IncludeFromOutDir)
        .cfg_features(true)
        .generate()
        .unwrap();
    let features = gated.ir.features();
    assert!(!features.is_empty());
    assert!(gated.files["lib.rs"].contains("cfg(feature"));
    // A Cargo.toml that declares none of them (an older table, a newer Kubernetes).
    let ungated = Builder::new()
        .spec_file(&spec)
        .layout(Layout::IncludeFromOutDir)
        .cfg_features(true)
        .declared_features(Vec::new())
        .generate()
        .unwrap();
    assert_eq!(ungated.undeclared_features, features);
    for (file, text) in &ungated.files {
        // Only the crate-wide gates remain: `client` (typed clients and the Clientset),
        // `apply` (apply configurations) and `kinds` (the server's patch schema tables).
        let groups = text
            .replace("cfg(feature = \"client\")", "")
            .replace("cfg(feature = \"apply\")", "")
            .replace("cfg(feature = \"kinds\")", "");
        assert!(!groups.contains("cfg(feature"), "{file} is still gated");
    }
}
