use super::stages::{Target, chain, copy_from, resolve};
use crate::helpers::copy::CopyArgs;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::{Base, Dockerfile, Keyword, Stage};

declare_rule! {
    /// ## What it does
    /// Reports `COPY --from=… / /`: a copy of another stage's or image's whole
    /// filesystem onto this stage's root.
    ///
    /// Deviations from hadolint, which reports every such copy: only a copy from a stage
    /// of this file that holds an operating system (built on an image, not `scratch`, and
    /// running commands with `RUN`) into a stage that holds one too is reported. Copying
    /// into a stage built on `scratch` overwrites nothing of a system (it is how images
    /// are flattened or files collected), and copying a stage or image that only carries
    /// files (`FROM tonistiigi/xx AS xx`, `FROM scratch AS binaries`) is how such
    /// file-only images are meant to be used.
    ///
    /// ## Why is this bad?
    /// Over an existing filesystem the copy overwrites everything of the same path: the
    /// package database, `/etc/passwd`, shared libraries, mixing two distributions into
    /// one that neither maintains. It also carries the other stage's caches, compilers and
    /// secrets along. Copy the directories the image needs instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app .
    /// FROM debian:12-slim
    /// COPY --from=build / /
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app .
    /// FROM debian:12-slim
    /// COPY --from=build /out/app /usr/local/bin/app
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: COPY --from](https://docs.docker.com/reference/dockerfile/#copy---from)
    /// - [hadolint DL3067](https://github.com/hadolint/hadolint/wiki/DL3067)
    pub struct CopyEntireFilesystem {
        code: "PL720",
        name: "copy-entire-filesystem",
        alias: Some("DL3067"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "COPY --from=… / / copies a whole filesystem over this stage's",
    }
}

impl Rule for CopyEntireFilesystem {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for stage in &file.stages {
            for instruction in file.stage_instructions(stage) {
                let (Some(from), Some(copy)) = (copy_from(instruction), CopyArgs::of(instruction))
                else {
                    continue;
                };
                if copy.dest.text != "/" {
                    continue;
                }
                let Some(root) = copy.sources.iter().find(|s| s.text == "/") else {
                    continue;
                };
                if !holds_a_system(file, stage) {
                    continue;
                }
                let Target::Stage(source) = resolve(file, &from.value) else {
                    continue;
                };
                let source = &file.stages[source];
                let runs_commands = chain(file, source).iter().any(|s| {
                    file.stage_instructions(s)
                        .iter()
                        .any(|i| i.keyword == Keyword::Run)
                });
                if !holds_a_system(file, source) || !runs_commands {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        root.span,
                        format!(
                            "`COPY --from={} / /` copies that stage's whole filesystem over this \
                             one's, overwriting its system files",
                            from.value
                        ),
                    )
                    .with_help("copy only the directories the image needs, e.g. `COPY --from=build /out/app /usr/local/bin/`"),
                );
            }
        }
    }
}

/// Whether a stage is built on a known image (through the stages it is built on), so it
/// holds an operating system's files.
fn holds_a_system(file: &Dockerfile, stage: &Stage) -> bool {
    chain(file, stage)
        .last()
        .is_some_and(|root| matches!(root.base, Base::Image(_)) && root.unresolved_vars.is_empty())
}
