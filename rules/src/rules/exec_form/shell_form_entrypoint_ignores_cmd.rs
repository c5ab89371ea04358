use super::process;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::{Form, Instruction, Keyword};

declare_rule! {
    /// ## What it does
    /// Reports a shell-form `ENTRYPOINT` in an image that also has a `CMD`: in the same
    /// stage (before or after the ENTRYPOINT), or added by a later stage built on this one
    /// that keeps the ENTRYPOINT.
    ///
    /// ## Why is this bad?
    /// Docker runs a shell-form ENTRYPOINT as `/bin/sh -c "<text>"` and appends the CMD
    /// after that text, where `sh -c` takes it as `$0`, `$1`… of a script that never looks
    /// at them. The CMD is silently ignored, and so are the arguments of `docker run
    /// IMAGE …`. The author of a CMD next to an ENTRYPOINT almost always meant the CMD to
    /// be the default arguments of the entrypoint, which only exec form does.
    ///
    /// When the text reads its arguments (`"$@"`, `$1`), `sh -c` fills them from the CMD
    /// but takes the CMD's first word as `$0`, so that word is lost; this is reported too.
    ///
    /// A CMD inherited from a parent stage or the base image is not reported: BuildKit
    /// clears it when a stage sets ENTRYPOINT without its own CMD.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY app.py /app/
    /// ENTRYPOINT python /app/app.py
    /// CMD ["--port", "8080"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY app.py /app/
    /// ENTRYPOINT ["python", "/app/app.py"]
    /// CMD ["--port", "8080"]
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: understand how CMD and ENTRYPOINT interact](https://docs.docker.com/reference/dockerfile/#understand-how-cmd-and-entrypoint-interact)
    pub struct ShellFormEntrypointIgnoresCmd {
        code: "PL401",
        name: "shell-form-entrypoint-ignores-cmd",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "Shell-form ENTRYPOINT silently ignores the CMD and `docker run` arguments",
    }
}

impl Rule for ShellFormEntrypointIgnoresCmd {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for stage in &file.stages {
            // Only the stage's last ENTRYPOINT ends up in an image.
            let Some(entrypoint) = file
                .stage_instructions(stage)
                .iter()
                .rev()
                .find(|i| i.keyword == Keyword::Entrypoint)
            else {
                continue;
            };
            if entrypoint.form != Form::Shell || entrypoint.args.text.trim().is_empty() {
                continue;
            }
            let Some(cmd) = process::cmd_beside(file, entrypoint) else {
                continue;
            };
            let cmd_line = file.line_col(cmd.keyword_span.start).line;
            let program = entrypoint
                .script
                .as_ref()
                .and_then(|s| s.commands.iter().rev().find(|c| !c.nested))
                .and_then(|c| c.program())
                .map_or_else(String::new, |p| format!(" on to `{p}`"));
            let example = exec_form_example(entrypoint);
            out.push(
                Diagnostic::new(
                    &Self::META,
                    entrypoint.args_span,
                    if uses_positional_parameters(&entrypoint.args.text) {
                        format!(
                            "ENTRYPOINT in shell form hands the CMD on line {cmd_line} to \
                             `/bin/sh -c` as `$0 $1 …`, so the CMD's first word (and the \
                             first `docker run` argument) never reaches `$@`"
                        )
                    } else {
                        format!(
                            "ENTRYPOINT in shell form ignores the CMD on line {cmd_line}: \
                             `/bin/sh -c` runs only this text and passes neither the CMD nor \
                             `docker run` arguments{program}"
                        )
                    },
                )
                .with_help(format!(
                    "write the ENTRYPOINT in exec form, {example}, so the CMD is appended as \
                     its arguments; or move the CMD's arguments into the ENTRYPOINT and drop \
                     the CMD"
                )),
            );
        }
    }
}

/// The ENTRYPOINT in exec form, passing the CMD on: the words of a lone command, or a shell
/// that expands the variables and then `exec`s the program with `"$@"`.
fn exec_form_example(entrypoint: &Instruction) -> String {
    let generic = "`ENTRYPOINT [\"/usr/local/bin/entrypoint.sh\"]`".to_string();
    let Some(script) = &entrypoint.script else {
        return generic;
    };
    let [only] = script.commands.as_slice() else {
        return generic;
    };
    if script.has_errors || !only.redirects.is_empty() || !only.assignments.is_empty() {
        return generic;
    }
    let text = entrypoint.args.text.trim();
    let (argv, text) = match only.argv.first() {
        Some(first) if first.text == "exec" => (
            &only.argv[1..],
            text.strip_prefix("exec").unwrap_or(text).trim_start(),
        ),
        _ => (only.argv.as_slice(), text),
    };
    match argv.first() {
        Some(program) if !process::is_shell_only(&program.text) => {}
        _ => return generic,
    }
    // A trailing `"$@"` is what exec form does anyway.
    let (argv, text) = match argv.split_last() {
        Some((last, rest)) if last.text == "$@" && !rest.is_empty() => {
            let written = entrypoint.args.text_of(last.span);
            (
                rest,
                text.strip_suffix(written.as_str())
                    .unwrap_or(text)
                    .trim_end(),
            )
        }
        _ => (argv, text),
    };
    if process::expansions(text) == process::Expansions::default() {
        let words: Vec<&str> = argv.iter().map(|w| w.text.as_str()).collect();
        format!("`ENTRYPOINT {}`", process::json_array(&words))
    } else {
        let script = if uses_positional_parameters(text) {
            format!("exec {text}")
        } else {
            format!("exec {text} \"$@\"")
        };
        format!(
            "`ENTRYPOINT [\"/bin/sh\", \"-c\", {}, \"sh\"]`",
            process::json_string(&script)
        )
    }
}

/// Whether shell text reads its arguments (`$@`, `$*`, `$1`…), which `sh -c` fills from the
/// CMD starting with `$0`.
fn uses_positional_parameters(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(2).enumerate().any(|(i, w)| {
        w[0] == b'$'
            && (matches!(w[1], b'@' | b'*' | b'1'..=b'9')
                || (w[1] == b'{' && matches!(bytes.get(i + 2), Some(b'@' | b'*' | b'1'..=b'9'))))
    })
}
