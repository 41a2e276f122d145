//! Generates the typed clientset from the Kubernetes OpenAPI spec into `OUT_DIR`.
//!
//! `KUBECLIENT_K8S_VERSION` selects the Kubernetes version (default: the newest supported);
//! the spec is found through the search order documented in `kubeclient_codegen::locate`.

use kubeclient_codegen::{locate, Builder, Layout};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    println!("cargo:rerun-if-changed=build.rs");
    let (v, spec) = locate::for_build_script()?;

    let generated = Builder::new()
        .spec_file(&spec)
        .layout(Layout::IncludeFromOutDir)
        .cfg_features(true)
        .spec_version(v.name)
        .generate()
        .map_err(|e| format!("generating from {}: {e}", spec.display()))?;

    // Cargo.toml's feature table must enable every group a selected group's types reference;
    // catch a stale table here with a message instead of a wall of unresolved paths.
    let enabled: BTreeSet<String> = std::env::vars()
        .filter_map(|(k, _)| {
            k.strip_prefix("CARGO_FEATURE_")
                .map(|f| f.to_lowercase().replace('_', "-"))
        })
        .collect();
    for feature in generated.ir.features() {
        if !enabled.contains(&feature) {
            continue;
        }
        for dep in generated.ir.feature_closure(&feature) {
            if !enabled.contains(&dep) {
                return Err(format!(
                    "feature `{feature}` references types of `{dep}` in Kubernetes {}, but Cargo.toml does not \
                     enable `{dep}` from `{feature}`: update [features] (see `kubeclient-codegen features`)",
                    v.name
                ));
            }
        }
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    generated.write_to(&out).map_err(|e| e.to_string())?;
    println!("cargo:rustc-env=KUBECLIENT_GENERATED_FOR={}", v.name);
    Ok(())
}
