//! Output formats. Every printer writes the reports in the order given (sorted by path),
//! so output is deterministic whatever order the files were linted in.

pub mod concise;
pub mod full;
pub mod json;

use crate::lint::FileReport;
use plimsoll_rules::Severity;
use std::io::Write;

/// Counts for the summary line.
#[derive(Default)]
pub struct Summary {
    pub files: usize,
    pub by_severity: [usize; 4],
    pub fixable: usize,
    pub failed_files: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Summary {
        let mut summary = Summary {
            files: reports.len(),
            ..Summary::default()
        };
        for report in reports {
            if report.error.is_some() {
                summary.failed_files += 1;
            }
            for d in &report.diagnostics {
                summary.by_severity[d.severity as usize] += 1;
                if d.fix.is_some() {
                    summary.fixable += 1;
                }
            }
        }
        summary
    }

    pub fn total(&self) -> usize {
        self.by_severity.iter().sum()
    }

    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let total = self.total();
        let files = plural(self.files, "file");
        if total == 0 {
            return writeln!(out, "All clear: no problems found in {files}.");
        }
        let parts: Vec<String> = [
            Severity::Error,
            Severity::Warning,
            Severity::Info,
            Severity::Style,
        ]
        .iter()
        .filter(|s| self.by_severity[**s as usize] > 0)
        .map(|s| plural(self.by_severity[*s as usize], s.as_str()))
        .collect();
        writeln!(
            out,
            "Found {} in {files} ({}).",
            plural(total, "problem"),
            parts.join(", ")
        )?;
        if self.fixable > 0 {
            writeln!(
                out,
                "{} a fix (shown as `fix:`); `plimsoll rule CODE` explains each rule.",
                if self.fixable == 1 {
                    "1 of them has".to_string()
                } else {
                    format!("{} of them have", self.fixable)
                }
            )?;
        }
        Ok(())
    }
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
