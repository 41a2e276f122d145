//! Generates the typed clientset from the Kubernetes OpenAPI spec into `OUT_DIR`.
//!
//! `KUBECLIENT_K8S_VERSION` selects the Kubernetes version (default: the newest supported);
//! the spec is found through the search order of the `kubeclient-specs` crate.

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
    // The spec (and the proto files beside it): from $KUBECLIENT_SPECS_DIR, the bundle a
    // published package carries in `specs/`, or the workspace's specs folders.
    let found = locate::SearchPath::for_build_script().map_err(|e| e.to_string())?;
    let (v, spec) = (&found.version, found.swagger());

    let manifest_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let manifest = manifest_dir.join("Cargo.toml");
    let cargo_toml =
        std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let mut builder = Builder::new()
        .spec_file(&spec)
        .layout(Layout::IncludeFromOutDir)
        .cfg_features(true)
        .declared_features(declared_features(&cargo_toml))
        .spec_version(v.name.clone());
    // The webhook and discovery kinds the OpenAPI spec lacks come from the proto files.
    match found.proto_dir() {
        Some(dir) => {
            println!("cargo:rerun-if-changed={}", dir.display());
            builder = builder.proto_dir(dir);
        }
        None => println!(
            "cargo:warning=no proto/{} folder beside {}: admission.k8s.io and apidiscovery.k8s.io types are not generated",
            v.name,
            spec.display()
        ),
    }
    let generated = builder
        .generate()
        .map_err(|e| format!("generating from {}: {e}", spec.display()))?;
    for f in &generated.undeclared_features {
        println!(
            "cargo:warning=Kubernetes {}: API group feature `{f}` is not declared in generated/Cargo.toml; its types are compiled unconditionally",
            v.name
        );
    }

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
    let declared: BTreeSet<String> = declared_features(&cargo_toml).into_iter().collect();
    let table = kinds_table(&generated.ir, &declared);
    let dest = out.join("kinds_table.rs");
    std::fs::write(&dest, table).map_err(|e| format!("{}: {e}", dest.display()))?;
    println!("cargo:rustc-env=KUBECLIENT_GENERATED_FOR={}", v.name);
    Ok(())
}

/// `kinds_table.rs`: `fn table(api_version, kind) -> Option<KindCodec>`, one match arm per
/// kind with a protobuf message and one per list of such a kind, each behind its group's
/// feature (see `src/kinds.rs`).
fn kinds_table(ir: &kubeclient_codegen::ir::Ir, declared: &BTreeSet<String>) -> String {
    use kubeclient_codegen::ir::TypeKind;
    use std::fmt::Write as _;
    let mut arms = String::new();
    let cfg = |module: &Vec<String>| {
        ir.packages
            .get(module)
            .map(|p| p.feature.as_str())
            .filter(|f| declared.contains(*f))
            .map(|f| format!("#[cfg(feature = {f:?})] "))
            .unwrap_or_default()
    };
    for t in ir.types.values() {
        // (type path, apiVersion, kind, helper pair) of a kind or a list of one.
        let (item, list) = match &t.kind {
            TypeKind::Struct(_) => (t, false),
            TypeKind::List { item } => match ir.types.get(item) {
                Some(i) => (i, true),
                None => continue,
            },
            _ => continue,
        };
        let TypeKind::Struct(s) = &item.kind else {
            continue;
        };
        let Some(gvk) = s.gvk.as_ref().filter(|_| s.proto.is_some()) else {
            continue;
        };
        if list && s.resource.is_none() {
            continue;
        }
        let path = format!("crate::{}::{}", item.module.join("::"), item.rust_name);
        let api_version = gvk.api_version();
        let kind = if list {
            t.spec_name.rsplit('.').next().unwrap_or("")
        } else {
            gvk.kind.as_str()
        };
        let (enc, dec) = if list {
            ("list_to_protobuf", "list_to_json")
        } else {
            ("to_protobuf", "to_json")
        };
        let _ = writeln!(
            arms,
            "        {cfg}({api_version:?}, {kind:?}) => Some(KindCodec {{ api_version: {api_version:?}, kind: {kind:?}, \
             json_to_protobuf: |j| {enc}::<{path}>(j, {api_version:?}, {kind:?}), \
             protobuf_to_json: |r| {dec}::<{path}>(r, {api_version:?}, {kind:?}) }}),",
            cfg = cfg(&t.module),
        );
    }
    format!(
        "/// The generated arms of [`protobuf_codec`].\n\
         #[allow(unused_variables)]\n\
         fn table(api_version: &str, kind: &str) -> Option<KindCodec> {{\n    match (api_version, kind) {{\n{arms}        _ => None,\n    }}\n}}\n"
    )
}

/// Feature names declared in the `[features]` table of `Cargo.toml` (a line scan: keys of the
/// table's `name = [...]` lines).
fn declared_features(cargo_toml: &str) -> Vec<String> {
    let mut in_features = false;
    let mut out = Vec::new();
    for line in cargo_toml.lines() {
        let line = line.trim();
        if line.starts_with('[') && !line.starts_with("[\"") {
            in_features = line == "[features]";
            continue;
        }
        if in_features {
            if let Some((key, _)) = line.split_once('=') {
                let key = key.trim();
                if !key.is_empty() && !key.starts_with('#') {
                    out.push(key.to_owned());
                }
            }
        }
    }
    out
}
