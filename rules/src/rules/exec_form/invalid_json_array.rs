use super::json::{ArrayKind, array_kind};
use super::process;
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::{Dockerfile, Form, Instruction, Keyword};

declare_rule! {
    /// ## What it does
    /// Reports arguments of `RUN`, `CMD`, `ENTRYPOINT`, `SHELL`, `VOLUME`, `COPY`, `ADD`
    /// and `HEALTHCHECK CMD` that look like an exec-form JSON array (`[` … `]`) but are not
    /// valid JSON: single or typographic quotes, a trailing comma, a missing comma, an
    /// unescaped backslash (`"C:\app"`).
    ///
    /// ## Why is this bad?
    /// Docker does not report the mistake. When the text is not valid JSON it quietly
    /// falls back to shell form: `CMD ['nginx', '-g', 'daemon off;']` runs
    /// `/bin/sh -c "['nginx', '-g', 'daemon off;']"`, which fails at start-up with
    /// "not found"; `VOLUME ['/data']` declares a volume named `['/data']`; `COPY` and
    /// `ADD` split the text at spaces, brackets and quotes included. `SHELL` has no shell
    /// form, so BuildKit refuses the file. An array of something else than strings
    /// (`["sleep", 10]`) is refused by BuildKit too.
    ///
    /// A shell test such as `RUN [ -f /etc/os-release ]` also starts with `[` and ends
    /// with `]`; it is shell form on purpose and not reported.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// CMD ['nginx', '-g', 'daemon off;']
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    ///
    /// ## Fix safety
    /// When single or typographic quotes are the only problem (the text holds no `"` or
    /// `\`, and replacing the quotes gives a valid array of strings), the fix replaces
    /// them with `"`. It is unsafe: it changes what runs, from the shell-form text Docker
    /// runs today to the exec form that was meant.
    ///
    /// ## References
    /// - [Dockerfile reference: shell and exec form](https://docs.docker.com/reference/dockerfile/#shell-and-exec-form)
    pub struct InvalidJsonArray {
        code: "PL402",
        name: "invalid-json-array",
        alias: None,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "Exec-form array is not valid JSON, so Docker silently uses shell form",
    }
}

impl Rule for InvalidJsonArray {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in &ctx.file.instructions {
            check_one(ctx.file, instruction, out);
            if let Some(inner) = instruction.onbuild.as_deref() {
                check_one(ctx.file, inner, out);
            }
        }
    }
}

/// Quote characters that were meant to be `"`.
const WRONG_QUOTES: &[char] = &['\'', '‘', '’', '“', '”'];

