use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a stage name (`FROM … AS name`) with upper-case letters.
    ///
    /// This is BuildKit's `StageNameCasing` check. BuildKit reports it as a warning;
    /// Plimsoll classes it as style, since the build behaves the same either way.
    ///
    /// ## Why is this bad?
    /// BuildKit lower-cases stage names: `AS Builder` defines the stage `builder`, and
    /// `COPY --from=BUILDER`, `--from=builder` and `--target builder` all name it. Writing
    /// it in mixed case suggests a distinction that does not exist, and makes searching
    /// the file for the stage's uses harder.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS BuildEnv
    /// RUN go build -o /out/app ./cmd/app
    ///
    /// FROM gcr.io/distroless/static
    /// COPY --from=BuildEnv /out/app /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build-env
    /// RUN go build -o /out/app ./cmd/app
    ///
    /// FROM gcr.io/distroless/static
    /// COPY --from=build-env /out/app /app
    /// ```
    ///
    /// ## References
    /// - [BuildKit check StageNameCasing](https://docs.docker.com/reference/build-checks/stage-name-casing/)
    pub struct StageNameCasing {
        code: "PL900",
        name: "stage-name-casing",
        alias: Some("StageNameCasing"),
        severity: Severity::Style,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A stage name has upper-case letters",
    }
}

impl Rule for StageNameCasing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for stage in &ctx.file.stages {
            let Some(name) = &stage.name else {
                continue;
            };
            let lower = name.text.to_lowercase();
            if name.text == lower {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::META,
                    name.span,
                    format!(
                        "stage name `{}` has upper-case letters: BuildKit lower-cases stage names, so this stage is `{lower}`",
                        name.text
                    ),
                )
                .with_help(format!("name it `{lower}`, and use that spelling wherever the stage is referenced")),
            );
        }
    }
}
