//! Kinds the OpenAPI spec lacks (AdmissionReview, aggregated discovery) are generated from the
//! `generated.proto` files beside it, so a webhook needs nothing but this crate.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_codegen::ir::TypeKind;
use kubeclient_codegen::{locate, Builder, Layout};
use std::path::PathBuf;

#[test]
fn admission_review_and_discovery_kinds_come_from_the_proto_files() {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let Ok(found) = locate::SearchPath::new(&workspace).spec("v1.35") else {
        kubeclient_test_support::missing("the Kubernetes v1.35 swagger.json");
        return;
    };
    let spec = found.swagger();
    let Some(protos) = found.proto_dir() else {
        kubeclient_test_support::missing("proto/v1.35 beside the v1.35 spec");
        return;
    };
    let g = Builder::new()
        .spec_file(&spec)
        .proto_dir(&protos)
        .layout(Layout::IncludeFromOutDir)
        .cfg_features(true)
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    for (def, group, version) in [
        (
            "io.k8s.api.admission.v1.AdmissionReview",
            "admission.k8s.io",
            "v1",
        ),
        (
            "io.k8s.api.admission.v1beta1.AdmissionReview",
            "admission.k8s.io",
            "v1beta1",
        ),
        (
            "io.k8s.api.apidiscovery.v2.APIGroupDiscoveryList",
            "apidiscovery.k8s.io",
            "v2",
        ),
    ] {
        let t = &g.ir.types[def];
        let TypeKind::Struct(s) = &t.kind else {
            panic!("{def} is not a struct");
        };
        let gvk = s.gvk.as_ref().expect("a fixed kind");
        assert_eq!((gvk.group.as_str(), gvk.version.as_str()), (group, version));
    }
    let review = &g.files["api/admission/v1.rs"];
    for field in [
        "pub request:",
        "pub response:",
        "pub uid:",
        "pub patch:",
        "pub user_info:",
    ] {
        assert!(review.contains(field), "{field} missing");
    }
    // GroupVersionKind is in apimachinery's proto but not in the spec: generated, ungated.
    assert!(g.files["apimachinery/meta/v1.rs"].contains("pub struct GroupVersionKind"));
    assert!(g.ir.features().contains("admission") && g.ir.features().contains("apidiscovery"));
}
