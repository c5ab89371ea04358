//! The CI output formats, run through the real binary: sarif (validated with Microsoft's
//! SARIF Multitool), github, gitlab, checkstyle, junit and `--statistics`.
//!
//! The snapshots select a fixed set of rules and turn ShellCheck off, so that new rules and
//! the local ShellCheck do not change them; `tests/shellcheck.rs` covers ShellCheck.

mod common;

use common::{plimsoll, project};

use insta_cmd::assert_cmd_snapshot;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Two files: XML and JSON special characters in a package name, a non-ASCII character
/// before a finding (columns count characters), continuation lines, a safe fix, a syntax
/// error, and a directory name with a space and a comma (escaped in paths and properties).
const FILES: &[(&str, &str)] = &[
    (
        "Dockerfile",
        "FROM debian:12\nRUN apt-get update && apt-get install \"foo<bar&baz\" \\\n  && echo \"100% sûr: é\" && apt-get install -y wget\nCMD python3 app.py\n",
    ),
    (
        "my app,v2/Dockerfile",
        "FROM debian:12\nRUNN echo 50%\nRUN apt-get install -y --no-install-recommends curl\n",
    ),
];

const SELECT: &[&str] = &[
    "check",
    "--shellcheck",
    "never",
    "--select",
    "PL000,PL103,PL203,PL400",
];

fn check(dir: &Path, extra: &[&str]) -> Command {
    let mut cmd = plimsoll(dir);
    cmd.args(SELECT).args(extra);
    cmd
}

#[test]
fn github_format() {
    let dir = project(FILES);
    assert_cmd_snapshot!(check(dir.path(), &["--format", "github"]));
}

#[test]
fn gitlab_format() {
    let dir = project(FILES);
    assert_cmd_snapshot!(check(dir.path(), &["--format", "gitlab"]));
}

#[test]
fn checkstyle_format() {
    let dir = project(FILES);
    assert_cmd_snapshot!(check(dir.path(), &["--format", "checkstyle"]));
}

#[test]
fn junit_format() {
    let dir = project(&[
        FILES[0],
        FILES[1],
        ("clean/Dockerfile", "FROM debian:12\nRUN true\n"),
    ]);
    assert_cmd_snapshot!(check(dir.path(), &["--format", "junit"]));
}

#[test]
fn statistics_table() {
    let dir = project(FILES);
    assert_cmd_snapshot!(check(dir.path(), &["--statistics"]));
}

#[test]
fn statistics_json_counts_unsafe_fixes_only_when_asked() {
    let dir = project(FILES);
    // PL204's fix (`--no-install-recommends`) is unsafe.
    let args = [
        "--extend-select",
        "PL204",
        "--statistics",
        "--format",
        "json",
    ];
    assert_cmd_snapshot!(check(dir.path(), &args).arg("--unsafe-fixes"));
    let out = check(dir.path(), &args).output().unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pl204 = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "PL204")
        .unwrap();
    assert_eq!(pl204["count"], 2);
    assert_eq!(pl204["fixable"], 0);
}

#[test]
fn statistics_when_clean() {
    let dir = project(&[("Dockerfile", "FROM debian:12\nRUN true\n")]);
    assert_cmd_snapshot!(check(dir.path(), &["--statistics"]));
}

