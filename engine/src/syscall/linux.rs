//! The real [`Syscall`] implementation, through nix.

use super::{FileKind, NodeKind, Result, Stat, Syscall, SyscallError, io_error};
use caps::{CapSet, CapsHashSet};
use nix::mount::{MntFlags, MsFlags};
use nix::sched::CloneFlags;
use nix::sys::signal::Signal;
use nix::sys::stat::{Mode, SFlag};
use nix::unistd::{Gid, Uid};
use std::any::Any;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

#[derive(Debug, Default, Clone, Copy)]
pub struct LinuxSyscall;

fn errno(op: impl Into<String>) -> impl FnOnce(nix::errno::Errno) -> SyscallError {
    let op = op.into();
    move |errno| SyscallError::Errno { op, errno }
}

impl Syscall for LinuxSyscall {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn unshare(&self, flags: CloneFlags) -> Result<()> {
        nix::sched::unshare(flags).map_err(errno(format!("unshare {flags:?}")))
    }

    fn set_hostname(&self, name: &str) -> Result<()> {
        nix::unistd::sethostname(name).map_err(errno("sethostname"))
    }

    fn mount(
        &self,
        source: Option<&Path>,
        target: &Path,
        fstype: Option<&str>,
        flags: MsFlags,
        data: Option<&str>,
    ) -> Result<()> {
        nix::mount::mount(source, target, fstype, flags, data).map_err(errno(format!(
            "mount {} on {} ({})",
            source.map_or("none".into(), |s| s.display().to_string()),
            target.display(),
            fstype.unwrap_or("bind")
        )))
    }

    fn umount(&self, target: &Path, flags: MntFlags) -> Result<()> {
        nix::mount::umount2(target, flags).map_err(errno(format!("umount {}", target.display())))
    }

    fn pivot_root(&self, new_root: &Path, put_old: &Path) -> Result<()> {
        nix::unistd::pivot_root(new_root, put_old)
            .map_err(errno(format!("pivot_root {}", new_root.display())))
    }

    fn chdir(&self, path: &Path) -> Result<()> {
        nix::unistd::chdir(path).map_err(errno(format!("chdir {}", path.display())))
    }

    fn join_network(&self, pid: u32) -> Result<()> {
        let path = format!("/proc/{pid}/ns/net");
        let ns = std::fs::File::open(&path).map_err(|e| io_error("open", Path::new(&path), e))?;
        nix::sched::setns(&ns, CloneFlags::CLONE_NEWNET).map_err(errno(format!("setns {path}")))
    }

    fn take_terminal(&self) -> Result<()> {
        let io = |op: &str| {
            let op = op.to_string();
            move |e: rustix::io::Errno| SyscallError::Io {
                op,
                source: io::Error::from_raw_os_error(e.raw_os_error()),
            }
        };
        rustix::process::setsid().map_err(io("setsid"))?;
        rustix::process::ioctl_tiocsctty(std::io::stdin()).map_err(io("TIOCSCTTY on stdin"))
    }

    fn loopback_up(&self) -> Result<()> {
        // Without an ioctl (unsafe) or a netlink client, iproute2 does it; hosts without
        // it keep the loopback down.
        let Some(ip) = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
            .iter()
            .map(Path::new)
            .find(|p| p.is_file())
        else {
            return Ok(());
        };
        let status = std::process::Command::new(ip)
            .args(["link", "set", "lo", "up"])
            .status()
            .map_err(|e| io_error("ip link set lo up", ip, e))?;
        if status.success() {
            Ok(())
        } else {
            Err(SyscallError::Errno {
                op: format!("{} link set lo up: {status}", ip.display()),
                errno: nix::errno::Errno::EIO,
            })
        }
    }

    fn euid(&self) -> u32 {
        nix::unistd::geteuid().as_raw()
    }

    fn set_ids(&self, uid: u32, gid: u32, groups: &[u32]) -> Result<()> {
        let groups: Vec<Gid> = groups.iter().map(|&g| Gid::from_raw(g)).collect();
        nix::unistd::setgroups(&groups).map_err(errno("setgroups"))?;
        let gid = Gid::from_raw(gid);
        nix::unistd::setresgid(gid, gid, gid).map_err(errno("setresgid"))?;
        let uid = Uid::from_raw(uid);
        nix::unistd::setresuid(uid, uid, uid).map_err(errno("setresuid"))
    }

