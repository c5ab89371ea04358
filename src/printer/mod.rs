//! Output formats. Every printer writes the reports in the order given (sorted by path),
//! so output is deterministic whatever order the files were linted in.

pub mod concise;
pub mod diff;
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

/// `--show-fixes`: one line for every fix applied.
pub fn write_applied(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    for report in reports {
        for fix in &report.applied {
            writeln!(
                out,
                "{}:{}: {} fixed: {}",
                report.path, fix.line, fix.code, fix.message
            )?;
        }
    }
    Ok(())
}

/// What `--fix` did: how many fixes went in, and what is left for `--unsafe-fixes`.
pub fn write_fix_summary(
    reports: &[FileReport],
    unsafe_fixes: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let fixed: usize = reports.iter().map(|r| r.applied.len()).sum();
    let files = reports
        .iter()
        .filter(|r| r.original.is_some() && r.error.is_none())
        .count();
    writeln!(
        out,
        "Fixed {} in {}.",
        plural(fixed, "problem"),
        plural(files, "file")
    )?;
    let unsafe_left = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| f.applicability == plimsoll_rules::Applicability::Unsafe)
        })
        .count();
    if unsafe_left > 0 && !unsafe_fixes {
        writeln!(
            out,
            "{} more can be fixed with --unsafe-fixes (they may change what the image contains).",
            unsafe_left
        )?;
    }
    Ok(())
}
