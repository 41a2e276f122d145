//! A bearer token read from a file and re-read periodically, so rotated tokens (projected
//! service-account tokens, `tokenFile` users) are picked up without a restart. Mirrors
//! client-go's cached file token source: cached for a minute less ten seconds of leeway.

use crate::rest::{CredentialError, CredentialSource, Credentials, CredentialsFuture};
use crate::secret::Secret;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a token read from a file is trusted before the file is read again (client-go:
/// one minute period minus ten seconds of leeway).
pub const TOKEN_FILE_REFRESH: Duration = Duration::from_secs(50);

/// A [`CredentialSource`] that reads a bearer token from a file.
#[derive(Debug)]
pub struct TokenFileSource {
    path: PathBuf,
    refresh: Duration,
    cached: Mutex<Option<(Secret, Instant)>>,
}

impl TokenFileSource {
    /// Read `path` at most every [`TOKEN_FILE_REFRESH`].
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self::with_refresh(path, TOKEN_FILE_REFRESH)
    }

    /// Read `path` at most every `refresh` (shorter periods are for tests).
    pub fn with_refresh(path: impl Into<PathBuf>, refresh: Duration) -> Self {
        TokenFileSource {
            path: path.into(),
            refresh,
            cached: Mutex::new(None),
        }
    }

    /// The file this source reads.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The current token: cached if fresh, otherwise re-read. If re-reading fails while an
    /// older token is cached, the older token is kept (as client-go does) and a warning logged.
    pub fn token(&self) -> Result<Secret, CredentialError> {
        let mut guard = self
            .cached
            .lock()
            .map_err(|_| CredentialError("token file cache lock poisoned".to_owned()))?;
        if let Some((tok, at)) = guard.as_ref() {
            if at.elapsed() < self.refresh {
                return Ok(tok.clone());
            }
        }
        match read_token(&self.path) {
            Ok(tok) => {
                *guard = Some((tok.clone(), Instant::now()));
                Ok(tok)
            }
            Err(e) => match guard.as_ref() {
                Some((tok, _)) => {
                    tracing::warn!(file = %self.path.display(), error = %e.0, "keeping previous token");
                    Ok(tok.clone())
                }
                None => Err(e),
            },
        }
    }
}

/// Read a token file; surrounding whitespace is dropped as client-go does.
pub(crate) fn read_token(path: &Path) -> Result<Secret, CredentialError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CredentialError(format!(
            "cannot read token file {:?}: {e}",
            path.display().to_string()
        ))
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(CredentialError(format!(
            "token file {:?} is empty",
            path.display().to_string()
        )));
    }
    Ok(Secret::new(token))
}

impl CredentialSource for TokenFileSource {
    fn credentials(&self) -> CredentialsFuture<'_> {
        let result = self.token().map(Credentials::Bearer);
        Box::pin(async move { result })
    }

    fn invalidate(&self) {
        if let Ok(mut guard) = self.cached.lock() {
            *guard = None;
        }
    }
}
