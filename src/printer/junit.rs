//! JUnit XML, for CI test-report views (GitLab `artifacts:reports:junit`, Jenkins, Azure
//! Pipelines, GitHub test-report actions).
//!
//! One `<testsuite>` per linted file (named by its path) and one failed `<testcase>` per
//! finding: the views list failed cases one by one, so each finding shows up with its own
//! code, position and message, instead of a whole file's findings folded into one failure.
//! The case is named `CODE at LINE:COLUMN`, its class name is the path, and the failure
//! text reads like `--format concise` (plus the help line). A clean file is one passing
//! case, so the report also says what was checked.

use crate::lint::FileReport;
use crate::printer::xml_escape;
use plimsoll_analyzer::LineIndex;
use std::io::Write;

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    let linted: Vec<&FileReport> = reports.iter().filter(|r| r.error.is_none()).collect();
    let failures: usize = linted.iter().map(|r| r.diagnostics.len()).sum();
    let tests: usize = linted.iter().map(|r| r.diagnostics.len().max(1)).sum();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="plimsoll" tests="{tests}" failures="{failures}" errors="0">"#
    )?;
    for report in linted {
        let path = xml_escape(&report.path);
        let count = report.diagnostics.len();
        writeln!(
            out,
            r#"  <testsuite name="{path}" tests="{}" failures="{count}" errors="0" skipped="0">"#,
            count.max(1)
        )?;
        if count == 0 {
            writeln!(out, r#"    <testcase name="plimsoll" classname="{path}"/>"#)?;
        }
        let index = LineIndex::new(&report.text);
        for d in &report.diagnostics {
            let at = index.line_col(d.span.start, &report.text);
            let mut body = format!(
                "{}:{}:{}: {} {}",
                report.path, at.line, at.column, d.code, d.message
            );
            if let Some(help) = &d.help {
                body.push_str("\nhelp: ");
                body.push_str(help);
            }
            writeln!(
                out,
                r#"    <testcase name="{} at {}:{}" classname="{path}" file="{path}" line="{}">"#,
                xml_escape(d.code),
                at.line,
                at.column,
                at.line
            )?;
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                xml_escape(&d.message),
                xml_escape(d.severity.as_str()),
                xml_escape(&body)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}
