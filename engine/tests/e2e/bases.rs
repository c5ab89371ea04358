//! Base images for the end-to-end tests, made on the machine and cached outside the
//! repository (`/var/cache/plimsoll-test`, or `$PLIMSOLL_TEST_CACHE`), rebuilt when
//! missing: a BusyBox root from Debian's busybox-static, and a Debian bookworm minbase
//! root from debootstrap with the mirror apt already uses.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn cache_dir() -> PathBuf {
    std::env::var_os("PLIMSOLL_TEST_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/plimsoll-test"))
}

fn run(cmd: &mut Command) {
    let status = cmd.status().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(status.success(), "{cmd:?} failed: {status}");
}

/// A ~2 MB root: /bin/busybox, its applet links, passwd/group with root, app, nobody.
pub fn busybox() -> PathBuf {
    let dir = cache_dir().join("busybox-rootfs");
    if dir.join("bin/busybox").is_file() {
        return dir;
    }
    let busybox = Path::new("/bin/busybox");
    assert!(
        busybox.is_file(),
        "/bin/busybox is missing: apt-get install -y busybox-static"
    );
    let tmp = cache_dir().join("busybox-rootfs.tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    for d in ["bin", "etc", "tmp", "root", "home/app"] {
        std::fs::create_dir_all(tmp.join(d)).unwrap();
    }
    std::fs::copy(busybox, tmp.join("bin/busybox")).unwrap();
    let list = Command::new(busybox).arg("--list").output().unwrap();
    for applet in String::from_utf8_lossy(&list.stdout).lines() {
        if applet != "busybox" {
            std::os::unix::fs::symlink("busybox", tmp.join("bin").join(applet)).unwrap();
        }
    }
    std::fs::write(
        tmp.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    )
    .unwrap();
    std::fs::write(
        tmp.join("etc/group"),
        "root:x:0:\napp:x:1000:\nstaff:x:50:app\nnogroup:x:65534:\n",
    )
    .unwrap();
    run(Command::new("chmod").arg("1777").arg(tmp.join("tmp")));
    run(Command::new("chown")
        .arg("1000:1000")
        .arg(tmp.join("home/app")));
    std::fs::rename(&tmp, &dir).unwrap();
    dir
}

/// The Debian mirror apt uses (deb822 `URIs:` or one-line `deb URL`).
pub fn mirror() -> String {
    let mut files = vec![PathBuf::from("/etc/apt/sources.list")];
    if let Ok(entries) = std::fs::read_dir("/etc/apt/sources.list.d") {
        let mut more: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        more.sort();
        files.extend(more);
    }
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for line in text.lines() {
            let line = line.trim();
            if let Some(uris) = line.strip_prefix("URIs:") {
                if let Some(uri) = uris.split_whitespace().find(|u| !u.contains("security")) {
                    return uri.to_string();
                }
            } else if let Some(rest) = line.strip_prefix("deb ")
                && let Some(uri) = rest.split_whitespace().find(|w| w.starts_with("http"))
                && !uri.contains("security")
            {
                return uri.to_string();
            }
        }
    }
    "http://deb.debian.org/debian".to_string()
}

/// Debian bookworm minbase (~175 MB), made once with debootstrap (about a minute).
pub fn debian() -> PathBuf {
    let dir = cache_dir().join("debian-bookworm-rootfs");
    if dir.join("usr/bin/apt-get").is_file() {
        return dir;
    }
    let tmp = cache_dir().join("debian-bookworm-rootfs.tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    eprintln!(
        "e2e: debootstrap --variant=minbase bookworm (once; cached in {})",
        cache_dir().display()
    );
    run(Command::new("debootstrap")
        .arg("--variant=minbase")
        .arg("bookworm")
        .arg(&tmp)
        .arg(mirror())
        .stdout(std::process::Stdio::null()));
    if let Ok(entries) = std::fs::read_dir(tmp.join("var/cache/apt/archives")) {
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "deb") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    std::fs::rename(&tmp, &dir).unwrap();
    dir
}
