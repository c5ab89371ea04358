use super::maintainer;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports the `MAINTAINER` instruction.
    ///
    /// This is hadolint's DL4000, with its severity (error). BuildKit's
    /// `MaintainerDeprecated` check (PL908, off by default) reports the same instructions.
    ///
    /// ## Why is this bad?
    /// `MAINTAINER` has been deprecated since Docker 1.13. It fills the image's `Author`
    /// field, which the OCI image format no longer has; tools read the
    /// `org.opencontainers.image.authors` label instead, and a label can hold any contact
    /// detail without a special instruction.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// MAINTAINER Jane Doe <jane@example.com>
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces the instruction with `LABEL org.opencontainers.image.authors="…"`
    /// holding the same text (quotes around the whole text are dropped; `"`, `$` and the
    /// escape character are escaped so the label holds the text literally). What the image
    /// runs does not change, only where its metadata names the author, so it is safe. There
    /// is no fix when the stage already sets that label.
    ///
    /// ## References
    /// - [hadolint DL4000](https://github.com/hadolint/hadolint/wiki/DL4000)
    /// - [Dockerfile reference: MAINTAINER (deprecated)](https://docs.docker.com/reference/dockerfile/#maintainer-deprecated)
    pub struct MaintainerDeprecated {
        code: "PL907",
        name: "maintainer-deprecated",
        alias: Some("DL4000"),
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "MAINTAINER is deprecated: use the `org.opencontainers.image.authors` label",
    }
}

impl Rule for MaintainerDeprecated {
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
