//! What every crate's tests in this workspace share.
//!
//! The skip policy: a test that needs a tool (kubectl, the Go toolchain, tmux), upstream data
//! (the Kubernetes specs in `../shared/openapi-specs`) or the real kube-apiserver, and cannot
//! find it, **fails** when `CI=true` (CI machines must have everything, so a missing piece is a
//! broken setup, not a reason to pass) and otherwise prints why and returns early, so a
//! developer without the tool still gets a useful run.
//!
//! ```no_run
//! fn kubectl_found() -> bool { false }
//! if !kubectl_found() {
//!     kubeclient_test_support::missing("kubectl on PATH");
//!     return; // locally: skipped with a message
//! }
//! ```

use std::fmt::Display;

/// Whether this run is CI's (`CI=true`, as CI sets it), where nothing may be skipped.
pub fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Reports that a test cannot run because `what` is missing: panics under `CI=true`; otherwise
/// prints `SKIPPED (missing ...)` to stderr, and the caller returns.
#[track_caller]
pub fn missing(what: impl Display) {
    let at = std::panic::Location::caller();
    if on_ci() {
        panic!("{at}: cannot test without {what} (CI=true: a missing tool or data fails the run)");
    }
    eprintln!("SKIPPED at {at} (missing {what}); on CI this fails");
}

/// `Some(value)` when present; otherwise [`missing`]`(what)` and `None`, for `let ... else`.
#[track_caller]
pub fn require<T>(value: Option<T>, what: impl Display) -> Option<T> {
    if value.is_none() {
        missing(what);
    }
    value
}
