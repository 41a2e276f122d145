//! The REST layer (client-go `rest`): [`Config`], [`RestClient`], the [`Request`] builder,
//! retries, watch decoding, warnings and [`Error`].
//!
//! A request goes: rate limiter → credentials (a [`CredentialSource`] is asked every time; a 401
//! invalidates it and the request is sent once more) → send → `Warning` headers to the
//! [`WarningHandler`] → retry on 429/5xx with `Retry-After` (at most
//! [`DEFAULT_MAX_RETRIES`] times, every verb, bodies are buffered) or on a broken connection
//! (GET only) → non-2xx bodies become [`Error::Api`] with the server's `Status`.
//!
//! ```text
//! let rest = RestClient::new(&config)?.for_group_version("apps", "v1");
//! let raw = rest.get().namespace("default").resource("deployments").name("web").do_raw().await?;
//! ```

mod client;
pub mod config;
pub mod error;
mod request;
mod retry;
mod tls;
mod transport;
pub mod upgrade;
pub mod warnings;
pub mod watch;

pub use client::{RestClient, DEFAULT_MAX_RETRIES};
pub use config::{
    Config, CredentialError, CredentialSource, Credentials, CredentialsFuture, Impersonation,
    TlsConfig,
};
pub use error::{Error, Result};
pub use request::{decode_json, JsonFallback, PatchType, Request};
pub use transport::default_user_agent;
pub use warnings::{DedupWarningLogger, IgnoreWarnings, WarningHandler};

/// A byte stream (logs with `follow`, raw watch bodies). Boxed and pinned so callers can use
/// `StreamExt::next` on it directly.
pub type ByteStream = std::pin::Pin<
    Box<dyn futures_util::Stream<Item = Result<bytes::Bytes, Error>> + Send + 'static>,
>;

/// A stream of typed watch events; `ERROR` events arrive as `Err(Error::Api(status))`.
pub type WatchStream<T> = std::pin::Pin<
    Box<
        dyn futures_util::Stream<Item = Result<crate::meta::v1::WatchEvent<T>, Error>>
            + Send
            + 'static,
    >,
>;
