use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use std::collections::HashMap;

declare_rule! {
    /// ## What it does
    /// Reports a stage name (`FROM … AS name`) that an earlier stage already uses. Names
    /// are compared as BuildKit compares them, ignoring case: `AS Build` and `AS build`
    /// are the same name.
    ///
    /// This is BuildKit's `DuplicateStageName` check. It is off by default because the
    /// rule for hadolint's DL3024 reports the same duplicates (Plimsoll's, like BuildKit,
    /// ignoring case); select `DuplicateStageName` (or PL904) to get them under
    /// BuildKit's name.
    ///
    /// ## Why is this bad?
    /// `COPY --from=build` and `--target build` can name only one of the stages: BuildKit
    /// takes the one defined last, so the earlier stage can no longer be referenced by
    /// name, and a `FROM build` between the two means the earlier one. It is almost always
    /// a copy-paste mistake.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22 AS build
    /// RUN npm ci && npm run build
    ///
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/api ./cmd/api
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22 AS web-build
    /// RUN npm ci && npm run build
    ///
    /// FROM golang:1.23 AS api-build
    /// RUN go build -o /out/api ./cmd/api
    /// ```
    ///
    /// ## References
    /// - [BuildKit check DuplicateStageName](https://docs.docker.com/reference/build-checks/duplicate-stage-name/)
    /// - [hadolint DL3024](https://github.com/hadolint/hadolint/wiki/DL3024)
    pub struct StageNameNotUnique {
        code: "PL904",
        name: "stage-name-not-unique",
        alias: Some("DuplicateStageName"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: false,
        summary: "Two stages have the same name",
    }
}

impl Rule for StageNameNotUnique {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut first_use: HashMap<String, usize> = HashMap::new();
        for stage in &ctx.file.stages {
            let (Some(name), Some(key)) = (&stage.name, stage.key()) else {
                continue;
            };
            let Some(&earlier) = first_use.get(&key) else {
                first_use.insert(key, name.span.start);
                continue;
            };
            let line = ctx.file.line_col(earlier).line;
            out.push(
                Diagnostic::new(
                    &Self::META,
                    name.span,
                    format!(
                        "stage name `{}` is already used by the stage on line {line}: `--from={key}` can name only one of them",
                        name.text
                    ),
                )
                .with_help("give each stage its own name"),
            );
        }
    }
}
