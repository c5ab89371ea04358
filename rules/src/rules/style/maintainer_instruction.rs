use super::maintainer;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports the `MAINTAINER` instruction.
    ///
    /// This is BuildKit's `MaintainerDeprecated` check. It is off by default because PL907
    /// (hadolint's DL4000) reports the same instructions; select `MaintainerDeprecated` (or
    /// PL908) to get it under BuildKit's name and severity (warning).
    ///
    /// ## Why is this bad?
    /// `MAINTAINER` has been deprecated since Docker 1.13. It fills the image's `Author`
    /// field, which the OCI image format no longer has; tools read the
    /// `org.opencontainers.image.authors` label instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// MAINTAINER jane@example.com
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.authors="jane@example.com"
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces the instruction with `LABEL org.opencontainers.image.authors="…"`
    /// holding the same text. What the image runs does not change, only where its metadata
    /// names the author, so it is safe. There is no fix when the stage already sets that
    /// label.
    ///
    /// ## References
    /// - [BuildKit check MaintainerDeprecated](https://docs.docker.com/reference/build-checks/maintainer-deprecated/)
    pub struct MaintainerInstruction {
        code: "PL908",
        name: "maintainer-instruction",
        alias: Some("MaintainerDeprecated"),
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        default_enabled: false,
        summary: "MAINTAINER is deprecated (BuildKit's check)",
    }
}

impl Rule for MaintainerInstruction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx
            .file
            .instructions
            .iter()
            .filter(|i| i.keyword == Keyword::Maintainer)
        {
            out.push(maintainer::diagnostic(&Self::META, ctx.file, instruction));
        }
    }
}
