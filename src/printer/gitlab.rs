//! GitLab Code Quality report: a JSON array of issues (`artifacts:reports:codequality`),
//! shown in merge requests and the pipeline's Code Quality tab.
//!
//! Each issue has `description`, `check_name` (the code), a `fingerprint` (SHA-256 of the
//! path, code, message and the trimmed text of the finding's lines, so it survives unrelated
//! edits; unique within the report), `severity` and `location.path` with
//! `location.lines.begin`/`end`; `location.positions` carries the columns as well.
//! Severities: error → `critical`, warning → `major`, info → `minor`, style → `info`.
//! `type` and `categories` follow the Code Climate spec GitLab's format comes from.

use crate::lint::FileReport;
use crate::printer::{fingerprints, line_cols};
use plimsoll_analyzer::LineIndex;
use plimsoll_rules::Severity;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    categories: [&'static str; 1],
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
    positions: Positions,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

#[derive(Serialize)]
struct Positions {
    begin: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "minor",
        Severity::Style => "info",
    }
}

/// The Code Climate category (GitLab shows it; the spec requires one).
fn category(code: &str, severity: Severity) -> &'static str {
    if code.starts_with("PL3") {
        "Security"
    } else if code.starts_with("PL9") || severity == Severity::Style {
        "Style"
    } else {
        "Bug Risk"
    }
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    let mut issues = Vec::new();
    for report in reports {
        let index = LineIndex::new(&report.text);
        let prints = fingerprints(report, &index);
        for (d, fingerprint) in report.diagnostics.iter().zip(prints) {
            let (start, end) = line_cols(&index, &report.text, d.span);
            issues.push(Issue {
                kind: "issue",
                description: format!("{}: {}", d.code, d.message),
                check_name: d.code,
                fingerprint,
                severity: severity(d.severity),
                categories: [category(d.code, d.severity)],
                location: Location {
                    path: &report.path,
                    lines: Lines {
                        begin: start.line,
                        end: end.line.max(start.line),
                    },
                    positions: Positions {
                        begin: Position {
                            line: start.line,
                            column: start.column,
                        },
                        end: Position {
                            line: end.line,
                            column: end.column,
                        },
                    },
                },
            });
        }
    }
    serde_json::to_writer_pretty(&mut *out, &issues).map_err(std::io::Error::from)?;
    writeln!(out)
}
