use super::support::base_name;
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::shell::{Command, Connector};
use plimsoll_analyzer::{Base, Form, Instruction, Keyword, Span};

declare_rule! {
    /// ## What it does
    /// Reports a pipeline (`a | b`) in a RUN whose shell does not have `pipefail` set.
    /// `pipefail` counts as set by a `SHELL` with `-o pipefail` earlier in the stage or in
    /// a stage it is built on (`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`), or by
    /// `set -o pipefail` (also `set -euo pipefail`) earlier in the same RUN.
    ///
    /// Pipelines fed only by `echo`, `printf` or `yes` are not reported: those can not
    /// fail in a way that matters, and with `pipefail` a `yes | …` would fail the build
    /// when `yes` is cut off.
    ///
    /// hadolint's DL4006 only accepts a SHELL with `-o pipefail`, forgets it at every
    /// FROM (even `FROM <stage>`, which keeps the SHELL), and reports pipelines inside
    /// exec-form `RUN ["sh", "-c", "…"]`, which this rule does not read.
    ///
    /// ## Why is this bad?
    /// A pipeline's exit status is that of its last command. In
    /// `RUN curl -fsSL https://example.com/tool.tgz | tar -xz` a failed download still
    /// ends in a successful RUN (`tar` reads an empty input and exits 0 on some systems,
    /// or the error is lost in a longer pipeline), so the build goes on with a broken
    /// image. With `pipefail` the pipeline fails when any command in it fails.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /opt
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /opt
    /// ```
    ///
    /// ## Fix safety
    /// When the stage's SHELL is bash, zsh, ksh or ash, the fix starts the RUN with
    /// `set -o pipefail && `. It is unsafe: a pipeline that used to pass may now fail the
    /// build, which is the point but needs a look. With the default `/bin/sh` no fix is
    /// offered, since Debian's and Ubuntu's `dash` does not know `pipefail`.
    ///
    /// ## References
    /// - [hadolint DL4006](https://github.com/hadolint/hadolint/wiki/DL4006)
    /// - [Dockerfile best practices: using pipes](https://docs.docker.com/build/building/best-practices/#using-pipes)
    pub struct PipeWithoutPipefail {
        code: "PL811",
        name: "pipe-without-pipefail",
        alias: Some("DL4006"),
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "A RUN pipes commands without `set -o pipefail`",
    }
}

/// The shell RUN uses at some point of a stage.
#[derive(Clone, Copy, Debug)]
struct StageShell {
    /// The SHELL sets `-o pipefail`.
    pipefail: bool,
    /// A SHELL names a POSIX shell other than `sh` that knows `pipefail`.
    knows_pipefail: bool,
    /// A SHELL names something other than a POSIX shell (PowerShell, cmd).
    foreign: bool,
}

const DEFAULT_SHELL: StageShell = StageShell {
    pipefail: false,
    knows_pipefail: false,
    foreign: false,
};

impl Rule for PipeWithoutPipefail {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let mut final_shells: Vec<StageShell> = Vec::with_capacity(file.stages.len());
        for stage in &file.stages {
            let mut shell = match stage.base {
                Base::Stage(parent) => final_shells.get(parent).copied().unwrap_or(DEFAULT_SHELL),
                _ => DEFAULT_SHELL,
            };
            for instruction in file.stage_instructions(stage) {
                match instruction.keyword {
                    Keyword::Shell => {
                        if let Some(s) = read_shell(instruction) {
                            shell = s;
                        }
                    }
                    Keyword::Run if !shell.pipefail && !shell.foreign => {
                        check_run(&Self::META, instruction, shell, out);
                    }
                    _ => {}
                }
            }
            final_shells.push(shell);
        }
    }
}

fn read_shell(instruction: &Instruction) -> Option<StageShell> {
    let Form::Exec(words) = &instruction.form else {
        return None;
    };
    let program = base_name(&words.first()?.text);
    if !matches!(
        program,
        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "mksh"
    ) {
        return Some(StageShell {
            pipefail: false,
            knows_pipefail: false,
            foreign: true,
        });
    }
    Some(StageShell {
        pipefail: sets_pipefail(words.iter().skip(1).map(|w| w.text.as_str())),
        knows_pipefail: matches!(program, "bash" | "ash" | "zsh" | "ksh" | "mksh"),
        foreign: false,
    })
}

