//! [`RootlessSyscall`]: the host's kernel for a caller that is not root. What only root
//! may do to files — giving them other owners, device nodes, overlayfs whiteouts and
//! `trusted.*` attributes — is remembered per inode instead and reported back by `lstat`
//! and `lgetxattr`, so builds without RUN (which needs root) still write layers with the
//! owners and whiteouts the Dockerfile asks for.

use super::linux::LinuxSyscall;
use super::{NodeKind, Result, Stat, Syscall, io_error};
use caps::{CapSet, CapsHashSet};
use nix::mount::{MntFlags, MsFlags};
use nix::sched::CloneFlags;
use nix::sys::signal::Signal;
use std::any::Any;
use std::collections::HashMap;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::sync::Mutex;

type Inode = (u64, u64);

#[derive(Debug, Default)]
struct Simulated {
    nodes: HashMap<Inode, (NodeKind, u64)>,
    owners: HashMap<Inode, (u32, u32)>,
    xattrs: HashMap<(Inode, String), Vec<u8>>,
}

#[derive(Debug, Default)]
pub struct RootlessSyscall {
    state: Mutex<Simulated>,
}

fn inode(path: &Path) -> io::Result<Inode> {
    let meta = std::fs::symlink_metadata(path)?;
    Ok((meta.dev(), meta.ino()))
}

impl RootlessSyscall {
    fn lock(&self) -> std::sync::MutexGuard<'_, Simulated> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Syscall for RootlessSyscall {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn unshare(&self, flags: CloneFlags) -> Result<()> {
        LinuxSyscall.unshare(flags)
    }

    fn set_hostname(&self, name: &str) -> Result<()> {
        LinuxSyscall.set_hostname(name)
    }

    fn mount(
        &self,
        source: Option<&Path>,
        target: &Path,
        fstype: Option<&str>,
        flags: MsFlags,
        data: Option<&str>,
    ) -> Result<()> {
        LinuxSyscall.mount(source, target, fstype, flags, data)
    }

    fn umount(&self, target: &Path, flags: MntFlags) -> Result<()> {
        LinuxSyscall.umount(target, flags)
    }

    fn pivot_root(&self, new_root: &Path, put_old: &Path) -> Result<()> {
        LinuxSyscall.pivot_root(new_root, put_old)
    }

    fn chdir(&self, path: &Path) -> Result<()> {
        LinuxSyscall.chdir(path)
    }

    fn loopback_up(&self) -> Result<()> {
        LinuxSyscall.loopback_up()
    }

    fn join_network(&self, pid: u32) -> Result<()> {
        LinuxSyscall.join_network(pid)
    }

    fn take_terminal(&self) -> Result<()> {
        LinuxSyscall.take_terminal()
    }

    fn euid(&self) -> u32 {
        LinuxSyscall.euid()
    }

    fn set_ids(&self, uid: u32, gid: u32, groups: &[u32]) -> Result<()> {
        LinuxSyscall.set_ids(uid, gid, groups)
    }

    fn restrict_bounding_set(&self, keep: &CapsHashSet) -> Result<()> {
        LinuxSyscall.restrict_bounding_set(keep)
    }

    fn set_capabilities(&self, set: CapSet, caps: &CapsHashSet) -> Result<()> {
        LinuxSyscall.set_capabilities(set, caps)
    }

    fn set_no_new_privs(&self) -> Result<()> {
        LinuxSyscall.set_no_new_privs()
    }

    fn set_parent_death_signal(&self, signal: Signal) -> Result<()> {
        LinuxSyscall.set_parent_death_signal(signal)
    }

    fn lstat(&self, path: &Path) -> io::Result<Stat> {
        let mut stat = LinuxSyscall.lstat(path)?;
        let state = self.lock();
        let key = (stat.dev, stat.ino);
        if let Some(&(kind, rdev)) = state.nodes.get(&key) {
            stat.kind = kind.file_kind();
            stat.rdev = rdev;
        }
        if let Some(&(uid, gid)) = state.owners.get(&key) {
            stat.uid = uid;
            stat.gid = gid;
        }
        Ok(stat)
    }

    fn mknod(&self, path: &Path, kind: NodeKind, perm: u32, dev: u64) -> Result<()> {
        if kind == NodeKind::Fifo {
            return LinuxSyscall.mknod(path, kind, perm, dev);
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| io_error("mknod", path, e))?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(perm & 0o7777))
            .map_err(|e| io_error("mknod", path, e))?;
        let key = inode(path).map_err(|e| io_error("mknod", path, e))?;
        self.lock().nodes.insert(key, (kind, dev));
        Ok(())
    }

    fn lchown(&self, path: &Path, uid: u32, gid: u32) -> Result<()> {
        let key = inode(path).map_err(|e| io_error("lchown", path, e))?;
        self.lock().owners.insert(key, (uid, gid));
        Ok(())
    }

    fn lsetxattr(&self, path: &Path, name: &str, value: &[u8]) -> Result<()> {
        if name.starts_with("user.") {
            return LinuxSyscall.lsetxattr(path, name, value);
        }
        let key = inode(path).map_err(|e| io_error("setxattr", path, e))?;
        self.lock()
            .xattrs
            .insert((key, name.to_string()), value.to_vec());
        Ok(())
    }

    fn lgetxattr(&self, path: &Path, name: &str) -> io::Result<Option<Vec<u8>>> {
        if let Some(value) = self.lock().xattrs.get(&(inode(path)?, name.to_string())) {
            return Ok(Some(value.clone()));
        }
        LinuxSyscall.lgetxattr(path, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscall::{is_opaque, make_opaque, make_whiteout};

    #[test]
    fn remembers_what_only_root_could_do() {
        let dir = tempfile::tempdir().unwrap();
        let sys = RootlessSyscall::default();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        sys.lchown(&file, 0, 0).unwrap();
        assert_eq!(
            (sys.lstat(&file).unwrap().uid, sys.lstat(&file).unwrap().gid),
            (0, 0)
        );
        make_whiteout(&sys, &dir.path().join("gone")).unwrap();
        assert!(sys.lstat(&dir.path().join("gone")).unwrap().is_whiteout());
        make_opaque(&sys, dir.path()).unwrap();
        assert!(is_opaque(&sys, dir.path()).unwrap());
    }
}
