//! Writes a registry of every type generated for the selected Kubernetes version, so the
//! round-trip test can decode and re-encode each one by its spec name. Kept out of the
//! `kubeclient` crate: instantiating every serde impl belongs in the tests, not in the library.
//!
//! Also generates types and clients for every real-world CRD file in the specs folder's `crds/`
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
    let (_, spec) = locate::for_build_script()?;
    println!("cargo:rustc-env=KUBECLIENT_TEST_SPEC={}", spec.display());
    let (ir, _) = Builder::new()
        .spec_file(&spec)
        .build_ir()
        .map_err(|e| e.to_string())?;

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
    generate_crds(&out_dir)
}

/// `crds/<file stem as a module>/...` in `OUT_DIR`, and `crds/mod.rs` declaring one module per file.
fn generate_crds(out_dir: &Path) -> Result<(), String> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let workspace = manifest.parent().map(Path::to_path_buf).unwrap_or(manifest);
    let dir = locate::locate_crds_dir(&workspace)?;
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rustc-env=KUBECLIENT_TEST_CRDS={}", dir.display());
    // The golden fixture too: it declares `/scale`, which none of the real CRDs does.
    let fixture = workspace.join("codegen/tests/fixtures/crd-basic/crds.yaml");
    let mut index = String::new();
    for file in locate::crd_files(&dir)?.into_iter().chain([fixture]) {
        println!("cargo:rerun-if-changed={}", file.display());
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let module = if stem == "crds" {
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