/// Whether shell options turn `pipefail` on: `-o pipefail`, `-euo pipefail`.
fn sets_pipefail<'a>(args: impl IntoIterator<Item = &'a str>) -> bool {
    let mut previous: Option<&str> = None;
    for arg in args {
        if arg == "pipefail"
            && previous
                .is_some_and(|p| p.starts_with('-') && !p.starts_with("--") && p.ends_with('o'))
        {
            return true;
        }
        if arg == "-c" {
            return false;
        }
        previous = Some(arg);
    }
    false
}

fn check_run(
    meta: &'static RuleMeta,
    instruction: &Instruction,
    shell: StageShell,
    out: &mut Vec<Diagnostic>,
) {
    if instruction.is_exec_form() {
        return;
    }
    let commands: Vec<&Command> = instruction.commands().collect();
    // `set -o pipefail` in the RUN, and where it takes effect.
    let set_at = commands
        .iter()
        .filter(|c| c.program() == Some("set") && !c.nested)
        .find(|c| sets_pipefail(c.program_args().iter().map(|w| w.text.as_str())))
        .map(|c| c.span.end);
    let mut fixed = false;
    for (i, head) in commands.iter().enumerate() {
        if !head.pipes_into_next || head.connector == Connector::Pipe {
            continue;
        }
        if set_at.is_some_and(|at| at <= head.span.start) {
            continue;
        }
        let pipeline = pipeline(&commands, i);
        let (producers, last) = pipeline.split_at(pipeline.len() - 1);
        if producers
            .iter()
            .all(|c| matches!(c.program(), Some("echo" | "printf" | "yes")))
        {
            continue;
        }
        let span = Span::new(head.span.start, last[0].span.end);
        let first = shown_name(head);
        let then = shown_name(last[0]);
        let shown = match pipeline.as_slice() {
            [_, _] | [_, _, _] => pipeline
                .iter()
                .map(|c| format!("{} …", shown_name(c)))
                .collect::<Vec<_>>()
                .join(" | "),
            _ => format!("{first} … | … | {then} …"),
        };
        let help = if shell.knows_pipefail {
            "add `-o pipefail` to the stage's SHELL, or start the RUN with \
             `set -o pipefail && `"
        } else {
            "start the stage with `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` \
             (`/bin/ash` on Alpine), or start the RUN with `set -o pipefail && ` where \
             /bin/sh knows it (not Debian's dash)"
        };
        let mut diagnostic = Diagnostic::new(
            meta,
            span,
            format!(
                "`{shown}` without `pipefail`: the RUN succeeds when `{then}` does, even if \
                 `{first}` failed"
            ),
        )
        .with_help(help);
        if shell.knows_pipefail && !fixed && instruction.heredocs.is_empty() {
            fixed = true;
            diagnostic = diagnostic.with_fix(Fix::unsafe_edit(
                "Start the RUN with `set -o pipefail`",
                vec![Edit::insert(
                    instruction.args_span.start,
                    "set -o pipefail && ",
                )],
            ));
        }
        out.push(diagnostic);
    }
}

/// The program a command runs, as a message shows it (`{ ldd …` shows `ldd`, for a
/// group the shell grammar could not read).
fn shown_name(command: &Command) -> &str {
    match command.program() {
        Some("{" | "(") => command.argv.get(1).map_or("…", |w| w.text.as_str()),
        Some(name) => name,
        None => "…",
    }
}

/// The commands of the pipeline that starts at `commands[start]`, in order, without the
/// commands of substitutions inside them.
fn pipeline<'a>(commands: &[&'a Command], start: usize) -> Vec<&'a Command> {
    let mut out = vec![commands[start]];
    let mut current = commands[start];
    for command in &commands[start + 1..] {
        if command.span.start < current.span.end {
            // Inside the current command (a substitution).
            continue;
        }
        if command.connector != Connector::Pipe {
            break;
        }
        out.push(command);
        if !command.pipes_into_next {
            break;
        }
        current = command;
    }
    out
}
