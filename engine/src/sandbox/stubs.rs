//! Mount points the image lacks must be created before mounting (an empty file or
//! directory, a "stub"); creating them writes into the upper directory, i.e. into the
//! layer. [`plan`] lists them before a run, [`clean`] removes them — and the parent
//! directories overlayfs copied up only to hold them — from the upper directory after,
//! so /etc/hosts, /run/secrets/… or /proc never end up in a layer.

use crate::fs::View;
use crate::syscall::{FileKind, Syscall, is_opaque};
use std::io;
use std::path::Path;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stub {
    /// Resolved absolute container path.
    pub path: String,
    pub file: bool,
}

/// The stubs a run will create: mount points (resolved inside the image) that do not exist
/// in `lower`.
pub fn plan(lower: &View<'_>, points: &[(String, bool)]) -> io::Result<Vec<Stub>> {
    let mut stubs = Vec::new();
    for (target, file) in points {
        let path = lower.resolve(target, true)?;
        if path != "/" && lower.lookup(&path)?.is_none() {
            stubs.push(Stub { path, file: *file });
        }
    }
    Ok(stubs)
}

fn is_empty_dir(path: &Path) -> io::Result<bool> {
    Ok(std::fs::read_dir(path)?.next().is_none())
}

/// Removes the stubs (when still empty) and the directories that only held them from
/// `upper`.
pub fn clean(
    upper: &Path,
    stubs: &[Stub],
    lower: &View<'_>,
    syscall: &dyn Syscall,
) -> io::Result<()> {
    let mut stubs: Vec<&Stub> = stubs.iter().collect();
    // Deepest first, so nested stubs go before their parents.
    stubs.sort_by_key(|s| std::cmp::Reverse(s.path.matches('/').count()));
    for stub in stubs {
        let rel = stub.path.trim_start_matches('/');
        let path = upper.join(rel);
        match syscall.lstat(&path) {
            Ok(st) if stub.file && st.kind == FileKind::File && st.size == 0 => {
                std::fs::remove_file(&path)?;
            }
            Ok(st) if !stub.file && st.kind == FileKind::Dir && is_empty_dir(&path)? => {
                std::fs::remove_dir(&path)?;
            }
            Ok(_) => continue,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        // Parents: copied up unchanged, or created for the stub, and now empty.
        let mut parent = Path::new(rel).parent();
        while let Some(dir) = parent.filter(|p| !p.as_os_str().is_empty()) {
            let up = upper.join(dir);
            let st = match syscall.lstat(&up) {
                Ok(st) => st,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    parent = dir.parent();
                    continue;
                }
                Err(e) => return Err(e),
            };
            if st.kind != FileKind::Dir || !is_empty_dir(&up)? || is_opaque(syscall, &up)? {
                break;
            }
            let container = format!("/{}", dir.display());
            let unchanged = match lower.lookup(&container)? {
                None => true,
                Some(found) => {
                    found.stat.kind == FileKind::Dir
                        && (found.stat.mode, found.stat.uid, found.stat.gid)
                            == (st.mode, st.uid, st.gid)
                }
            };
            if !unchanged {
                break;
            }
            std::fs::remove_dir(&up)?;
            parent = dir.parent();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscall::test::RecordingSyscall;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn plans_missing_mount_points_resolved_in_the_image() {
        let dir = tempfile::tempdir().unwrap();
        let lower = dir.path().join("lower");
        std::fs::create_dir_all(lower.join("etc")).unwrap();
        std::fs::create_dir_all(lower.join("proc")).unwrap();
        std::fs::write(lower.join("etc/hosts"), "").unwrap();
        std::os::unix::fs::symlink("/var/run", lower.join("run")).unwrap();
        let sys = RecordingSyscall::new();
        let view = View::new(vec![lower], &sys);
        let points = vec![
            ("/proc".to_string(), false),
            ("/etc/hosts".to_string(), true),
            ("/etc/resolv.conf".to_string(), true),
            ("/run/secrets/token".to_string(), true),
        ];
        let stubs = plan(&view, &points).unwrap();
        assert_eq!(
            stubs,
            vec![
                Stub {
                    path: "/etc/resolv.conf".into(),
                    file: true
                },
                Stub {
                    path: "/var/run/secrets/token".into(),
                    file: true
                },
            ]
        );
    }

    #[test]
    fn cleans_stubs_and_copied_up_parents_only() {
        let dir = tempfile::tempdir().unwrap();
        let lower = dir.path().join("lower");
        std::fs::create_dir_all(lower.join("etc")).unwrap();
        std::fs::set_permissions(lower.join("etc"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        let upper = dir.path().join("upper");
        // What a run left: stubs, their parents, and a real change in /var.
        std::fs::create_dir_all(upper.join("etc")).unwrap();
        std::fs::set_permissions(upper.join("etc"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        std::fs::write(upper.join("etc/resolv.conf"), "").unwrap();
        std::fs::create_dir_all(upper.join("run/secrets")).unwrap();
        std::fs::write(upper.join("run/secrets/token"), "").unwrap();
        std::fs::create_dir_all(upper.join("var")).unwrap();
        std::fs::write(upper.join("var/kept"), "data").unwrap();
        std::fs::create_dir_all(upper.join("proc")).unwrap();
        std::fs::write(upper.join("proc/written-by-run"), "x").unwrap();
        let sys = RecordingSyscall::new();
        let view = View::new(vec![lower], &sys);
        let stubs = vec![
            Stub {
                path: "/etc/resolv.conf".into(),
                file: true,
            },
            Stub {
                path: "/run/secrets/token".into(),
                file: true,
            },
            Stub {
                path: "/proc".into(),
                file: false,
            },
            Stub {
                path: "/var/kept".into(),
                file: true,
            },
        ];
        clean(&upper, &stubs, &view, &sys).unwrap();
        let mut left: Vec<String> = walkdir::WalkDir::new(&upper)
            .min_depth(1)
            .into_iter()
            .map(|e| {
                e.unwrap()
                    .path()
                    .strip_prefix(&upper)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        left.sort();
        assert_eq!(left, ["proc", "proc/written-by-run", "var", "var/kept"]);
    }
}
