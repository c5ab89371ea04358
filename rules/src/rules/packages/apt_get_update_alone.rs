use super::support::{apt_commands, head_span, lone_apt_update, refreshes_apt_index, same_flags};
use crate::helpers::packages::PackageCommand;
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::{Dockerfile, Form, Instruction, Keyword};

declare_rule! {
    /// ## What it does
    /// Reports a RUN whose only package work is `apt-get update` (or `apt update`): no
    /// install or upgrade follows it in the same RUN. Commands that only set up a
    /// repository (`curl`, `gpg`, `echo … > sources.list`, `add-apt-repository`) may share
    /// the RUN; anything else that could use the fresh index (a script, `apt-cache`) keeps
    /// the rule quiet.
    ///
    /// ## Why is this bad?
    /// Docker caches every layer by its instruction text. Once the update layer is cached
    /// it is never rebuilt, so a later `RUN apt-get install …` runs against the package
    /// index of the day the cache was made: it installs outdated versions, or fails when
    /// the mirror has dropped them. The lists also stay in the update layer for good, even
    /// if a later RUN deletes them.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix safety
    /// When the update RUN holds nothing but the update and the very next instruction is a
    /// shell-form RUN with the same flags that installs without updating first, the fix
    /// deletes the update RUN and starts the install RUN with `apt-get update && `. The
    /// image gets the same packages from a fresh index, so the fix is safe. Otherwise no
    /// fix is offered.
    ///
    /// ## References
    /// - [Dockerfile best practices: apt-get](https://docs.docker.com/build/building/best-practices/#apt-get)
    pub struct AptGetUpdateAlone {
        code: "PL200",
        name: "apt-get-update-alone",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "`apt-get update` in a RUN without an install: a stale index for later RUNs",
    }
}

impl Rule for AptGetUpdateAlone {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for instruction in super::support::runs(file) {
            let Some(update) = lone_apt_update(instruction) else {
                continue;
            };
            let program = update.program().unwrap_or("apt-get");
            let span = PackageCommand::from_command(update).map_or(update.span, |p| head_span(&p));
            let mut diagnostic = Diagnostic::new(
                &Self::META,
                span,
                format!(
                    "`{program} update` runs in a RUN without any install: Docker caches this \
                     layer, so a later install RUN works from a stale package index"
                ),
            )
            .with_help(format!(
                "run `{program} update && {program} install …` in one RUN"
            ));
            if let Some(fix) = merge_into_next(file, instruction) {
                diagnostic = diagnostic.with_fix(fix);
            }
            out.push(diagnostic);
        }
    }
}

/// Moves a RUN that is only `apt-get update` into the RUN right after it, when that RUN
/// installs without updating and has the same flags.
fn merge_into_next(file: &Dockerfile, update_run: &Instruction) -> Option<Fix> {
    let next = file.instructions.get(update_run.index + 1)?;
    if next.keyword != Keyword::Run
        || next.stage != update_run.stage
        || update_run.form != Form::Shell
        || next.form != Form::Shell
        || !update_run.heredocs.is_empty()
        || !next.heredocs.is_empty()
        || !same_flags(update_run, next)
    {
        return None;
    }
    // Only the update, written on one line, without a comment.
    let script = update_run.script.as_ref()?;
    if script.commands.len() != 1 || script.has_errors {
        return None;
    }
    let update_text = update_run.args_span.text(&file.text).trim();
    if update_text.contains('\n') || update_text.contains('#') {
        return None;
    }
    // Nothing between the two RUNs but blank lines: comments would be lost.
    let between = &file.text[update_run.span.end..next.span.start];
    if !between.trim().is_empty() {
        return None;
    }
    // The next RUN must install before it updates (or never update).
    let first_apt = apt_commands(next).next()?;
    if refreshes_apt_index(&first_apt) || !first_apt.is_install() {
        return None;
    }
    // When another one-command RUN follows the install, PL210 merges all three (the update
    // first); merging two here would end that run and leave the last RUN with a stale
    // index once the lists are deleted.
    let single = |run: &Instruction| {
        run.keyword == Keyword::Run
            && run.stage == update_run.stage
            && run.form == Form::Shell
            && run.heredocs.is_empty()
            && same_flags(update_run, run)
            && run
                .script
                .as_ref()
                .is_some_and(|s| s.commands.len() == 1 && !s.has_errors)
    };
    if let Some(after) = file.instructions.get(next.index + 1)
        && single(next)
        && single(after)
        && file.text[next.span.end..after.span.start].trim().is_empty()
    {
        return None;
    }
    let next_args = next.args_span;
    Some(Fix::safe(
        "Merge the update into the install RUN",
        vec![
            Edit::delete(plimsoll_analyzer::Span::new(
                update_run.span.start,
                next.span.start,
            )),
            Edit::insert(next_args.start, format!("{update_text} && ")),
        ],
    ))
}
