use super::stages::{dependencies, reachable};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports a stage that nothing uses and that does not look like a build target of
    /// its own: it is not the last stage, no other stage builds on it (`FROM name`),
    /// copies from it (`COPY --from=name`) or mounts it (`RUN --mount=from=name`), and
    /// - it has no name, so not even `docker build --target` can select it; or
    /// - it is named but neither builds on nor copies from another stage, has
    ///   instructions besides `FROM`, and sets no `CMD` or `ENTRYPOINT`: a builder whose
    ///   results nothing picks up, typically because the final stage forgot its
    ///   `COPY --from`.
    ///
    /// Named stages that use other stages (`FROM base AS test`) or that set a `CMD` are
    /// taken for alternative targets (`docker build --target test`) and left alone, as
    /// are `FROM`-only stages (image aliases). A reference with variables
    /// (`FROM binaries-$TARGETOS`) counts as using every stage whose name it may produce.
    ///
    /// ## Why is this bad?
    /// `docker build` without `--target` skips such a stage entirely (BuildKit builds
    /// only what the target needs), so its work never reaches the image: usually the
    /// final stage copies the files from the build context instead of from the stage,
    /// or from the wrong stage.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// WORKDIR /src
    /// COPY . .
    /// RUN go build -o /out/app .
    /// FROM gcr.io/distroless/static-debian12
    /// COPY out/app /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// WORKDIR /src
    /// COPY . .
    /// RUN go build -o /out/app .
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// ## References
    /// - [Multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    pub struct UnreachableStage {
        code: "PL723",
        name: "unreachable-stage",
        alias: None,
        severity: Severity::Info,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A stage nothing uses: `docker build` skips it",
    }
}

impl Rule for UnreachableStage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        if file.stages.len() < 2 {
            return;
        }
        let deps = dependencies(file);
        let needed = reachable(file, &deps);
        let mut used = vec![false; file.stages.len()];
        for (i, stage_deps) in deps.iter().enumerate() {
            for &(d, _) in stage_deps {
                used[d] |= d != i;
            }
        }
        for stage in &file.stages {
            if needed[stage.index] || used[stage.index] {
                continue;
            }
            let instructions = file.stage_instructions(stage);
            let (span, message) = match &stage.name {
                None => (
                    file.instructions[stage.from].keyword_span,
                    format!(
                        "stage {} is not used by any other stage and has no name, so \
                         `docker build` never builds it",
                        stage.index
                    ),
                ),
                Some(name) => {
                    let looks_like_target = !deps[stage.index].is_empty()
                        || instructions.len() < 2
                        || instructions
                            .iter()
                            .any(|i| matches!(i.keyword, Keyword::Cmd | Keyword::Entrypoint));
                    if looks_like_target {
                        continue;
                    }
                    (
                        name.span,
                        format!(
                            "nothing uses stage `{}`: `docker build` skips it, so its work \
                             never reaches the image",
                            name.text
                        ),
                    )
                }
            };
            let help = if stage.name.is_some() {
                "copy its results with `COPY --from=` where they were meant to go, or delete \
                 the stage; if it is a build target of its own, ignore this finding on its FROM"
            } else {
                "name it (`FROM … AS name`) and copy its results with `COPY --from=name`, or \
                 delete the stage"
            };
            out.push(Diagnostic::new(&Self::META, span, message).with_help(help));
        }
    }
}
