use super::labels::{LabelFormat, check_format};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a label whose value is not an SPDX license expression where the label schema
    /// says it must be (hadolint's `spdx` label type). It also checks, schema or not,
    /// `org.opencontainers.image.licenses` whose format the OCI image spec defines; hadolint
    /// checks schema labels only. The `oci_formats` option (on by default) controls this, and a
    /// schema entry for one of these keys takes precedence.
    ///
    /// The schema comes from the configuration (hadolint's `label-schema`) or from
    /// `# plimsoll: require-label=KEY:FORMAT,…` comment lines in the file.
    ///
    /// This is hadolint's DL3054, with its severity (warning). Values from variables the file
    /// does not define are not checked: they are only known at build time.
    ///
    /// hadolint accepts a single license identifier only; this rule also accepts what the
    /// OCI spec asks for, an SPDX expression (`MIT OR Apache-2.0`, `GPL-2.0-only WITH
    /// Classpath-exception-2.0`, `LicenseRef-…`). Identifiers are checked against the
    /// SPDX License List, deprecated ones included, ignoring case.
    ///
    /// ## Why is this bad?
    /// License scanners and SBOM tools read `org.opencontainers.image.licenses` as an SPDX
    /// expression. `Apache License 2.0` or `GPLv2` is prose they can not match against a
    /// license list.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.licenses="Apache License 2.0"
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.licenses="Apache-2.0"
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3054](https://github.com/hadolint/hadolint/wiki/DL3054)
    /// - [SPDX license expressions](https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/)
    pub struct LabelNotSpdx {
        code: "PL936",
        name: "label-not-spdx",
        alias: Some("DL3054"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A label that must hold an SPDX license does not",
    }
}

impl Rule for LabelNotSpdx {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        check_format(
            ctx,
            &Self::META,
            LabelFormat::Spdx,
            "an SPDX license expression",
            "Apache-2.0",
            out,
        );
    }
}
