use super::stages::{chain, earlier_in_image, mount_froms};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::{Base, Form, Keyword};

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` in a stage built on `scratch` (directly or through other stages)
    /// before any `COPY` or `ADD` has put files into it. A `RUN` that mounts another
    /// stage or image (`--mount=from=…`) is left alone: the mount may bring the program.
    ///
    /// ## Why is this bad?
    /// `scratch` is empty: no `/bin/sh` for a shell-form `RUN`, no program for an
    /// exec-form one. The build stops with `/bin/sh: no such file or directory`.
    /// Commands belong in a stage built on a real image, whose results are then copied
    /// into the scratch stage.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM scratch
    /// RUN mkdir -p /data
    /// COPY app /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM busybox:1.36 AS prepare
    /// RUN mkdir -p /data
    /// FROM scratch
    /// COPY --from=prepare /data /data
    /// COPY app /app
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: FROM scratch](https://docs.docker.com/build/building/base-images/#create-a-minimal-base-image-using-scratch)
    pub struct RunInScratchStage {
        code: "PL725",
        name: "run-in-scratch-stage",
        alias: None,
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "RUN in a stage built on scratch, which has no shell or programs",
    }
}

impl Rule for RunInScratchStage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for stage in &file.stages {
            let from_scratch = chain(file, stage)
                .last()
                .is_some_and(|root| root.base == Base::Scratch);
            if !from_scratch {
                continue;
            }
            for instruction in file.stage_instructions(stage) {
                if instruction.keyword != Keyword::Run || !mount_froms(file, instruction).is_empty()
                {
                    continue;
                }
                let has_files = earlier_in_image(file, stage, instruction.index)
                    .iter()
                    .any(|i| matches!(i.keyword, Keyword::Copy | Keyword::Add));
                if has_files {
                    // Anything after the first file may be the program; stop looking.
                    break;
                }
                let what = match &instruction.form {
                    Form::Exec(words) => words
                        .first()
                        .map_or_else(|| "the program".to_string(), |w| format!("`{}`", w.text)),
                    _ => "`/bin/sh`".to_string(),
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        instruction.keyword_span,
                        format!(
                            "`RUN` in a stage built on scratch: the image is empty, so {what} \
                             does not exist and the build fails"
                        ),
                    )
                    .with_help(
                        "run the command in a stage built on a real image and `COPY --from` its \
                         results into this one",
                    ),
                );
            }
        }
    }
}