fn check_one(file: &Dockerfile, instruction: &Instruction, out: &mut Vec<Diagnostic>) {
    let Form::InvalidJson { reason } = &instruction.form else {
        return;
    };
    let args = &instruction.args;
    // Logical range of the would-be array.
    let start = match instruction.keyword {
        Keyword::Healthcheck => {
            let Some(cmd) = instruction.words.first() else {
                return;
            };
            let after = args.logical(cmd.span.end);
            after + (args.text[after..].len() - args.text[after..].trim_start().len())
        }
        _ => args.text.len() - args.text.trim_start().len(),
    };
    let end = args.text.trim_end().len();
    if start >= end {
        return;
    }
    let text = &args.text[start..end];
    let runs_shell = matches!(
        instruction.keyword,
        Keyword::Run | Keyword::Cmd | Keyword::Entrypoint | Keyword::Healthcheck
    );
    if runs_shell && is_shell_test(text) {
        return;
    }
    let keyword = instruction.keyword.as_str();
    let span = args.span(start, end);

    if array_kind(text) == ArrayKind::Mixed {
        out.push(
            Diagnostic::new(
                &InvalidJsonArray::META,
                span,
                format!("{keyword} array has elements that are not strings: BuildKit refuses it"),
            )
            .with_help(
                "make every element a double-quoted string, numbers too: `[\"sleep\", \"10\"]`",
            ),
        );
        return;
    }

    let keyword_shown = match instruction.keyword {
        Keyword::Healthcheck => "HEALTHCHECK CMD",
        _ => keyword,
    };
    let consequence = match instruction.keyword {
        Keyword::Run | Keyword::Cmd | Keyword::Entrypoint | Keyword::Healthcheck => {
            let shell = process::shell_words(file, instruction).join(" ");
            if text.chars().count() <= 48 {
                format!("Docker silently runs it in shell form, as `{shell} {text:?}`")
            } else {
                format!("Docker silently runs the text, brackets and all, with `{shell}`")
            }
        }
        Keyword::Shell => "SHELL has no shell form, so BuildKit refuses the file".to_string(),
        Keyword::Volume => {
            "Docker silently splits it at spaces and declares volumes named by the pieces, \
             brackets and quotes included"
                .to_string()
        }
        _ => "Docker silently splits it at spaces and reads the pieces as paths, brackets and \
              quotes included"
            .to_string(),
    };
    let mut d = Diagnostic::new(
        &InvalidJsonArray::META,
        span,
        format!(
            "{keyword_shown} arguments look like a JSON array but are not valid JSON ({}): \
             {consequence}",
            describe(text, reason)
        ),
    );

    match mechanical_fix(text) {
        Some((message, replacements)) => {
            let mut fixed = text.to_string();
            for (at, len, with) in replacements.iter().rev() {
                fixed.replace_range(*at..*at + *len, with);
            }
            let edits = replacements
                .iter()
                .map(|&(at, len, with)| {
                    Edit::replace(args.span(start + at, start + at + len), with)
                })
                .collect();
            d = d
                .with_help(format!("write it as JSON: `{keyword_shown} {fixed}`"))
                .with_fix(Fix::unsafe_edit(message, edits));
        }
        None => {
            d = d.with_help(
                "write a JSON array of double-quoted strings separated by commas, with `\\\\` \
                 for a backslash: `[\"executable\", \"arg\"]`",
            );
        }
    }
    out.push(d);
}

/// A more precise reason than the parser's for the usual slips.
fn describe<'a>(text: &str, reason: &'a str) -> &'a str {
    if text.contains(['‘', '’', '“', '”']) {
        "typographic quotes are not JSON quotes"
    } else if trailing_comma(text).is_some() {
        "a comma before the closing `]`"
    } else {
        reason
    }
}

/// Byte offset of a comma right before the closing `]`.
fn trailing_comma(text: &str) -> Option<usize> {
    let inner = text.strip_suffix(']')?.trim_end();
    inner.ends_with(',').then(|| inner.len() - 1)
}

/// The edits (offset in `text`, length, replacement) that turn `text` into a valid array of
/// strings when the only slips are the quote characters and a trailing comma.
type Replacement = (usize, usize, &'static str);

fn mechanical_fix(text: &str) -> Option<(&'static str, Vec<Replacement>)> {
    let mut replacements: Vec<Replacement> = Vec::new();
    // Any `"` or `\` would need escaping once the quotes change.
    let quotes = !text.contains(['"', '\\']) && text.contains(WRONG_QUOTES);
    if quotes {
        replacements.extend(
            text.char_indices()
                .filter(|(_, c)| WRONG_QUOTES.contains(c))
                .map(|(i, c)| (i, c.len_utf8(), "\"")),
        );
    }
    let comma = trailing_comma(text);
    if let Some(at) = comma {
        replacements.push((at, 1, ""));
    }
    replacements.sort_by_key(|r| r.0);
    let mut fixed = text.to_string();
    for (at, len, with) in replacements.iter().rev() {
        fixed.replace_range(*at..*at + *len, with);
    }
    if replacements.is_empty() || array_kind(&fixed) != ArrayKind::Strings {
        return None;
    }
    let message = match (quotes, comma.is_some()) {
        (true, true) => "Use double quotes and drop the trailing comma",
        (true, false) => "Use double quotes",
        _ => "Drop the trailing comma",
    };
    Some((message, replacements))
}

/// `[ -f x ]`, `[ "$A" = b ]`, `[[ … ]]`: the shell's test command, not a broken array.
fn is_shell_test(text: &str) -> bool {
    if text.starts_with("[[") {
        return true;
    }
    let Some(inner) = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .filter(|t| t.starts_with(char::is_whitespace))
    else {
        return false;
    };
    !inner.contains(',')
        && inner.split_whitespace().any(|w| {
            w.starts_with('-')
                || w.contains('$')
                || matches!(w, "=" | "==" | "!=" | "!" | "<" | ">")
        })
}
