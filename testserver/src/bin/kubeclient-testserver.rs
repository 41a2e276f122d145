//! `kubeclient-testserver --listen 127.0.0.1:0 --kubeconfig-out FILE [--plain-http]
//! [--openapi-specs DIR | --find-openapi-specs] [--kubelet=local [--kubelet-dir DIR]]`: run the
//! test server until interrupted, for kubectl and other out-of-process clients.
//!
//! `--kubelet=local` serves `kubectl exec`, `cp` and `attach` by running the commands **as
//! processes on this host** (each container in its own directory under `--kubelet-dir`, a
//! temporary directory by default). For tests only: anyone who can reach the server can run
//! anything as this user.

use kubeclient_testserver::TestServer;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: kubeclient-testserver [--listen ADDR] [--kubeconfig-out FILE] [--plain-http] [--openapi-specs DIR | --find-openapi-specs] [--kubelet=local [--kubelet-dir DIR]]";

struct Args {
    listen: SocketAddr,
    kubeconfig: Option<PathBuf>,
    plain_http: bool,
    openapi_specs: Option<PathBuf>,
    find_openapi_specs: bool,
    local_kubelet: bool,
    kubelet_dir: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        kubeconfig: None,
        plain_http: false,
        openapi_specs: None,
        find_openapi_specs: false,
        local_kubelet: false,
        kubelet_dir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--listen" => {
                let v = value("--listen")?;
                args.listen = v.parse().map_err(|e| format!("--listen {v:?}: {e}"))?;
            }
            "--kubeconfig-out" => args.kubeconfig = Some(PathBuf::from(value("--kubeconfig-out")?)),
            "--plain-http" => args.plain_http = true,
            "--openapi-specs" => {
                args.openapi_specs = Some(PathBuf::from(value("--openapi-specs")?))
            }
            "--find-openapi-specs" => args.find_openapi_specs = true,
            "--kubelet" => match value("--kubelet")?.as_str() {
                "local" => args.local_kubelet = true,
                other => {
                    return Err(format!(
                        "--kubelet {other:?}: only \"local\" exists\n{USAGE}"
                    ))
                }
            },
            "--kubelet-dir" => args.kubelet_dir = Some(PathBuf::from(value("--kubelet-dir")?)),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    let mut b = TestServer::builder().listen(args.listen);
    if args.plain_http {
        b = b.plain_http();
    }
    if let Some(p) = &args.kubeconfig {
        b = b.kubeconfig_path(p);
    }
    if args.find_openapi_specs && args.openapi_specs.is_none() {
        match kubeclient_testserver::locate_openapi_specs() {
            Some(dir) => args.openapi_specs = Some(dir),
            None => {
                eprintln!(
                    "kubeclient-testserver: no OpenAPI specs for Kubernetes {} found (set {} or pass --openapi-specs DIR)",
                    kubeclient::KUBERNETES_VERSION,
                    kubeclient_specs::SPECS_DIR_ENV
                );
                return ExitCode::FAILURE;
            }
        }
    }
    if let Some(dir) = &args.openapi_specs {
        b = b.openapi_specs(dir);
    }
    if args.local_kubelet {
        let dir = args.kubelet_dir.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!(
                "kubeclient-testserver-kubelet-{}",
                std::process::id()
            ))
        });
        eprintln!(
            "kubeclient-testserver: --kubelet=local: exec and attach run commands as processes on THIS HOST (containers in {}); for tests only",
            dir.display()
        );
        b = b.local_kubelet(dir);
    }
    let server = match b.start().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kubeclient-testserver: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "serving {} (kubeconfig {})",
        server.base_url(),
        server.kubeconfig_path().display()
    );
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("kubeclient-testserver: waiting for interrupt: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
