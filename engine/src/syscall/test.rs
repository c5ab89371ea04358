//! [`RecordingSyscall`]: records every call and simulates its effect on the file system
//! where an unprivileged process cannot: `mknod` leaves an empty regular file that
//! `lstat` then reports as the device node, `lchown` and `lsetxattr` are remembered per
//! inode (so they survive renames) and reported back by `lstat` and `lgetxattr`.

use super::{NodeKind, Result, Stat, Syscall, SyscallError, io_error, path_buf};
use caps::{CapSet, Capability, CapsHashSet};
use nix::errno::Errno;
use nix::mount::{MntFlags, MsFlags};
use nix::sched::CloneFlags;
use nix::sys::signal::Signal;
use std::any::Any;
use std::collections::HashMap;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A recorded call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    Unshare(CloneFlags),
    SetHostname(String),
    Mount {
        source: Option<PathBuf>,
        target: PathBuf,
        fstype: Option<String>,
        flags: MsFlags,
        data: Option<String>,
    },
    Umount {
        target: PathBuf,
        flags: MntFlags,
    },
    PivotRoot {
        new_root: PathBuf,
        put_old: PathBuf,
    },
    Chdir(PathBuf),
    LoopbackUp,
    JoinNetwork(u32),
    TakeTerminal,
    SetIds {
        uid: u32,
        gid: u32,
        groups: Vec<u32>,
    },
    RestrictBoundingSet(Vec<Capability>),
    SetCapabilities {
        /// `Effective`, `Permitted`, `Inheritable`, `Ambient`.
        set: String,
        caps: Vec<Capability>,
    },
    SetNoNewPrivs,
    SetParentDeathSignal(Signal),
    Mknod {
        path: PathBuf,
        kind: NodeKind,
        perm: u32,
        dev: u64,
    },
    Lchown {
        path: PathBuf,
        uid: u32,
        gid: u32,
    },
    Lsetxattr {
        path: PathBuf,
        name: String,
        value: Vec<u8>,
    },
}

type Inode = (u64, u64);
type Failure = Box<dyn Fn(&Call) -> bool + Send + Sync>;

#[derive(Default)]
struct State {
    calls: Vec<Call>,
    nodes: HashMap<Inode, (NodeKind, u64)>,
    owners: HashMap<Inode, (u32, u32)>,
    xattrs: HashMap<(Inode, String), Vec<u8>>,
}

pub struct RecordingSyscall {
    state: Mutex<State>,
    euid: u32,
    fail: Option<Failure>,
}

impl std::fmt::Debug for RecordingSyscall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingSyscall")
            .field("euid", &self.euid)
            .finish_non_exhaustive()
    }
}

impl Default for RecordingSyscall {
    fn default() -> Self {
        RecordingSyscall::new()
    }
}

impl RecordingSyscall {
    /// A recorder that acts as root (`euid` 0).
    pub fn new() -> RecordingSyscall {
        RecordingSyscall {
            state: Mutex::default(),
            euid: 0,
            fail: None,
        }
    }

    /// Acts as this effective user.
    pub fn with_euid(mut self, euid: u32) -> RecordingSyscall {
        self.euid = euid;
        self
    }

    /// Makes every call for which `predicate` is true fail with `EPERM` (after recording
    /// it).
    pub fn failing_when(
        mut self,
        predicate: impl Fn(&Call) -> bool + Send + Sync + 'static,
    ) -> RecordingSyscall {
        self.fail = Some(Box::new(predicate));
        self
    }

    /// The calls made so far.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// The mounts made so far, as `(target, fstype)`.
    pub fn mounts(&self) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| matches!(c, Call::Mount { .. }))
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn record(&self, call: Call) -> Result<()> {
        let fails = self.fail.as_ref().is_some_and(|f| f(&call));
        let op = format!("{call:?}");
        self.lock().calls.push(call);
        if fails {
            Err(SyscallError::Errno {
                op,
                errno: Errno::EPERM,
            })
        } else {
            Ok(())
        }
    }

    fn inode(path: &Path) -> io::Result<Inode> {
        let meta = std::fs::symlink_metadata(path)?;
        Ok((meta.dev(), meta.ino()))
    }
}

impl Syscall for RecordingSyscall {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn unshare(&self, flags: CloneFlags) -> Result<()> {
        self.record(Call::Unshare(flags))
    }

    fn set_hostname(&self, name: &str) -> Result<()> {
        self.record(Call::SetHostname(name.to_string()))
    }

    fn mount(
        &self,
        source: Option<&Path>,
        target: &Path,
        fstype: Option<&str>,
        flags: MsFlags,
        data: Option<&str>,
    ) -> Result<()> {
        self.record(Call::Mount {
            source: path_buf(source),
            target: target.to_path_buf(),
            fstype: fstype.map(str::to_string),
            flags,
            data: data.map(str::to_string),
        })
    }

    fn umount(&self, target: &Path, flags: MntFlags) -> Result<()> {
        self.record(Call::Umount {
            target: target.to_path_buf(),
            flags,
        })
    }

    fn pivot_root(&self, new_root: &Path, put_old: &Path) -> Result<()> {
        self.record(Call::PivotRoot {
            new_root: new_root.to_path_buf(),
            put_old: put_old.to_path_buf(),
        })
    }

