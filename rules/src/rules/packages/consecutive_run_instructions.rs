use super::support::same_flags;
use crate::suppression::pragma_codes;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::shell::Connector;
use plimsoll_analyzer::{Dockerfile, Form, Instruction, Keyword, Span};

/// A RUN that already chains commands was most likely split from its neighbours on
/// purpose (to cache a slow step on its own); hadolint 2.15 leaves those alone too.
const MAX_COMMANDS: usize = 1;

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
    /// ## References
    /// - [hadolint DL3059](https://github.com/hadolint/hadolint/wiki/DL3059)
    /// - [Dockerfile best practices: minimize the number of layers](https://docs.docker.com/build/building/best-practices/#minimize-the-number-of-layers)
    pub struct ConsecutiveRunInstructions {
        code: "PL210",
        name: "consecutive-run-instructions",
        alias: Some("DL3059"),
        severity: Severity::Info,
        fix: FixAvailability::None,
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
    out.push(
        Diagnostic::new(
            &ConsecutiveRunInstructions::META,
            Span::new(first.keyword_span.start, last.span.end),
            format!(
                "{count} consecutive RUN instructions (lines {first_line}-{last_line}) could \
                 be one: each adds a layer"
            ),
        )
        .with_help("join their commands with `&&` in a single RUN"),
    );
}
