use super::labels::{LabelFormat, check_format};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a label whose value is not an absolute URL where the label schema says it must
    /// be (hadolint's `url` label type). It also checks, schema or not, the OCI keys that hold
    /// URLs: `org.opencontainers.image.url`, `.documentation` and `.source`, and the older
    /// `org.label-schema.url` and `.vcs-url` whose format the OCI image spec defines; hadolint
    /// checks schema labels only. The `oci_formats` option (on by default) controls this, and a
    /// schema entry for one of these keys takes precedence.
    ///
    /// The schema comes from the configuration (hadolint's `label-schema`) or from
    /// `# plimsoll: require-label=KEY:FORMAT,…` comment lines in the file.
    ///
    /// This is hadolint's DL3052, with its severity (warning). Values from variables the file
    /// does not define are not checked: they are only known at build time.
    ///
    /// ## Why is this bad?
    /// Tools link these labels: registries show the source link, and Renovate, Dependabot and
    /// scanners follow `org.opencontainers.image.source` to the repository. A value without a
    /// scheme (`github.com/acme/app`) or with spaces is not a URL they can follow.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.source="github.com/acme/app"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.source="https://github.com/acme/app"
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3052](https://github.com/hadolint/hadolint/wiki/DL3052)
    /// - [OCI image spec: pre-defined annotation keys](https://github.com/opencontainers/image-spec/blob/main/annotations.md)
    pub struct LabelNotUrl {
        code: "PL934",
        name: "label-not-url",
        alias: Some("DL3052"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A label that must hold a URL does not",
    }
}

impl Rule for LabelNotUrl {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        check_format(
            ctx,
            &Self::META,
            LabelFormat::Url,
            "an absolute URL",
            "https://github.com/acme/app",
            out,
        );
    }
}