    fn restrict_bounding_set(&self, keep: &CapsHashSet) -> Result<()> {
        for cap in caps::all() {
            if !keep.contains(&cap) && caps::has_cap(None, CapSet::Bounding, cap).unwrap_or(false) {
                caps::drop(None, CapSet::Bounding, cap).map_err(|e| {
                    SyscallError::Capabilities {
                        op: format!("drop {cap} from the bounding set"),
                        message: e.to_string(),
                    }
                })?;
            }
        }
        Ok(())
    }

    fn set_capabilities(&self, set: CapSet, value: &CapsHashSet) -> Result<()> {
        caps::set(None, set, value).map_err(|e| SyscallError::Capabilities {
            op: format!("set {set:?} capabilities"),
            message: e.to_string(),
        })
    }

    fn set_no_new_privs(&self) -> Result<()> {
        nix::sys::prctl::set_no_new_privs().map_err(errno("prctl(PR_SET_NO_NEW_PRIVS)"))
    }

    fn set_parent_death_signal(&self, signal: Signal) -> Result<()> {
        nix::sys::prctl::set_pdeathsig(signal).map_err(errno("prctl(PR_SET_PDEATHSIG)"))
    }

    fn lstat(&self, path: &Path) -> io::Result<Stat> {
        let meta = std::fs::symlink_metadata(path)?;
        let ft = meta.file_type();
        let kind = if ft.is_dir() {
            FileKind::Dir
        } else if ft.is_symlink() {
            FileKind::Symlink
        } else if ft.is_char_device() {
            FileKind::CharDevice
        } else if ft.is_block_device() {
            FileKind::BlockDevice
        } else if ft.is_fifo() {
            FileKind::Fifo
        } else if ft.is_socket() {
            FileKind::Socket
        } else {
            FileKind::File
        };
        Ok(Stat {
            kind,
            mode: meta.mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
            size: meta.size(),
            mtime: meta.mtime(),
            mtime_nsec: meta.mtime_nsec(),
            ctime: meta.ctime(),
            ctime_nsec: meta.ctime_nsec(),
            dev: meta.dev(),
            ino: meta.ino(),
            nlink: meta.nlink(),
            rdev: meta.rdev(),
        })
    }

    fn mknod(&self, path: &Path, kind: NodeKind, perm: u32, dev: u64) -> Result<()> {
        let sflag = match kind {
            NodeKind::CharDevice => SFlag::S_IFCHR,
            NodeKind::BlockDevice => SFlag::S_IFBLK,
            NodeKind::Fifo => SFlag::S_IFIFO,
        };
        nix::sys::stat::mknod(path, sflag, Mode::from_bits_truncate(perm), dev)
            .map_err(errno(format!("mknod {}", path.display())))
    }

    fn lchown(&self, path: &Path, uid: u32, gid: u32) -> Result<()> {
        std::os::unix::fs::lchown(path, Some(uid), Some(gid))
            .map_err(|e| io_error("lchown", path, e))
    }

    fn lsetxattr(&self, path: &Path, name: &str, value: &[u8]) -> Result<()> {
        xattr::set(path, name, value).map_err(|e| io_error(format!("setxattr {name}"), path, e))
    }

    fn lgetxattr(&self, path: &Path, name: &str) -> io::Result<Option<Vec<u8>>> {
        match xattr::get(path, name) {
            Ok(v) => Ok(v),
            // Not supported by the file system: no attribute.
            Err(e) if e.raw_os_error() == Some(libc::ENOTSUP) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lstat_reads_kinds_and_modes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"abc").unwrap();
        std::os::unix::fs::symlink("f", dir.path().join("l")).unwrap();
        let sys = LinuxSyscall;
        let st = sys.lstat(&file).unwrap();
        assert_eq!(st.kind, FileKind::File);
        assert_eq!(st.size, 3);
        assert_eq!(
            sys.lstat(&dir.path().join("l")).unwrap().kind,
            FileKind::Symlink
        );
        assert_eq!(sys.lstat(dir.path()).unwrap().kind, FileKind::Dir);
        assert!(!st.is_whiteout());
        assert_eq!(sys.lgetxattr(&file, "user.nothing").unwrap(), None);
    }
}
