//! A pseudo-terminal for `exec -t` on the local kubelet: the command gets the terminal's
//! slave side as stdin, stdout and stderr; the session reads and writes the master side, and
//! resizes it. The command does not become the terminal's session leader (that needs code
//! between fork and exec), so job control and ^C are not delivered; line editing and
//! `isatty` work.

use rustix::fs::{Mode, OFlags};
use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
use rustix::termios::{tcsetwinsize, Winsize};
use std::os::fd::OwnedFd;

/// Both sides of a new terminal.
pub(super) struct Pty {
    /// What the session reads and writes.
    pub master: OwnedFd,
    /// What the command gets.
    pub slave: OwnedFd,
}

/// Open a terminal.
pub(super) fn open() -> std::io::Result<Pty> {
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)?;
    grantpt(&master)?;
    unlockpt(&master)?;
    let name = ptsname(&master, Vec::new())?;
    let slave = rustix::fs::open(
        name.as_c_str(),
        OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    Ok(Pty { master, slave })
}

/// Set the terminal's size, as the kubelet does on a resize message.
pub(super) fn resize(master: &OwnedFd, width: u16, height: u16) {
    let _ = tcsetwinsize(
        master,
        Winsize {
            ws_row: height,
            ws_col: width,
            ws_xpixel: 0,
            ws_ypixel: 0,
        },
    );
}
