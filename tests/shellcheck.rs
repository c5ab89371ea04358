//! ShellCheck on RUN bodies, with a real `shellcheck` (Debian's package; `.ci/run` installs
//! it, so CI never skips these tests).

mod common;

use common::{plimsoll, project};

use insta_cmd::assert_cmd_snapshot;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Whether `shellcheck` runs here. Outside CI a missing one skips the test, loudly.
fn have_shellcheck() -> bool {
    let found = Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have shellcheck installed (see .ci/run)"
        );
        eprintln!("skipping: shellcheck is not installed (apt-get install shellcheck)");
    }
    found
}

fn concise(dir: &Path, args: &[&str]) -> String {
    let out = plimsoll(dir)
        .args(["check", "--format", "concise"])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// Continuation lines, a non-ASCII character, ARG/ENV in scope, SHELL per stage (and
/// inherited by a stage built on it), a heredoc with its own `#!`, `<<-` tabs, CRLF, and
/// both pragma spellings.
const DOCKERFILE: &str = "FROM debian:12 AS base
ARG version
ENV HOME_DIR=/root
# hadolint ignore=SC2164
RUN cd /tmp && echo $version
RUN echo \"é\" $undefined \\
    && cd /opt
SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]
RUN [[ -n \"$HOME_DIR\" ]] && echo ${arr[@]}
FROM base AS next
RUN [[ -x /bin/sh ]] && echo $version
FROM alpine:3
RUN [[ -x /bin/sh ]]\r
RUN <<-EOF
\t#!/bin/bash
\techo $1 && [[ -n $HOME ]]
\tEOF
RUN <<EOF
cd /srv
EOF
# plimsoll: ignore=SC2086
RUN echo $version
";

#[test]
fn findings_point_at_their_place_in_the_dockerfile() {
    if !have_shellcheck() {
        return;
    }
    let dir = project(&[("Dockerfile", DOCKERFILE)]);
    assert_cmd_snapshot!(plimsoll(dir.path()).args([
        "check",
        "--format",
        "concise",
        "--select",
        "SC",
        "--shellcheck",
        "always"
    ]));
}

#[test]
fn spans_are_exact() {
    if !have_shellcheck() {
        return;
    }
    let dir = project(&[("Dockerfile", DOCKERFILE)]);
    let out = plimsoll(dir.path())
        .args(["check", "--format", "json", "--select", "SC"])
        .output()
        .unwrap();
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let spans: Vec<(String, String)> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let (start, end) = (
                f["byte_start"].as_u64().unwrap() as usize,
                f["byte_end"].as_u64().unwrap() as usize,
            );
            (
                f["code"].as_str().unwrap().to_string(),
                DOCKERFILE[start..end].to_string(),
            )
        })
        .collect();
    let has = |code: &str, text: &str| spans.iter().any(|(c, t)| c == code && t == text);
    assert!(has("SC2154", "$undefined"), "{spans:?}");
    assert!(has("SC2164", "cd /opt"), "{spans:?}");
    assert!(has("SC2068", "${arr[@]}"), "{spans:?}");
    assert!(has("SC3010", "[[ -x /bin/sh ]]"), "{spans:?}");
    assert!(has("SC2086", "$1"), "{spans:?}");
    assert!(has("SC2164", "cd /srv"), "{spans:?}");
    // ARG and ENV in scope are known; bash in `base` and `next`, sh in the alpine stage.
    assert!(!spans.iter().any(|(_, t)| t == "$HOME_DIR"), "{spans:?}");
    assert_eq!(
        spans.iter().filter(|(c, _)| c == "SC3010").count(),
        1,
        "{spans:?}"
    );
    // Every ShellCheck finding is named as such in the JSON output.
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["name"] == "shellcheck"),
    );
}

#[test]
fn selection_and_pragmas_apply_to_sc_codes() {
    if !have_shellcheck() {
        return;
    }
    let dir = project(&[(
        "Dockerfile",
        "FROM debian:12\nRUN cd /tmp; echo $x\n# hadolint ignore=SC2086,SC2154\nRUN echo $y\n",
    )]);
    let codes = |args: &[&str]| -> Vec<String> {
        concise(dir.path(), args)
            .lines()
            .filter_map(|l| l.split(' ').nth(1))
            .filter(|c| c.starts_with("SC"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(codes(&[]), vec!["SC2164", "SC2086", "SC2154"]);
    assert_eq!(codes(&["--ignore", "SC2086"]), vec!["SC2164", "SC2154"]);
    assert_eq!(codes(&["--ignore", "SC2"]), Vec::<String>::new());
    assert_eq!(codes(&["--select", "SC2154"]), vec!["SC2154"]);
    assert_eq!(codes(&["--select", "PL103"]), Vec::<String>::new());
    assert_eq!(codes(&["--shellcheck", "never"]), Vec::<String>::new());
    assert_eq!(
        codes(&["--select", "PL103", "--extend-select", "SC2164"]),
        vec!["SC2164"]
    );
}

#[test]
fn findings_point_into_the_fixed_text() {
    if !have_shellcheck() {
        return;
    }
    let dir = project(&[]);
    let mut child = plimsoll(dir.path())
        .args(["check", "-", "--fix", "--select", "PL203,SC2086"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"FROM debian:12\nRUN apt-get install curl && echo $X\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "FROM debian:12\nRUN apt-get install -y curl && echo $X\n"
    );
    // `$X` moved three columns to the right with the fix (from 34).
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "-:2:37: SC2086 Double quote to prevent globbing and word splitting.\n"
    );
}

#[test]
fn always_fails_without_shellcheck() {
    let dir = project(&[("Dockerfile", "FROM debian:12\nRUN echo $x\n")]);
    let empty = tempfile::tempdir().unwrap();
    assert_cmd_snapshot!(plimsoll(dir.path()).env("PATH", empty.path()).args([
        "check",
        "--shellcheck",
        "always"
    ]));
    // `auto` goes on without it.
    let out = plimsoll(dir.path())
        .env("PATH", empty.path())
        .args(["check", "--format", "concise", "--shellcheck", "auto"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("SC"));
}

#[test]
fn a_failing_shellcheck_is_a_warning_not_a_crash() {
    let dir = project(&[("Dockerfile", "FROM debian:12\nRUN echo $x\n")]);
    let bin = tempfile::tempdir().unwrap();
    let fake = bin.path().join("shellcheck");
    std::fs::write(
        &fake,
        "#!/bin/sh\n[ \"$1\" = --version ] && exit 0\necho 'out of memory' >&2\nexit 3\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:/usr/bin:/bin", bin.path().display());
    let out = plimsoll(dir.path())
        .env("PATH", path)
        .args(["check", "--format", "concise", "--select", "SC,PL000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "warning: Dockerfile: shellcheck failed (exit status: 3): out of memory\n"
    );
}
