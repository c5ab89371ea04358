use super::labels::{LabelFormat, check_format};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a label whose value is not an e-mail address where the label schema says it must
    /// be (hadolint's `email` label type). No OCI key requires an e-mail address, so without a
    /// schema the rule has nothing to check.
    ///
    /// The schema comes from the configuration (hadolint's `label-schema`) or from
    /// `# plimsoll: require-label=KEY:FORMAT,…` comment lines in the file.
    ///
    /// This is hadolint's DL3058, with its severity (warning). Values from variables the file
    /// does not define are not checked: they are only known at build time.
    ///
    /// ## Why is this bad?
    /// A contact label is for sending mail to. A name, a URL or `Jane <jane@example.com>` (a
    /// display name, not an address) is not something a tool can send to.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL com.example.contact="Jane Doe"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL com.example.contact="jane@example.com"
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3058](https://github.com/hadolint/hadolint/wiki/DL3058)
    pub struct LabelNotEmail {
        code: "PL939",
        name: "label-not-email",
        alias: Some("DL3058"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A label that must hold an e-mail address does not",
    }
}

impl Rule for LabelNotEmail {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        check_format(
            ctx,
            &Self::META,
            LabelFormat::Email,
            "an e-mail address",
            "jane@example.com",
            out,
        );
    }
}
