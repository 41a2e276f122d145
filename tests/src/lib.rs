//! Workspace integration tests live in `tests/`. The library holds what they share: types and
//! clients generated at build time from the real-world CRDs in the specs folder (`crds`), compiled
//! here as any user's crate would (CI's clippy and rustdoc runs use `-D warnings`).
// Doc comments are the CRDs' descriptions: prose, not markdown.
#![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]

pub mod servers;

/// One module per CRD file (`crds::cert_manager_crds_v1_12_0`, ...), each with `api`, `typed`,
/// `Clientset` and `discovery` for the file's groups.
pub mod crds {
    include!(concat!(env!("OUT_DIR"), "/crds/mod.rs"));
}
