//! Where the Kubernetes specs kubeclient generates from come from. They are upstream data and
//! never committed, so every build finds them by one search order ([`SearchPath`]):
//!
//! 1. `$KUBECLIENT_SPECS_DIR` (a folder laid out as below, plain or bundled);
//! 2. the bundle a published package carries (`<crate>/specs/`, made by [`bundle::write`]);
//! 3. `<workspace>/openapi-specs/`;
//! 4. `<workspace>/../shared/openapi-specs/`.
//!
//! A folder holds `kubernetes/<version>/swagger.json` (plus `v3/` for OpenAPI v3),
//! `proto/<version>/k8s.io/.../generated.proto`, and as test data `crds/<project>/*.yaml` and
//! `testdata/`. A bundle holds the same paths gzip-compressed with a `.gz` suffix and a
//! `SHA256SUMS` file; [`Located::materialize`] unpacks and checks what a build needs.
//!
//! The build script of `kubeclient`, the code generator, the test server and the tests all use
//! this crate, so they agree on where specs are and say the same thing when they are missing.

pub mod bundle;
mod error;
mod search;
mod versions;

pub use error::LocateError;
pub use search::{crd_files, Located, SearchPath, SPECS_DIR_ENV};
pub use versions::{select, KubernetesVersion, SelectedVersion, DEFAULT_VERSION, VERSIONS};

/// Environment variable selecting the Kubernetes version to generate (default
/// [`DEFAULT_VERSION`]).
pub const VERSION_ENV: &str = "KUBECLIENT_K8S_VERSION";
