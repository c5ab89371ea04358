//! What the root end-to-end tests of the binary share (`tests/run.rs`, `tests/optimize.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether root end-to-end tests run (`PLIMSOLL_E2E=1`, as root); says so when skipped.
pub fn e2e_enabled(what: &str) -> bool {
    if std::env::var_os("PLIMSOLL_E2E").is_none() {
        eprintln!("{what} e2e: skipped (set PLIMSOLL_E2E=1 and run as root)");
        return false;
    }
    true
}

/// The cached BusyBox root file system (made by bench/engine-bases.sh when missing).
pub fn busybox() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("bash")
        .arg("-c")
        .arg(". bench/engine-bases.sh && busybox_rootfs")
        .current_dir(root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}
