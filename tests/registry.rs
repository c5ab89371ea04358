//! `plimsoll pull`, `push` and `build` against a real registry (Debian's
//! `docker-registry` on loopback, started by the engine's test support), with skopeo on
//! the other side. Skipped when the tools are missing, unless PLIMSOLL_REQUIRE_TOOLS is
//! set; the build part needs root (it is skipped otherwise).

#[allow(dead_code)]
mod common;
#[path = "../engine/tests/support/mod.rs"]
mod support;

use common::plimsoll;
use std::process::{Command, Output};
use support::{Auth, Registry, run};

fn ready() -> bool {
    support::tools(&["docker-registry", "skopeo", "htpasswd", "python3"])
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).trim().to_string()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn skopeo_digest(reference: &str, creds: Option<&str>) -> String {
    let mut cmd = Command::new("skopeo");
    cmd.args(["inspect", "--tls-verify=false"]);
    if let Some(creds) = creds {
        cmd.args(["--creds", creds]);
    }
    let info: serde_json::Value = serde_json::from_slice(&run(cmd.arg(reference))).unwrap();
    info["Digest"].as_str().unwrap().to_string()
}

#[test]
fn pull_build_and_push_through_a_registry() {
    if !ready() {
        return;
    }
    let registry = Registry::start(Auth::None);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let layout = dir.join("layout");
    let (index, _native) = support::multi(&layout, "v1", &[("hello", b"base bytes")]);
    let host = registry.host.as_str();
    run(Command::new("skopeo").args([
        "copy",
        "--quiet",
        "--all",
        "--dest-tls-verify=false",
        &format!("oci:{}:v1", layout.display()),
        &format!("docker://{host}/base:v1"),
    ]));
    let root = dir.join("root");
    let root = root.to_str().unwrap();
    // No credentials, whatever the machine has.
    let pull = |args: &[&str]| {
        let mut cmd = plimsoll(dir);
        cmd.env("DOCKER_CONFIG", dir.join("no-docker-config"))
            .arg("pull")
            .args(["--root", root])
            .args(args)
            .output()
            .unwrap()
    };

    // HTTPS unless asked: a one-line error with the way out.
    let refused = pull(&[&format!("{host}/base:v1")]);
    assert_eq!(refused.status.code(), Some(2));
    let message = text(&refused.stderr);
    assert!(
        message.contains(&format!("pass --insecure-registry {host}"))
            && message.lines().count() == 1,
        "{message}"
    );
    let bad_flag = pull(&["--insecure-registry", "http://x/", "x"]);
    assert_eq!(bad_flag.status.code(), Some(2));

    let digest = ok(pull(&[
        "--insecure-registry",
        host,
        &format!("{host}/base:v1"),
    ]));
    assert_eq!(
        digest, index,
        "stdout is the digest the reference resolved to"
    );

    if is_root() {
        std::fs::create_dir_all(dir.join("ctx")).unwrap();
        std::fs::write(
            dir.join("ctx/Dockerfile"),
            format!("FROM {host}/base:v1\nCOPY f /f\n"),
        )
        .unwrap();
        std::fs::write(dir.join("ctx/f"), "added\n").unwrap();
        let built = ok(plimsoll(dir)
            .env("DOCKER_CONFIG", dir.join("no-docker-config"))
            .args(["build", "--root", root, "--progress", "quiet", "--pull"])
            .args(["--insecure-registry", host, "--tag", "app:1", "ctx"])
            .output()
            .unwrap());
        let pushed = ok(plimsoll(dir)
            .args(["push", "--root", root, "--insecure-registry", host, "app:1"])
            .arg(format!("{host}/team/app:1"))
            .output()
            .unwrap());
        assert_eq!(pushed, built, "a stored image is pushed byte for byte");
        assert_eq!(
            skopeo_digest(&format!("docker://{host}/team/app:1"), None),
            built
        );
    }

    // An OCI layout pushed: skopeo sees the digest Plimsoll printed.
    let single = dir.join("single");
    support::single(&single, "v2", &[("hello", b"from a layout")]);
    let pushed = ok(plimsoll(dir)
        .args(["push", "--root", root, "--insecure-registry", host])
        .arg(format!("oci:{}:v2", single.display()))
        .arg(format!("{host}/layout:v2"))
        .output()
        .unwrap());
    assert_eq!(
        skopeo_digest(&format!("docker://{host}/layout:v2"), None),
        pushed
    );
}

#[test]
fn credentials_come_from_docker_config() {
    if !ready() {
        return;
    }
    let registry = Registry::start(Auth::Basic("ci", "pa55"));
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let layout = dir.join("layout");
    support::single(&layout, "v1", &[("hello", b"private")]);
    let host = registry.host.as_str();
    let docker_config = dir.join("docker");
    std::fs::create_dir_all(&docker_config).unwrap();
    std::fs::copy(
        registry.docker_config("ci", "pa55"),
        docker_config.join("config.json"),
    )
    .unwrap();
    let push = |config: &std::path::Path| {
        plimsoll(dir)
            .env("DOCKER_CONFIG", config)
            .args(["push", "--root", dir.join("root").to_str().unwrap()])
            .args(["--insecure-registry", host])
            .arg(format!("oci:{}:v1", layout.display()))
            .arg(format!("{host}/private:v1"))
            .output()
            .unwrap()
    };
    let anonymous = push(&dir.join("none"));
    assert_eq!(anonymous.status.code(), Some(2));
    assert!(
        text(&anonymous.stderr).contains("no credentials for"),
        "{}",
        text(&anonymous.stderr)
    );
    let pushed = ok(push(&docker_config));
    assert_eq!(
        skopeo_digest(&format!("docker://{host}/private:v1"), Some("ci:pa55")),
        pushed
    );
}

