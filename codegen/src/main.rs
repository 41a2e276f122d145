//! `kubeclient-codegen`: write generated sources to a folder, or print facts about a spec.
//!
//! ```text
//! kubeclient-codegen generate --spec FILE --out DIR [--root crate::k8s] [--features] [--spec-version v1.35] [--proto DIR]
//! kubeclient-codegen generate --crd FILE [--crd FILE ...] --out DIR [--root crate::crds]
//! kubeclient-codegen generate --openapi-v3 DIR --out DIR      # the /openapi/v3 documents of a release
//! kubeclient-codegen features --spec FILE        # cargo [features] table with the reference closure
//! kubeclient-codegen fetch --out DIR [--kubeconfig FILE] [--context NAME]   # a cluster's OpenAPI (feature `fetch`)
//! ```

use kubeclient_codegen::{Builder, Layout};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage:
  kubeclient-codegen generate --spec FILE --out DIR [--root PATH] [--features] [--spec-version LABEL] [--proto DIR]
  kubeclient-codegen generate --crd FILE [--crd FILE ...] [--spec FILE] --out DIR [--root PATH]
  kubeclient-codegen generate --openapi-v3 DIR --out DIR [--root PATH] [--features] [--spec-version LABEL]
  kubeclient-codegen features --spec FILE
  kubeclient-codegen fetch --out DIR [--kubeconfig FILE] [--context NAME]";

struct Args {
    command: String,
    spec: Option<PathBuf>,
    crds: Vec<PathBuf>,
    openapi_v3: Option<PathBuf>,
    proto: Option<PathBuf>,
    out: Option<PathBuf>,
    root: String,
    features: bool,
    spec_version: Option<String>,
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
}

/// `None` when help was asked for (printed to stdout by the caller).
fn parse_args() -> Result<Option<Args>, String> {
    let mut it = std::env::args().skip(1);
    let command = it.next().ok_or_else(|| USAGE.to_owned())?;
    if matches!(command.as_str(), "-h" | "--help" | "help") {
        return Ok(None);
    }
    let mut a = Args {
        command,
        spec: None,
        crds: Vec::new(),
        openapi_v3: None,
        proto: None,
        out: None,
        root: "crate".into(),
        features: false,
        spec_version: None,
        kubeconfig: None,
        context: None,
    };
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--spec" => a.spec = Some(value("--spec")?.into()),
            "--openapi-v3" => a.openapi_v3 = Some(value("--openapi-v3")?.into()),
            "--crd" => a.crds.push(value("--crd")?.into()),
            "--proto" => a.proto = Some(value("--proto")?.into()),
            "--out" => a.out = Some(value("--out")?.into()),
            "--root" => a.root = value("--root")?,
            "--spec-version" => a.spec_version = Some(value("--spec-version")?),
            "--features" => a.features = true,
            "--kubeconfig" => a.kubeconfig = Some(value("--kubeconfig")?.into()),
            "--context" => a.context = Some(value("--context")?),
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(Some(a))
}

/// `fetch`: the cluster's OpenAPI documents into `--out`.
#[cfg(feature = "fetch")]
fn fetch(a: &Args) -> Result<(), String> {
    use kubeclient_runtime::clientcmd::{ClientConfig, LoadingRules, Overrides};
    let out = a
        .out
        .clone()
        .ok_or_else(|| format!("--out is required\n{USAGE}"))?;
    let mut rules = LoadingRules::from_env();
    if let Some(path) = &a.kubeconfig {
        rules = rules.with_explicit_path(path);
    }
    let overrides = Overrides {
        context: a.context.clone(),
        ..Overrides::default()
    };
    let config = ClientConfig::from_rules(&rules, overrides)
        .and_then(|c| c.rest_config())
        .map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let fetched = runtime
        .block_on(kubeclient_codegen::fetch::from_cluster(&config, &out))
        .map_err(|e| e.to_string())?;
    if let Some(s) = &fetched.swagger {
        eprintln!("wrote {}", s.display());
    }
    eprintln!(
        "wrote {} OpenAPI v3 documents under {}",
        fetched.v3.len(),
        out.join("v3").display()
    );
    Ok(())
}

#[cfg(not(feature = "fetch"))]
fn fetch(_: &Args) -> Result<(), String> {
    Err("this kubeclient-codegen was built without the `fetch` feature: cargo run -p kubeclient-codegen --features fetch -- fetch ...".into())
}

fn run() -> Result<(), String> {
    let Some(a) = parse_args()? else {
        println!("{USAGE}");
        return Ok(());
    };
    if a.command == "fetch" {
        return fetch(&a);
    }
    if a.spec.is_none() && a.crds.is_empty() && a.openapi_v3.is_none() {
        return Err(format!(
            "--spec, --openapi-v3 or --crd is required\n{USAGE}"
        ));
    }
    let mut builder = Builder::new()
        .root(a.root.clone())
        .layout(Layout::ModuleTree)
        .cfg_features(a.features);
    if let Some(spec) = &a.spec {
        builder = builder.spec_file(spec);
    }
    if let Some(dir) = &a.proto {
        builder = builder.proto_dir(dir);
    }
    if let Some(dir) = &a.openapi_v3 {
        builder = builder.openapi_v3_dir(dir);
    }
    for crd in &a.crds {
        builder = builder.crd_file(crd);
    }
    if let Some(label) = a
        .spec_version
        .clone()
        .or_else(|| a.spec.as_ref().map(|s| s.display().to_string()))
    {
        builder = builder.spec_version(label);
    }
    match a.command.as_str() {
        "generate" => {
            let out = a
                .out
                .clone()
                .ok_or_else(|| format!("--out is required\n{USAGE}"))?;
            let start = Instant::now();
            let generated = builder.generate().map_err(|e| e.to_string())?;
            let elapsed = start.elapsed();
            generated.write_to(&out).map_err(|e| e.to_string())?;
            let bytes: usize = generated.files.values().map(String::len).sum();
            let resources: usize = generated
                .ir
                .groups
                .values()
                .flat_map(|g| g.versions.values())
                .map(|v| v.resources.len())
                .sum();
            eprintln!(
                "generated {} files ({} KiB) for {} types and {} resources in {:.0} ms -> {}",
                generated.files.len(),
                bytes / 1024,
                generated.ir.types.len(),
                resources,
                elapsed.as_secs_f64() * 1000.0,
                out.display()
            );
            for f in &generated.fixups {
                eprintln!("fixup {}: {} change(s)", f.name, f.changed.len());
            }
            eprint!("{}", generated.report.summary());
            Ok(())
        }
        "features" => {
            let (ir, _) = builder.build_ir().map_err(|e| e.to_string())?;
            for (feature, deps) in kubeclient_codegen::emit::feature_table(&ir) {
                let deps: Vec<String> = deps.iter().map(|d| format!("\"{d}\"")).collect();
                println!("{feature} = [{}]", deps.join(", "));
            }
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
