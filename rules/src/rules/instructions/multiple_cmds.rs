use super::repeated::report_repeats;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports a second (third, …) `CMD` in one stage, on the later one. A `CMD` in a stage
    /// built on another stage is not a repeat: replacing the parent's `CMD` is what it is
    /// for.
    ///
    /// BuildKit's `MultipleInstructionsDisallowed` check reports the same thing (for
    /// `CMD`, `ENTRYPOINT` and `HEALTHCHECK` together).
    ///
    /// ## Why is this bad?
    /// Each `CMD` replaces the one before, so only the stage's last one takes effect. An
    /// earlier `CMD` is usually a leftover, or an attempt to run two programs, which needs
    /// a script or a process supervisor instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// CMD ["python", "migrate.py"]
    /// CMD ["python", "app.py"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// CMD ["sh", "-c", "python migrate.py && exec python app.py"]
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: CMD](https://docs.docker.com/reference/dockerfile/#cmd)
    /// - [hadolint DL4003](https://github.com/hadolint/hadolint/wiki/DL4003)
    pub struct MultipleCmds {
        code: "PL721",
        name: "multiple-cmds",
        alias: Some("DL4003"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "More than one CMD in a stage: only the last takes effect",
    }
}

impl Rule for MultipleCmds {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        report_repeats(ctx.file, &Self::META, Keyword::Cmd, out);
    }
}
