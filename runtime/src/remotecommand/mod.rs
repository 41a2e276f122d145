//! Running commands in containers (client-go `tools/remotecommand`): `pods/exec` and
//! `pods/attach` over a WebSocket with Kubernetes' channel protocol.
//!
//! The client offers `v5.channel.k8s.io` and falls back to `v4.channel.k8s.io`, as client-go
//! does. Every message is one channel byte then data: 0 stdin, 1 stdout, 2 stderr, 3 the error
//! channel (a `Status` when the command ends), 4 terminal resize. v5 adds the message
//! `[255, 0]`: the client closed stdin, so the command sees end of file.
//!
//! ```no_run
//! # async fn demo(pods: kubeclient_runtime::client::ResourceClient<impl kubeclient_runtime::resource::subresources::Exec>) -> kubeclient_runtime::rest::Result<()> {
//! use kubeclient_runtime::remotecommand::ExecOptions;
//! let out = pods
//!     .exec("web", &ExecOptions::command(["sh", "-c", "echo hi; exit 3"]))
//!     .await?
//!     .output()
//!     .await?;
//! assert_eq!((out.stdout.as_slice(), out.status.code()), (&b"hi\n"[..], 3));
//! # Ok(()) }
//! ```

mod copy;
mod options;
mod process;
pub mod protocol;
mod status;

pub use copy::CopyOptions;
pub(crate) use copy::{copy_from, copy_to};
pub use options::{AttachOptions, ExecOptions};
pub use process::{
    Output, Process, ProcessOutput, Stdin, MAX_OUTPUT_BYTES, MAX_STATUS_BYTES, PIPE_BYTES,
};
pub use protocol::TerminalSize;
pub use status::ExitStatus;