    fn chdir(&self, path: &Path) -> Result<()> {
        self.record(Call::Chdir(path.to_path_buf()))
    }

    fn loopback_up(&self) -> Result<()> {
        self.record(Call::LoopbackUp)
    }

    fn join_network(&self, pid: u32) -> Result<()> {
        self.record(Call::JoinNetwork(pid))
    }

    fn take_terminal(&self) -> Result<()> {
        self.record(Call::TakeTerminal)
    }

    fn euid(&self) -> u32 {
        self.euid
    }

    fn set_ids(&self, uid: u32, gid: u32, groups: &[u32]) -> Result<()> {
        self.record(Call::SetIds {
            uid,
            gid,
            groups: groups.to_vec(),
        })
    }

    fn restrict_bounding_set(&self, keep: &CapsHashSet) -> Result<()> {
        let mut caps: Vec<Capability> = keep.iter().copied().collect();
        caps.sort_by_key(|c| c.index());
        self.record(Call::RestrictBoundingSet(caps))
    }

    fn set_capabilities(&self, set: CapSet, value: &CapsHashSet) -> Result<()> {
        let mut caps: Vec<Capability> = value.iter().copied().collect();
        caps.sort_by_key(|c| c.index());
        self.record(Call::SetCapabilities {
            set: format!("{set:?}"),
            caps,
        })
    }

    fn set_no_new_privs(&self) -> Result<()> {
        self.record(Call::SetNoNewPrivs)
    }

    fn set_parent_death_signal(&self, signal: Signal) -> Result<()> {
        self.record(Call::SetParentDeathSignal(signal))
    }

    fn lstat(&self, path: &Path) -> io::Result<Stat> {
        let mut stat = super::linux::LinuxSyscall.lstat(path)?;
        let state = self.lock();
        let inode = (stat.dev, stat.ino);
        if let Some(&(kind, rdev)) = state.nodes.get(&inode) {
            stat.kind = kind.file_kind();
            stat.rdev = rdev;
        }
        if let Some(&(uid, gid)) = state.owners.get(&inode) {
            stat.uid = uid;
            stat.gid = gid;
        }
        Ok(stat)
    }

    fn mknod(&self, path: &Path, kind: NodeKind, perm: u32, dev: u64) -> Result<()> {
        self.record(Call::Mknod {
            path: path.to_path_buf(),
            kind,
            perm,
            dev,
        })?;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| io_error("mknod", path, e))?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(perm & 0o7777))
            .map_err(|e| io_error("mknod", path, e))?;
        let inode = Self::inode(path).map_err(|e| io_error("mknod", path, e))?;
        self.lock().nodes.insert(inode, (kind, dev));
        Ok(())
    }

    fn lchown(&self, path: &Path, uid: u32, gid: u32) -> Result<()> {
        self.record(Call::Lchown {
            path: path.to_path_buf(),
            uid,
            gid,
        })?;
        let inode = Self::inode(path).map_err(|e| io_error("lchown", path, e))?;
        self.lock().owners.insert(inode, (uid, gid));
        Ok(())
    }

    fn lsetxattr(&self, path: &Path, name: &str, value: &[u8]) -> Result<()> {
        self.record(Call::Lsetxattr {
            path: path.to_path_buf(),
            name: name.to_string(),
            value: value.to_vec(),
        })?;
        let inode = Self::inode(path).map_err(|e| io_error("setxattr", path, e))?;
        self.lock()
            .xattrs
            .insert((inode, name.to_string()), value.to_vec());
        Ok(())
    }

    fn lgetxattr(&self, path: &Path, name: &str) -> io::Result<Option<Vec<u8>>> {
        let inode = Self::inode(path)?;
        Ok(self.lock().xattrs.get(&(inode, name.to_string())).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscall::{is_opaque, make_opaque, make_whiteout};

    #[test]
    fn simulates_nodes_owners_and_xattrs_across_renames() {
        let dir = tempfile::tempdir().unwrap();
        let sys = RecordingSyscall::new();
        let wh = dir.path().join("gone");
        make_whiteout(&sys, &wh).unwrap();
        sys.lchown(&wh, 5, 6).unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        make_opaque(&sys, &sub).unwrap();
        let moved = dir.path().join("moved");
        std::fs::rename(&wh, &moved).unwrap();
        let st = sys.lstat(&moved).unwrap();
        assert!(st.is_whiteout());
        assert_eq!((st.uid, st.gid), (5, 6));
        assert!(is_opaque(&sys, &sub).unwrap());
        assert!(!is_opaque(&sys, dir.path()).unwrap());
        assert_eq!(sys.calls().len(), 3);
    }

    #[test]
    fn injected_failures_are_recorded_then_fail() {
        let sys = RecordingSyscall::new().failing_when(|c| matches!(c, Call::PivotRoot { .. }));
        sys.chdir(Path::new("/x")).unwrap();
        let err = sys
            .pivot_root(Path::new("/a"), Path::new("/a/old"))
            .unwrap_err();
        assert_eq!(err.errno(), Some(Errno::EPERM));
        assert_eq!(sys.calls().len(), 2);
    }
}
