//! `kubectl config view -o json` with this crate's kubeconfig loader.
//!
//! ```text
//! cargo run -p kubeclient-runtime --example config-view -- [--kubeconfig PATH] [--context NAME]
//!     [--minify] [--flatten] [--raw] [-o json]
//! ```
//! Reads `KUBECONFIG` / `$HOME/.kube/config` like kubectl. Prints the merged config as JSON;
//! on error prints `error: ...` to stderr and exits 1.

use kubeclient_runtime::clientcmd::view::{view, ViewOptions};
use kubeclient_runtime::clientcmd::LoadingRules;
use std::process::ExitCode;

struct Args {
    kubeconfig: Option<String>,
    view: ViewOptions,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        kubeconfig: None,
        view: ViewOptions::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("flag needs an argument: {name}"))
        };
        match flag.as_str() {
            "--kubeconfig" => args.kubeconfig = Some(value("--kubeconfig")?),
            "--context" => args.view.context = Some(value("--context")?),
            "--minify" => args.view.minify = bool_flag(inline.as_deref())?,
            "--flatten" => args.view.flatten = bool_flag(inline.as_deref())?,
            "--raw" => args.view.raw = bool_flag(inline.as_deref())?,
            "-o" | "--output" => {
                let v = value("-o")?;
                if v != "json" {
                    return Err(format!("only -o json is supported, got {v:?}"));
                }
            }
            "-ojson" => {}
            other => return Err(format!("unknown flag: {other}")),
        }
    }
    Ok(args)
}

fn bool_flag(v: Option<&str>) -> Result<bool, String> {
    match v {
        None | Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(format!("invalid boolean value {other:?}")),
    }
}

fn run() -> Result<String, String> {
    let args = parse_args()?;
    let mut rules = LoadingRules::from_env();
    if let Some(path) = args.kubeconfig.filter(|p| !p.is_empty()) {
        // kubectl's config commands put --kubeconfig in the chain instead of requiring it to
        // exist, so a missing file shows an empty config.
        rules.precedence = vec![path.into()];
    }
    // Paths are shown as written; --flatten resolves them against their own file.
    rules.do_not_resolve_paths = true;
    let config = rules.load().map_err(|e| e.to_string())?;
    let json = view(&config, &args.view).map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&json).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    match run() {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
