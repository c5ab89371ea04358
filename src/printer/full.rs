//! Source snippets with the exact span labelled (codespan-reporting).

use crate::lint::FileReport;
use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::termcolor::WriteColor;
use codespan_reporting::term::{self, Config};
use plimsoll_rules::{Severity, registry};

use super::json::applicability_name;

fn severity(s: Severity) -> ReportSeverity {
    match s {
        Severity::Error => ReportSeverity::Error,
        Severity::Warning => ReportSeverity::Warning,
        Severity::Info => ReportSeverity::Note,
        Severity::Style => ReportSeverity::Help,
    }
}

pub fn write(reports: &[FileReport], out: &mut dyn WriteColor) -> std::io::Result<()> {
    let config = Config::default();
    for report in reports {
        if report.diagnostics.is_empty() {
            continue;
        }
        let file = SimpleFile::new(report.path.as_str(), report.text.as_str());
        for d in &report.diagnostics {
            let code = match registry::meta(d.code).and_then(|m| m.alias) {
                Some(alias) => format!("{} ({alias})", d.code),
                None => d.code.to_string(),
            };
            let mut notes = Vec::new();
            if let Some(help) = &d.help {
                notes.push(format!("help: {help}"));
            }
            if let Some(fix) = &d.fix {
                notes.push(format!(
                    "fix ({}): {}",
                    applicability_name(fix.applicability),
                    fix.message
                ));
            }
            let label = Label::primary((), d.span.start..d.span.end);
            let report_diagnostic = Report::new(severity(d.severity))
                .with_message(&d.message)
                .with_code(code)
                .with_labels(vec![label])
                .with_notes(notes);
            term::emit_to_write_style(out, &config, &file, &report_diagnostic).map_err(
                |e| match e {
                    codespan_reporting::files::Error::Io(io) => io,
                    other => std::io::Error::other(other.to_string()),
                },
            )?;
        }
    }
    Ok(())
}
