use super::support::same_flags;
use crate::helpers::edits::line_break;
use crate::suppression::pragma_codes;
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::shell::{Command, Connector};
use plimsoll_analyzer::{Dockerfile, Form, Instruction, Keyword, Span};

/// A RUN that already chains commands was most likely split from its neighbours on
/// purpose (to cache a slow step on its own); hadolint 2.15 leaves those alone too.
const MAX_COMMANDS: usize = 1;

/// Commands that change the state of the shell running them (directory, variables,
/// options, aliases, umask, traps) or end it. In separate RUNs each started afresh; merged,
/// a later command would see the change, so such a command is run in a subshell.
const SHELL_STATE: &[&str] = &[
    "cd",
    "pushd",
    "popd",
    "export",
    "set",
    "unset",
    "umask",
    "source",
    ".",
    "alias",
    "unalias",
    "shopt",
    "declare",
    "typeset",
    "readonly",
    "local",
    "trap",
    "ulimit",
    "hash",
    "eval",
    "exec",
    "exit",
    "return",
    "shift",
    "read",
    "getopts",
    "enable",
    "builtin",
    "command",
    "mapfile",
    "readarray",
];

declare_rule! {
    /// ## What it does
    /// Reports consecutive RUN instructions of a stage that could be a single RUN: one
    /// finding for each run of them, from the first RUN to the last.
    ///
    /// As with hadolint's DL3059, only RUNs that run a single command are counted: a RUN
    /// that chains several was most likely split from its neighbours on purpose, to cache
    /// a slow step by itself. RUNs whose flags (`--mount`, `--network`, `--security`)
    /// differ are not merged either. Comments between
    /// the RUNs are fine, but an ignore pragma (`# plimsoll: ignore=…`,
    /// `# hadolint ignore=…`) above a RUN ends the run, since merging would change what it
    /// covers. Exec-form and heredoc RUNs are not merged. hadolint reports every RUN after
    /// the first; this rule reports the whole run once.
    ///
    /// ## Why is this bad?
    /// Every RUN adds a layer, with its own metadata, its own entry in the build cache and
    /// its own round trip when the image is pushed and pulled. A file written in one layer
    /// and deleted in the next still takes space in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd --create-home app
    /// RUN mkdir -p /srv/data
    /// RUN chown app /srv/data
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd --create-home app \
    ///     && mkdir -p /srv/data \
    ///     && chown app /srv/data
    /// ```
    ///
    /// ## Fix safety
    /// The fix joins the RUNs with `&&`, one command a continuation line, so a failing
    /// command still stops the build and later commands still run in order. Comments
    /// between the RUNs are kept as comment lines inside the continuation. A command that
    /// changes the shell's state (`cd`, `export`, `set`, `umask`, `source`/`.`, `alias`,
    /// `shopt`, `unset`, a bare variable assignment, `exec`, `exit`…) or whose program is
    /// only known at run time (`$CMD`) is run in a subshell, `(cd /src) && make`, so the
    /// commands after it see the shell as a fresh RUN would. With that the fix is safe:
    /// the image's files and configuration are the same, in fewer layers. No fix is
    /// offered when a RUN holds a shell comment (`#` would swallow the joined commands),
    /// ends in a background `&`, or does not parse.
    ///
    /// ## References
    /// - [hadolint DL3059](https://github.com/hadolint/hadolint/wiki/DL3059)
    /// - [Dockerfile best practices: minimize the number of layers](https://docs.docker.com/build/building/best-practices/#minimize-the-number-of-layers)
    pub struct ConsecutiveRunInstructions {
        code: "PL210",
        name: "consecutive-run-instructions",
        alias: Some("DL3059"),
        severity: Severity::Info,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "Consecutive RUN instructions could be one layer",
    }
}

impl Rule for ConsecutiveRunInstructions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for stage in &file.stages {
            let mut group: Vec<&Instruction> = Vec::new();
            for instruction in file.stage_instructions(stage) {
                let joins = mergeable(instruction)
                    && group.last().is_some_and(|last| {
                        same_flags(last, instruction) && !has_pragma(file, instruction)
                    });
                if !joins {
                    report(file, &group, out);
                    group.clear();
                }
                if mergeable(instruction) {
                    group.push(instruction);
                }
            }
            report(file, &group, out);
        }
    }
}

