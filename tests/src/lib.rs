//! Workspace integration tests live in `tests/`. The library holds what they share: types and
//! clients generated at build time from the real-world CRDs in the specs folder (`crds`), compiled
//! here as any user's crate would (CI's clippy and rustdoc runs use `-D warnings`).
// Doc comments are the CRDs' descriptions: prose, not markdown.
#![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]

pub mod json_diff;
pub mod servers;

/// Types and clients generated for a simulated never-seen Kubernetes version (see `build.rs`):
/// ConfigMap, the apimachinery types, and made-up `ShardInfo`/`ShardRange` types.
pub mod simulated {
    include!(concat!(env!("OUT_DIR"), "/simulated/lib.rs"));

    /// The generator's report for the simulated version.
    pub const REPORT: &str = include_str!(concat!(env!("OUT_DIR"), "/simulated/report.txt"));
}

/// One module per CRD file (`crds::cert_manager_crds_v1_12_0`, ...), each with `api`, `typed`,
/// `Clientset` and `discovery` for the file's groups.
pub mod crds {
    include!(concat!(env!("OUT_DIR"), "/crds/mod.rs"));
}
