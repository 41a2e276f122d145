//! client-go as the third peer: the Go program in `bench/peers/client-go` (built by
//! `bench/compare.sh`, named by `CLIENT_GO_PEER`), run against the same server and the same
//! bytes, reporting `metric <name> <value>` lines.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::process::Command;

/// Metrics client-go reported, by name; empty when no peer binary is configured.
pub type Metrics = BTreeMap<String, f64>;

/// Runs the client-go peer with `args`, or returns nothing when `CLIENT_GO_PEER` is unset.
pub fn run(args: &[&str]) -> Result<Metrics, Box<dyn std::error::Error>> {
    run_with_env(args, &[])
}

/// As [`run`], with extra environment variables for the peer.
pub fn run_with_env(
    args: &[&str],
    env: &[(&str, &OsStr)],
) -> Result<Metrics, Box<dyn std::error::Error>> {
    let Some(bin) = std::env::var_os("CLIENT_GO_PEER") else {
        return Ok(Metrics::new());
    };
    let out = Command::new(&bin)
        .args(args)
        .envs(env.iter().copied())
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "client-go peer {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let mut metrics = Metrics::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut f = line.split_whitespace();
        if let (Some("metric"), Some(name), Some(value)) = (f.next(), f.next(), f.next()) {
            metrics.insert(name.to_owned(), value.parse()?);
        }
    }
    Ok(metrics)
}
