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

/// A parsed URL as text without its `user:password@` part (the form errors and Debug quote).
#[cfg(feature = "client")]
pub fn redact_url(url: &reqwest::Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    redact_url_userinfo(url.as_str())
}

/// A serde message with the offending input value taken out: serde quotes it in
/// `invalid type: string "...", expected ...` (and `invalid value`, `unknown variant`), and
/// that value may be a token or a Secret's data. The kind of value and what was expected stay.
pub fn redact_serde_message(message: &str) -> String {
    for marker in ["invalid type: ", "invalid value: ", "unknown variant "] {
        let Some(at) = message.find(marker) else {
            continue;
        };
        let start = at + marker.len();
        // The expectation is ours (a type's description): the last one is never input.
        let end = message
            .rfind(", expected")
            .filter(|e| *e >= start)
            .or_else(|| message.rfind(" at line ").filter(|e| *e >= start))
            .unwrap_or(message.len());
        let unexpected = &message[start..end];
        let kind = unexpected[..unexpected.find(['"', '`']).unwrap_or(unexpected.len())].trim_end();
        let kind = if kind.is_empty() { "<redacted>" } else { kind };
        return format!("{}{kind}{}", &message[..start], &message[end..]);
    }
    message.to_owned()
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
    fn serde_messages_lose_the_input_value() {
        let e = serde_json::from_str::<u32>(r#""s3cr3t, expected x""#).unwrap_err();
        let m = super::redact_serde_message(&e.to_string());
        assert!(!m.contains("s3cr3t"), "{m}");
        assert!(m.starts_with("invalid type: string, expected u32"), "{m}");
        let e = serde_json::from_str::<String>("12345678").unwrap_err();
        let m = super::redact_serde_message(&e.to_string());
        assert!(!m.contains("12345678") && m.contains("integer"), "{m}");
        assert_eq!(
            super::redact_serde_message("EOF while parsing a value at line 1 column 0"),
            "EOF while parsing a value at line 1 column 0"
        );
    }

    #[test]
    fn debug_is_redacted() {
        let s = super::Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(s.expose(), "hunter2");
    }
}
