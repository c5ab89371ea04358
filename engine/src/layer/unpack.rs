//! Layer tar → directory. Entries with `..`, entries below a symbolic link, hard links to
//! anything outside the archive's own files, and `trusted.*` attributes are refused, and
//! nothing is ever written through an existing link: the extraction cannot touch anything
//! outside its target. As root, OCI whiteouts become overlayfs whiteouts (0/0 character
//! devices, `trusted.overlay.opaque`), owners and device nodes are kept; otherwise the
//! `.wh.` entries stay plain files and owners are those of the caller.

use super::{LayerError, OPAQUE_WHITEOUT, WHITEOUT_PREFIX};
use crate::fs::clean_entry_path;
use crate::syscall::{FileKind, NodeKind, Syscall, make_opaque, make_whiteout};
use filetime::FileTime;
use std::ffi::OsStr;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use tar::EntryType;

#[derive(Clone, Debug, Default)]
pub struct UnpackOptions {
    /// Refuse device nodes instead of skipping them when not privileged (ADD archives).
    pub literal: bool,
}

/// What an unpack did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnpackReport {
    /// Owners, devices and overlayfs whiteouts were written (the caller is root).
    pub privileged: bool,
    /// Device nodes left out (not root).
    pub skipped_devices: usize,
    pub entries: usize,
}

struct DirAttrs {
    path: PathBuf,
    mode: u32,
    mtime: i64,
}