#[test]
fn check_pins_digests_and_reports_moved_tags() {
    if !ready() {
        return;
    }
    let registry = Registry::start(Auth::Basic("ci", "pa55"));
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let host = registry.host.as_str();
    let copy = |layout: &std::path::Path, tag: &str, to: &str| {
        run(Command::new("skopeo").args([
            "copy",
            "--quiet",
            "--all",
            "--dest-tls-verify=false",
            "--dest-creds",
            "ci:pa55",
            &format!("oci:{}:{tag}", layout.display()),
            &format!("docker://{host}/{to}"),
        ]));
    };
    // A multi-platform image: the pin is the index digest, which every platform builds from.
    let (index, _native) = support::multi(&dir.join("multi"), "v1", &[("hello", b"first")]);
    copy(&dir.join("multi"), "v1", "base:v1");
    let docker_config = dir.join("docker");
    std::fs::create_dir_all(&docker_config).unwrap();
    std::fs::copy(
        registry.docker_config("ci", "pa55"),
        docker_config.join("config.json"),
    )
    .unwrap();

    let dockerfile = dir.join("Dockerfile");
    let original = format!(
        "FROM {host}/base:v1 AS build\nRUN true\n\nFROM {host}/missing:v1\nCOPY --from=build / /\n\nFROM {host}/base:v1\n"
    );
    std::fs::write(&dockerfile, &original).unwrap();
    let check = |config: &std::path::Path, args: &[&str]| {
        plimsoll(dir)
            .env("DOCKER_CONFIG", config)
            .args([
                "check",
                "--isolated",
                "--format",
                "concise",
                "--select",
                "PL1",
            ])
            .args(["--insecure-registry", host])
            .args(args)
            .arg("Dockerfile")
            .output()
            .unwrap()
    };

    // Without credentials nothing can be looked up: one warning an image, the file as it
    // was, the findings reported (PL102 is enabled by --pin-digests).
    let anonymous = check(&dir.join("none"), &["--pin-digests", "--fix"]);
    let stderr = text(&anonymous.stderr);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 2, "{stderr}");
    assert!(
        warnings.iter().all(|w| w.contains("no credentials for")),
        "{stderr}"
    );
    assert_eq!(anonymous.status.code(), Some(1), "{stderr}");
    assert_eq!(std::fs::read_to_string(&dockerfile).unwrap(), original);
    assert_eq!(text(&anonymous.stdout).matches("PL102").count(), 3);

    // With them: both FROMs of base:v1 pinned to the index digest; the image the registry
    // does not have is one warning, and stays as it was (still reported).
    let pinned = check(&docker_config, &["--pin-digests", "--fix"]);
    let stderr = text(&pinned.stderr);
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .collect::<Vec<_>>(),
        [format!(
            "warning: cannot look up the digest of {host}/missing:v1: manifest {host}/missing:v1: HTTP 404: MANIFEST_UNKNOWN: manifest unknown"
        )],
        "{stderr}"
    );
    let expected = format!(
        "FROM {host}/base:v1@{index} AS build\nRUN true\n\nFROM {host}/missing:v1\nCOPY --from=build / /\n\nFROM {host}/base:v1@{index}\n"
    );
    assert_eq!(std::fs::read_to_string(&dockerfile).unwrap(), expected);
    let stdout = text(&pinned.stdout);
    assert_eq!(pinned.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Dockerfile:4:6: PL102") && stdout.matches("PL102").count() == 1,
        "{stdout}"
    );

    // The tags still point at the pins: nothing to report.
    let same = check(&docker_config, &["--check-digests"]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stdout));
    assert!(text(&same.stderr).is_empty(), "{}", text(&same.stderr));

    // The tag moves to another image: both pins are reported, the file is left alone,
    // and nothing unpinned is looked up or pinned.
    let moved = dir.join("moved");
    let retagged = support::single(&moved, "v2", &[("hello", b"second")]);
    copy(&moved, "v2", "base:v1");
    let stale = check(&docker_config, &["--check-digests", "--fix"]);
    let stdout = text(&stale.stdout);
    assert_eq!(stale.status.code(), Some(1), "{stdout}");
    for line in [1, 7] {
        assert!(
            stdout.contains(&format!(
                "Dockerfile:{line}:6: PL111 `{host}/base:v1` is pinned to `{index}`, but the tag now points at `{retagged}`"
            )),
            "{stdout}"
        );
    }
    assert_eq!(stdout.matches("PL111").count(), 2, "{stdout}");
    assert!(!stdout.contains("PL102"), "{stdout}");
    assert!(text(&stale.stderr).is_empty(), "{}", text(&stale.stderr));
    assert_eq!(std::fs::read_to_string(&dockerfile).unwrap(), expected);

    // Moving to the new image is the unsafe fix.
    let updated = check(
        &docker_config,
        &["--check-digests", "--fix", "--unsafe-fixes"],
    );
    assert_eq!(updated.status.code(), Some(0), "{}", text(&updated.stdout));
    assert_eq!(
        std::fs::read_to_string(&dockerfile).unwrap(),
        expected.replace(&index, &retagged)
    );
}
