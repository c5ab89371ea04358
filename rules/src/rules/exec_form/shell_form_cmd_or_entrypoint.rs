use super::process::{self, expansions, json_array, plain_words};
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::shell::{Connector, Script};
use plimsoll_analyzer::{Dockerfile, Form, Instruction, Keyword};

declare_rule! {
    /// ## What it does
    /// Reports `CMD` and `ENTRYPOINT` written in shell form (`CMD gunicorn app:app`) instead
    /// of exec form (`CMD ["gunicorn", "app:app"]`).
    ///
    /// ## Why is this bad?
    /// Docker runs shell form as `/bin/sh -c "…"`, so the shell is PID 1 and your program
    /// is its child. The shell does not forward SIGTERM: `docker stop` (and Kubernetes)
    /// waits for the grace period, 10 s by default, and then kills the program without
    /// letting it shut down cleanly. In exec form the program is PID 1 and gets the signal.
    ///
    /// Shell form also hides the command from an exec-form `ENTRYPOINT`, which receives
    /// `/bin/sh -c …` as its arguments instead of the command.
    ///
    /// Differences from hadolint's DL3025, which reports every shell-form `CMD`,
    /// `ENTRYPOINT` and `HEALTHCHECK CMD`:
    /// - text that ends by `exec`-ing the program (`CMD exec nginx -g 'daemon off;'`,
    ///   `CMD cd /srv && exec ./app`) is not reported: the shell replaces itself with the
    ///   program, which becomes PID 1 and gets the signals;
    /// - `HEALTHCHECK CMD` is not reported: a health check is a short-lived process that
    ///   nobody sends SIGTERM to;
    /// - with `SHELL ["/bin/bash", …]`, text that ends with a simple command after `;` or
    ///   `&&` (no pipe, redirection or background job) is not reported: bash replaces
    ///   itself with that command. dash, the `/bin/sh` of Debian and Ubuntu, does not,
    ///   and the rule cannot see which shell a base image's `/bin/sh` is;
    /// - stages whose `SHELL` is not a POSIX shell (PowerShell, `cmd`) are skipped, since
    ///   signals work differently there;
    /// - arguments that look like a broken JSON array (`CMD ['nginx']`) are left to PL402.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY . /app
    /// CMD gunicorn --bind 0.0.0.0:8000 app:app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY . /app
    /// CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
    /// ```
    ///
    /// When the command needs the shell (variables, `&&`, globs), let the shell replace
    /// itself with the program at the end:
    /// ```dockerfile
    /// CMD ["/bin/sh", "-c", "exec java $JAVA_OPTS -jar /app.jar"]
    /// ```
    ///
    /// ## Fix safety
    /// The exec-form rewrite is safe when the text is plain words (no quotes, escapes,
    /// `$`, globs, `~`, redirections or operators): the shell would have passed exactly
    /// those words on, so only the PID-1 process changes. It is unsafe when the file shows
    /// that the words go somewhere else afterwards: a `CMD` next to an exec-form
    /// `ENTRYPOINT` of this file (the entrypoint receives the words instead of
    /// `/bin/sh -c …`), or an `ENTRYPOINT` next to a `CMD` (the CMD's words, ignored until
    /// now, become its arguments). An `ENTRYPOINT` inherited from the base image cannot be
    /// seen and is not taken into account.
    ///
    /// For a single command with quotes, the exec-form array is offered as a suggestion
    /// only. When the text needs the shell (variables, globs, redirections, `&&` or `;`
    /// lists), the suggestion keeps the shell and puts `exec` before the last command:
    /// `["/bin/sh", "-c", "cd /srv && exec ./server"]`. Pipelines, background jobs and
    /// `||` get no suggestion.
    ///
    /// ## References
    /// - [Dockerfile reference: CMD](https://docs.docker.com/reference/dockerfile/#cmd)
    /// - [Dockerfile reference: ENTRYPOINT](https://docs.docker.com/reference/dockerfile/#entrypoint)
    /// - [BuildKit check JSONArgsRecommended](https://docs.docker.com/reference/build-checks/json-args-recommended/)
    /// - [hadolint DL3025](https://github.com/hadolint/hadolint/wiki/DL3025)
    pub struct ShellFormCmdOrEntrypoint {
        code: "PL400",
        name: "shell-form-cmd-or-entrypoint",
        alias: Some("DL3025"),
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "CMD or ENTRYPOINT in shell form: the shell is PID 1 and swallows SIGTERM",
    }
}

