//! Why specs could not be found or read.

use std::path::PathBuf;

/// Why a spec could not be found, unpacked or trusted.
#[derive(Debug, thiserror::Error)]
pub enum LocateError {
    /// The version is not of the form `vMAJOR.MINOR[.PATCH]`.
    #[error(
        "Kubernetes version `{requested}` is not of the form v1.N (or 1.N, v1.N.P); known versions: {known}"
    )]
    BadVersion {
        /// What was asked for.
        requested: String,
        /// Comma-separated versions of the table.
        known: String,
    },
    /// No candidate folder holds the file.
    #[error("{what} was not found; looked in:\n{tried}\n{hint}")]
    NotFound {
        /// What was looked for (`the Kubernetes v1.35 OpenAPI spec`).
        what: String,
        /// Paths tried, one per line.
        tried: String,
        /// How to get it.
        hint: String,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A bundle is damaged: a file missing from its sums, a bad sum line, a file too large.
    #[error("spec bundle {}: {reason}", bundle.display())]
    Bundle {
        /// The bundle folder.
        bundle: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A file's content does not match its recorded sha256.
    #[error("{}: sha256 is {actual}, expected {expected} ({origin}); the file is damaged or was replaced", path.display())]
    Checksum {
        /// The file.
        path: PathBuf,
        /// The recorded sum.
        expected: String,
        /// The sum of what was read.
        actual: String,
        /// Where the expected sum comes from.
        origin: &'static str,
    },
}
