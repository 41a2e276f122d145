//! The channel protocol of exec and attach over WebSocket (`v4.channel.k8s.io`,
//! `v5.channel.k8s.io`): what the client and the server (the test server too) both speak.

use serde::{Deserialize, Serialize};

/// Subprotocol with stream close (`[255, channel]`), client-go's first choice since 1.30.
pub const V5: &str = "v5.channel.k8s.io";
/// Subprotocol without stream close: stdin cannot signal end of file.
pub const V4: &str = "v4.channel.k8s.io";
/// What the client offers, best first.
pub const PROTOCOLS: &[&str] = &[V5, V4];

/// Channel of the command's stdin (client to server).
pub const STDIN: u8 = 0;
/// Channel of the command's stdout.
pub const STDOUT: u8 = 1;
/// Channel of the command's stderr.
pub const STDERR: u8 = 2;
/// Channel of the final `Status` (exit code or failure).
pub const ERROR: u8 = 3;
/// Channel of terminal size changes (JSON [`TerminalSize`]).
pub const RESIZE: u8 = 4;
/// v5 only: `[CLOSE, channel]` says the sender closed that channel.
pub const CLOSE: u8 = 255;

/// `Status.reason` of a command that exited with a non-zero code.
pub const NON_ZERO_EXIT_CODE: &str = "NonZeroExitCode";
/// `StatusCause.type` that carries the exit code (as decimal text in its message).
pub const EXIT_CODE_CAUSE: &str = "ExitCode";

/// A terminal size, as the resize channel carries it (`{"Width":80,"Height":24}`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TerminalSize {
    /// Columns.
    pub width: u16,
    /// Rows.
    pub height: u16,
}

/// One message: the channel byte, then `data`.
pub fn frame(channel: u8, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 1);
    out.push(channel);
    out.extend_from_slice(data);
    out
}

/// The v5 message that closes `channel`.
pub fn close(channel: u8) -> Vec<u8> {
    vec![CLOSE, channel]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resize_is_pascal_case_json() {
        let s = serde_json::to_string(&TerminalSize {
            width: 80,
            height: 24,
        })
        .unwrap_or_default();
        assert_eq!(s, r#"{"Width":80,"Height":24}"#);
        assert_eq!(frame(STDIN, b"ab"), [0, b'a', b'b']);
        assert_eq!(close(STDIN), [255, 0]);
    }
}
