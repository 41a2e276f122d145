//! Stage 2: named fixes for upstream quirks. Each fixup is one documented function that changes
//! the parsed spec and reports what it touched. A fixup that finds its quirk gone says so in its
//! report ([`FixupReport::stale`], shown in the generator's summary) so it is removed instead of
//! lingering, without stopping a build for a Kubernetes version that fixed the quirk.

use crate::spec::Swagger;

/// What one fixup did, for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixupReport {
    /// Fixup name.
    pub name: &'static str,
    /// What was changed (one entry per touched item).
    pub changed: Vec<String>,
    /// Set when the quirk the fixup exists for is gone from this spec: what it looked for.
    pub stale: Option<String>,
}

/// Apply every fixup that applies to this spec.
///
/// None is needed today. The one that was (dropping the options kinds `connect` operations
/// name, `PodExecOptions` and friends, which have no definition) is gone: those kinds are not
/// a quirk but query parameters by design, and the IR now records them
/// ([`crate::ir::Connect`]) so the typed clients get exec, attach, portforward and proxy.
pub fn apply_all(spec: &mut Swagger) -> Result<Vec<FixupReport>, crate::Error> {
    let _ = spec;
    Ok(Vec::new())
}
