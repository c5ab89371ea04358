use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::Span;

declare_rule! {
    /// ## What it does
    /// Reports blank lines inside an instruction continued with `\`: the instruction goes
    /// on after the blank line. One finding per instruction, on its first blank line.
    ///
    /// This is BuildKit's `NoEmptyContinuation` check.
    ///
    /// ## Why is this bad?
    /// A blank line looks like the end of the instruction, but the builder skips it and
    /// keeps reading: the line after it is still part of the `RUN`. The file reads
    /// differently from how it builds, and a stray `\` at the end of an instruction
    /// silently swallows the next one. BuildKit warns that empty continuation lines will
    /// become an error in a future release.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && \
    ///
    ///     apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && \
    ///     apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix safety
    /// The fix deletes the blank lines. The builder skips them already, so the build does
    /// not change: it is safe.
    ///
    /// ## References
    /// - [BuildKit check NoEmptyContinuation](https://docs.docker.com/reference/build-checks/no-empty-continuation/)
    pub struct EmptyContinuationLine {
        code: "PL903",
        name: "empty-continuation-line",
        alias: Some("NoEmptyContinuation"),
        severity: Severity::Warning,
        fix: FixAvailability::Always,
        default_enabled: true,
        summary: "A blank line inside an instruction continued with `\\`",
    }
}

impl Rule for EmptyContinuationLine {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let text = ctx.text();
        for instruction in &ctx.file.instructions {
            let lines = &instruction.empty_continuation_lines;
            let Some(first) = lines.first() else {
                continue;
            };
            let keyword = instruction.keyword.as_str();
            let count = lines.len();
            let message = if count == 1 {
                format!("blank line inside a continued {keyword}: the {keyword} goes on after it")
            } else {
                format!(
                    "{count} blank lines inside a continued {keyword}: the {keyword} goes on after them"
                )
            };
            let edits = lines
                .iter()
                .map(|line| Edit::delete(with_line_break(*line, text)))
                .collect();
            out.push(
                Diagnostic::new(&Self::META, *first, message)
                    .with_help("delete the blank lines, or end the instruction before them by removing the `\\`")
                    .with_fix(Fix::safe(
                        if count == 1 { "Delete the blank line" } else { "Delete the blank lines" },
                        edits,
                    )),
            );
        }
    }
}

/// The line with its line break, so deleting it removes the whole line.
fn with_line_break(line: Span, text: &str) -> Span {
    let rest = &text[line.end..];
    let end = if rest.starts_with("\r\n") {
        line.end + 2
    } else if rest.starts_with('\n') {
        line.end + 1
    } else {
        line.end
    };
    Span::new(line.start, end)
}
