//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request
//! and in the job summary.
//!
//! `::error file=F,line=L,endLine=L2,col=C,endColumn=C2,title=CODE::message`, with `error`
//! for errors, `warning` for warnings and `notice` for info and style. As in GitHub's own
//! toolkit, `%`, CR and LF are percent-encoded everywhere, and `:` and `,` too in property
//! values. Columns count characters; the end is exclusive, as elsewhere.

use crate::lint::FileReport;
use crate::printer::line_cols;
use plimsoll_analyzer::LineIndex;
use plimsoll_rules::Severity;
use std::io::Write;

/// A command's message (the text after `::`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value (`file=…`, `title=…`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "notice",
    }
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    for report in reports {
        let index = LineIndex::new(&report.text);
        for d in &report.diagnostics {
            let (start, end) = line_cols(&index, &report.text, d.span);
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            writeln!(
                out,
                "::{} file={},line={},endLine={},col={},endColumn={},title={}::{}",
                command(d.severity),
                escape_property(&report.path),
                start.line,
                end.line,
                start.column,
                end.column,
                escape_property(d.code),
                escape_data(&message),
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_actions_toolkit_does() {
        assert_eq!(
            escape_data("50% done\r\nnext: a,b"),
            "50%25 done%0D%0Anext: a,b"
        );
        assert_eq!(escape_property("C:\\a,b%\n"), "C%3A\\a%2Cb%25%0A");
    }
}
