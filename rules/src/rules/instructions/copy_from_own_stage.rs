use super::stages::{Target, copy_from, resolve};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `COPY --from` that names the stage it is in, by name (compared
    /// case-insensitively, as BuildKit does) or by index.
    ///
    /// ## Why is this bad?
    /// A stage cannot copy from itself: its files do not exist until the stage is built.
    /// BuildKit stops with `circular dependency detected on stage`. Usually another stage
    /// was meant, or the files are already there and a `RUN cp` would do.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22 AS build
    /// RUN npm ci && npm run build
    /// COPY --from=build /src/dist /usr/share/nginx/html
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22 AS build
    /// RUN npm ci && npm run build
    ///
    /// FROM nginx:1.27
    /// COPY --from=build /src/dist /usr/share/nginx/html
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: COPY --from](https://docs.docker.com/reference/dockerfile/#copy---from)
    /// - [hadolint DL3023](https://github.com/hadolint/hadolint/wiki/DL3023)
    pub struct CopyFromOwnStage {
        code: "PL707",
        name: "copy-from-own-stage",
        alias: Some("DL3023"),
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "COPY --from names the stage it is in",
    }
}

impl Rule for CopyFromOwnStage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for stage in &file.stages {
            for instruction in file.stage_instructions(stage) {
                let Some(from) = copy_from(instruction) else {
                    continue;
                };
                if resolve(file, &from.value) != Target::Stage(stage.index) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        from.span,
                        format!(
                            "`--from={}` names the stage this COPY is in: a stage cannot copy \
                             from itself, and BuildKit stops with a circular dependency",
                            from.value
                        ),
                    )
                    .with_help(
                        "copy from the stage that builds the files, or start a new stage with \
                         `FROM` before this COPY",
                    ),
                );
            }
        }
    }
}
