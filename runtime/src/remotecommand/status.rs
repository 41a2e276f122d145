//! The error channel's `Status` turned into an exit status or an error, as client-go's
//! `errorDecoderV4`.

use super::protocol::{EXIT_CODE_CAUSE, NON_ZERO_EXIT_CODE};
use crate::meta::v1::Status;
use crate::rest::Error;

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExitStatus {
    code: i32,
}

impl ExitStatus {
    /// The exit code: 0 on success (client-go's `ExitError.ExitStatus()` otherwise).
    pub fn code(&self) -> i32 {
        self.code
    }

    /// Whether the command exited with code 0.
    pub fn success(&self) -> bool {
        self.code == 0
    }

    /// `Ok(())` on success, otherwise an [`Error::Api`] with the `NonZeroExitCode` status, for
    /// `?` in callers that treat a failing command as an error.
    pub fn exit_ok(&self) -> Result<(), Error> {
        if self.success() {
            return Ok(());
        }
        Err(Error::Api(Box::new(Status {
            status: Some("Failure".into()),
            reason: Some(NON_ZERO_EXIT_CODE.into()),
            message: Some(format!("command terminated with exit code {}", self.code)),
            ..Status::default()
        })))
    }
}

/// Decode what the error channel carried: nothing or `Success` is exit code 0, a
/// `NonZeroExitCode` failure is its code, any other failure (container not found, ...) is
/// returned as the server's `Status`.
pub(super) fn decode(message: &[u8]) -> Result<ExitStatus, Error> {
    if message.iter().all(u8::is_ascii_whitespace) {
        return Ok(ExitStatus { code: 0 });
    }
    let status: Status = serde_json::from_slice(message).map_err(|e| Error::Stream {
        message: format!(
            "the error channel carried no Status: {:?} error at line {} column {} ({})",
            e.classify(),
            e.line(),
            e.column(),
            crate::rest::error::describe_body(message)
        ),
    })?;
    match status.status.as_deref() {
        Some("Success") => Ok(ExitStatus { code: 0 }),
        Some("Failure") if status.reason.as_deref() == Some(NON_ZERO_EXIT_CODE) => {
            let cause = status
                .details
                .iter()
                .flat_map(|d| d.causes.iter().flatten())
                .find(|c| c.reason.as_deref() == Some(EXIT_CODE_CAUSE));
            let text = cause.and_then(|c| c.message.as_deref()).unwrap_or("");
            // Exit codes are 0..=255 on the kubelet's side; anything else is a broken peer.
            match text.parse::<u8>() {
                Ok(code) => Ok(ExitStatus {
                    code: i32::from(code),
                }),
                Err(_) => Err(Error::Stream {
                    message: format!(
                        "the error channel's NonZeroExitCode status has no valid ExitCode cause ({:?})",
                        crate::rest::error::excerpt(text.as_bytes())
                    ),
                }),
            }
        }
        Some("Failure") => Err(Error::Api(Box::new(status))),
        _ => Err(Error::Stream {
            message: "the error channel's Status is neither Success nor Failure".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_success_exit_codes_and_failures() {
        assert_eq!(decode(b"").map(|s| s.code()).ok(), Some(0));
        assert_eq!(
            decode(br#"{"metadata":{},"status":"Success"}"#)
                .map(|s| s.code())
                .ok(),
            Some(0)
        );
        let exit = br#"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#;
        assert_eq!(decode(exit).map(|s| s.code()).ok(), Some(3));
        let other = br#"{"status":"Failure","message":"container not found (\"x\")"}"#;
        assert!(
            matches!(decode(other), Err(Error::Api(s)) if s.message.as_deref().is_some_and(|m| m.contains("not found")))
        );
        let bad = br#"{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"999"}]}}"#;
        assert!(matches!(decode(bad), Err(Error::Stream { .. })));
        assert!(matches!(decode(b"not json"), Err(Error::Stream { .. })));
    }
}