impl Rule for ShellFormCmdOrEntrypoint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for instruction in &file.instructions {
            if !matches!(instruction.keyword, Keyword::Cmd | Keyword::Entrypoint)
                || instruction.form != Form::Shell
                || instruction.args.text.trim().is_empty()
            {
                continue;
            }
            // No script: the stage's SHELL is not a POSIX shell (PowerShell, cmd).
            let Some(script) = &instruction.script else {
                continue;
            };
            if execs_last(script) || bash_hands_over(file, instruction, script) {
                continue;
            }
            out.push(diagnostic(file, instruction, script));
        }
    }
}

/// Whether the shell ends by replacing itself with the program (`… && exec app`).
fn execs_last(script: &Script) -> bool {
    let Some(last) = script.commands.iter().rev().find(|c| !c.nested) else {
        return false;
    };
    last.argv.first().is_some_and(|w| w.text == "exec")
        && last.argv.len() > 1
        && !matches!(last.connector, Connector::Pipe | Connector::Or)
        && !last.pipes_into_next
}

/// Whether the stage's `SHELL` is bash and the text ends with a simple command after `;`
/// or `&&`: bash then replaces itself with that command instead of forking it.
fn bash_hands_over(file: &Dockerfile, instruction: &Instruction, script: &Script) -> bool {
    let is_bash = process::shell_at(file, instruction)
        .and_then(|words| words.first())
        .is_some_and(|w| w.text.rsplit('/').next() == Some("bash"));
    if !is_bash || script.has_errors || !instruction.heredocs.is_empty() {
        return false;
    }
    let Some(last) = script.commands.last() else {
        return false;
    };
    !last.nested
        && !last.argv.is_empty()
        && last.redirects.is_empty()
        && !last.pipes_into_next
        && matches!(last.connector, Connector::Sequence | Connector::And)
        && !has_background_job(&instruction.args.text)
}

/// The program the shell would run for the long haul: the last top-level command's.
fn long_running_program(script: &Script) -> Option<&str> {
    script
        .commands
        .iter()
        .rev()
        .find(|c| !c.nested)
        .and_then(|c| c.program())
}

fn line_of(file: &Dockerfile, instruction: &Instruction) -> usize {
    file.line_col(instruction.keyword_span.start).line
}

