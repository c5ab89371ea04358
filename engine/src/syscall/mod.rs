//! Every privileged or kernel-facing operation the engine performs goes through the
//! [`Syscall`] trait: [`linux::LinuxSyscall`] calls the kernel through nix,
//! [`test::RecordingSyscall`] records the calls and simulates their effect on files, so
//! that most of the engine (layer unpacking with whiteouts and owners, sandbox set-up) is
//! tested without root.

pub mod linux;
pub mod rootless;
pub mod test;

use caps::{CapSet, Capability, CapsHashSet};
use nix::errno::Errno;
use nix::mount::{MntFlags, MsFlags};
use nix::sched::CloneFlags;
use nix::sys::signal::Signal;
use std::any::Any;
use std::fmt::Debug;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum SyscallError {
    #[error("{op}: {errno}")]
    Errno { op: String, errno: Errno },
    #[error("{op}: {source}")]
    Io {
        op: String,
        #[source]
        source: io::Error,
    },
    #[error("{op}: {message}")]
    Capabilities { op: String, message: String },
}

impl SyscallError {
    pub fn errno(&self) -> Option<Errno> {
        match self {
            SyscallError::Errno { errno, .. } => Some(*errno),
            SyscallError::Io { source, .. } => source.raw_os_error().map(Errno::from_raw),
            SyscallError::Capabilities { .. } => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, SyscallError>;

/// What a directory entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    File,
    Dir,
    Symlink,
    CharDevice,
    BlockDevice,
    Fifo,
    Socket,
}

/// Special files `mknod` creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    CharDevice,
    BlockDevice,
    Fifo,
}

impl NodeKind {
    pub fn file_kind(self) -> FileKind {
        match self {
            NodeKind::CharDevice => FileKind::CharDevice,
            NodeKind::BlockDevice => FileKind::BlockDevice,
            NodeKind::Fifo => FileKind::Fifo,
        }
    }
}

/// `lstat(2)`, the fields the engine uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stat {
    pub kind: FileKind,
    /// Permission bits including setuid, setgid and sticky (`0o7777`).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    pub mtime: i64,
    pub mtime_nsec: i64,
    pub ctime: i64,
    pub ctime_nsec: i64,
    pub dev: u64,
    pub ino: u64,
    pub nlink: u64,
    pub rdev: u64,
}

impl Stat {
    /// An overlayfs whiteout: a character device 0/0.
    pub fn is_whiteout(&self) -> bool {
        self.kind == FileKind::CharDevice && self.rdev == 0
    }
}

/// The extended attribute overlayfs sets on an opaque directory.
pub const OVERLAY_OPAQUE_XATTR: &str = "trusted.overlay.opaque";

/// The kernel interface of the engine. Queries (`lstat`, `lgetxattr`, `euid`) are not
/// recorded by the test implementation; everything else is.
pub trait Syscall: Debug + Send + Sync {
    fn as_any(&self) -> &dyn Any;

    // Namespaces and mounts.
    fn unshare(&self, flags: CloneFlags) -> Result<()>;
    fn set_hostname(&self, name: &str) -> Result<()>;
    fn mount(
        &self,
        source: Option<&Path>,
        target: &Path,
        fstype: Option<&str>,
        flags: MsFlags,
        data: Option<&str>,
    ) -> Result<()>;
    fn umount(&self, target: &Path, flags: MntFlags) -> Result<()>;
    fn pivot_root(&self, new_root: &Path, put_old: &Path) -> Result<()>;
    fn chdir(&self, path: &Path) -> Result<()>;
    /// Brings up the loopback interface of the current network namespace.
    fn loopback_up(&self) -> Result<()>;
    /// Moves the calling thread into the network namespace of process `pid` (its other
    /// threads stay where they are).
    fn join_network(&self, pid: u32) -> Result<()>;
    /// Starts a new session whose controlling terminal is standard input (a pseudo-
    /// terminal's slave), so the command gets job control and terminal signals.
    fn take_terminal(&self) -> Result<()>;

