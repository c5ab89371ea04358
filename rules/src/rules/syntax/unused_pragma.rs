use crate::options::Settings;
use crate::suppression::{Pragma, Suppressions};
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
    registry,
};
use plimsoll_analyzer::{Dockerfile, Span, directives};

declare_rule! {
    /// ## What it does
    /// Reports an ignore pragma (`# hadolint ignore=…`, `# plimsoll: ignore=…` and their
    /// `global` and `stage` forms) that silences nothing: a code whose rule ran and found
    /// nothing where the pragma applies, a code that names no rule, or an instruction
    /// pragma that is not on the line directly above an instruction (a blank line in
    /// between, or nothing below). Off by default: enable it with `--extend-select PL001`.
    ///
    /// Codes of rules that did not run (not selected, or ignored by the configuration) are
    /// not judged, nor are ShellCheck codes (`SC2086`): ShellCheck may not have run.
    ///
    /// ## Why is this bad?
    /// A pragma that silences nothing is noise that looks like an accepted risk. Once the
    /// instruction was fixed, or the pragma drifted away from it, it only hides where the
    /// real exceptions are, and a later regression on that line would stay silent.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// # hadolint ignore=DL3008,DL3015
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix safety
    /// The fix removes the unused codes from the pragma, or the whole comment line when
    /// none is left. It is safe: the codes silenced nothing, so no finding appears. A
    /// pragma on the first line is emptied (`#`) instead of deleted when deleting it would
    /// turn the next line into a parser directive.
    ///
    /// ## References
    /// - [hadolint: ignoring rules](https://github.com/hadolint/hadolint#ignoring-rules)
    /// - [Ruff's unused-noqa (RUF100)](https://docs.astral.sh/ruff/rules/unused-noqa/)
    pub struct UnusedPragma {
        code: "PL001",
        name: "unused-pragma",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::Always,
        default_enabled: false,
        summary: "An ignore pragma that silences nothing",
    }
}

impl Rule for UnusedPragma {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Nothing here: whether a pragma silenced something is known only after every other
    /// rule ran, so the checker calls [`UnusedPragma::report`] last.
    fn check(&self, _ctx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}

impl UnusedPragma {
    /// Reports the pragmas (or codes in them) that silenced nothing, given the
    /// suppressions after every other rule ran with `settings`.
    pub fn report(
        file: &Dockerfile,
        suppressions: &Suppressions,
        settings: &Settings,
        out: &mut Vec<Diagnostic>,
    ) {
        for (index, pragma) in suppressions.pragmas.iter().enumerate() {
            if pragma.covers.is_none() {
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        pragma.comment,
                        "Unused pragma: it is not on the line directly above an instruction, \
                         so it silences nothing",
                    )
                    .with_help(
                        "Move it to the line directly above the instruction it is meant for, \
                         or delete it",
                    )
                    .with_fix(Fix::safe("Delete the pragma", delete_comment(file, pragma))),
                );
                continue;
            }
            let mut unused = Vec::new();
            let mut unknown = Vec::new();
            for (i, code) in pragma.codes.iter().enumerate() {
                let name = code.code.as_str();
                if is_shellcheck(name) || Self::META.answers_to(name) {
                    continue;
                }
                match registry::find(name) {
                    None => unknown.push(i),
                    Some(rule)
                        if settings.is_enabled(rule.meta()) && !suppressions.is_used(index, i) =>
                    {
                        unused.push(i);
                    }
                    Some(_) => {}
                }
            }
            if unused.is_empty() && unknown.is_empty() {
                continue;
            }
            let names = |list: &[usize]| {
                list.iter()
                    .map(|&i| format!("`{}`", pragma.codes[i].code))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut parts = Vec::new();
            if !unused.is_empty() {
                let verb = if unused.len() == 1 {
                    "silences"
                } else {
                    "silence"
                };
                parts.push(format!("{} {verb} nothing here", names(&unused)));
            }
            if !unknown.is_empty() {
                let what = if unknown.len() == 1 {
                    "is not a rule code"
                } else {
                    "are not rule codes"
                };
                parts.push(format!("{} {what}", names(&unknown)));
            }
            let mut removed: Vec<usize> = unused.iter().chain(&unknown).copied().collect();
            removed.sort_unstable();
            let span = removed
                .iter()
                .map(|&i| pragma.codes[i].span)
                .reduce(Span::cover)
                .unwrap_or(pragma.list);
            let fix = if removed.len() == pragma.codes.len() {
                Fix::safe("Delete the pragma", delete_comment(file, pragma))
            } else {
                // Some codes stay, so there are at least two: keep the pragma's separator.
                let separator = &file.text[pragma.codes[0].span.end..pragma.codes[1].span.start];
                let kept: Vec<&str> = pragma
                    .codes
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !removed.contains(i))
                    .map(|(_, c)| c.code.as_str())
                    .collect();
                Fix::safe(
                    format!("Remove {} from the pragma", names(&removed)),
                    vec![Edit::replace(pragma.list, kept.join(separator))],
                )
            };
            out.push(
                Diagnostic::new(
                    &Self::META,
                    span,
                    format!("Unused pragma: {}", parts.join("; ")),
                )
                .with_help(
                    "Remove what silences nothing, so the pragmas that remain mean something",
                )
                .with_fix(fix),
            );
        }
    }
}

/// ShellCheck codes (`SC2086`): only judged by ShellCheck, which may not have run.
fn is_shellcheck(code: &str) -> bool {
    // `get`: a mangled code may hold a multi-byte character where the digits start.
    code.len() > 2
        && code.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("SC"))
        && code.bytes().skip(2).all(|b| b.is_ascii_digit())
}

/// Deletes the comment's whole line; empties it instead (`#`) when it is the first line of
/// the body and deleting it would make the next line a parser directive.
fn delete_comment(file: &Dockerfile, pragma: &Pragma) -> Vec<Edit> {
    let line = file.lines.line_of(pragma.comment.start);
    let start = file.lines.line_start(line);
    let end = if line + 1 < file.lines.line_count() {
        file.lines.line_start(line + 1)
    } else {
        file.text.len()
    };
    if start == file.directives.body_start && !directives::parse(&file.text[end..]).list.is_empty()
    {
        return vec![Edit::replace(pragma.comment, "#")];
    }
    vec![Edit::delete(Span::new(start, end))]
}
