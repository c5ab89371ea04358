use super::stages::line_of;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a stage name (`FROM … AS name`) that an earlier stage already has. Names
    /// are compared case-insensitively, as BuildKit does (hadolint compares them as
    /// written).
    ///
    /// BuildKit's `DuplicateStageName` check reports the same thing.
    ///
    /// ## Why is this bad?
    /// BuildKit does not refuse the file: `COPY --from=name` and `--target name` silently
    /// pick the last stage with that name, and a `FROM name` the last one above it. Which
    /// stage a reference means then depends on where it is, and renaming or moving one
    /// stage changes what another copies.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/api ./cmd/api
    /// FROM node:22 AS build
    /// RUN npm ci && npm run build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build-api
    /// RUN go build -o /out/api ./cmd/api
    /// FROM node:22 AS build-web
    /// RUN npm ci && npm run build
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: FROM](https://docs.docker.com/reference/dockerfile/#from)
    /// - [BuildKit check DuplicateStageName](https://docs.docker.com/reference/build-checks/duplicate-stage-name/)
    /// - [hadolint DL3024](https://github.com/hadolint/hadolint/wiki/DL3024)
    pub struct StageNameReused {
        code: "PL708",
        name: "stage-name-reused",
        alias: Some("DL3024"),
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "Two stages have the same name",
    }
}

impl Rule for StageNameReused {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for (i, stage) in file.stages.iter().enumerate() {
            let (Some(name), Some(key)) = (&stage.name, stage.key()) else {
                continue;
            };
            let Some(first) = file.stages[..i]
                .iter()
                .find(|s| s.key().as_deref() == Some(key.as_str()))
            else {
                continue;
            };
            let line = first
                .name
                .as_ref()
                .map_or(0, |n| line_of(file, n.span.start));
            out.push(
                Diagnostic::new(
                    &Self::META,
                    name.span,
                    format!(
                        "the stage name `{}` is already used on line {line}: `--from={}` and \
                         `FROM {}` silently pick whichever comes last",
                        name.text, name.text, name.text
                    ),
                )
                .with_help("give every stage its own name"),
            );
        }
    }
}