/// A shell-form RUN without heredocs that runs at most `MAX_COMMANDS` commands and chains
/// nothing (`[ -e x ] && y` is a chain even though the test is no simple command).
fn mergeable(instruction: &Instruction) -> bool {
    if instruction.keyword != Keyword::Run
        || instruction.form != Form::Shell
        || !instruction.heredocs.is_empty()
    {
        return false;
    }
    let Some(script) = &instruction.script else {
        return false;
    };
    let commands: Vec<_> = script
        .commands
        .iter()
        .filter(|c| !c.argv.is_empty())
        .collect();
    commands.len() <= MAX_COMMANDS
        && commands
            .iter()
            .all(|c| c.connector == Connector::Sequence && !c.nested)
}

fn has_pragma(file: &Dockerfile, instruction: &Instruction) -> bool {
    file.comments_above(instruction)
        .any(|c| pragma_codes(&c.text).is_some())
}

fn report(file: &Dockerfile, group: &[&Instruction], out: &mut Vec<Diagnostic>) {
    let (Some(first), Some(last)) = (group.first(), group.last()) else {
        return;
    };
    if group.len() < 2 {
        return;
    }
    let count = group.len();
    let first_line = file.line_col(first.span.start).line;
    let last_line = file.line_col(last.span.start).line;
    let mut diagnostic = Diagnostic::new(
        &ConsecutiveRunInstructions::META,
        Span::new(first.keyword_span.start, last.span.end),
        format!(
            "{count} consecutive RUN instructions (lines {first_line}-{last_line}) could \
             be one: each adds a layer"
        ),
    )
    .with_help("join their commands with `&&` in a single RUN");
    if let Some(fix) = merge(file, group) {
        diagnostic = diagnostic.with_fix(fix);
    }
    out.push(diagnostic);
}

/// Where a RUN's command text starts and ends in the file (a trailing `;` left out), and
/// whether it must run in a subshell when more commands follow.
struct Part {
    start: usize,
    end: usize,
    changes_state: bool,
}

fn part(file: &Dockerfile, run: &Instruction) -> Option<Part> {
    let script = run.script.as_ref()?;
    if script.has_errors {
        return None;
    }
    let raw = run.args_span.text(&file.text);
    let text = raw.trim_start();
    let start = run.args_span.start + (raw.len() - text.len());
    let text = text.trim_end();
    // A shell comment would swallow what is joined after it on the same logical line;
    // a Dockerfile comment line inside the RUN is left alone too, to stay simple.
    if text.contains('#') {
        return None;
    }
    let text = text.strip_suffix(';').map_or(text, str::trim_end);
    if text.is_empty() || text.ends_with('&') || text.ends_with(file.escape()) {
        return None;
    }
    Some(Part {
        start,
        end: start + text.len(),
        changes_state: script.commands.iter().any(changes_shell_state),
    })
}

fn changes_shell_state(command: &Command) -> bool {
    let Some(first) = command.argv.first() else {
        // A bare assignment (`A=1`) or redirection.
        return true;
    };
    let dynamic = |w: &str| w.contains('$') || w.contains('`');
    if dynamic(&first.text) || command.program().is_none_or(dynamic) {
        return true;
    }
    [command.name(), command.program()]
        .into_iter()
        .flatten()
        .any(|name| SHELL_STATE.contains(&name))
}

/// Joins the group into its first RUN: `RUN a \ && b \ && c`, comments between the RUNs
/// kept as comment lines of the continuation. The edits touch only the joints, so the
/// commands' own text (and any fix another rule makes inside it) is left alone.
fn merge(file: &Dockerfile, group: &[&Instruction]) -> Option<Fix> {
    let parts = group
        .iter()
        .map(|run| part(file, run))
        .collect::<Option<Vec<_>>>()?;
    let escape = file.escape();
    let newline = line_break(&file.text);
    let last = parts.len() - 1;
    let wrapped = |i: usize| i < last && parts[i].changes_state;
    let mut edits = Vec::new();
    if wrapped(0) {
        edits.push(Edit::insert(parts[0].start, "("));
    }
    for i in 1..parts.len() {
        let (previous, part) = (&parts[i - 1], &parts[i]);
        let mut joint = String::new();
        if wrapped(i - 1) {
            joint.push(')');
        }
        joint.push(' ');
        joint.push(escape);
        joint.push_str(newline);
        for comment in file.text[group[i - 1].span.end..group[i].span.start]
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with('#'))
        {
            joint.push_str("    ");
            joint.push_str(comment);
            joint.push_str(newline);
        }
        joint.push_str("    && ");
        if wrapped(i) {
            joint.push('(');
        }
        edits.push(Edit::replace(Span::new(previous.end, part.start), joint));
    }
    Some(Fix::safe(
        format!("Merge the {} RUNs into one", group.len()),
        edits,
    ))
}
