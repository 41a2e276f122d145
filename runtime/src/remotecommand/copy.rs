//! Copying files and directories to and from a container, as `kubectl cp` does: a tar archive
//! streamed through `pods/exec` into `tar -xmf -`, or out of `tar cf -`. The container needs a
//! `tar` binary, as for kubectl.
//!
//! The archive is built and read on a blocking thread (the `tar` crate is synchronous) bridged
//! to the exec pipes, so memory stays bounded by the pipes whatever the size of the tree.
//! An archive coming out of a container is input: entries are written only below the local
//! destination (absolute paths and `..` are refused), and links are skipped with a warning,
//! as kubectl does, so a hostile container cannot make the copy write elsewhere.

use super::{ExecOptions, Output, Process};
use crate::rest::{Error, Result};
use std::future::Future;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use tokio::io::AsyncReadExt;
use tokio_util::io::SyncIoBridge;

/// Most bytes of the remote `tar`'s stderr kept for an error message.
const MAX_STDERR_BYTES: u64 = 4096;

/// Where a copy happens: the container (optional when the pod has one) of the pod being
/// exec'd into.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopyOptions {
    /// Container to copy to or from.
    pub container: Option<String>,
}

fn exec_options(opts: &CopyOptions, command: Vec<String>, stdin: bool) -> ExecOptions {
    let mut exec = ExecOptions::command(command).stdin(stdin);
    exec.container = opts.container.clone();
    exec
}

/// The directory `tar` runs in and the name of `path` inside it (`/a/b` -> `/a`, `b`).
fn split_remote(path: &str) -> Result<(String, String)> {
    let trimmed = path.trim_end_matches('/');
    let (dir, base) = match trimmed.rsplit_once('/') {
        Some(("", base)) => ("/", base),
        Some((dir, base)) => (dir, base),
        None => (".", trimmed),
    };
    if base.is_empty() || base == "." || base == ".." {
        return Err(Error::InvalidRequest(format!(
            "copy: remote path {path:?} does not name a file or directory"
        )));
    }
    Ok((dir.to_owned(), base.to_owned()))
}

/// Copy the local file or directory `local` to `remote` (the path it gets in the container).
pub(crate) async fn copy_to<F>(
    exec: impl FnOnce(ExecOptions) -> F,
    local: &Path,
    remote: &str,
    opts: &CopyOptions,
) -> Result<()>
where
    F: Future<Output = Result<Process>>,
{
    let meta = std::fs::symlink_metadata(local)
        .map_err(|e| stream_error(format!("copy: cannot read {}: {e}", local.display())))?;
    let (dir, base) = split_remote(remote)?;
    let command = ["tar", "-xmf", "-", "-C", &dir].map(str::to_owned).to_vec();
    let mut process = exec(exec_options(opts, command, true)).await?;
    let stdin = process
        .stdin()
        .ok_or_else(|| stream_error("copy: no stdin"))?;
    let stderr = tokio::spawn(collect_stderr(process.stderr()));
    let bridge = SyncIoBridge::new(stdin);
    let local = local.to_owned();
    let writer = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let mut builder = tar::Builder::new(bridge);
        builder.follow_symlinks(false);
        if meta.is_dir() {
            builder.append_dir_all(&base, &local)?;
        } else {
            builder.append_path_with_name(&local, &base)?;
        }
        let mut bridge = builder.into_inner()?;
        bridge.flush()?;
        bridge.shutdown()
    });
    let written = writer
        .await
        .map_err(|e| stream_error(format!("copy: archive writer failed: {e}")))?;
    let status = process.wait().await?;
    let stderr = stderr.await.unwrap_or_default();
    // The remote side's failure explains a broken pipe here, so it is reported first.
    remote_result(status.code(), &stderr, remote)?;
    written.map_err(|e| stream_error(format!("copy: sending {remote:?}: {e}")))
}

/// Copy the container's file or directory `remote` to `local` (the path it gets here).
pub(crate) async fn copy_from<F>(
    exec: impl FnOnce(ExecOptions) -> F,
    remote: &str,
    local: &Path,
    opts: &CopyOptions,
) -> Result<()>
where
    F: Future<Output = Result<Process>>,
{
    let (dir, base) = split_remote(remote)?;
    let command = ["tar", "cf", "-", "-C", &dir, &base]
        .map(str::to_owned)
        .to_vec();
    let mut process = exec(exec_options(opts, command, false)).await?;
    let stdout = process
        .stdout()
        .ok_or_else(|| stream_error("copy: no stdout"))?;
    let stderr = tokio::spawn(collect_stderr(process.stderr()));
    let bridge = SyncIoBridge::new(stdout);
    let dest = local.to_owned();
    let reader = tokio::task::spawn_blocking(move || unpack(bridge, &base, &dest));
    let unpacked = reader
        .await
        .map_err(|e| stream_error(format!("copy: archive reader failed: {e}")))?;
    let status = process.wait().await?;
    let stderr = stderr.await.unwrap_or_default();
    remote_result(status.code(), &stderr, remote)?;
    unpacked
}

