use super::repeated::report_repeats;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports a second (third, …) `HEALTHCHECK` in one stage, on the later one.
    ///
    /// BuildKit's `MultipleInstructionsDisallowed` check reports the same thing (for
    /// `CMD`, `ENTRYPOINT` and `HEALTHCHECK` together).
    ///
    /// ## Why is this bad?
    /// An image has one health check: each `HEALTHCHECK` replaces the one before, so only
    /// the stage's last one takes effect. The earlier ones are dead text that a reader takes
    /// for the check that runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// HEALTHCHECK CMD curl -f http://localhost/ || exit 1
    /// HEALTHCHECK --interval=5s CMD curl -f http://localhost/health || exit 1
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// HEALTHCHECK --interval=5s CMD curl -f http://localhost/health || exit 1
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: HEALTHCHECK](https://docs.docker.com/reference/dockerfile/#healthcheck)
    /// - [hadolint DL3012](https://github.com/hadolint/hadolint/wiki/DL3012)
    pub struct MultipleHealthchecks {
        code: "PL703",
        name: "multiple-healthchecks",
        alias: Some("DL3012"),
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "More than one HEALTHCHECK in a stage: only the last takes effect",
    }
}

impl Rule for MultipleHealthchecks {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        report_repeats(ctx.file, &Self::META, Keyword::Healthcheck, out);
    }
}
