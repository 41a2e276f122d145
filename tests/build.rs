//! Writes a registry of every type generated for the selected Kubernetes version, so the
//! round-trip test can decode and re-encode each one by its spec name. Kept out of the
//! `kubeclient` crate: instantiating every serde impl belongs in the tests, not in the library.

use kubeclient_codegen::ir::TypeKind;
use kubeclient_codegen::{locate, Builder};
use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let (_, spec) = locate::for_build_script()?;
    println!("cargo:rustc-env=KUBECLIENT_TEST_SPEC={}", spec.display());
    let (ir, _) = Builder::new().spec_file(&spec).build_ir().map_err(|e| e.to_string())?;

    let mut out = String::from("/// (spec definition name, decode-then-encode function) for every type.\npub fn registry() -> Vec<(&'static str, RoundTrip)> {\n    vec![\n");
    for t in ir.types.values() {
        let path = match &t.kind {
            TypeKind::Runtime(p) => p.clone(),
            _ => format!("::kubeclient::{}::{}", t.module.join("::"), t.rust_name),
        };
        writeln!(out, "        ({:?}, round_trip::<{path}>),", t.spec_name).map_err(|e| e.to_string())?;
    }
    out.push_str("    ]\n}\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?).join("roundtrip_registry.rs");
    std::fs::write(&dest, out).map_err(|e| format!("{}: {e}", dest.display()))?;
    Ok(())
}
