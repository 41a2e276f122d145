//! Writes a registry of every type generated for the selected Kubernetes version, so the
//! round-trip test can decode and re-encode each one by its spec name. Kept out of the
//! `kubeclient` crate: instantiating every serde impl belongs in the tests, not in the library.
//!
//! Also generates a simulated never-seen Kubernetes version (`simulated`, see
//! [`generate_simulated`]) and types and clients for every real-world CRD file in the specs folder's `crds/`
//! (one module per file: files may define the same kinds), compiled into this crate's library
//! without warnings (CI runs clippy with `-D warnings`) and exercised by `tests/crd_generation.rs`.

use kubeclient_codegen::ir::TypeKind;
use kubeclient_codegen::{locate, naming, Builder};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let found = locate::SearchPath::for_build_script().map_err(|e| e.to_string())?;
    let (version, spec) = (&found.version, found.swagger());
    println!("cargo:rustc-env=KUBECLIENT_TEST_SPEC={}", spec.display());
    println!("cargo:rustc-env=KUBECLIENT_TEST_VERSION={}", version.name);
    let mut builder = Builder::new().spec_file(&spec);
    // As generated/build.rs: the proto-defined kinds (AdmissionReview, ...) are part of the crate.
    if let Some(dir) = found.proto_dir() {
        println!("cargo:rustc-env=KUBECLIENT_TEST_PROTOS={}", dir.display());
        builder = builder.proto_dir(dir);
    }
    let (ir, _) = builder.build_ir().map_err(|e| e.to_string())?;

    let mut out = String::from("/// (spec definition name, decode-then-encode function) for every type.\npub fn registry() -> Vec<(&'static str, RoundTrip)> {\n    vec![\n");
    for t in ir.types.values() {
        let path = match &t.kind {
            TypeKind::Runtime(p) => p.clone(),
            _ => format!("::kubeclient::{}::{}", t.module.join("::"), t.rust_name),
        };
        writeln!(out, "        ({:?}, round_trip::<{path}>),", t.spec_name)
            .map_err(|e| e.to_string())?;
    }
    out.push_str("    ]\n}\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let dest = out_dir.join("roundtrip_registry.rs");
    std::fs::write(&dest, out).map_err(|e| format!("{}: {e}", dest.display()))?;

    // Kinds with a protobuf message, for tests/protobuf.rs (decode, compare, re-encode).
    let mut out = String::from("/// (spec definition name, protobuf check function) for every kind with a message.\npub fn proto_registry() -> Vec<(&'static str, ProtoCheck)> {\n    vec![\n");
    for t in ir.types.values() {
        if let TypeKind::Struct(s) = &t.kind {
            if s.proto.is_some() && s.gvk.is_some() {
                let path = format!("::kubeclient::{}::{}", t.module.join("::"), t.rust_name);
                writeln!(out, "        ({:?}, proto_check::<{path}>),", t.spec_name)
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    out.push_str("    ]\n}\n");
    let dest = out_dir.join("proto_registry.rs");
    std::fs::write(&dest, out).map_err(|e| format!("{}: {e}", dest.display()))?;
    // Every struct with a protobuf message, for the JSON -> protobuf -> JSON leg of
    // tests/roundtrip.rs.
    let mut out = String::from("/// (spec definition name, JSON -> protobuf -> JSON function) for every struct with a message.\npub fn proto_roundtrip_registry() -> Vec<(&'static str, RoundTrip)> {\n    vec![\n");
    for t in ir.types.values() {
        if let TypeKind::Struct(s) = &t.kind {
            if s.proto.is_some() {
                let path = format!("::kubeclient::{}::{}", t.module.join("::"), t.rust_name);
                writeln!(
                    out,
                    "        ({:?}, proto_round_trip::<{path}>),",
                    t.spec_name
                )
                .map_err(|e| e.to_string())?;
            }
        }
    }
    out.push_str("    ]\n}\n");
    let dest = out_dir.join("proto_roundtrip_registry.rs");
    std::fs::write(&dest, out).map_err(|e| format!("{}: {e}", dest.display()))?;
    generate_simulated(&spec, &out_dir)?;
    generate_crds(&out_dir)
}

/// A Kubernetes version the generator has never seen: the selected spec cut down to ConfigMap
/// and every apimachinery definition, plus a made-up apimachinery type `ShardInfo` that the
/// handwritten `ListMeta` and `StatusDetails` and a made-up generated apimachinery type
/// `ShardRange` refer to (as 1.36 added `ShardInfo` and `ListMeta.shardInfo`). Generated into
/// `simulated/` and compiled into this crate's library; `tests/any_version.rs` round-trips it.
fn generate_simulated(spec: &Path, out_dir: &Path) -> Result<(), String> {
    use serde_json::{json, Value};
    let bytes = std::fs::read(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let mut doc: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    let meta = "io.k8s.apimachinery.pkg.apis.meta.v1";
    let Some(defs) = doc["definitions"].as_object_mut() else {
        return Err(format!("{}: no definitions", spec.display()));
    };
    defs.retain(|name, _| {
        name.starts_with("io.k8s.apimachinery.")
            || name == "io.k8s.api.core.v1.ConfigMap"
            || name == "io.k8s.api.core.v1.ConfigMapList"
    });
    defs.insert(
        format!("{meta}.ShardInfo"),
        json!({
            "description": "Made up for the test: which shard of a list this is.",
            "type": "object",
            "required": ["shardCount"],
            "properties": {
                "shardIndex": {"type": "integer", "format": "int32"},
                "shardCount": {"type": "integer", "format": "int32"},
                "selector": {"$ref": format!("#/definitions/{meta}.LabelSelector")}
            }
        }),
    );
    defs.insert(
        format!("{meta}.ShardRange"),
        json!({
            "description": "Made up for the test: a generated apimachinery type using another.",
            "type": "object",
            "properties": {
                "first": {"$ref": format!("#/definitions/{meta}.ShardInfo")},
                "count": {"type": "integer", "format": "int64"}
            }
        }),
    );
    for holder in ["ListMeta", "StatusDetails"] {
        let props = &mut doc["definitions"][format!("{meta}.{holder}")]["properties"];
        props["shardInfo"] = json!({"$ref": format!("#/definitions/{meta}.ShardInfo")});
    }
    if let Some(paths) = doc["paths"].as_object_mut() {
        paths.retain(|p, _| p.contains("/configmaps"));
    }
    let bytes = serde_json::to_vec(&doc).map_err(|e| e.to_string())?;
    let generated = Builder::new()
        .spec_bytes("simulated-swagger.json", bytes)
        .layout(kubeclient_codegen::Layout::IncludeFromOutDir)
        .root("crate::simulated")
        .out_subdir("simulated")
        .spec_version("v1.99-simulated")
        .generate()
        .map_err(|e| format!("simulated version: {e}"))?;
    generated.write_to(out_dir).map_err(|e| e.to_string())?;
    let report = out_dir.join("simulated/report.txt");
    std::fs::write(&report, generated.report.summary())
        .map_err(|e| format!("{}: {e}", report.display()))
}

/// `crds/<file stem as a module>/...` in `OUT_DIR`, and `crds/mod.rs` declaring one module per file.
fn generate_crds(out_dir: &Path) -> Result<(), String> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let workspace = manifest.parent().map(Path::to_path_buf).unwrap_or(manifest);
    let dir = locate::SearchPath::new(&workspace)
        .dir("crds")
        .map_err(|e| e.to_string())?;
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rustc-env=KUBECLIENT_TEST_CRDS={}", dir.display());
    // The golden fixture too: it declares `/scale`, which none of the real CRDs does; and kinds
    // named like std types (`Box`, `Option`, `String`, `Vec`) with `_` properties.
    let fixture = workspace.join("codegen/tests/fixtures/crd-basic/crds.yaml");
    let std_names = workspace.join("codegen/tests/fixtures/crd-std-names/crds.yaml");
    let mut index = String::new();
    for file in locate::crd_files(&dir)
        .map_err(|e| e.to_string())?
        .into_iter()
        .chain([fixture, std_names])
    {
        println!("cargo:rerun-if-changed={}", file.display());
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let module = if file.ends_with("crd-std-names/crds.yaml") {
            "crd_std_names".to_owned()
        } else if stem == "crds" {
            "crd_basic".to_owned()
        } else {
            naming::module_name(&stem)
        };
        let sub = format!("crds/{module}");
        Builder::new()
            .crd_file(&file)
            .root(format!("crate::crds::{module}"))
            .out_subdir(&sub)
            .generate()
            .map_err(|e| e.to_string())?
            .write_to(out_dir)
            .map_err(|e| e.to_string())?;
        writeln!(
            index,
            "/// Generated from `{}`.\npub mod {module} {{ include!(concat!(env!(\"OUT_DIR\"), \"/{sub}/lib.rs\")); }}",
            file.strip_prefix(&dir).unwrap_or(&file).display()
        )
        .map_err(|e| e.to_string())?;
    }
    let dest = out_dir.join("crds/mod.rs");
    std::fs::write(&dest, index).map_err(|e| format!("{}: {e}", dest.display()))
}
