//! A minimal /dev on a tmpfs (nothing of it reaches the layer): null, zero, full, random,
//! urandom, tty, the standard links, a private devpts, /dev/shm, and /dev/pipes for
//! heredoc scripts.

use super::SandboxError;
use crate::syscall::{NodeKind, Syscall};
use nix::mount::MsFlags;
use std::path::Path;

/// Name, major, minor.
pub const DEVICES: &[(&str, u64, u64)] = &[
    ("null", 1, 3),
    ("zero", 1, 5),
    ("full", 1, 7),
    ("random", 1, 8),
    ("urandom", 1, 9),
    ("tty", 5, 0),
];

pub fn populate(dev: &Path, syscall: &dyn Syscall) -> Result<(), SandboxError> {
    syscall.mount(
        Some(Path::new("tmpfs")),
        dev,
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_STRICTATIME,
        Some("mode=755,size=65536k"),
    )?;
    for (name, major, minor) in DEVICES {
        let path = dev.join(name);
        syscall.mknod(
            &path,
            NodeKind::CharDevice,
            0o666,
            nix::sys::stat::makedev(*major, *minor),
        )?;
        // mknod honours the umask; make the mode exact.
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o666))
            .map_err(SandboxError::io(&path))?;
    }
    for (name, target) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
        ("core", "/proc/kcore"),
        ("ptmx", "pts/ptmx"),
    ] {
        let link = dev.join(name);
        std::os::unix::fs::symlink(target, &link).map_err(SandboxError::io(&link))?;
    }
    for dir in ["pts", "shm", "pipes", "mqueue"] {
        let path = dev.join(dir);
        std::fs::create_dir(&path).map_err(SandboxError::io(&path))?;
    }
    syscall.mount(
        Some(Path::new("devpts")),
        &dev.join("pts"),
        Some("devpts"),
        MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC,
        Some("newinstance,ptmxmode=0666,mode=0620"),
    )?;
    syscall.mount(
        Some(Path::new("shm")),
        &dev.join("shm"),
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
        Some("mode=1777,size=65536k"),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscall::test::{Call, RecordingSyscall};

    #[test]
    fn creates_the_standard_nodes() {
        let dir = tempfile::tempdir().unwrap();
        let sys = RecordingSyscall::new();
        populate(dir.path(), &sys).unwrap();
        let nodes: Vec<u64> = sys
            .calls()
            .iter()
            .filter_map(|c| match c {
                Call::Mknod { dev, .. } => Some(*dev),
                _ => None,
            })
            .collect();
        assert_eq!(nodes.len(), 6);
        assert_eq!(nodes[0], nix::sys::stat::makedev(1, 3));
        let null = sys.lstat(&dir.path().join("null")).unwrap();
        assert_eq!(null.kind, crate::syscall::FileKind::CharDevice);
        assert_eq!(null.mode, 0o666);
        assert_eq!(
            std::fs::read_link(dir.path().join("fd")).unwrap(),
            Path::new("/proc/self/fd")
        );
        assert!(dir.path().join("pipes").is_dir());
    }
}
