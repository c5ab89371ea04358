use super::labels::{LabelFormat, check_format};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a label whose value is not an RFC 3339 date and time where the label schema says
    /// it must be (hadolint's `rfc3339` label type). It also checks, schema or not,
    /// `org.opencontainers.image.created` and the older `org.label-schema.build-date` whose
    /// format the OCI image spec defines; hadolint checks schema labels only. The `oci_formats`
    /// option (on by default) controls this, and a schema entry for one of these keys takes
    /// precedence.
    ///
    /// The schema comes from the configuration (hadolint's `label-schema`) or from
    /// `# plimsoll: require-label=KEY:FORMAT,…` comment lines in the file.
    ///
    /// This is hadolint's DL3053, with its severity (warning). Values from variables the file
    /// does not define are not checked: they are only known at build time.
    ///
    /// ## Why is this bad?
    /// The OCI image spec defines `created` as an RFC 3339 date and time, and tools parse it to
    /// sort and age images. A bare date, a local time without offset or a `date` default format
    /// does not parse.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.created="2024-05-01"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.created="2024-05-01T12:00:00Z"
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3053](https://github.com/hadolint/hadolint/wiki/DL3053)
    /// - [RFC 3339](https://www.rfc-editor.org/rfc/rfc3339)
    pub struct LabelNotRfc3339 {
        code: "PL935",
        name: "label-not-rfc3339",
        alias: Some("DL3053"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A label that must hold an RFC 3339 time does not",
    }
}

impl Rule for LabelNotRfc3339 {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        check_format(
            ctx,
            &Self::META,
            LabelFormat::Rfc3339,
            "an RFC 3339 date and time",
            "2024-05-01T12:00:00Z",
            out,
        );
    }
}
