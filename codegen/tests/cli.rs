//! The command line: help goes to stdout with success; `generate` prints its report.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use std::process::Command;

fn codegen(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kubeclient-codegen"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn help_is_usage_on_stdout_and_success() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["help"],
        &["generate", "--help"],
        &["features", "-h"],
    ] {
        let out = codegen(args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{args:?}: {:?}", out.status);
        assert!(
            stdout.contains("usage:") && stdout.contains("generate"),
            "{args:?}: {stdout}"
        );
    }
}

#[test]
fn a_bad_argument_is_a_failure_with_usage_on_stderr() {
    let out = codegen(&["generate", "--bogus"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--bogus") && stderr.contains("usage:"),
        "{stderr}"
    );
}

#[test]
fn generate_prints_the_report() {
    let dir = tempfile_dir();
    let spec = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/edge-cases/spec.json"
    );
    let out = codegen(&["generate", "--spec", spec, "--out", dir.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("generated ") && stderr.contains("report: "),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kubeclient-codegen-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