async fn collect_stderr(stderr: Option<Output>) -> String {
    let mut text = Vec::new();
    if let Some(stderr) = stderr {
        let mut limited = stderr.take(MAX_STDERR_BYTES);
        let _ = limited.read_to_end(&mut text).await;
        // Keep draining so a chatty tar never blocks on a full pipe.
        let _ = tokio::io::copy(&mut limited.into_inner(), &mut tokio::io::sink()).await;
    }
    String::from_utf8_lossy(&text).trim().to_owned()
}

fn remote_result(code: i32, stderr: &str, remote: &str) -> Result<()> {
    if code == 0 {
        return Ok(());
    }
    Err(stream_error(format!(
        "copy: tar in the container failed for {remote:?} with exit code {code}: {stderr}"
    )))
}

fn stream_error(message: impl Into<String>) -> Error {
    Error::Stream {
        message: message.into(),
    }
}

/// Write the archive's entries under `dest`: `base` (the name `tar` was given) becomes `dest`
/// itself, and everything below it lands below `dest`.
pub(crate) fn unpack(archive: impl Read, base: &str, dest: &Path) -> Result<()> {
    let mut archive = tar::Archive::new(archive);
    let entries = archive
        .entries()
        .map_err(|e| stream_error(format!("copy: reading the archive: {e}")))?;
    for entry in entries {
        let mut entry =
            entry.map_err(|e| stream_error(format!("copy: reading the archive: {e}")))?;
        let name = entry
            .path()
            .map_err(|e| stream_error(format!("copy: an entry's name is unreadable: {e}")))?
            .into_owned();
        let Some(target) = local_target(&name, base, dest) else {
            return Err(stream_error(format!(
                "copy: refusing archive entry {:?}: it is not below {base:?}",
                name.display()
            )));
        };
        match entry.header().entry_type() {
            tar::EntryType::Directory => std::fs::create_dir_all(&target),
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| io_error(&target, e))?;
                }
                entry.unpack(&target).map(|_| ())
            }
            other => {
                tracing::warn!(entry = %name.display(), kind = ?other, "copy: skipping an archive entry that is not a file or directory");
                Ok(())
            }
        }
        .map_err(|e| io_error(&target, e))?;
    }
    Ok(())
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    stream_error(format!("copy: writing {}: {e}", path.display()))
}

/// Where entry `name` goes: `base/rest` maps to `dest/rest`. Anything else (another top-level
/// name, an absolute path, `..`) is refused with `None`.
fn local_target(name: &Path, base: &str, dest: &Path) -> Option<PathBuf> {
    let mut parts = name.components().filter(|c| *c != Component::CurDir);
    match parts.next()? {
        Component::Normal(first) if first == base => {}
        _ => return None,
    }
    let mut target = dest.to_owned();
    for part in parts {
        match part {
            Component::Normal(p) => target.push(p),
            _ => return None,
        }
    }
    Some(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An archive with one file entry whose raw name is `name` (bypassing the `tar` crate's
    /// own checks, as a hostile container would).
    fn archive_with(name: &str) -> Vec<u8> {
        let mut header = tar::Header::new_old();
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_size(2);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        let mut out = Vec::new();
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(b"hi");
        out.resize(1024 + 512 * 2, 0);
        out
    }

    #[test]
    fn remote_paths_split_into_directory_and_name() {
        assert_eq!(split_remote("/a/b").unwrap(), ("/a".into(), "b".into()));
        assert_eq!(split_remote("/a/b/").unwrap(), ("/a".into(), "b".into()));
        assert_eq!(split_remote("/b").unwrap(), ("/".into(), "b".into()));
        assert_eq!(split_remote("b").unwrap(), (".".into(), "b".into()));
        assert!(split_remote("/").is_err());
        assert!(split_remote("a/..").is_err());
    }

    #[test]
    fn entries_land_below_the_destination() {
        let dir = std::env::temp_dir().join(format!("kubeclient-copy-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        unpack(&archive_with("data/sub/f.txt")[..], "data", &dir).unwrap();
        assert_eq!(std::fs::read(dir.join("sub/f.txt")).unwrap(), b"hi");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn hostile_entries_are_refused() {
        let dest = std::env::temp_dir().join(format!("kubeclient-copy-h-{}", std::process::id()));
        for name in ["data/../../escape", "/etc/escape", "other/f", "../f"] {
            let err = unpack(&archive_with(name)[..], "data", &dest).unwrap_err();
            assert!(err.to_string().contains("refusing"), "{name}: {err}");
        }
        assert!(!dest.exists(), "nothing may be written");
    }
}
