//! What controllers write by hand otherwise, as client-go's `util/retry`, apimachinery's
//! `meta` condition helpers and `metav1.NewControllerRef`, and controller-runtime's
//! `controllerutil` finalizer helpers do:
//!
//! - [`retry`]: retry a read-modify-write on `409 Conflict` with client-go's backoff;
//! - [`conditions`]: set, find and test status conditions with `lastTransitionTime` and
//!   `observedGeneration` kept the way apimachinery keeps them;
//! - [`owners`]: controller owner references and who controls an object;
//! - [`finalizers`]: add, remove and test finalizers;
//! - [`wait`]: wait until an object meets a condition, with a deadline;
//! - [`log_lines`]: a log stream's chunks as bounded lines.

pub mod conditions;
pub mod finalizers;
#[cfg(feature = "client")]
pub mod log_lines;
pub mod owners;
#[cfg(feature = "client")]
pub mod retry;
#[cfg(feature = "client")]
pub mod wait;
