use super::labels::{labels, options_for};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a label of the label schema set to an empty value (`LABEL version=""`).
    ///
    /// This is hadolint's DL3051, with its severity (warning). It only runs when a label
    /// schema is configured (hadolint's `label-schema`, or a
    /// `# plimsoll: require-label=KEY:FORMAT,…` comment line in the file). A value from a
    /// variable the file does not define (a build argument) is not reported: it is only
    /// known at build time.
    ///
    /// ## Why is this bad?
    /// An empty required label satisfies the letter of the schema and none of its
    /// purpose: whoever reads the label gets nothing.
    ///
    /// ## Example
    /// With `org.opencontainers.image.version` in the schema:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.version=""
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ARG VERSION=0.0.0-dev
    /// LABEL org.opencontainers.image.version="$VERSION"
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3051](https://github.com/hadolint/hadolint/wiki/DL3051)
    pub struct EmptyRequiredLabel {
        code: "PL933",
        name: "empty-required-label",
        alias: Some("DL3051"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A label of the label schema is empty",
    }
}

impl Rule for EmptyRequiredLabel {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let options = options_for(ctx.file);
        if options.schema.is_empty() {
            return;
        }
        for label in labels(ctx.file) {
            let key = &label.pair.key;
            if !options.schema.contains_key(key) || label.value.as_deref() != Some("") {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::META,
                    label.pair.span,
                    format!("label `{key}` is empty, but the label schema requires it"),
                )
                .with_help(format!("give `{key}` a value")),
            );
        }
    }
}
