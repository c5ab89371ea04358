use super::support::{base_name, runs};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a RUN whose first command is `cd DIR` (after any `set` options), where a
    /// `WORKDIR` before the RUN would do the same.
    ///
    /// hadolint's DL3003 reports every `cd` anywhere in a RUN. A `cd` later in a RUN
    /// usually enters a directory the same RUN has just created (an unpacked source tree,
    /// a `mktemp -d`), and a `cd` in a subshell (`(cd docs && make)`) is scoped on
    /// purpose: WORKDIR can not replace either without splitting the RUN and leaving the
    /// directory behind, so this rule stays quiet about them. `cd -` and a bare `cd` are
    /// not reported either.
    ///
    /// ## Why is this bad?
    /// `cd` lasts only for its RUN, so every RUN that needs the directory has to repeat
    /// it, and nothing in the image says where its commands expect to run. `WORKDIR`
    /// sets the directory once for every later RUN, COPY, CMD and ENTRYPOINT, creates it
    /// if needed, and is recorded in the image config.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// COPY . /app
    /// RUN cd /app && npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR /app
    /// COPY . .
    /// RUN npm ci
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3003](https://github.com/hadolint/hadolint/wiki/DL3003)
    /// - [Dockerfile reference: WORKDIR](https://docs.docker.com/reference/dockerfile/#workdir)
    pub struct CdInsteadOfWorkdir {
        code: "PL801",
        name: "cd-instead-of-workdir",
        alias: Some("DL3003"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A RUN starts with `cd` where WORKDIR would set the directory",
    }
}

impl Rule for CdInsteadOfWorkdir {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in runs(ctx.file) {
            if instruction.is_exec_form() {
                continue;
            }
            // The first command that is not `set -e` and the like.
            let Some(first) = instruction
                .commands()
                .find(|c| c.nested || c.program() != Some("set"))
            else {
                continue;
            };
            if first.nested || first.program_word().map(|w| base_name(&w.text)) != Some("cd") {
                continue;
            }
            let Some(dir) = first
                .program_args()
                .iter()
                .find(|w| !w.text.starts_with('-'))
            else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &Self::META,
                    first.span,
                    format!(
                        "this RUN starts with `cd {}`: the directory lasts only for this RUN, \
                         and later instructions do not know about it",
                        dir.text
                    ),
                )
                .with_help(format!(
                    "set `WORKDIR {}` before the RUN and drop the `cd`",
                    dir.text
                )),
            );
        }
    }
}
