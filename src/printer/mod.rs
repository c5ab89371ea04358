//! Output formats. Every printer writes the reports in the order given (sorted by path),
//! so output is deterministic whatever order the files were linted in.

pub mod checkstyle;
pub mod concise;
pub mod diff;
pub mod full;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod statistics;

use crate::lint::FileReport;
use plimsoll_analyzer::{LineCol, LineIndex, Span};
use plimsoll_rules::external::is_shellcheck_code;
use plimsoll_rules::{Diagnostic, Severity, registry};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;

/// A machine-readable output format: writes every report, in the order given.
pub type Printer = fn(&[FileReport], &mut dyn Write) -> std::io::Result<()>;

/// The kebab-case name of a code's rule; `shellcheck` for ShellCheck's codes.
pub fn rule_name(code: &str) -> &'static str {
    match registry::meta(code) {
        Some(meta) => meta.name,
        None if is_shellcheck_code(code) => "shellcheck",
        None => "",
    }
}

/// Start and end (exclusive) of a span: 1-based lines, columns in Unicode characters.
pub fn line_cols(index: &LineIndex, text: &str, span: Span) -> (LineCol, LineCol) {
    (
        index.line_col(span.start, text),
        index.line_col(span.end, text),
    )
}

/// A fingerprint for each diagnostic of a report, stable across unrelated edits: SHA-256
/// of the path, the code, the message and the text of the lines the finding is on (trimmed,
/// so re-indenting or moving the instruction keeps it), plus how many identical findings
/// came before it in the file (so that fingerprints are unique).
pub fn fingerprints(report: &FileReport, index: &LineIndex) -> Vec<String> {
    let mut seen: HashMap<[u8; 32], usize> = HashMap::new();
    report
        .diagnostics
        .iter()
        .map(|d| {
            let context = line_context(report, index, d);
            let mut hasher = Sha256::new();
            for part in [report.path.as_str(), d.code, &d.message, &context] {
                hasher.update(part.as_bytes());
                hasher.update([0]);
            }
            let base: [u8; 32] = hasher.clone().finalize().into();
            let occurrence = seen.entry(base).or_insert(0);
            hasher.update(occurrence.to_string().as_bytes());
            *occurrence += 1;
            hex(&hasher.finalize())
        })
        .collect()
}

fn line_context(report: &FileReport, index: &LineIndex, d: &Diagnostic) -> String {
    let text = &report.text;
    let first = index.line_of(d.span.start.min(text.len()));
    let last = index.line_of(d.span.end.min(text.len())).max(first);
    (first..=last.min(index.line_count() - 1))
        .map(|line| index.line_span(line, text).text(text).trim())
        .collect::<Vec<_>>()
        .join("\n")
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Text escaped for XML content and attribute values. Characters XML 1.0 cannot hold
/// (control characters other than tab, CR and LF) become U+FFFD; line breaks and tabs in
/// attributes are written as character references so that parsers keep them.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

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
