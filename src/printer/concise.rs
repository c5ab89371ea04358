//! `file:line:col: CODE message`, one line a finding.

use crate::lint::FileReport;
use plimsoll_analyzer::LineIndex;
use std::io::Write;

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    for report in reports {
        let index = LineIndex::new(&report.text);
        for d in &report.diagnostics {
            let at = index.line_col(d.span.start, &report.text);
            writeln!(
                out,
                "{}:{}:{}: {} {}",
                report.path, at.line, at.column, d.code, d.message
            )?;
        }
    }
    Ok(())
}
