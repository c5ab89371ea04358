//! The real binary, run as a user would: exit codes, formats, pragmas, discovery, bad input.

mod common;

use common::{plimsoll, project};

use insta_cmd::assert_cmd_snapshot;
use std::process::Stdio;

const BAD: &str = "FROM debian:12\nRUNN apt-get update\nCOPY app.py\n";
const CLEAN: &str = "FROM debian:12\nRUN echo ok\n";

#[test]
fn clean_file_exits_zero() {
    let dir = project(&[(
        "Dockerfile",
        "FROM debian:12@sha256:0000000000000000000000000000000000000000000000000000000000000000\nUSER 1000\nCMD [\"true\"]\n",
    )]);
    let out = plimsoll(dir.path())
        .args(["check", "Dockerfile"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("All clear"));
}

#[test]
fn full_format() {
    let dir = project(&[("Dockerfile", BAD)]);
    assert_cmd_snapshot!(
        plimsoll(dir.path()).args(["check", "--select", "PL000", "--color", "never"])
    );
}

#[test]
fn concise_format() {
    let dir = project(&[("Dockerfile", BAD)]);
    assert_cmd_snapshot!(
        plimsoll(dir.path()).args(["check", "--select", "PL000", "--format", "concise"])
    );
}

#[test]
fn json_format() {
    let dir = project(&[("Dockerfile", "FROM debian:12\nRUN echo é && RUNN\nCOPY x\n")]);
    assert_cmd_snapshot!(
        plimsoll(dir.path()).args(["check", "--select", "PL000", "--format", "json"])
    );
}

#[test]
fn json_columns_count_characters() {
    let dir = project(&[("Dockerfile", "FROM debian:12\nLABEL é=\"ü\"\nRUNN x\n")]);
    let out = plimsoll(dir.path())
        .args(["check", "--select", "PL000", "--format", "json"])
        .output()
        .unwrap();
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &findings[0];
    assert_eq!(first["start"]["line"], 3);
    assert_eq!(first["start"]["column"], 1);
    assert_eq!(first["end"]["column"], 5);
    assert_eq!(first["byte_start"], 29);
}

#[test]
fn missing_file_is_a_usage_error() {
    let dir = project(&[]);
    assert_cmd_snapshot!(plimsoll(dir.path()).args(["check", "nope/Dockerfile"]));
}

#[test]
fn directory_without_dockerfiles() {
    let dir = project(&[("src/main.rs", "fn main() {}\n")]);
    assert_cmd_snapshot!(plimsoll(dir.path()).args(["check", "src"]));
}

#[test]
fn non_utf8_and_binary_input() {
    let dir = project(&[("good/Dockerfile", CLEAN)]);
    std::fs::create_dir_all(dir.path().join("bad")).unwrap();
    std::fs::write(
        dir.path().join("bad/Dockerfile"),
        b"FROM debian\nRUN echo \xff\xfe\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("bad/x.Dockerfile"), b"\x7fELF\x00\x00\x01").unwrap();
    assert_cmd_snapshot!(
        plimsoll(dir.path()).args(["check", "--format", "concise", "--select", "PL000", "."])
    );
}

#[test]
fn unknown_selector_is_rejected() {
    let dir = project(&[("Dockerfile", CLEAN)]);
    assert_cmd_snapshot!(plimsoll(dir.path()).args(["check", "--select", "PL999,DL3008"]));
}

#[test]
fn fail_level_and_exit_zero() {
    let dir = project(&[("Dockerfile", BAD)]);
    let code = |args: &[&str]| {
        plimsoll(dir.path())
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(
        code(&["check", "--select", "PL000", "--fail-level", "error"]),
        Some(1)
    );
    assert_eq!(
        code(&["check", "--select", "PL000", "--exit-zero"]),
        Some(0)
    );
    assert_eq!(
        code(&["check", "--select", "PL000", "--fail-level", "never"]),
        Some(0)
    );
}

#[test]
fn stdin_with_filename() {
    let dir = project(&[]);
    let mut child = plimsoll(dir.path())
        .args([
            "check",
            "-",
            "--stdin-filename",
            "services/api/Dockerfile",
            "--format",
            "concise",
            "--select",
            "PL000",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(BAD.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("services/api/Dockerfile:2:1: PL000"),
        "{stdout}"
    );
}

#[test]
fn discovery_honours_gitignore_and_skips_backups() {
    let dir = project(&[
        (".gitignore", "ignored/\n"),
        ("Dockerfile", BAD),
        ("Dockerfile.orig", BAD),
        ("Dockerfile~", BAD),
        ("svc/api.Dockerfile", BAD),
        ("svc/Containerfile", BAD),
        ("svc/Dockerfile.dev", BAD),
        (".devcontainer/Dockerfile", BAD),
        ("ignored/Dockerfile", BAD),
        ("notes/Dockerfile.md", "# not a Dockerfile\n"),
    ]);
    // .gitignore is honoured inside git repositories (as git, ripgrep and Ruff do).
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let out = plimsoll(dir.path())
        .args(["check", "--format", "concise", "--select", "PL000"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut files: Vec<&str> = stdout
        .lines()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    files.dedup();
    assert_eq!(
        files,
        vec![
            ".devcontainer/Dockerfile",
            "Dockerfile",
            "svc/Containerfile",
            "svc/Dockerfile.dev",
            "svc/api.Dockerfile"
        ]
    );
}

#[test]
fn output_is_deterministic() {
    let files: Vec<(String, &str)> = (0..40)
        .map(|i| (format!("d{i:02}/Dockerfile"), BAD))
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    let dir = project(&refs);
    let run = || {
        plimsoll(dir.path())
            .args(["check", "--format", "json"])
            .output()
            .unwrap()
            .stdout
    };
    let first = run();
    for _ in 0..3 {
        assert_eq!(run(), first);
    }
}

#[test]
fn broken_pipe_is_not_an_error() {
    let files: Vec<(String, &str)> = (0..200)
        .map(|i| (format!("d{i:03}/Dockerfile"), BAD))
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    let dir = project(&refs);
    let mut child = plimsoll(dir.path())
        .args(["check", "--format", "json", "--exit-zero"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn rule_docs() {
    let dir = project(&[]);
    assert_cmd_snapshot!(plimsoll(dir.path()).args(["rule", "PL000"]));
}

#[test]
fn unknown_rule() {
    let dir = project(&[]);
    assert_cmd_snapshot!(plimsoll(dir.path()).args(["rule", "XX1"]));
}

#[test]
fn rule_list() {
    let dir = project(&[]);
    assert_cmd_snapshot!(plimsoll(dir.path()).args(["rule", "--all"]));
}

#[test]
fn help_teaches() {
    let dir = project(&[]);
    assert_cmd_snapshot!(plimsoll(dir.path()).args(["check", "--help"]));
}

#[test]
fn pragmas_silence_rules() {
    let dir = project(&[(
        "Dockerfile",
        "# check=skip=SecretsUsedInArgOrEnv\nFROM debian:12\nENV API_TOKEN=changeme\n# hadolint ignore=DL3008,DL3015\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n# plimsoll: ignore=PL400\nCMD python3 app.py\nRUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\n",
    )]);
    let out = plimsoll(dir.path())
        .args([
            "check",
            "--format",
            "concise",
            "--select",
            "PL300,PL103,PL204,PL400",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    // Only the unsuppressed `git` on the last RUN remains.
    assert_eq!(
        stdout,
        "Dockerfile:8:66: PL103 `git` is not pinned: apt-get installs whatever version the mirror has that day\n"
    );
}

#[test]
fn select_and_ignore_by_alias() {
    let dir = project(&[(
        "Dockerfile",
        "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
    )]);
    let codes = |args: &[&str]| {
        let out = plimsoll(dir.path()).args(args).output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let mut codes: Vec<String> = stdout
            .lines()
            .map(|l| l.split(' ').nth(1).unwrap().to_string())
            .collect();
        codes.sort();
        codes.dedup();
        codes
    };
    assert_eq!(
        codes(&["check", "--format", "concise", "--select", "DL3008"]),
        vec!["PL103"]
    );
    let all = codes(&["check", "--format", "concise"]);
    assert!(
        all.contains(&"PL103".to_string()) && all.contains(&"PL202".to_string()),
        "{all:?}"
    );
    let without = codes(&["check", "--format", "concise", "--ignore", "DL3008,PL2"]);
    assert!(
        !without.iter().any(|c| c == "PL103" || c.starts_with("PL2")),
        "{without:?}"
    );
}

#[test]
fn build_context_secrets_respect_dockerignore() {
    let dir = project(&[
        ("Dockerfile", "FROM debian:12\nCOPY . /app\n"),
        (".env", "DEBUG=1\n"),
        ("id_rsa", "not really a key\n"),
        ("app.py", "print()\n"),
    ]);
    let run = |args: &[&str]| {
        String::from_utf8(plimsoll(dir.path()).args(args).output().unwrap().stdout).unwrap()
    };
    let before = run(&["check", "--format", "concise", "--select", "PL303"]);
    assert!(
        before.contains("PL303") && before.contains(".env") && before.contains("id_rsa"),
        "{before}"
    );
    std::fs::write(dir.path().join(".dockerignore"), ".env\n*_rsa\n").unwrap();
    assert_eq!(
        run(&["check", "--format", "concise", "--select", "PL303"]),
        ""
    );
    std::fs::remove_file(dir.path().join(".dockerignore")).unwrap();
    assert_eq!(
        run(&[
            "check",
            "--format",
            "concise",
            "--select",
            "PL303",
            "--no-context"
        ]),
        ""
    );
}

#[test]
fn build_args_resolve_from() {
    let dir = project(&[("Dockerfile", "ARG TAG=latest\nFROM debian:${TAG}\n")]);
    let run = |args: &[&str]| {
        String::from_utf8(plimsoll(dir.path()).args(args).output().unwrap().stdout).unwrap()
    };
    assert!(run(&["check", "--format", "concise", "--select", "PL101"]).contains("PL101"));
    assert_eq!(
        run(&[
            "check",
            "--format",
            "concise",
            "--select",
            "PL101",
            "--build-arg",
            "TAG=12"
        ]),
        ""
    );
}

const FIXABLE: &str = "FROM debian:12\n# keep this comment\nRUN apt-get update && apt-get install curl=7.88 && rm -rf /var/lib/apt/lists/*\nUSER app\nCMD python3 app.py\n";
const FIXED: &str = "FROM debian:12\n# keep this comment\nRUN apt-get update && apt-get install -y curl=7.88 && rm -rf /var/lib/apt/lists/*\nUSER app\nCMD [\"python3\", \"app.py\"]\n";

#[test]
fn diff_shows_and_writes_nothing() {
    let dir = project(&[("Dockerfile", FIXABLE)]);
    assert_cmd_snapshot!(plimsoll(dir.path()).args(["check", "--diff", "--select", "PL203,PL400"]));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        FIXABLE
    );
}

#[test]
fn fix_writes_atomically_and_keeps_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[("Dockerfile", FIXABLE)]);
    let path = dir.path().join("Dockerfile");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert_cmd_snapshot!(plimsoll(dir.path()).args([
        "check",
        "--fix",
        "--show-fixes",
        "--select",
        "PL203,PL400,PL204"
    ]));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), FIXED);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    // Nothing left to fix: a second run changes nothing and exits on the remaining finding.
    let out = plimsoll(dir.path())
        .args(["check", "--diff", "--select", "PL203,PL400"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn unsafe_fixes_need_the_flag() {
    let dir = project(&[("Dockerfile", FIXABLE)]);
    let path = dir.path().join("Dockerfile");
    plimsoll(dir.path())
        .args(["check", "--fix", "--select", "PL204"])
        .output()
        .unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), FIXABLE);
    plimsoll(dir.path())
        .args(["check", "--fix", "--unsafe-fixes", "--select", "PL204"])
        .output()
        .unwrap();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("install --no-install-recommends curl")
    );
}

#[test]
fn fix_through_a_symlink_rewrites_the_target() {
    let dir = project(&[("real/Dockerfile", FIXABLE)]);
    std::os::unix::fs::symlink("real/Dockerfile", dir.path().join("Dockerfile")).unwrap();
    let out = plimsoll(dir.path())
        .args(["check", "Dockerfile", "--fix", "--select", "PL203,PL400"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::symlink_metadata(dir.path().join("Dockerfile"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("real/Dockerfile")).unwrap(),
        FIXED
    );
}

#[test]
fn read_only_file_is_not_fixed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[("Dockerfile", FIXABLE)]);
    let path = dir.path().join("Dockerfile");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = plimsoll(dir.path())
        .args(["check", "--fix", "--select", "PL203"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only: not fixed"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), FIXABLE);
}

#[test]
fn stdin_fix_prints_the_fixed_text() {
    let dir = project(&[]);
    let mut child = plimsoll(dir.path())
        .args(["check", "-", "--fix", "--select", "PL203,PL400"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(FIXABLE.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), FIXED);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn configured_rule_options_reach_the_rules() {
    let dir = project(&[
        (
            "plimsoll.toml",
            "select = [\"DL3026\", \"PL728\", \"DL3049\", \"DL3052\"]\ntrusted-registries = [\"registry.corp.example\"]\nallowed-images = [\"registry.corp.example/debian:*\"]\n\n[label-schema]\n\"org.opencontainers.image.source\" = \"url\"\nteam = \"text\"\n",
        ),
        (
            "Dockerfile",
            "FROM ghcr.io/x/debian:12\nLABEL org.opencontainers.image.source=\"not a url\"\n",
        ),
    ]);
    let out = plimsoll(dir.path())
        .args(["check", "--format", "concise"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let codes: Vec<&str> = stdout
        .lines()
        .map(|l| l.split(' ').nth(1).unwrap())
        .collect();
    // Untrusted registry, base image not allowed, required `team` label missing, `source`
    // not a URL.
    assert_eq!(codes, vec!["PL709", "PL728", "PL931", "PL934"], "{stdout}");
}
