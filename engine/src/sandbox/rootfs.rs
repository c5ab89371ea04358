//! The container's root: an overlay of the layer directories with the fresh upper
//! directory, /proc, a minimal /dev, a read-only /sys, /etc/hosts and /etc/resolv.conf,
//! the requested mounts, then pivot_root into it. Every mount target is resolved inside
//! the new root first, so an image's symbolic links cannot point a mount at the host.

use super::devices;
use super::{MountKind, SandboxError, SandboxSpec};
use crate::fs::View;
use crate::syscall::{FileKind, Syscall};
use nix::mount::{MntFlags, MsFlags};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};

/// /proc files Docker hides behind /dev/null, and directories it makes read-only.
const MASKED: &[&str] = &[
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
];
const READ_ONLY: &[&str] = &[
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

/// The longest directory all `paths` are below (so overlay options can be relative and
/// short: the mount data is limited to one page).
pub fn common_dir(paths: &[&Path]) -> PathBuf {
    let mut common: Vec<Component<'_>> = match paths.first() {
        Some(p) => p.parent().unwrap_or(p).components().collect(),
        None => return PathBuf::from("/"),
    };
    for p in &paths[1..] {
        let parts: Vec<Component<'_>> = p.parent().unwrap_or(p).components().collect();
        let same = common
            .iter()
            .zip(&parts)
            .take_while(|(a, b)| a == b)
            .count();
        common.truncate(same);
    }
    common.iter().collect()
}

fn escape_option(path: &Path) -> String {
    // `,` and `:` separate overlay options and layers; `\` escapes them.
    path.display()
        .to_string()
        .replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(':', "\\:")
}

/// `lowerdir=…,upperdir=…,workdir=…` relative to `base`; `lower` is bottom first.
pub fn overlay_data(
    base: Option<&Path>,
    lower: &[PathBuf],
    upper: Option<(&Path, &Path)>,
) -> Result<String, SandboxError> {
    let rel = |p: &Path| escape_option(base.and_then(|b| p.strip_prefix(b).ok()).unwrap_or(p));
    let lowers: Vec<String> = lower.iter().rev().map(|p| rel(p)).collect();
    let mut data = format!("lowerdir={}", lowers.join(":"));
    if let Some((upper, work)) = upper {
        data.push_str(&format!(",upperdir={},workdir={}", rel(upper), rel(work)));
        // Renamed directories and metadata-only copy-ups would leave the layer incomplete.
        data.push_str(",redirect_dir=off,metacopy=off,index=off");
    }
    if data.len() >= 4000 {
        return Err(SandboxError::Setup(format!(
            "too many layers ({}) for one overlay mount",
            lower.len()
        )));
    }
    Ok(data)
}

/// Resolves `target` inside `root` and creates it (a directory, or an empty file) when
/// missing. Returns the host path to mount on.
pub fn mount_point(
    root: &Path,
    target: &str,
    file: bool,
    syscall: &dyn Syscall,
) -> Result<PathBuf, SandboxError> {
    let resolved = View::plain(root.to_path_buf(), syscall)
        .resolve(target, true)
        .map_err(SandboxError::io(root))?;
    let path = crate::fs::join_clean(root, &resolved);
    match syscall.lstat(&path) {
        Ok(st) if (st.kind == FileKind::Dir) != file => Ok(path),
        Ok(_) => Err(SandboxError::Setup(format!(
            "cannot mount on {target}: it is a {} in the image",
            if file { "directory" } else { "file" }
        ))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if file {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(SandboxError::io(parent))?;
                }
                std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .custom_flags(libc::O_NOFOLLOW)
                    .open(&path)
                    .map_err(SandboxError::io(&path))?;
            } else {
                std::fs::create_dir_all(&path).map_err(SandboxError::io(&path))?;
            }
            Ok(path)
        }
        Err(e) => Err(SandboxError::io(&path)(e)),
    }
}

fn bind(
    syscall: &dyn Syscall,
    source: &Path,
    target: &Path,
    readonly: bool,
) -> Result<(), SandboxError> {
    syscall.mount(
        Some(source),
        target,
        None,
        MsFlags::MS_BIND | MsFlags::MS_REC,
        None,
    )?;
    if readonly {
        syscall.mount(
            None,
            target,
            None,
            MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY | MsFlags::MS_NOSUID,
            None,
        )?;
    }
    Ok(())
}

