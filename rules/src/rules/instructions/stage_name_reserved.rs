use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a stage named `scratch` or `context` (in any case: BuildKit lower-cases
    /// stage names; hadolint compares them as written).
    ///
    /// BuildKit's `ReservedStageName` check reports the same thing.
    ///
    /// ## Why is this bad?
    /// `scratch` is the empty image and `context` the name BuildKit gives the build
    /// context. A stage with one of these names shadows it: a later `FROM scratch` builds
    /// on that stage instead of on the empty image, and the reader cannot tell which is
    /// meant.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS scratch
    /// RUN echo hi > /hello
    /// FROM scratch
    /// COPY --from=scratch /hello /
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20 AS build
    /// RUN echo hi > /hello
    /// FROM scratch
    /// COPY --from=build /hello /
    /// ```
    ///
    /// ## References
    /// - [BuildKit check ReservedStageName](https://docs.docker.com/reference/build-checks/reserved-stage-name/)
    /// - [hadolint DL3063](https://github.com/hadolint/hadolint/wiki/DL3063)
    pub struct StageNameReserved {
        code: "PL716",
        name: "stage-name-reserved",
        alias: Some("DL3063"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A stage is named `scratch` or `context`",
    }
}

impl Rule for StageNameReserved {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for stage in &ctx.file.stages {
            let Some(name) = &stage.name else {
                continue;
            };
            let meaning = match name.text.to_ascii_lowercase().as_str() {
                "scratch" => "the empty base image",
                "context" => "the build context",
                _ => continue,
            };
            out.push(
                Diagnostic::new(
                    &Self::META,
                    name.span,
                    format!(
                        "`{}` is a reserved name ({meaning}): naming a stage so shadows it",
                        name.text
                    ),
                )
                .with_help("choose another stage name, e.g. `build` or `base`"),
            );
        }
    }
}
