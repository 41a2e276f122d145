//! `kubeclient-specs bundle --out DIR [VERSION...]`: writes a verified, compressed bundle of the
//! given versions (default: every version kubeclient knows) from the first specs folder of the
//! search order. The packaging step (`scripts/package.sh`) puts one into the `kubeclient`
//! package; a project that takes kubeclient from git can make one and point
//! `KUBECLIENT_SPECS_DIR` at it.

use kubeclient_specs::{bundle, SearchPath, VERSIONS};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: kubeclient-specs bundle --out DIR [--from WORKSPACE] [VERSION...]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() != Some("bundle") {
        return Err(USAGE.to_owned());
    }
    let (mut out, mut from, mut versions) = (None, None, Vec::new());
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = args.next().map(PathBuf::from),
            "--from" => from = args.next().map(PathBuf::from),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            v if !v.starts_with('-') => versions.push(v.to_owned()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let out = out.ok_or_else(|| format!("--out is required\n{USAGE}"))?;
    let workspace = match from {
        Some(w) => w,
        None => std::env::current_dir().map_err(|e| e.to_string())?,
    };
    if versions.is_empty() {
        versions = VERSIONS.iter().map(|v| v.name.to_owned()).collect();
    }
    let versions: Vec<&str> = versions.iter().map(String::as_str).collect();
    let files =
        bundle::write(&SearchPath::new(&workspace), &versions, &out).map_err(|e| e.to_string())?;
    println!(
        "bundled {} files of {} into {}",
        files.len(),
        versions.join(", "),
        out.display()
    );
    Ok(())
}
