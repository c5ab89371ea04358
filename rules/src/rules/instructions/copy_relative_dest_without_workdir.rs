use super::stages::{chain, is_absolute, workdir_set};
use crate::helpers::copy::CopyArgs;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Base;

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` to a relative destination (`COPY app.py .`,
    /// `COPY conf/ etc/`) in a stage where no `WORKDIR` has been set yet, neither in the
    /// stage nor in the stages it is built on. Destinations that start with a variable are
    /// left alone.
    ///
    /// Two deviations from hadolint: `ADD` is checked too, and stages built (directly or
    /// through other stages) on `scratch` are not reported, as their WORKDIR is `/`.
    ///
    /// ## Why is this bad?
    /// A relative destination is resolved against the WORKDIR in effect, which without a
    /// `WORKDIR` instruction is whatever the base image set: `/` for most, `/app`,
    /// `/usr/src/app` or `/home/node` for others. The files land somewhere the file does not
    /// say, and move when the base image changes.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY app.py .
    /// CMD ["python", "app.py"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// WORKDIR /app
    /// COPY app.py .
    /// CMD ["python", "app.py"]
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: WORKDIR](https://docs.docker.com/reference/dockerfile/#workdir)
    /// - [hadolint DL3045](https://github.com/hadolint/hadolint/wiki/DL3045)
    pub struct CopyRelativeDestWithoutWorkdir {
        code: "PL713",
        name: "copy-relative-dest-without-workdir",
        alias: Some("DL3045"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "COPY to a relative destination before any WORKDIR",
    }
}

impl Rule for CopyRelativeDestWithoutWorkdir {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for stage in &file.stages {
            let from_scratch = chain(file, stage)
                .last()
                .is_some_and(|root| root.base == Base::Scratch);
            if from_scratch {
                continue;
            }
            for instruction in file.stage_instructions(stage) {
                let Some(copy) = CopyArgs::of(instruction) else {
                    continue;
                };
                let dest = copy.dest.text.as_str();
                if dest.is_empty() || dest.starts_with('$') || is_absolute(dest) {
                    continue;
                }
                if workdir_set(file, stage, instruction.index) {
                    continue;
                }
                let keyword = instruction.keyword.as_str();
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        copy.dest.span,
                        format!(
                            "`{keyword}` to the relative path `{dest}` before any WORKDIR: it \
                             lands in whatever WORKDIR the base image set"
                        ),
                    )
                    .with_help(
                        "set `WORKDIR /some/dir` earlier in the stage, or write an absolute \
                         destination",
                    ),
                );
            }
        }
    }
}
