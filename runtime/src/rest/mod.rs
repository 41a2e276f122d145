//! The REST layer (client-go `rest`) (being written).
pub mod config;
pub use config::{Config, CredentialError, CredentialSource, Credentials, Impersonation, TlsConfig};
