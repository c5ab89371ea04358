use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a stage named `scratch` or `context` (in any case).
    ///
    /// This is BuildKit's `ReservedStageName` check.
    ///
    /// ## Why is this bad?
    /// Both names already mean something to the builder: `scratch` is the empty image and
    /// `context` is the build context, both usable in `FROM` and `COPY --from`. A stage
    /// with one of these names makes every such reference ambiguous to the reader, and
    /// `FROM scratch` in a later stage still means the empty image, not the stage.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS scratch
    /// RUN echo hi > /hello
    ///
    /// FROM scratch
    /// COPY --from=scratch /hello /
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20 AS hello
    /// RUN echo hi > /hello
    ///
    /// FROM scratch
    /// COPY --from=hello /hello /
    /// ```
    ///
    /// ## References
    /// - [BuildKit check ReservedStageName](https://docs.docker.com/reference/build-checks/reserved-stage-name/)
    pub struct ReservedStageName {
        code: "PL905",
        name: "reserved-stage-name",
        alias: Some("ReservedStageName"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A stage is named `scratch` or `context`",
    }
}

impl Rule for ReservedStageName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for stage in &ctx.file.stages {
            let (Some(name), Some(key)) = (&stage.name, stage.key()) else {
                continue;
            };
            let meaning = match key.as_str() {
                "scratch" => "the empty base image",
                "context" => "the build context",
                _ => continue,
            };
            out.push(
                Diagnostic::new(
                    &Self::META,
                    name.span,
                    format!("`{}` is reserved: it already names {meaning}", name.text),
                )
                .with_help("pick another name for the stage"),
            );
        }
    }
}
