//! Stage 2: named fixes for upstream quirks. Each fixup is one documented function that changes
//! the parsed spec and reports what it touched. A fixup that finds its quirk gone says so in its
//! report ([`FixupReport::stale`], shown in the generator's summary) so it is removed instead of
//! lingering, without stopping a build for a Kubernetes version that fixed the quirk.

mod connect_kinds;

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
pub fn apply_all(spec: &mut Swagger) -> Result<Vec<FixupReport>, crate::Error> {
    let mut reports = Vec::new();
    if let Some(r) = connect_kinds::apply(spec)? {
        reports.push(r);
    }
    Ok(reports)
}
