//! Running a process in a container: Linux namespaces (mount, PID, UTS, IPC, and network
//! unless it is shared), a root file system that is an overlay of layer directories with
//! a fresh upper directory, entered with pivot_root, a minimal /dev, /proc, a read-only
//! /sys, Docker's default capabilities and no_new_privs.
//!
//! [`Runner`] is what builds and `plimsoll run` call; [`Sandbox`] is the real one.

mod devices;
pub mod init;
pub mod rootfs;
mod runner;
mod security;
pub mod spec;
pub mod stubs;
mod tty;

pub use init::enter_if_requested;
pub use runner::{Running, Sandbox};
pub use spec::{Interrupt, MountKind, MountSpec, Network, Process, Rootfs, SandboxSpec};

use crate::syscall::SyscallError;
use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("sandbox: {0}")]
    Spec(String),
    #[error("sandbox {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("sandbox set-up failed: {0}")]
    Setup(String),
    #[error("running a container needs root (mount and PID namespaces, overlayfs)")]
    NotRoot,
    #[error("interrupted")]
    Interrupted,
    #[error(transparent)]
    Syscall(#[from] SyscallError),
}

impl SandboxError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> SandboxError {
        let path = path.into();
        move |source| SandboxError::Io { path, source }
    }
}

/// Which stream a chunk of output came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Runs sandboxed processes.
pub trait Runner: Sync {
    /// Runs `spec` to completion and returns its exit code (128 + signal when killed).
    /// Output is passed to `output` as it comes unless the spec is interactive.
    fn run(
        &self,
        spec: &SandboxSpec,
        output: &mut dyn FnMut(Stream, &[u8]),
    ) -> Result<i32, SandboxError>;

    /// [`Runner::run`], telling `started` the PID that holds the sandbox's namespaces as
    /// soon as it runs (`plimsoll run -p` forwards connections into its network). Runners
    /// without processes never call it.
    fn run_observed(
        &self,
        spec: &SandboxSpec,
        output: &mut dyn FnMut(Stream, &[u8]),
        started: &mut dyn FnMut(u32),
    ) -> Result<i32, SandboxError> {
        let _ = started;
        self.run(spec, output)
    }
}
