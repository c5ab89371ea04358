//! End-to-end tests as root: real builds in the real sandbox from a BusyBox and a Debian
//! base, images checked with skopeo, umoci and buildah, and the host left as it was (no
//! mounts, no processes, no work directories). Run with
//! `PLIMSOLL_E2E=1 cargo test -p plimsoll-engine --test e2e [-- FILTER]` as root; without
//! `PLIMSOLL_E2E` they are skipped (so `cargo test --workspace` needs neither root nor the
//! packages).

mod bases;
mod cases;

use std::panic::AssertUnwindSafe;
use std::time::Instant;

type Case = (&'static str, fn(&cases::World));

fn mounts() -> Vec<String> {
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("plimsoll"))
        .map(str::to_string)
        .collect()
}

fn children() -> Vec<String> {
    let me = std::process::id().to_string();
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid …
        let after = stat.rsplit_once(") ").map(|x| x.1).unwrap_or("");
        if after.split_whitespace().nth(1) == Some(me.as_str()) {
            out.push(stat);
        }
    }
    out
}

fn main() {
    plimsoll_engine::sandbox::enter_if_requested();
    if std::env::var_os("PLIMSOLL_E2E").is_none() {
        eprintln!(
            "e2e: skipped; as root, run `PLIMSOLL_E2E=1 cargo test -p plimsoll-engine --test e2e` \
             (needs skopeo umoci busybox-static debootstrap buildah, and Debian's mirror)"
        );
        return;
    }
    assert!(
        nix::unistd::geteuid().is_root(),
        "PLIMSOLL_E2E is set but the end-to-end tests need root (namespaces, overlayfs)"
    );
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let all: Vec<Case> = cases::all();
    let selected: Vec<&Case> = all
        .iter()
        .filter(|(name, _)| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str())))
        .collect();
    let before = mounts();
    let world = cases::World::new();
    let mut failed = Vec::new();
    for (name, case) in selected {
        let started = Instant::now();
        eprintln!("e2e {name} ...");
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| case(&world)));
        let leaked_mounts: Vec<String> = mounts()
            .into_iter()
            .filter(|m| !before.contains(m))
            .collect();
        let leaked_children = children();
        let ok = result.is_ok() && leaked_mounts.is_empty() && leaked_children.is_empty();
        if !leaked_mounts.is_empty() {
            eprintln!("  mounts left behind: {leaked_mounts:#?}");
        }
        if !leaked_children.is_empty() {
            eprintln!("  processes left behind: {leaked_children:#?}");
        }
        eprintln!(
            "e2e {name} {} ({:.1}s)",
            if ok { "ok" } else { "FAILED" },
            started.elapsed().as_secs_f64()
        );
        if !ok {
            failed.push(*name);
        }
    }
    let leftovers = world.leftover_work_dirs();
    if !leftovers.is_empty() {
        eprintln!("work directories left in the store: {leftovers:?}");
        failed.push("(cleanup)");
    }
    drop(world);
    if failed.is_empty() {
        eprintln!("e2e: all passed");
    } else {
        eprintln!("e2e: FAILED: {failed:?}");
        std::process::exit(1);
    }
}
