use super::labels::{LabelFormat, check_format};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a label whose value is not a semantic version where the label schema says it
    /// must be (hadolint's `semver` label type). No OCI key requires a semantic version, so
    /// without a schema the rule has nothing to check.
    ///
    /// The schema comes from the configuration (hadolint's `label-schema`) or from
    /// `# plimsoll: require-label=KEY:FORMAT,…` comment lines in the file.
    ///
    /// This is hadolint's DL3056, with its severity (warning). Values from variables the file
    /// does not define are not checked: they are only known at build time.
    ///
    /// ## Why is this bad?
    /// Tools that compare versions parse them as semantic versions: `v1.2` or `1.2` sorts
    /// wrongly or not at all.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.version="v1.2"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.version="1.2.0"
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3056](https://github.com/hadolint/hadolint/wiki/DL3056)
    /// - [Semantic Versioning 2.0.0](https://semver.org/)
    pub struct LabelNotSemver {
        code: "PL938",
        name: "label-not-semver",
        alias: Some("DL3056"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A label that must hold a semantic version does not",
    }
}

impl Rule for LabelNotSemver {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        check_format(
            ctx,
            &Self::META,
            LabelFormat::SemVer,
            "a semantic version",
            "1.2.0",
            out,
        );
    }
}