/// The SARIF log, with the rule pages (tested by the docs test) left out of the snapshot.
#[test]
fn sarif_format() {
    let dir = project(FILES);
    let out = check(dir.path(), &["--format", "sarif"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mut log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for rule in log["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .unwrap()
    {
        let help = &mut rule["help"];
        assert!(
            help["markdown"]
                .as_str()
                .unwrap()
                .contains("## What it does")
        );
        *help = serde_json::json!("[the rule's page]");
    }
    insta::assert_json_snapshot!(log);
}

#[test]
fn outputs_are_deterministic() {
    let files: Vec<(String, &str)> = (0..30)
        .map(|i| (format!("d{i:02}/Dockerfile"), FILES[0].1))
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    let dir = project(&refs);
    for format in ["sarif", "github", "gitlab", "checkstyle", "junit"] {
        let run = || {
            check(dir.path(), &["--format", format])
                .output()
                .unwrap()
                .stdout
        };
        let first = run();
        assert_eq!(run(), first, "{format}");
    }
}

#[test]
fn gitlab_fingerprints_are_unique_and_survive_moved_lines() {
    let fingerprints = |text: &str| -> Vec<String> {
        let dir = project(&[("Dockerfile", text)]);
        let out = check(dir.path(), &["--format", "gitlab"]).output().unwrap();
        let issues: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        issues
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    let text = "FROM debian:12\nRUN apt-get install -y curl\nRUN apt-get install -y curl\n";
    let before = fingerprints(text);
    assert_eq!(before.len(), 2);
    assert_ne!(
        before[0], before[1],
        "identical findings get distinct prints"
    );
    let moved = fingerprints(&format!("# a comment\n\n{text}"));
    assert_eq!(before, moved);
}

/// `npx` in `tests/sarif/` (installing the pinned Multitool with `npm ci` the first time).
/// `None` when Node is not installed; CI (`CI=true`) installs it and never skips.
fn sarif_multitool() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif");
    let have = |program: &str| {
        Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("npm") || !have("npx") {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have node and npm to validate SARIF (see .ci/run)"
        );
        eprintln!("skipping SARIF validation: node/npm are not installed");
        return None;
    }
    if !dir.join("node_modules/.bin/sarif-multitool").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .unwrap();
        assert!(status.success(), "npm ci in tests/sarif failed");
    }
    Some(dir)
}

/// Runs `sarif-multitool validate` and returns its errors and warnings.
fn validate(multitool: &Path, sarif: &Path) -> Vec<String> {
    let report = sarif.with_extension("validation.sarif");
    let out = Command::new("npx")
        .args(["--no", "sarif-multitool", "validate"])
        .arg(sarif)
        .arg("--output")
        .arg(&report)
        .args(["--log", "ForceOverwrite"])
        .current_dir(multitool)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sarif-multitool failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    log["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| matches!(r["level"].as_str(), Some("error" | "warning") | None))
        .map(|r| {
            format!(
                "{} {}: {}",
                r["level"].as_str().unwrap_or("warning"),
                r["ruleId"].as_str().unwrap_or("?"),
                r["message"]
            )
        })
        .collect()
}

#[test]
fn sarif_passes_the_sarif_multitool_validator() {
    let Some(multitool) = sarif_multitool() else {
        return;
    };
    let dir = project(&[
        FILES[0],
        FILES[1],
        ("clean/Dockerfile", "FROM debian:12\nRUN true\n"),
        (
            "fixes/Dockerfile",
            // ShellCheck's findings (with suggested fixes) too, when it is installed.
            "FROM debian:12\nRUN apt-get update && apt-get install curl\nRUN cd /tmp; echo $name é\nCMD python3 app.py\n",
        ),
    ]);
    std::fs::write(dir.path().join("binary.Dockerfile"), b"\x7fELF\x00\x01").unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    // The harness itself: a log without the required `tool.driver.name` must be rejected.
    let broken = out_dir.path().join("broken.sarif");
    std::fs::write(
        &broken,
        r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}"#,
    )
    .unwrap();
    let problems = validate(&multitool, &broken);
    assert!(
        problems.iter().any(|p| p.starts_with("error JSON1002")),
        "{problems:?}"
    );
    // Everything (ShellCheck included when installed), a selection, and a clean run.
    let cases: &[(&str, &[&str])] = &[
        ("every-rule", &["--select", "ALL"]),
        (
            "selected",
            &[
                "--select",
                "PL000,PL103,PL203,PL400",
                "--shellcheck",
                "never",
            ],
        ),
        ("clean", &["clean/Dockerfile"]),
    ];
    for (name, args) in cases {
        let out = plimsoll(dir.path())
            .args(["check", "--format", "sarif"])
            .args(*args)
            .output()
            .unwrap();
        let path = out_dir.path().join(format!("{name}.sarif"));
        std::fs::write(&path, &out.stdout).unwrap();
        let problems = validate(&multitool, &path);
        assert!(
            problems.is_empty(),
            "{name}: the SARIF Multitool found:\n{}\n\nin:\n{}",
            problems.join("\n"),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
