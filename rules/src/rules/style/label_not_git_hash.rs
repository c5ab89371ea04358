use super::labels::{LabelFormat, check_format};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a label whose value is not a git commit hash (7 or 40 lower-case hex digits)
    /// where the label schema says it must be (hadolint's `hash` label type). No OCI key
    /// requires a git hash, so without a schema the rule has nothing to check.
    ///
    /// The schema comes from the configuration (hadolint's `label-schema`) or from
    /// `# plimsoll: require-label=KEY:FORMAT,…` comment lines in the file.
    ///
    /// This is hadolint's DL3055, with its severity (warning). Values from variables the file
    /// does not define are not checked: they are only known at build time.
    ///
    /// ## Why is this bad?
    /// A label meant to tie the image to a commit is only useful if the value is one: a branch
    /// name or a tag moves, and an upper-case or truncated hash is not what git prints.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.revision="main"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.revision="3f2a9c1"
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3055](https://github.com/hadolint/hadolint/wiki/DL3055)
    pub struct LabelNotGitHash {
        code: "PL937",
        name: "label-not-git-hash",
        alias: Some("DL3055"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A label that must hold a git hash does not",
    }
}

impl Rule for LabelNotGitHash {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        check_format(
            ctx,
            &Self::META,
            LabelFormat::GitHash,
            "a git commit hash (7 or 40 lower-case hex digits)",
            "3f2a9c1",
            out,
        );
    }
}
