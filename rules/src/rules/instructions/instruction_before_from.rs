use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports an instruction other than `ARG` before the first `FROM` (comments and
    /// parser directives may come first).
    ///
    /// Off by default: the syntax check PL000 already reports these, since `docker build`
    /// refuses them. The rule exists so that hadolint's code `DL3061` can be selected.
    ///
    /// ## Why is this bad?
    /// Every instruction but `ARG` belongs to a stage, and a stage starts with `FROM`. An
    /// instruction before it has no image to act on, and the build stops.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.source=https://example.com/repo
    /// FROM alpine:3.20
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.source=https://example.com/repo
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: FROM](https://docs.docker.com/reference/dockerfile/#from)
    /// - [hadolint DL3061](https://github.com/hadolint/hadolint/wiki/DL3061)
    pub struct InstructionBeforeFrom {
        code: "PL715",
        name: "instruction-before-from",
        alias: Some("DL3061"),
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: false,
        summary: "An instruction other than ARG comes before the first FROM",
    }
}

impl Rule for InstructionBeforeFrom {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in &ctx.file.instructions {
            match instruction.keyword {
                Keyword::From => return,
                Keyword::Arg | Keyword::Unknown => continue,
                keyword => out.push(
                    Diagnostic::new(
                        &Self::META,
                        instruction.keyword_span,
                        format!(
                            "`{}` before the first `FROM`: only `ARG` may come before it",
                            keyword.as_str()
                        ),
                    )
                    .with_help("move it below the `FROM` of the stage it belongs to"),
                ),
            }
        }
    }
}
