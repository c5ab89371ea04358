//! `plimsoll run -t`: the command's standard streams are a pseudo-terminal's slave; the
//! caller relays the master to its own output (and its input to the master), with its
//! own terminal in raw mode meanwhile so keys reach the command as typed.

use super::SandboxError;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::process::Stdio;

pub struct Pty {
    pub master: File,
    slave: OwnedFd,
}

impl Pty {
    /// A new pseudo-terminal, as large as the caller's terminal when it has one.
    pub fn open() -> Result<Pty, SandboxError> {
        let pty = nix::pty::openpty(None, None).map_err(|e| SandboxError::Io {
            path: "pseudo-terminal".into(),
            source: e.into(),
        })?;
        let size = rustix::termios::tcgetwinsize(std::io::stdout())
            .or_else(|_| rustix::termios::tcgetwinsize(std::io::stdin()));
        if let Ok(size) = size {
            let _ = rustix::termios::tcsetwinsize(&pty.master, size);
        }
        Ok(Pty {
            master: File::from(pty.master),
            slave: pty.slave,
        })
    }

    /// The slave as a standard stream of the child.
    pub fn slave_stdio(&self) -> Result<Stdio, SandboxError> {
        self.slave
            .try_clone()
            .map(Stdio::from)
            .map_err(SandboxError::io("pseudo-terminal"))
    }

    /// Keeps only the master: once the child has its copies, the slave closes with it,
    /// and reading the master ends.
    pub fn into_master(self) -> File {
        self.master
    }
}

/// Follows the caller's terminal size: on each SIGWINCH, the pseudo-terminal gets it
/// (and the command its own SIGWINCH from the kernel). Stops when the handle is closed.
pub fn follow_size(master: File) -> Option<signal_hook::iterator::Handle> {
    let mut signals = signal_hook::iterator::Signals::new([signal_hook::consts::SIGWINCH]).ok()?;
    let handle = signals.handle();
    std::thread::spawn(move || {
        for _ in signals.forever() {
            if let Ok(size) = rustix::termios::tcgetwinsize(std::io::stdin()) {
                let _ = rustix::termios::tcsetwinsize(&master, size);
            }
        }
    });
    Some(handle)
}

/// The caller's terminal in raw mode until dropped (nothing when stdin is no terminal).
pub struct RawMode {
    saved: Option<rustix::termios::Termios>,
}

impl RawMode {
    pub fn enter() -> RawMode {
        let stdin = std::io::stdin();
        let Ok(saved) = rustix::termios::tcgetattr(stdin.as_fd()) else {
            return RawMode { saved: None };
        };
        let mut raw = saved.clone();
        raw.make_raw();
        let applied =
            rustix::termios::tcsetattr(stdin.as_fd(), rustix::termios::OptionalActions::Now, &raw);
        RawMode {
            saved: applied.is_ok().then_some(saved),
        }
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            let _ = rustix::termios::tcsetattr(
                std::io::stdin().as_fd(),
                rustix::termios::OptionalActions::Now,
                saved,
            );
        }
    }
}

/// Copies the caller's standard input to the terminal; at its end, sends the terminal's
/// end-of-file character so a reading command sees it too. The thread is left blocked in
/// `read` when the command exits first (the process exits soon after).
pub fn forward_stdin(mut master: File) {
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin();
        let mut buf = [0u8; 4096];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => {
                    // ^D: end of input for a reader in canonical mode.
                    let _ = master.write_all(&[4]);
                    break;
                }
                Ok(n) => {
                    if master.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
    });
}