/// Unpacks the (uncompressed) tar `reader` into `dest`, which must exist.
pub fn unpack(
    reader: impl Read,
    dest: &Path,
    syscall: &dyn Syscall,
    options: &UnpackOptions,
) -> Result<UnpackReport, LayerError> {
    let privileged = syscall.euid() == 0;
    let mut report = UnpackReport {
        privileged,
        ..UnpackReport::default()
    };
    let mut archive = tar::Archive::new(reader);
    let mut dirs: Vec<DirAttrs> = Vec::new();
    let entries = archive.entries().map_err(LayerError::io(dest))?;
    for entry in entries {
        let mut entry = entry.map_err(LayerError::io(dest))?;
        let raw = entry.path().map_err(LayerError::io(dest))?.into_owned();
        let Some(rel) = clean_entry_path(&raw)? else {
            continue;
        };
        let display = rel.display().to_string();
        let name = rel.file_name().unwrap_or_default().to_os_string();
        let parent = ensure_parent(
            dest,
            rel.parent().unwrap_or(Path::new("")),
            &display,
            syscall,
        )?;
        report.entries += 1;

        if name == OPAQUE_WHITEOUT {
            if privileged {
                make_opaque(syscall, &parent)?;
            } else {
                create_empty(&parent.join(OPAQUE_WHITEOUT))?;
            }
            continue;
        }
        if name.as_bytes().starts_with(b".wh..wh.") {
            // AUFS bookkeeping (`.wh..wh.plnk`…), never content.
            continue;
        }
        if let Some(hidden) = name.as_bytes().strip_prefix(WHITEOUT_PREFIX.as_bytes()) {
            let hidden = OsStr::from_bytes(hidden);
            if hidden.is_empty() {
                return Err(LayerError::Malformed {
                    entry: display,
                    message: "whiteout without a name".into(),
                });
            }
            let target = parent.join(hidden);
            remove_existing(&target, syscall)?;
            if privileged {
                make_whiteout(syscall, &target)?;
            } else {
                create_empty(&parent.join(&name))?;
            }
            continue;
        }

        let target = parent.join(&name);
        let header = entry.header().clone();
        let mode = header.mode().map_err(LayerError::io(&target))? & 0o7777;
        // Empty numeric fields (some hand-made archives) read as 0, as GNU tar does.
        let uid = header.uid().unwrap_or(0) as u32;
        let gid = header.gid().unwrap_or(0) as u32;
        let mtime = header.mtime().unwrap_or(0) as i64;
        let kind = header.entry_type();
        let xattrs = xattrs(&mut entry)?;
        let chown = |path: &Path| -> Result<(), LayerError> {
            if privileged {
                syscall.lchown(path, uid, gid)?;
            }
            Ok(())
        };
        match kind {
            EntryType::Directory => {
                match syscall.lstat(&target) {
                    Ok(st) if st.kind == FileKind::Dir => {}
                    Ok(_) => {
                        remove_existing(&target, syscall)?;
                        make_dir(&target)?;
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => make_dir(&target)?,
                    Err(e) => return Err(LayerError::io(&target)(e)),
                }
                chown(&target)?;
                dirs.push(DirAttrs {
                    path: target,
                    mode,
                    mtime,
                });
            }
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {
                remove_existing(&target, syscall)?;
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .custom_flags(libc::O_NOFOLLOW)
                    .mode(0o600)
                    .open(&target)
                    .map_err(LayerError::io(&target))?;
                io::copy(&mut entry, &mut file).map_err(LayerError::io(&target))?;
                drop(file);
                chown(&target)?;
                set_mode(&target, mode)?;
                apply_xattrs(syscall, &target, &xattrs, privileged)?;
                set_mtime(&target, mtime)?;
            }
            EntryType::Symlink => {
                let link = entry
                    .link_name()
                    .map_err(LayerError::io(&target))?
                    .ok_or_else(|| LayerError::Malformed {
                        entry: display.clone(),
                        message: "symbolic link without a target".into(),
                    })?
                    .into_owned();
                remove_existing(&target, syscall)?;
                std::os::unix::fs::symlink(&link, &target).map_err(LayerError::io(&target))?;
                chown(&target)?;
                set_mtime(&target, mtime)?;
            }
            EntryType::Link => {
                let link = entry
                    .link_name()
                    .map_err(LayerError::io(&target))?
                    .ok_or_else(|| LayerError::Malformed {
                        entry: display.clone(),
                        message: "hard link without a target".into(),
                    })?
                    .into_owned();
                let bad = || LayerError::BadHardlink {
                    entry: display.clone(),
                    target: link.display().to_string(),
                };
                let Some(link_rel) = clean_entry_path(&link)? else {
                    return Err(bad());
                };
                let source_parent =
                    existing_parent(dest, link_rel.parent().unwrap_or(Path::new("")), syscall)
                        .ok_or_else(bad)?;
                let source = source_parent.join(link_rel.file_name().unwrap_or_default());
                match syscall.lstat(&source) {
                    Ok(st) if st.kind != FileKind::Dir => {}
                    _ => return Err(bad()),
                }
                if source == target {
                    continue;
                }
                remove_existing(&target, syscall)?;
                std::fs::hard_link(&source, &target).map_err(LayerError::io(&target))?;
            }
            EntryType::Char | EntryType::Block | EntryType::Fifo => {
                if !privileged && kind != EntryType::Fifo {
                    if options.literal {
                        return Err(LayerError::Malformed {
                            entry: display,
                            message: "device nodes need root".into(),
                        });
                    }
                    report.skipped_devices += 1;
                    continue;
                }
                let node = match kind {
                    EntryType::Char => NodeKind::CharDevice,
                    EntryType::Block => NodeKind::BlockDevice,
                    _ => NodeKind::Fifo,
                };
                let major = header.device_major().ok().flatten().unwrap_or(0);
                let minor = header.device_minor().ok().flatten().unwrap_or(0);
                remove_existing(&target, syscall)?;
                syscall.mknod(
                    &target,
                    node,
                    mode,
                    nix::sys::stat::makedev(major.into(), minor.into()),
                )?;
                chown(&target)?;
                set_mode(&target, mode)?;
                set_mtime(&target, mtime)?;
            }
            EntryType::XGlobalHeader | EntryType::XHeader => {}
            other => {
                return Err(LayerError::Malformed {
                    entry: display,
                    message: format!("unsupported entry type {other:?}"),
                });
            }
        }
    }
    // Directory modes and times last: children changed them, and a read-only directory
    // must not stop its own extraction.
    for dir in dirs.iter().rev() {
        set_mode(&dir.path, dir.mode)?;
        set_mtime(&dir.path, dir.mtime)?;
    }
    Ok(report)
}

/// Walks (creating as needed) the parent directories of an entry, refusing to pass
/// through anything but real directories.
fn ensure_parent(
    dest: &Path,
    parent: &Path,
    entry: &str,
    syscall: &dyn Syscall,
) -> Result<PathBuf, LayerError> {
    let mut current = dest.to_path_buf();
    for component in parent.components() {
        current.push(component);
        match syscall.lstat(&current) {
            Ok(st) if st.kind == FileKind::Dir => {}
            Ok(st) if st.kind == FileKind::Symlink => {
                return Err(LayerError::ThroughSymlink {
                    entry: entry.to_string(),
                    link: current
                        .strip_prefix(dest)
                        .unwrap_or(&current)
                        .display()
                        .to_string(),
                });
            }
            Ok(_) => {
                return Err(LayerError::Malformed {
                    entry: entry.to_string(),
                    message: format!(
                        "its parent `{}` is not a directory",
                        current.strip_prefix(dest).unwrap_or(&current).display()
                    ),
                });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => make_dir(&current)?,
            Err(e) => return Err(LayerError::io(&current)(e)),
        }
    }
    Ok(current)
}

/// Like [`ensure_parent`] but creates nothing: `None` unless every component is a real
/// directory.
fn existing_parent(dest: &Path, parent: &Path, syscall: &dyn Syscall) -> Option<PathBuf> {
    let mut current = dest.to_path_buf();
    for component in parent.components() {
        current.push(component);
        if syscall.lstat(&current).ok()?.kind != FileKind::Dir {
            return None;
        }
    }
    Some(current)
}

fn make_dir(path: &Path) -> Result<(), LayerError> {
    std::fs::create_dir(path).map_err(LayerError::io(path))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(LayerError::io(path))
}

fn create_empty(path: &Path) -> Result<(), LayerError> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map(drop)
        .map_err(LayerError::io(path))
}

/// Removes whatever is at `path` (never following a link).
pub(crate) fn remove_existing(path: &Path, syscall: &dyn Syscall) -> Result<(), LayerError> {
    match syscall.lstat(path) {
        Ok(st) if st.kind == FileKind::Dir => {
            crate::fs::remove_tree(path).map_err(LayerError::io(path))
        }
        Ok(_) => std::fs::remove_file(path).map_err(LayerError::io(path)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(LayerError::io(path)(e)),
    }
}

fn set_mode(path: &Path, mode: u32) -> Result<(), LayerError> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(LayerError::io(path))
}

fn set_mtime(path: &Path, mtime: i64) -> Result<(), LayerError> {
    let t = FileTime::from_unix_time(mtime, 0);
    filetime::set_symlink_file_times(path, t, t).map_err(LayerError::io(path))
}

fn xattrs<R: Read>(entry: &mut tar::Entry<'_, R>) -> Result<Vec<(String, Vec<u8>)>, LayerError> {
    let mut out = Vec::new();
    if let Some(extensions) = entry
        .pax_extensions()
        .map_err(LayerError::io("pax header"))?
    {
        for ext in extensions {
            let ext = ext.map_err(LayerError::io("pax header"))?;
            if let Ok(key) = ext.key()
                && let Some(name) = key.strip_prefix("SCHILY.xattr.")
            {
                out.push((name.to_string(), ext.value_bytes().to_vec()));
            }
        }
    }
    Ok(out)
}

/// Applies file capabilities and user attributes; `trusted.*` (which would steer
/// overlayfs) and everything else are ignored.
fn apply_xattrs(
    syscall: &dyn Syscall,
    path: &Path,
    xattrs: &[(String, Vec<u8>)],
    privileged: bool,
) -> Result<(), LayerError> {
    for (name, value) in xattrs {
        let allowed = (privileged && name == "security.capability") || name.starts_with("user.");
        if allowed {
            syscall.lsetxattr(path, name, value)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscall::test::{Call, RecordingSyscall};
    use crate::syscall::{is_opaque, linux::LinuxSyscall};
    use tar::{Builder, Header};

    /// Builds a tar from `(path, kind, data or link)` with raw paths (no checks).
    fn tar(entries: &[(&str, EntryType, &str)]) -> Vec<u8> {
        let mut b = Builder::new(Vec::new());
        for (path, kind, data) in entries {
            let mut h = Header::new_gnu();
            h.set_entry_type(*kind);
            h.set_mode(if *kind == EntryType::Directory {
                0o755
            } else {
                0o644
            });
            h.set_uid(7);
            h.set_gid(8);
            h.set_mtime(1234);
            {
                let name = &mut h.as_old_mut().name;
                name[..path.len()].copy_from_slice(path.as_bytes());
            }
            match kind {
                EntryType::Symlink | EntryType::Link => {
                    h.set_size(0);
                    let link = &mut h.as_old_mut().linkname;
                    link[..data.len()].copy_from_slice(data.as_bytes());
                    h.set_cksum();
                    b.append(&h, io::empty()).unwrap();
                }
                _ => {
                    h.set_size(data.len() as u64);
                    h.set_cksum();
                    b.append(&h, data.as_bytes()).unwrap();
                }
            }
        }
        b.into_inner().unwrap()
    }

    fn unpack_into(
        bytes: &[u8],
        sys: &dyn Syscall,
    ) -> (tempfile::TempDir, Result<UnpackReport, LayerError>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("dest")).unwrap();
        let r = unpack(
            bytes,
            &dir.path().join("dest"),
            sys,
            &UnpackOptions::default(),
        );
        (dir, r)
    }

    #[test]
    fn unpacks_files_dirs_links_and_owners() {
        let bytes = tar(&[
            ("./etc/", EntryType::Directory, ""),
            (
                "./etc/passwd",
                EntryType::Regular,
                "root:x:0:0::/root:/bin/sh\n",
            ),
            ("./etc/link", EntryType::Symlink, "passwd"),
            ("./etc/hard", EntryType::Link, "etc/passwd"),
            ("./usr/bin/implicit", EntryType::Regular, "x"),
        ]);
        let sys = RecordingSyscall::new();
        let (dir, r) = unpack_into(&bytes, &sys);
        let report = r.unwrap();
        assert!(report.privileged);
        let dest = dir.path().join("dest");
        assert_eq!(
            std::fs::read_to_string(dest.join("etc/hard")).unwrap(),
            "root:x:0:0::/root:/bin/sh\n"
        );
        assert_eq!(
            std::fs::read_link(dest.join("etc/link")).unwrap(),
            Path::new("passwd")
        );
        assert_eq!(std::fs::read(dest.join("usr/bin/implicit")).unwrap(), b"x");
        let st = sys.lstat(&dest.join("etc/passwd")).unwrap();
        assert_eq!((st.uid, st.gid, st.mode, st.mtime), (7, 8, 0o644, 1234));
    }

    #[test]
    fn whiteouts_become_overlay_nodes_as_root() {
        let bytes = tar(&[
            ("a/", EntryType::Directory, ""),
            ("a/.wh..wh..opq", EntryType::Regular, ""),
            ("a/.wh.gone", EntryType::Regular, ""),
            ("a/.wh..wh.plnk", EntryType::Regular, ""),
        ]);
        let sys = RecordingSyscall::new();
        let (dir, r) = unpack_into(&bytes, &sys);
        r.unwrap();
        let a = dir.path().join("dest/a");
        assert!(is_opaque(&sys, &a).unwrap());
        assert!(sys.lstat(&a.join("gone")).unwrap().is_whiteout());
        assert!(!a.join(".wh..wh.plnk").exists());
        assert!(
            sys.calls()
                .iter()
                .any(|c| matches!(c, Call::Mknod { dev: 0, .. }))
        );
    }

    #[test]
    fn whiteouts_stay_files_without_root() {
        let bytes = tar(&[
            ("a/.wh..wh..opq", EntryType::Regular, ""),
            ("a/.wh.gone", EntryType::Regular, ""),
            ("dev/null", EntryType::Char, ""),
        ]);
        let sys = RecordingSyscall::new().with_euid(1000);
        let (dir, r) = unpack_into(&bytes, &sys);
        let report = r.unwrap();
        assert!(!report.privileged);
        assert_eq!(report.skipped_devices, 1);
        let a = dir.path().join("dest/a");
        assert!(a.join(".wh..wh..opq").is_file());
        assert!(a.join(".wh.gone").is_file());
        assert!(sys.calls().is_empty());
    }

    #[test]
    fn refuses_traversal() {
        let sys = LinuxSyscall;
        for bytes in [
            tar(&[("../evil", EntryType::Regular, "x")]),
            tar(&[("a/../../evil", EntryType::Regular, "x")]),
        ] {
            let (dir, r) = unpack_into(&bytes, &sys);
            assert!(matches!(r, Err(LayerError::Traversal(_))), "{r:?}");
            assert!(!dir.path().join("evil").exists());
        }
    }

    #[test]
    fn refuses_writing_through_symlinks() {
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().to_str().unwrap().to_string();
        let sys = LinuxSyscall;
        // A symlink to an absolute directory, then a file below it.
        let bytes = tar(&[
            ("escape", EntryType::Symlink, &target),
            ("escape/pwned", EntryType::Regular, "x"),
        ]);
        let (_dir, r) = unpack_into(&bytes, &sys);
        assert!(matches!(r, Err(LayerError::ThroughSymlink { .. })), "{r:?}");
        assert!(!outside.path().join("pwned").exists());
        // A relative symlink climbing out.
        let bytes = tar(&[
            ("up", EntryType::Symlink, "../../../../../../.."),
            ("up/tmp/pwned", EntryType::Regular, "x"),
        ]);
        let (_dir, r) = unpack_into(&bytes, &sys);
        assert!(matches!(r, Err(LayerError::ThroughSymlink { .. })), "{r:?}");
        // A file entry replacing a symlink replaces the link, not its target.
        std::fs::write(outside.path().join("victim"), "safe").unwrap();
        let victim = outside.path().join("victim");
        let bytes = tar(&[
            ("v", EntryType::Symlink, victim.to_str().unwrap()),
            ("v", EntryType::Regular, "overwritten"),
        ]);
        let (dir, r) = unpack_into(&bytes, &sys);
        r.unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "safe");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("dest/v")).unwrap(),
            "overwritten"
        );
    }

    #[test]
    fn refuses_hard_links_outside() {
        let sys = LinuxSyscall;
        for (link, expect_err) in [("/etc/passwd", true), ("../x", true), ("missing", true)] {
            let bytes = tar(&[("h", EntryType::Link, link)]);
            let (dir, r) = unpack_into(&bytes, &sys);
            assert_eq!(r.is_err(), expect_err, "{link}: {r:?}");
            assert!(!dir.path().join("dest/h").exists());
        }
        // Through a symlinked directory inside the archive.
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        let bytes = tar(&[
            ("d", EntryType::Symlink, outside.path().to_str().unwrap()),
            ("h", EntryType::Link, "d/secret"),
        ]);
        let (_dir, r) = unpack_into(&bytes, &sys);
        assert!(matches!(r, Err(LayerError::BadHardlink { .. })), "{r:?}");
    }
}
