//! Golden tests: small handwritten specs next to the exact output expected from them.
//! Run with `UPDATE_GOLDEN=1` to rewrite the expected files after an intended change.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_codegen::{Builder, Layout};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn read_tree(dir: &Path, base: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            read_tree(&p, base, out);
        } else if let Ok(text) = std::fs::read_to_string(&p) {
            let rel = p
                .strip_prefix(base)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, text);
        }
    }
}

/// A fixture is `spec.json` (swagger) or, without it, every `*.yaml` file of its folder (CRDs).
fn fixture_builder(dir: &Path) -> Builder {
    let spec = dir.join("spec.json");
    if spec.is_file() {
        let builder = Builder::new().spec_file(spec);
        let protos = dir.join("proto");
        return if protos.is_dir() {
            builder.proto_numbers_dir(protos)
        } else {
            builder
        };
    }
    let mut crds: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    crds.sort();
    crds.into_iter().fold(Builder::new(), Builder::crd_file)
}

fn check_fixture(name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let generated = fixture_builder(&dir)
        .layout(Layout::ModuleTree)
        .cfg_features(true)
        .spec_version("fixture")
        .generate()
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"));
    let expected_dir = dir.join("expected");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&expected_dir);
        generated.write_to(&expected_dir).unwrap();
        return;
    }
    let mut expected = BTreeMap::new();
    read_tree(&expected_dir, &expected_dir, &mut expected);
    let got: Vec<&String> = generated.files.keys().collect();
    let want: Vec<&String> = expected.keys().collect();
    assert_eq!(
        got, want,
        "fixture {name}: file list differs (UPDATE_GOLDEN=1 to accept)"
    );
    for (file, text) in &generated.files {
        let want = &expected[file];
        assert!(
            want == text,
            "fixture {name}: {file} differs from expected (UPDATE_GOLDEN=1 to accept)\n{}",
            first_difference(want, text)
        );
    }
}

/// The first line where two texts part, with a little context, so a failing golden test shows
/// what changed instead of two whole files.
fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let at = w
        .iter()
        .zip(&g)
        .position(|(a, b)| a != b)
        .unwrap_or(w.len().min(g.len()));
    let from = at.saturating_sub(3);
    let show = |lines: &[&str], sign: char| {
        lines
            .iter()
            .enumerate()
            .skip(from)
            .take(at - from + 4)
            .map(|(i, l)| format!("{sign}{:>5} {l}\n", i + 1))
            .collect::<String>()
    };
    format!(
        "first difference at line {}:\nexpected:\n{}generated:\n{}",
        at + 1,
        show(&w, '-'),
        show(&g, '+')
    )
}

#[test]
fn edge_cases() {
    check_fixture("edge-cases");
}

#[test]
fn protobuf() {
    check_fixture("protobuf");
}

#[test]
fn protobuf_mismatches_are_reported() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/protobuf");
    let report = fixture_builder(&dir).generate().unwrap().report;
    let lines: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.subject.contains("Widget"))
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        lines,
        [
            "warning: protobuf field not in the spec: io.k8s.api.demo.v1.WidgetSpec.future: field 9 has no property in the spec: skipped on decode",
            "lossy: no protobuf counterpart: io.k8s.api.demo.v1.WidgetSpec.orphan: no field of this name in the message: not written in protobuf",
        ]
    );
}

#[test]
fn crd_basic() {
    check_fixture("crd-basic");
}

#[test]
fn crd_output_is_deterministic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crd-basic");
    assert_eq!(
        fixture_builder(&dir).generate().unwrap().files,
        fixture_builder(&dir).generate().unwrap().files
    );
}

#[test]
fn output_is_deterministic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/edge-cases/spec.json");
    let a = Builder::new().spec_file(&dir).generate().unwrap().files;
    let b = Builder::new().spec_file(&dir).generate().unwrap().files;
    assert_eq!(a, b);
}

#[test]
fn crds_merge_into_a_swagger_spec() {
    // CRDs next to a Kubernetes spec: both groups are generated, in one module tree.
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let (ir, _) = Builder::new()
        .spec_file(base.join("edge-cases/spec.json"))
        .crd_file(base.join("crd-basic/crds.yaml"))
        .build_ir()
        .unwrap();
    assert!(
        ir.groups.contains_key("example.kubeclient.dev"),
        "{:?}",
        ir.groups.keys()
    );
    assert!(ir.groups.len() > 1, "{:?}", ir.groups.keys());
    assert!(ir.resource("dev.kubeclient.example.v1.Widget").is_some());
}

/// A CRD in `group` with kind `kind`, served as v1.
fn tiny_crd(group: &str, kind: &str) -> String {
    let plural = format!("{}s", kind.to_lowercase());
    format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: {plural}.{group}\nspec:\n  group: {group}\n  scope: Namespaced\n  names: {{plural: {plural}, singular: {s}, kind: {kind}}}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec: {{type: object, properties: {{size: {{type: integer}}}}}}\n",
        s = kind.to_lowercase()
    )
}

#[test]
fn a_crd_groups_module_depends_only_on_its_own_group() {
    let module_of = |crds: &[(&str, &str)]| -> Vec<String> {
        let b = crds.iter().fold(Builder::new(), |b, (group, kind)| {
            b.crd_bytes(format!("{group}.yaml"), tiny_crd(group, kind).into_bytes())
        });
        let g = b.generate().unwrap_or_else(|e| panic!("{e}"));
        let mut m: Vec<String> = g.ir.packages.keys().map(|m| m.join("::")).collect();
        m.extend(
            g.ir.groups
                .values()
                .map(|g| format!("feature {}", g.feature)),
        );
        m
    };
    let alone = module_of(&[("gateway.networking.x-k8s.io", "Gateway")]);
    let beside = module_of(&[
        ("gateway.networking.x-k8s.io", "Gateway"),
        ("gateway.networking.k8s.io", "Gateway"),
    ]);
    assert_eq!(
        alone,
        [
            "api::gateway_networking_x_k8s::v1",
            "feature gateway-networking-x-k8s"
        ]
    );
    for m in &alone {
        assert!(beside.contains(m), "{m} moved: {beside:?}");
    }
    assert!(
        beside.contains(&"api::gateway::v1".to_string()),
        "{beside:?}"
    );
}

#[test]
fn crd_groups_sharing_a_first_label_get_their_own_modules_and_features() {
    let generated = Builder::new()
        .crd_bytes(
            "istio.yaml",
            tiny_crd("networking.istio.io", "Gateway").into_bytes(),
        )
        .crd_bytes(
            "example.yaml",
            tiny_crd("networking.example.com", "Gateway").into_bytes(),
        )
        .generate()
        .expect("no collision error");
    let features: Vec<&str> = generated
        .ir
        .groups
        .values()
        .map(|g| g.feature.as_str())
        .collect();
    assert_eq!(features, ["networking-example", "networking-istio"]);
    let modules: Vec<String> = generated.ir.packages.keys().map(|m| m.join("::")).collect();
    assert!(
        modules.contains(&"api::networking_istio::v1".to_string()),
        "{modules:?}"
    );
    assert!(
        modules.contains(&"api::networking_example::v1".to_string()),
        "{modules:?}"
    );
}
