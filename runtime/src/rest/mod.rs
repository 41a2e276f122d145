//! The REST layer (client-go `rest`): [`Config`], [`RestClient`], the [`Request`] builder,
//! retries, watch decoding, warnings and [`Error`].

mod client;
pub mod config;
pub mod error;
mod request;
mod retry;
mod tls;
mod transport;
pub mod warnings;
pub mod watch;

pub use client::{RestClient, DEFAULT_MAX_RETRIES};
pub use config::{Config, CredentialError, CredentialSource, Credentials, CredentialsFuture, Impersonation, TlsConfig};
pub use error::{Error, Result};
pub use request::{decode_json, PatchType, Request};
pub use transport::default_user_agent;
pub use warnings::{DedupWarningLogger, IgnoreWarnings, WarningHandler};
