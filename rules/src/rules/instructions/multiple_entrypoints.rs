use super::repeated::report_repeats;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports a second (third, …) `ENTRYPOINT` in one stage, on the later one. An
    /// `ENTRYPOINT` in a stage built on another stage is not a repeat.
    ///
    /// BuildKit's `MultipleInstructionsDisallowed` check reports the same thing (for
    /// `CMD`, `ENTRYPOINT` and `HEALTHCHECK` together).
    ///
    /// ## Why is this bad?
    /// Each `ENTRYPOINT` replaces the one before, so only the stage's last one takes
    /// effect; setting `ENTRYPOINT` also resets a `CMD` inherited from the base image. The
    /// earlier ones are dead text that a reader takes for what the container runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// ENTRYPOINT ["/usr/bin/tini", "--"]
    /// ENTRYPOINT ["/app/server"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// ENTRYPOINT ["/usr/bin/tini", "--", "/app/server"]
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: ENTRYPOINT](https://docs.docker.com/reference/dockerfile/#entrypoint)
    /// - [hadolint DL4004](https://github.com/hadolint/hadolint/wiki/DL4004)
    pub struct MultipleEntrypoints {
        code: "PL722",
        name: "multiple-entrypoints",
        alias: Some("DL4004"),
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "More than one ENTRYPOINT in a stage: only the last takes effect",
    }
}

impl Rule for MultipleEntrypoints {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        report_repeats(ctx.file, &Self::META, Keyword::Entrypoint, out);
    }
}
