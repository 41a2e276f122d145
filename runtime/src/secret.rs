//! A string that never shows itself in `Debug` or `Display`.

use std::fmt;

/// Holds a token, password or private key. `Debug` prints `<redacted>`; read it with
/// [`Secret::expose`] only where it is put on the wire.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The secret value. Call only where it is sent or written to its own file.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// True when the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// A URL with any `user:password@` part replaced by `<redacted>@`, for Debug output and
/// messages (proxy URLs may carry credentials).
pub fn redact_url_userinfo(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host = match authority.rfind('@') {
        Some(at) => format!("<redacted>@{}", &authority[at + 1..]),
        None => authority.to_owned(),
    };
    match scheme {
        Some(s) => format!("{s}://{host}{tail}"),
        None => format!("{host}{tail}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn url_userinfo_is_redacted() {
        assert_eq!(
            super::redact_url_userinfo("socks5://bob:pw@proxy:1080/x"),
            "socks5://<redacted>@proxy:1080/x"
        );
        assert_eq!(
            super::redact_url_userinfo("http://proxy:3128"),
            "http://proxy:3128"
        );
        assert_eq!(
            super::redact_url_userinfo("user:pw@host"),
            "<redacted>@host"
        );
    }

    #[test]
    fn debug_is_redacted() {
        let s = super::Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(s.expose(), "hunter2");
    }
}