fn diagnostic(file: &Dockerfile, instruction: &Instruction, script: &Script) -> Diagnostic {
    let meta = &ShellFormCmdOrEntrypoint::META;
    let keyword = instruction.keyword.as_str();
    let shell = process::shell_words(file, instruction).join(" ");
    let message = match long_running_program(script) {
        Some(program) => format!(
            "{keyword} in shell form runs `{program}` as a child of `{shell}`: the shell is \
             PID 1 and does not forward SIGTERM, so `docker stop` waits 10 s and then kills it"
        ),
        None => format!(
            "{keyword} in shell form runs under `{shell}`: the shell is PID 1 and does not \
             forward SIGTERM, so `docker stop` waits 10 s and then kills the container"
        ),
    };
    let text = instruction.args.text.trim();
    let stage = instruction.stage.and_then(|s| file.stages.get(s));

    // What else the exec-form words would reach.
    let mut consequence = None;
    if let Some(stage) = stage {
        match instruction.keyword {
            Keyword::Cmd => {
                if let Some(ep) = process::entrypoint(file, stage)
                    && matches!(&ep.form, Form::Exec(words) if !words.is_empty())
                {
                    consequence = Some(format!(
                        "the exec-form ENTRYPOINT on line {} then receives these words as its \
                         arguments instead of `/bin/sh -c …`",
                        line_of(file, ep)
                    ));
                }
            }
            _ => {
                if let Some(cmd) = process::cmd_beside(file, instruction) {
                    consequence = Some(format!(
                        "the CMD on line {}, ignored until now, then becomes its arguments",
                        line_of(file, cmd)
                    ));
                }
            }
        }
    }

    // Comments inside continuation lines would be lost by rewriting the span.
    let original = instruction.args_span.text(&file.text);
    let keeps_comments = original.contains('#') && original != instruction.args.text;
    let single = single_simple_command(instruction, script);

    let (help, fix) = if let Some(words) = plain_words(text) {
        let array = json_array(&words);
        let edit = vec![Edit::replace(instruction.args_span, array.clone())];
        let fix_message = format!("Write `{keyword} {array}`");
        let fix = match (&consequence, keeps_comments) {
            (_, true) => Fix::display_only(fix_message, edit),
            (Some(_), false) => Fix::unsafe_edit(fix_message, edit),
            (None, false) => Fix::safe(fix_message, edit),
        };
        let mut help =
            format!("write it in exec form so the program is PID 1: `{keyword} {array}`");
        if let Some(c) = &consequence {
            help.push_str(&format!("; {c}"));
        }
        (help, Some(fix))
    } else if let Some(argv) = &single
        && expansions(text) == process::Expansions::default()
    {
        // Only quoting: the words as the shell would pass them.
        let array = json_array(argv);
        let mut help =
            format!("write it in exec form so the program is PID 1: `{keyword} {array}`");
        if let Some(c) = &consequence {
            help.push_str(&format!("; {c}"));
        }
        let fix = Fix::display_only(
            format!("Write `{keyword} {array}`"),
            vec![Edit::replace(instruction.args_span, array)],
        );
        (help, Some(fix))
    } else if let Some(exec_text) = exec_before_last(instruction, script) {
        // The shell is needed (variables, globs, `&&`, redirections): keep it, and let it
        // replace itself with the program at the end.
        let mut words = process::shell_words(file, instruction);
        words.push(exec_text);
        let array = json_array(&words);
        let help = format!(
            "the command needs the shell; let the shell replace itself with the program at \
             the end: `{keyword} {array}`"
        );
        let fix = Fix::display_only(
            format!("Write `{keyword} {array}`"),
            vec![Edit::replace(instruction.args_span, array)],
        );
        (help, Some(fix))
    } else {
        (
            format!(
                "move the commands into a script that ends with `exec <program>` and run it \
                 in exec form: `{keyword} [\"/usr/local/bin/start.sh\"]`"
            ),
            None,
        )
    };

    let mut d = Diagnostic::new(meta, instruction.args_span, message).with_help(help);
    if let Some(fix) = fix {
        d = d.with_fix(fix);
    }
    d
}

/// The shell text with `exec ` put before its last command, when that command is what
/// the shell ends with anyway: a top-level simple command after `;` or `&&`, not in a
/// pipeline, not in the background, without `VAR=value` prefixes.
fn exec_before_last(instruction: &Instruction, script: &Script) -> Option<String> {
    if script.has_errors || !instruction.heredocs.is_empty() {
        return None;
    }
    let last = script.commands.last()?;
    let first = last.argv.first()?;
    if last.nested
        || !last.assignments.is_empty()
        || last.pipes_into_next
        || matches!(last.connector, Connector::Or | Connector::Pipe)
        || process::is_shell_only(&first.text)
        || has_background_job(&instruction.args.text)
    {
        return None;
    }
    let text = &instruction.args.text;
    let at = instruction.args.logical(last.span.start);
    let lead = text.len() - text.trim_start().len();
    if at < lead || at > text.len() {
        return None;
    }
    Some(format!("{}exec {}", &text[lead..at], text[at..].trim_end()))
}

/// Whether shell text has a lone `&` (a background job) outside quotes.
fn has_background_job(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match (quote, b) {
            (None, b'\'' | b'"') => quote = Some(b),
            (Some(q), b) if b == q => quote = None,
            (Some(b'\''), _) => {}
            (_, b'\\') => i += 1,
            (None, b'&') => {
                let before = i.checked_sub(1).map(|j| bytes[j]);
                let after = bytes.get(i + 1).copied();
                let paired = before == Some(b'&') || after == Some(b'&');
                let redirect = matches!(before, Some(b'>' | b'<')) || after == Some(b'>');
                if !paired && !redirect {
                    return true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// The argv of a lone simple command (no lists, pipes, redirections, assignments,
/// substitutions or heredocs), as the shell would pass it.
fn single_simple_command(instruction: &Instruction, script: &Script) -> Option<Vec<String>> {
    if script.has_errors || !instruction.heredocs.is_empty() {
        return None;
    }
    let [command] = script.commands.as_slice() else {
        return None;
    };
    let first = command.argv.first()?;
    if command.nested
        || !command.redirects.is_empty()
        || !command.assignments.is_empty()
        || process::is_shell_only(&first.text)
    {
        return None;
    }
    Some(command.argv.iter().map(|w| w.text.clone()).collect())
}
