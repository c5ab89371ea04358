//! One JSON array of findings. The schema is a stable interface, documented in the README.

use crate::lint::FileReport;
use plimsoll_analyzer::{LineCol, LineIndex, Span};
use plimsoll_rules::{Applicability, Diagnostic, registry};
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

impl From<LineCol> for Position {
    fn from(p: LineCol) -> Position {
        Position {
            line: p.line,
            column: p.column,
        }
    }
}

#[derive(Serialize)]
struct JsonEdit {
    content: String,
    start: Position,
    end: Position,
    byte_start: usize,
    byte_end: usize,
}

#[derive(Serialize)]
struct JsonFix {
    applicability: &'static str,
    message: String,
    edits: Vec<JsonEdit>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    file: &'a str,
    code: &'static str,
    name: &'static str,
    aliases: Vec<&'static str>,
    severity: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    start: Position,
    end: Position,
    byte_start: usize,
    byte_end: usize,
    fix: Option<JsonFix>,
}

pub fn applicability_name(a: Applicability) -> &'static str {
    match a {
        Applicability::Safe => "safe",
        Applicability::Unsafe => "unsafe",
        Applicability::DisplayOnly => "display-only",
    }
}

fn finding<'a>(path: &'a str, text: &str, index: &LineIndex, d: &'a Diagnostic) -> JsonFinding<'a> {
    let pos = |span: Span| {
        (
            index.line_col(span.start, text).into(),
            index.line_col(span.end, text).into(),
        )
    };
    let meta = registry::meta(d.code);
    let (start, end) = pos(d.span);
    JsonFinding {
        file: path,
        code: d.code,
        name: super::rule_name(d.code),
        aliases: meta.and_then(|m| m.alias).into_iter().collect(),
        severity: d.severity.as_str(),
        message: &d.message,
        help: d.help.as_deref(),
        start,
        end,
        byte_start: d.span.start,
        byte_end: d.span.end,
        fix: d.fix.as_ref().map(|f| JsonFix {
            applicability: applicability_name(f.applicability),
            message: f.message.clone(),
            edits: f
                .edits
                .iter()
                .map(|e| {
                    let (start, end) = pos(e.span);
                    JsonEdit {
                        content: e.content.clone(),
                        start,
                        end,
                        byte_start: e.span.start,
                        byte_end: e.span.end,
                    }
                })
                .collect(),
        }),
    }
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    let mut all = Vec::new();
    let indexes: Vec<LineIndex> = reports.iter().map(|r| LineIndex::new(&r.text)).collect();
    for (report, index) in reports.iter().zip(&indexes) {
        for d in &report.diagnostics {
            all.push(finding(&report.path, &report.text, index, d));
        }
    }
    serde_json::to_writer_pretty(&mut *out, &all).map_err(std::io::Error::from)?;
    writeln!(out)
}