/// Mounts everything below `root` (the overlay must already be mounted there).
pub fn populate(
    spec: &SandboxSpec,
    root: &Path,
    syscall: &dyn Syscall,
) -> Result<(), SandboxError> {
    let proc_dir = mount_point(root, "/proc", false, syscall)?;
    syscall.mount(
        Some(Path::new("proc")),
        &proc_dir,
        Some("proc"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
        None,
    )?;
    let dev = mount_point(root, "/dev", false, syscall)?;
    devices::populate(&dev, syscall)?;
    let sys = mount_point(root, "/sys", false, syscall)?;
    let mut ro = MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC;
    if !spec.privileged {
        ro |= MsFlags::MS_RDONLY;
    }
    if syscall
        .mount(Some(Path::new("sysfs")), &sys, Some("sysfs"), ro, None)
        .is_err()
    {
        // Without its own network namespace sysfs may refuse a new mount: bind the host's.
        bind(syscall, Path::new("/sys"), &sys, !spec.privileged)?;
    }
    for (target, content) in [
        ("/etc/hosts", &spec.hosts),
        ("/etc/resolv.conf", &spec.resolv_conf),
    ] {
        let file = spec.run_dir.join(target.trim_start_matches("/etc/"));
        std::fs::write(&file, content).map_err(SandboxError::io(&file))?;
        let point = mount_point(root, target, true, syscall)?;
        bind(syscall, &file, &point, false)?;
    }
    for (index, mount) in spec.mounts.iter().enumerate() {
        let point = mount_point(root, &mount.target, mount.file, syscall)?;
        match &mount.kind {
            MountKind::Bind { source, readonly } => bind(syscall, source, &point, *readonly)?,
            MountKind::Tmpfs { size } => {
                let data = size.map(|s| format!("size={s}"));
                syscall.mount(
                    Some(Path::new("tmpfs")),
                    &point,
                    Some("tmpfs"),
                    MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
                    data.as_deref(),
                )?;
            }
            MountKind::Layers {
                lower,
                subpath,
                scratch,
            } => {
                let staging = spec.run_dir.join(format!("mount-{index}"));
                std::fs::create_dir_all(&staging).map_err(SandboxError::io(&staging))?;
                match (lower.as_slice(), scratch) {
                    ([only], None) => bind(syscall, only, &staging, true)?,
                    _ => {
                        let upper = scratch.as_ref().map(|s| (s.join("upper"), s.join("work")));
                        if let Some((u, w)) = &upper {
                            for d in [u, w] {
                                std::fs::create_dir_all(d).map_err(SandboxError::io(d))?;
                            }
                        }
                        let mut lowers = lower.clone();
                        if lowers.len() < 2 && upper.is_none() {
                            lowers.push(lowers[0].clone());
                        }
                        let data = overlay_data(
                            None,
                            &lowers,
                            upper.as_ref().map(|(u, w)| (u.as_path(), w.as_path())),
                        )?;
                        let flags = if upper.is_some() {
                            MsFlags::empty()
                        } else {
                            MsFlags::MS_RDONLY
                        };
                        syscall.mount(
                            Some(Path::new("overlay")),
                            &staging,
                            Some("overlay"),
                            flags,
                            Some(&data),
                        )?;
                    }
                }
                let source = View::plain(staging.clone(), syscall)
                    .resolve(subpath, true)
                    .map_err(SandboxError::io(&staging))?;
                let source = crate::fs::join_clean(&staging, &source);
                bind(syscall, &source, &point, scratch.is_none())?;
            }
        }
    }
    // Docker's masked and read-only /proc and /sys paths (not for a privileged sandbox).
    if spec.privileged {
        return Ok(());
    }
    for path in READ_ONLY {
        let p = crate::fs::join_clean(root, path);
        if syscall.lstat(&p).is_ok() {
            bind(syscall, &p, &p, true)?;
        }
    }
    let null = dev.join("null");
    for path in MASKED {
        let p = crate::fs::join_clean(root, path);
        match syscall.lstat(&p) {
            Ok(st) if st.kind == FileKind::Dir => syscall.mount(
                Some(Path::new("tmpfs")),
                &p,
                Some("tmpfs"),
                MsFlags::MS_RDONLY,
                None,
            )?,
            Ok(_) => bind(syscall, &null, &p, true)?,
            Err(_) => {}
        }
    }
    Ok(())
}

/// Mounts the overlay root at `run_dir/root`, populates it and pivots into it.
pub fn enter(spec: &SandboxSpec, syscall: &dyn Syscall) -> Result<(), SandboxError> {
    // Nothing done here may reach the host's mount table.
    syscall.mount(
        None,
        Path::new("/"),
        None,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None,
    )?;
    let root = spec.run_dir.join("root");
    std::fs::create_dir_all(&root).map_err(SandboxError::io(&root))?;
    let r = &spec.rootfs;
    let mut all: Vec<&Path> = r.lower.iter().map(PathBuf::as_path).collect();
    all.push(&r.upper);
    all.push(&r.work);
    let base = common_dir(&all);
    let data = overlay_data(Some(&base), &r.lower, Some((&r.upper, &r.work)))?;
    syscall.chdir(&base)?;
    syscall.mount(
        Some(Path::new("overlay")),
        &root,
        Some("overlay"),
        MsFlags::empty(),
        Some(&data),
    )?;
    populate(spec, &root, syscall)?;
    let cwd = mount_point(&root, &spec.process.cwd, false, syscall);
    if let Err(e) = cwd {
        return Err(SandboxError::Setup(format!(
            "working directory {}: {e}",
            spec.process.cwd
        )));
    }
    // pivot_root(".", ".") stacks the old root on the new one; unmounting it leaves
    // only the container's tree.
    syscall.chdir(&root)?;
    syscall.pivot_root(Path::new("."), Path::new("."))?;
    syscall.umount(Path::new("."), MntFlags::MNT_DETACH)?;
    syscall.chdir(Path::new("/"))?;
    syscall.chdir(Path::new(&spec.process.cwd))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::{MountSpec, Process, Rootfs};
    use crate::syscall::test::{Call, RecordingSyscall};

    fn spec(dir: &Path) -> SandboxSpec {
        let store = dir.join("store");
        let lower: Vec<PathBuf> = ["a", "b"]
            .iter()
            .map(|l| store.join("layers").join(l).join("fs"))
            .collect();
        for l in &lower {
            std::fs::create_dir_all(l).unwrap();
        }
        std::fs::create_dir_all(lower[0].join("etc")).unwrap();
        std::os::unix::fs::symlink("/../../../../tmp/host", lower[0].join("escape")).unwrap();
        let run = store.join("tmp/run-x");
        let run_dir = run.join("run");
        std::fs::create_dir_all(&run_dir).unwrap();
        let source = dir.join("cache");
        std::fs::create_dir_all(&source).unwrap();
        SandboxSpec {
            rootfs: Rootfs {
                lower,
                upper: run.join("fs"),
                work: run.join("work"),
            },
            process: Process {
                args: vec!["/bin/true".into()],
                env: vec![],
                cwd: "/app".into(),
                uid: 0,
                gid: 0,
                groups: vec![],
            },
            hostname: "plimsoll".into(),
            network: crate::sandbox::Network::None,
            mounts: vec![
                MountSpec {
                    target: "/escape/cache".into(),
                    kind: MountKind::Bind {
                        source,
                        readonly: false,
                    },
                    file: false,
                },
                MountSpec {
                    target: "/tmp".into(),
                    kind: MountKind::Tmpfs { size: Some(1024) },
                    file: false,
                },
            ],
            hosts: "127.0.0.1 localhost\n".into(),
            resolv_conf: "nameserver 1.1.1.1\n".into(),
            run_dir,
            interactive: false,
            interrupt: Default::default(),
            stop_signal: None,
            privileged: false,
            tty: false,
        }
    }

    #[test]
    fn overlay_options_are_relative_and_top_first() {
        let base = Some(Path::new("/s"));
        let data = overlay_data(
            base,
            &[
                PathBuf::from("/s/layers/a/fs"),
                PathBuf::from("/s/layers/b:c/fs"),
            ],
            Some((Path::new("/s/tmp/r/fs"), Path::new("/s/tmp/r/work"))),
        )
        .unwrap();
        assert_eq!(
            data,
            "lowerdir=layers/b\\:c/fs:layers/a/fs,upperdir=tmp/r/fs,workdir=tmp/r/work,redirect_dir=off,metacopy=off,index=off"
        );
        let many: Vec<PathBuf> = (0..200)
            .map(|i| PathBuf::from(format!("/s/layers/{i:064}/fs")))
            .collect();
        assert!(overlay_data(base, &many, None).is_err());
        assert_eq!(
            common_dir(&[Path::new("/s/layers/a/fs"), Path::new("/s/tmp/r/fs")]),
            PathBuf::from("/s")
        );
    }

    #[test]
    fn privileged_sandboxes_get_a_writable_sys_and_nothing_masked() {
        let sysfs = |privileged: bool| {
            let dir = tempfile::tempdir().unwrap();
            let mut spec = spec(dir.path());
            spec.privileged = privileged;
            let root = spec.run_dir.join("root");
            std::fs::create_dir_all(root.join("proc/sys")).unwrap();
            let sys = RecordingSyscall::new();
            enter(&spec, &sys).unwrap();
            let mounts = sys.mounts();
            let sysfs = mounts
                .iter()
                .find_map(|c| match c {
                    Call::Mount {
                        fstype: Some(t),
                        flags,
                        ..
                    } if t == "sysfs" => Some(*flags),
                    _ => None,
                })
                .unwrap();
            let proc_sys_read_only = mounts
                .iter()
                .any(|c| matches!(c, Call::Mount { target, .. } if target.ends_with("proc/sys")));
            (sysfs.contains(MsFlags::MS_RDONLY), proc_sys_read_only)
        };
        assert_eq!(sysfs(false), (true, true));
        assert_eq!(sysfs(true), (false, false));
    }

    #[test]
    fn mounts_in_order_and_resolves_targets_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec(dir.path());
        let sys = RecordingSyscall::new();
        // The overlay is not really mounted: simulate the merged tree with the lower one.
        let root = spec.run_dir.join("root");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::os::unix::fs::symlink("/../../../../tmp/host", root.join("escape")).unwrap();
        enter(&spec, &sys).unwrap();
        let calls = sys.calls();
        assert!(
            matches!(&calls[0], Call::Mount { target, flags, .. } if target == Path::new("/") && flags.contains(MsFlags::MS_PRIVATE))
        );
        let targets: Vec<String> = sys
            .mounts()
            .iter()
            .filter_map(|c| match c {
                Call::Mount { target, fstype, .. } => Some(format!(
                    "{} {}",
                    target.strip_prefix(&root).map_or_else(
                        |_| target.display().to_string(),
                        |t| format!("/{}", t.display())
                    ),
                    fstype.clone().unwrap_or_else(|| "bind".into())
                )),
                _ => None,
            })
            .collect();
        assert_eq!(targets[1], "/ overlay");
        assert!(targets.contains(&"/proc proc".to_string()), "{targets:?}");
        assert!(targets.contains(&"/dev tmpfs".to_string()), "{targets:?}");
        assert!(targets.contains(&"/sys sysfs".to_string()), "{targets:?}");
        assert!(
            targets.contains(&"/etc/hosts bind".to_string()),
            "{targets:?}"
        );
        // The image's link to /tmp/host was followed inside the root, not on the host.
        assert!(
            targets.contains(&"/tmp/host/cache bind".to_string()),
            "{targets:?}"
        );
        assert!(root.join("tmp/host/cache").is_dir());
        assert!(targets.contains(&"/tmp tmpfs".to_string()), "{targets:?}");
        assert!(
            root.join("app").is_dir(),
            "the working directory was created"
        );
        let overlay = calls
            .iter()
            .find_map(|c| match c {
                Call::Mount {
                    fstype: Some(t),
                    data: Some(d),
                    ..
                } if t == "overlay" => Some(d.clone()),
                _ => None,
            })
            .unwrap();
        assert!(
            overlay.starts_with("lowerdir=layers/b/fs:layers/a/fs,upperdir=tmp/run-x/fs"),
            "{overlay}"
        );
        let tail: Vec<&Call> = calls.iter().rev().take(5).collect();
        assert!(matches!(tail[2], Call::Umount { flags, .. } if *flags == MntFlags::MNT_DETACH));
        assert!(matches!(tail[3], Call::PivotRoot { .. }));
    }
}
