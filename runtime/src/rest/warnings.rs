//! `Warning:` response headers (RFC 7234 format `299 - "message"`), client-go `warnings.go`.

use std::collections::HashSet;
use std::fmt;
use std::sync::Mutex;

/// Receives the warnings the API server attaches to responses (deprecated APIs, ignored fields).
pub trait WarningHandler: Send + Sync + fmt::Debug {
    /// One warning: its code (299 for Kubernetes), agent (`-`) and text.
    fn handle_warning(&self, code: u16, agent: &str, message: &str);
}

/// The default handler: logs each distinct message once at `warn` level via tracing.
#[derive(Debug, Default)]
pub struct DedupWarningLogger {
    seen: Mutex<HashSet<String>>,
}

impl WarningHandler for DedupWarningLogger {
    fn handle_warning(&self, _code: u16, _agent: &str, message: &str) {
        // A poisoned lock only means another thread panicked while logging; keep logging.
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.insert(message.to_owned()) {
            tracing::warn!(target: "kubeclient::warnings", "{message}");
        }
    }
}

/// A handler that drops every warning.
#[derive(Debug, Default, Clone, Copy)]
pub struct IgnoreWarnings;

impl WarningHandler for IgnoreWarnings {
    fn handle_warning(&self, _code: u16, _agent: &str, _message: &str) {}
}

/// One parsed warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Warning code (299).
    pub code: u16,
    /// Agent, `-` from the API server.
    pub agent: String,
    /// Text of the warning.
    pub text: String,
}

/// Parse one `Warning` header value, which may hold several comma-separated warnings.
/// Malformed parts end the parse; what was parsed before them is kept.
pub fn parse_warning_header(value: &str) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut rest = value.trim_start();
    while !rest.is_empty() {
        let Some((code, after)) = rest.split_once(' ') else {
            break;
        };
        let Ok(code) = code.parse::<u16>() else { break };
        let Some((agent, after)) = after.trim_start().split_once(' ') else {
            break;
        };
        let Some((text, after)) = quoted(after.trim_start()) else {
            break;
        };
        out.push(Warning {
            code,
            agent: agent.to_owned(),
            text,
        });
        // Skip an optional quoted date, then the comma before the next warning.
        let mut after = after.trim_start();
        if after.starts_with('"') {
            match quoted(after) {
                Some((_, a)) => after = a.trim_start(),
                None => break,
            }
        }
        match after.strip_prefix(',') {
            Some(a) => rest = a.trim_start(),
            None => break,
        }
    }
    out
}

/// Split a leading quoted string (with `\` escapes) off `s`.
fn quoted(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut text = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => text.push(chars.next()?.1),
            '"' => return Some((text, &body[i + 1..])),
            c => text.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_several_warnings_with_escapes_and_dates() {
        let w = parse_warning_header(
            r#"299 - "policy/v1beta1 is \"deprecated\"", 299 - "second" "Sat, 01 Jan 2000 00:00:00 GMT""#,
        );
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].text, r#"policy/v1beta1 is "deprecated""#);
        assert_eq!(w[1].text, "second");
        assert_eq!(w[1].code, 299);
    }

    #[test]
    fn malformed_header_yields_nothing() {
        assert!(parse_warning_header("garbage").is_empty());
        assert!(parse_warning_header(r#"299 - "unterminated"#).is_empty());
    }
}