    // Identity and privileges.
    fn euid(&self) -> u32;
    fn set_ids(&self, uid: u32, gid: u32, groups: &[u32]) -> Result<()>;
    /// Drops every capability not in `keep` from the bounding set.
    fn restrict_bounding_set(&self, keep: &CapsHashSet) -> Result<()>;
    fn set_capabilities(&self, set: CapSet, caps: &CapsHashSet) -> Result<()>;
    fn set_no_new_privs(&self) -> Result<()>;
    /// The capabilities this process may keep (what a privileged sandbox gets).
    fn permitted_capabilities(&self) -> Result<CapsHashSet> {
        caps::read(None, CapSet::Permitted).map_err(|e| {
            io_error(
                "reading capabilities",
                Path::new("/proc/self"),
                io::Error::other(e.to_string()),
            )
        })
    }
    fn set_parent_death_signal(&self, signal: Signal) -> Result<()>;

    // File-system nodes.
    fn lstat(&self, path: &Path) -> io::Result<Stat>;
    fn mknod(&self, path: &Path, kind: NodeKind, perm: u32, dev: u64) -> Result<()>;
    fn lchown(&self, path: &Path, uid: u32, gid: u32) -> Result<()>;
    fn lsetxattr(&self, path: &Path, name: &str, value: &[u8]) -> Result<()>;
    fn lgetxattr(&self, path: &Path, name: &str) -> io::Result<Option<Vec<u8>>>;
}

/// A shared handle to a syscall implementation.
pub type SyscallRef = Arc<dyn Syscall>;

/// The real implementation.
pub fn linux() -> SyscallRef {
    Arc::new(linux::LinuxSyscall)
}

/// What this process should use: the kernel as it is for root; for anyone else, the
/// kernel with owners, device nodes and whiteouts remembered rather than refused.
pub fn host() -> SyscallRef {
    if nix::unistd::geteuid().is_root() {
        linux()
    } else {
        Arc::new(rootless::RootlessSyscall::default())
    }
}

/// Docker's default capability set for containers (moby `oci/caps/defaults.go`).
pub fn default_capabilities() -> CapsHashSet {
    [
        Capability::CAP_CHOWN,
        Capability::CAP_DAC_OVERRIDE,
        Capability::CAP_FSETID,
        Capability::CAP_FOWNER,
        Capability::CAP_MKNOD,
        Capability::CAP_NET_RAW,
        Capability::CAP_SETGID,
        Capability::CAP_SETUID,
        Capability::CAP_SETFCAP,
        Capability::CAP_SETPCAP,
        Capability::CAP_NET_BIND_SERVICE,
        Capability::CAP_SYS_CHROOT,
        Capability::CAP_KILL,
        Capability::CAP_AUDIT_WRITE,
    ]
    .into_iter()
    .collect()
}

/// Makes an overlayfs whiteout (a 0/0 character device) at `path`.
pub fn make_whiteout(syscall: &dyn Syscall, path: &Path) -> Result<()> {
    syscall.mknod(path, NodeKind::CharDevice, 0, 0)
}

/// Marks `dir` opaque for overlayfs: lower layers' contents are hidden.
pub fn make_opaque(syscall: &dyn Syscall, dir: &Path) -> Result<()> {
    syscall.lsetxattr(dir, OVERLAY_OPAQUE_XATTR, b"y")
}

/// Whether overlayfs treats `dir` as opaque.
pub fn is_opaque(syscall: &dyn Syscall, dir: &Path) -> io::Result<bool> {
    Ok(syscall
        .lgetxattr(dir, OVERLAY_OPAQUE_XATTR)?
        .is_some_and(|v| v == b"y"))
}

pub(crate) fn io_error(op: impl Into<String>, path: &Path, source: io::Error) -> SyscallError {
    SyscallError::Io {
        op: format!("{} {}", op.into(), path.display()),
        source,
    }
}

pub(crate) fn path_buf(path: Option<&Path>) -> Option<PathBuf> {
    path.map(Path::to_path_buf)
}
