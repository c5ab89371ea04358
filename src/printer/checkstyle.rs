//! Checkstyle XML, which Jenkins (Warnings NG), reviewdog, Bitbucket and many others read.
//! Every linted file gets a `<file>` element (clean ones empty), each finding an `<error>`
//! with line, column (characters), severity (`error`, `warning`, or `info` for info and
//! style), message and `source` (the rule code).

use crate::lint::FileReport;
use crate::printer::xml_escape;
use plimsoll_analyzer::LineIndex;
use plimsoll_rules::Severity;
use std::io::Write;

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "info",
    }
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<checkstyle version="4.3">"#)?;
    for report in reports.iter().filter(|r| r.error.is_none()) {
        if report.diagnostics.is_empty() {
            writeln!(out, r#"  <file name="{}"/>"#, xml_escape(&report.path))?;
            continue;
        }
        writeln!(out, r#"  <file name="{}">"#, xml_escape(&report.path))?;
        let index = LineIndex::new(&report.text);
        for d in &report.diagnostics {
            let at = index.line_col(d.span.start, &report.text);
            writeln!(
                out,
                r#"    <error line="{}" column="{}" severity="{}" message="{}" source="{}"/>"#,
                at.line,
                at.column,
                severity(d.severity),
                xml_escape(&d.message),
                xml_escape(d.code),
            )?;
        }
        writeln!(out, "  </file>")?;
    }
    writeln!(out, "</checkstyle>")
}
