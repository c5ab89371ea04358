//! Configuration end to end, through the real binary: plimsoll.toml discovery and
//! precedence, per-file ignores, severity overrides, --config / --isolated, migration from
//! .hadolint.yaml and HADOLINT_* variables, bad configuration, pragmas.

mod common;

use common::project;

use insta_cmd::assert_cmd_snapshot;
use std::path::Path;
use std::process::Command;

/// The binary in `dir`, with a home of its own and no hadolint variables, so that the
/// developer's own configuration cannot leak in.
fn plimsoll(dir: &Path) -> Command {
    // No configuration from the machine running the tests: a scratch HOME, no XDG or
    // HADOLINT_* variables.
    let mut cmd = common::plimsoll(dir);
    cmd.env("HOME", dir.join("home"))
        .env_remove("XDG_CONFIG_HOME");
    for (name, _) in std::env::vars() {
        if name.starts_with("HADOLINT_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

struct Run {
    code: Option<i32>,
    /// `file:line CODE` for each finding of the concise output.
    findings: Vec<String>,
    stderr: String,
}

fn execute(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let findings = stdout
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(4, ':');
            let (file, line, _col, rest) =
                (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            let code = rest.split_whitespace().next()?;
            Some(format!("{file}:{line} {code}"))
        })
        .collect();
    Run {
        code: out.status.code(),
        findings,
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn check(dir: &Path, args: &[&str]) -> Run {
    execute(
        plimsoll(dir)
            .args(["check", "--format", "concise"])
            .args(args),
    )
}

/// The findings with one of `codes`.
fn only(run: &Run, codes: &[&str]) -> Vec<String> {
    run.findings
        .iter()
        .filter(|f| codes.iter().any(|c| f.ends_with(&format!(" {c}"))))
        .cloned()
        .collect()
}

const UNTAGGED: &str = "FROM debian\n";
const LATEST: &str = "FROM debian:latest\n";
const APT: &str = "FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n";

#[test]
fn the_nearest_configuration_wins() {
    let dir = project(&[
        ("plimsoll.toml", "ignore = [\"PL101\"]\n"),
        ("Dockerfile", LATEST),
        ("a/.plimsoll.toml", "ignore = [\"PL100\"]\n"),
        ("a/Dockerfile", UNTAGGED),
        ("a/b/Dockerfile", LATEST),
        ("c/Dockerfile", UNTAGGED),
    ]);
    let run = check(dir.path(), &[]);
    // Root: PL101 ignored. a/ and below: only a/.plimsoll.toml applies (no merging), so
    // PL100 is ignored and PL101 is back. c/: the root's.
    assert_eq!(
        only(&run, &["PL100", "PL101"]),
        ["a/b/Dockerfile:1 PL101", "c/Dockerfile:1 PL100"]
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn plimsoll_toml_is_preferred_to_the_hidden_name() {
    let dir = project(&[
        ("plimsoll.toml", "ignore = [\"PL101\"]\n"),
        (".plimsoll.toml", "ignore = [\"PL100\"]\n"),
        ("Dockerfile", LATEST),
    ]);
    assert!(only(&check(dir.path(), &[]), &["PL101"]).is_empty());
}

#[test]
fn the_command_line_wins_over_the_configuration() {
    let dir = project(&[
        (
            "plimsoll.toml",
            "ignore = [\"PL1\"]\nfail-level = \"error\"\n",
        ),
        ("Dockerfile", APT),
    ]);
    let run = check(dir.path(), &[]);
    assert!(only(&run, &["PL103"]).is_empty());
    assert_eq!(
        run.code,
        Some(0),
        "warnings do not fail at fail-level error"
    );
    // --extend-select re-enables what the configuration ignores.
    let run = check(dir.path(), &["--extend-select", "DL3008"]);
    assert_eq!(only(&run, &["PL103"]), ["Dockerfile:2 PL103"]);
    assert_eq!(run.code, Some(0));
    // --fail-level replaces the configuration's.
    let run = check(
        dir.path(),
        &["--extend-select", "DL3008", "--fail-level", "warning"],
    );
    assert_eq!(run.code, Some(1));
    // --select starts over.
    let run = check(dir.path(), &["--select", "PL103"]);
    assert_eq!(run.findings, ["Dockerfile:2 PL103"]);
}

#[test]
fn per_file_ignores_are_relative_to_the_configuration() {
    let dir = project(&[
        (
            "repo/plimsoll.toml",
            "[per-file-ignores]\n\"legacy/**\" = [\"PL100\"]\n\"Dockerfile.dev\" = [\"image-latest-tag\"]\n",
        ),
        ("repo/legacy/old/Dockerfile", UNTAGGED),
        ("repo/new/Dockerfile", UNTAGGED),
        ("repo/new/Dockerfile.dev", LATEST),
        ("legacy/Dockerfile", UNTAGGED),
    ]);
    // Run from above the configuration's directory: `legacy/**` is repo/legacy, not ./legacy.
    let run = check(dir.path(), &["--select", "PL100,PL101"]);
    assert_eq!(
        run.findings,
        ["legacy/Dockerfile:1 PL100", "repo/new/Dockerfile:1 PL100"]
    );
    // And from inside a subdirectory.
    let run = check(&dir.path().join("repo/new"), &["--select", "PL100,PL101"]);
    assert_eq!(run.findings, ["Dockerfile:1 PL100"]);
}

#[test]
fn severity_overrides_and_fail_level() {
    let dir = project(&[
        (
            "plimsoll.toml",
            "select = [\"PL103\", \"PL204\"]\nfail-level = \"error\"\n\n[severity]\nDL3008 = \"error\"\nPL2 = \"style\"\n",
        ),
        ("Dockerfile", APT),
    ]);
    let out = plimsoll(dir.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "an error at fail-level error");
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut severities: Vec<(String, String)> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    severities.sort();
    assert_eq!(
        severities,
        [
            ("PL103".to_string(), "error".to_string()),
            ("PL204".to_string(), "style".to_string())
        ]
    );
}

#[test]
fn explicit_config_and_isolated() {
    let dir = project(&[
        ("plimsoll.toml", "ignore = [\"PL100\"]\n"),
        (
            "ci/strict.toml",
            "select = [\"PL100\", \"PL101\"]\n[per-file-ignores]\n\"images/*\" = [\"PL101\"]\n",
        ),
        ("Dockerfile", UNTAGGED),
        ("sub/Dockerfile", LATEST),
        ("ci/images/Dockerfile", LATEST),
        (".hadolint.yaml", "ignored: [DL3007]\n"),
    ]);
    assert!(only(&check(dir.path(), &[]), &["PL100"]).is_empty());
    // One file for all; its per-file ignores are relative to its own directory.
    let run = check(dir.path(), &["--config", "ci/strict.toml"]);
    assert_eq!(
        run.findings,
        ["Dockerfile:1 PL100", "sub/Dockerfile:1 PL101"]
    );
    let run = check(dir.path(), &["--isolated", "--select", "PL100,PL101"]);
    assert_eq!(
        run.findings,
        [
            "Dockerfile:1 PL100",
            "ci/images/Dockerfile:1 PL101",
            "sub/Dockerfile:1 PL101"
        ]
    );
    assert_eq!(
        run.stderr, "",
        "--isolated reads no hadolint configuration either"
    );
    // A YAML file given to --config is read as hadolint's, with its variables on top.
    let run = check(dir.path(), &["--config", ".hadolint.yaml"]);
    assert_eq!(only(&run, &["PL100", "PL101"]), ["Dockerfile:1 PL100"]);
    let run = execute(
        plimsoll(dir.path())
            .args(["check", "--format", "concise", "--config", ".hadolint.yaml"])
            .env("HADOLINT_IGNORE", "DL3006"),
    );
    assert!(only(&run, &["PL100", "PL101"]).is_empty());
}

#[test]
fn require_digests_enables_the_digest_rule() {
    let dir = project(&[
        ("plimsoll.toml", "require-digests = true\n"),
        ("Dockerfile", "FROM debian:12\n"),
    ]);
    assert_eq!(
        only(&check(dir.path(), &[]), &["PL102"]),
        ["Dockerfile:1 PL102"]
    );
}

#[test]
fn hadolint_configuration_is_used_without_a_plimsoll_one() {
    let dir = project(&[
        (
            ".hadolint.yaml",
            "ignored:\n  - DL3006\n  - SC2086\noverride:\n  error:\n    - DL3007\nfailure-threshold: error\ntrustedRegistries:\n  - docker.io\n",
        ),
        ("Dockerfile", UNTAGGED),
        ("b/Dockerfile", LATEST),
        (
            "b/c/Dockerfile",
            "FROM debian:12\nRUN apt-get install -y curl\n",
        ),
    ]);
    let run = check(dir.path(), &[]);
    let codes = ["PL100", "PL101", "PL103"];
    assert_eq!(
        only(&run, &codes),
        ["b/Dockerfile:1 PL101", "b/c/Dockerfile:2 PL103"]
    );
    // DL3007 became an error, and failure-threshold is error.
    assert_eq!(run.code, Some(1));
    // Said once, not once per file.
    assert_eq!(
        run.stderr,
        "note: using .hadolint.yaml from . (no plimsoll.toml applies; see the README's Configuration section)\n"
    );
    let run = check(dir.path(), &["--ignore", "PL101"]);
    assert_eq!(
        run.code,
        Some(0),
        "warnings are below failure-threshold error"
    );

    // A plimsoll.toml takes precedence: nothing is said, nothing of hadolint's applies.
    std::fs::write(dir.path().join("b/plimsoll.toml"), "").unwrap();
    let run = check(dir.path(), &["--fail-level", "error"]);
    assert_eq!(
        only(&run, &codes),
        ["b/Dockerfile:1 PL101", "b/c/Dockerfile:2 PL103"]
    );
    // DL3007 is no longer an error in b/; at the root, DL3006 is still ignored.
    assert_eq!(run.code, Some(0));
    std::fs::write(dir.path().join("plimsoll.toml"), "").unwrap();
    let run = check(dir.path(), &["--fail-level", "error"]);
    assert_eq!(run.stderr, "");
    assert_eq!(
        only(&run, &codes),
        [
            "Dockerfile:1 PL100",
            "b/Dockerfile:1 PL101",
            "b/c/Dockerfile:2 PL103"
        ]
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn hadolint_configuration_in_the_home_directory_and_environment() {
    let dir = project(&[
        ("home/.config/hadolint.yml", "ignored: [DL3006]\n"),
        ("Dockerfile", UNTAGGED),
        ("b/Dockerfile", APT),
    ]);
    let run = execute(
        plimsoll(dir.path())
            .args(["check", "--format", "concise"])
            .env("HADOLINT_IGNORE", "DL3015")
            .env("HADOLINT_OVERRIDE_INFO", "DL3008")
            .env("HADOLINT_FAILURE_THRESHOLD", "warning"),
    );
    let codes = ["PL100", "PL103", "PL204"];
    assert_eq!(only(&run, &codes), ["b/Dockerfile:2 PL103"]);
    // DL3008 is info now, below the threshold; so is everything else here.
    assert_eq!(run.code, Some(0));
    assert_eq!(
        run.stderr,
        "note: using hadolint.yml from home/.config and HADOLINT_FAILURE_THRESHOLD, HADOLINT_OVERRIDE_INFO, HADOLINT_IGNORE (no plimsoll.toml applies; see the README's Configuration section)\n"
    );
    let run = run_env_only(dir.path());
    assert_eq!(only(&run, &codes), ["Dockerfile:1 PL100"]);
    assert_eq!(run.code, Some(0));
}

fn run_env_only(dir: &Path) -> Run {
    std::fs::remove_file(dir.join("home/.config/hadolint.yml")).unwrap();
    let run = execute(
        plimsoll(dir)
            .args(["check", "--format", "concise"])
            .env("HADOLINT_IGNORE", "DL3008,DL3015")
            .env("HADOLINT_NOFAIL", "true"),
    );
    assert_eq!(
        run.stderr,
        "note: using hadolint settings from HADOLINT_NOFAIL, HADOLINT_IGNORE (no plimsoll.toml applies; see the README's Configuration section)\n"
    );
    run
}

#[test]
fn hadolint_disable_ignore_pragma() {
    let dir = project(&[
        (".hadolint.yaml", "disable-ignore-pragma: true\n"),
        ("Dockerfile", "# hadolint ignore=DL3006\nFROM debian\n"),
    ]);
    let run = check(dir.path(), &["--select", "PL100"]);
    assert_eq!(run.findings, ["Dockerfile:2 PL100"]);
}

#[test]
fn unknown_key_in_plimsoll_toml() {
    let dir = project(&[
        (
            "plimsoll.toml",
            "select = [\"PL1\"]\nignroe = [\"PL103\"]\n",
        ),
        ("Dockerfile", UNTAGGED),
    ]);
    assert_cmd_snapshot!(plimsoll(dir.path()).args(["check"]));
}

#[test]
fn unknown_rule_code_in_plimsoll_toml() {
    let dir = project(&[
        (
            "sub/plimsoll.toml",
            "# our rules\nextend-select = [\n    \"PL102\",\n    \"DL9999\",\n]\n",
        ),
        ("sub/Dockerfile", UNTAGGED),
        ("Dockerfile", UNTAGGED),
    ]);
    assert_cmd_snapshot!(plimsoll(dir.path()).args(["check"]));
}

#[test]
fn wrong_type_in_plimsoll_toml() {
    let dir = project(&[
        ("plimsoll.toml", "[severity]\nPL103 = \"critical\"\n"),
        ("Dockerfile", UNTAGGED),
    ]);
    assert_cmd_snapshot!(plimsoll(dir.path()).args(["check"]));
}

#[test]
fn wrong_type_in_hadolint_yaml() {
    let dir = project(&[
        (
            ".hadolint.yaml",
            "ignored:\n  - DL3008\nno-fail: sometimes\n",
        ),
        ("Dockerfile", UNTAGGED),
    ]);
    assert_cmd_snapshot!(plimsoll(dir.path()).args(["check"]));
}

#[test]
fn hadolint_yaml_warnings_do_not_stop_the_run() {
    let dir = project(&[
        (
            ".hadolint.yaml",
            "ignore:\n  - DL3006\nignored:\n  - DL9999\n",
        ),
        ("Dockerfile", UNTAGGED),
    ]);
    assert_cmd_snapshot!(
        plimsoll(dir.path()).args(["check", "--format", "concise", "--select", "PL100"])
    );
}

#[test]
fn missing_explicit_config() {
    let dir = project(&[("Dockerfile", UNTAGGED)]);
    let run = check(dir.path(), &["--config", "nope.toml"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .starts_with("error: nope.toml: cannot read the configuration:"),
        "{}",
        run.stderr
    );
}

#[test]
fn standard_input_uses_the_configuration_of_its_file_name() {
    let dir = project(&[("svc/plimsoll.toml", "ignore = [\"PL100\"]\n")]);
    let lint = |args: &[&str]| {
        let mut child = plimsoll(dir.path())
            .args(["check", "--format", "concise", "-"])
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(UNTAGGED.as_bytes())
            .unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
    };
    // Without a file name, the working directory's configuration (none here) applies.
    assert!(lint(&[]).contains(" PL100 "));
    assert!(!lint(&["--stdin-filename", "svc/Dockerfile"]).contains(" PL100 "));
}

#[test]
fn pragmas_through_the_binary() {
    let dir = project(&[(
        "Dockerfile",
        "# hadolint global ignore=DL3006\n# hadolint shell=powershell\nFROM mcr.microsoft.com/windows/servercore\n# plimsoll: ignore=PL101\nRUN apt-get install curl\n",
    )]);
    let run = check(dir.path(), &["--select", "PL100,PL103,PL001"]);
    // Global ignore silences PL100; the shell pragma quiets apt-get rules; the instruction
    // pragma for PL101 silences nothing (PL101 did not run, so it is not judged).
    assert_eq!(run.findings, Vec::<String>::new());
    let run = check(dir.path(), &["--select", "PL100,PL101,PL103,PL001"]);
    assert_eq!(run.findings, ["Dockerfile:4 PL001"]);
    // --fix deletes the unused pragma.
    let run = check(
        dir.path(),
        &["--select", "PL100,PL101,PL103,PL001", "--fix"],
    );
    assert_eq!(run.findings, Vec::<String>::new());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        "# hadolint global ignore=DL3006\n# hadolint shell=powershell\nFROM mcr.microsoft.com/windows/servercore\nRUN apt-get install curl\n"
    );
}

#[test]
fn shellcheck_codes_follow_the_configuration() {
    let dir = project(&[
        (".hadolint.yaml", "ignored:\n  - SC2086\n"),
        ("Dockerfile", "FROM debian:12\nRUN echo $HOME\n"),
        ("strict/plimsoll.toml", "[severity]\nSC2086 = \"error\"\n"),
        ("strict/Dockerfile", "FROM debian:12\nRUN echo $HOME\n"),
    ]);
    let run = check(dir.path(), &["--shellcheck", "always"]);
    assert_eq!(only(&run, &["SC2086"]), ["strict/Dockerfile:2 SC2086"]);
    let out = plimsoll(dir.path())
        .args([
            "check",
            "--format",
            "json",
            "--shellcheck",
            "always",
            "strict",
        ])
        .output()
        .unwrap();
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sc: Vec<_> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "SC2086")
        .map(|f| f["severity"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sc, ["error"]);
    let run = check(dir.path(), &["--shellcheck", "always", "--isolated"]);
    assert_eq!(only(&run, &["SC2086"]).len(), 2);
}
