use super::stages::chain;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports a final stage (the image `docker build` produces without `--target`) that
    /// has no `HEALTHCHECK`, neither itself nor in the stages it is built on.
    ///
    /// Off by default, as in hadolint (whose `DL3057` has the level "ignore"): many
    /// images are health-checked by their orchestrator instead (Kubernetes probes), and a
    /// base image may define a check that this file cannot see. Unlike hadolint, only the
    /// final stage is reported, not every build stage.
    ///
    /// ## Why is this bad?
    /// Without a health check, Docker and Compose only know whether the process is alive,
    /// not whether it works: a server stuck in a deadlock or a lost database connection
    /// shows as `running` forever, and nothing restarts it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost/ || exit 1
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: HEALTHCHECK](https://docs.docker.com/reference/dockerfile/#healthcheck)
    /// - [hadolint DL3057](https://github.com/hadolint/hadolint/wiki/DL3057)
    pub struct MissingHealthcheck {
        code: "PL714",
        name: "missing-healthcheck",
        alias: Some("DL3057"),
        severity: Severity::Info,
        fix: FixAvailability::None,
        default_enabled: false,
        summary: "The final image has no HEALTHCHECK",
    }
}

impl Rule for MissingHealthcheck {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let Some(last) = file.final_stage() else {
            return;
        };
        let has_check = chain(file, last).iter().any(|stage| {
            file.stage_instructions(stage)
                .iter()
                .any(|i| i.keyword == Keyword::Healthcheck)
        });
        if has_check {
            return;
        }
        let span = last
            .image_word
            .as_ref()
            .map_or(file.instructions[last.from].keyword_span, |w| w.span);
        out.push(
            Diagnostic::new(
                &Self::META,
                span,
                "the final image has no HEALTHCHECK: Docker can tell that its process runs, \
                 not that it works",
            )
            .with_help(
                "add e.g. `HEALTHCHECK CMD curl -fsS http://localhost:8080/health || exit 1`, \
                 or `HEALTHCHECK NONE` to say that none is wanted",
            ),
        );
    }
}
