use super::labels::{labels, options_for};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a label that the label schema does not list, when strict labels are on.
    ///
    /// This is hadolint's DL3050, with its severity (info). It only runs with
    /// hadolint's `strict-labels` (`--strict-labels`) set in the configuration, or a
    /// `# plimsoll: strict-labels` comment line in the file.
    ///
    /// ## Why is this bad?
    /// A team that fixes the set of labels its images carry wants a typo
    /// (`org.opencontainers.image.sources`) or an ad-hoc label to be noticed, rather than
    /// shipped and queried for in vain.
    ///
    /// ## Example
    /// With a schema of `org.opencontainers.image.source` and strict labels:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.source="https://github.com/acme/app" team=payments
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.source="https://github.com/acme/app"
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3050](https://github.com/hadolint/hadolint/wiki/DL3050)
    pub struct SuperfluousLabel {
        code: "PL932",
        name: "superfluous-label",
        alias: Some("DL3050"),
        severity: Severity::Info,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A label the strict label schema does not list",
    }
}

impl Rule for SuperfluousLabel {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let options = options_for(ctx.file);
        if !options.strict {
            return;
        }
        for label in labels(ctx.file) {
            let key = &label.pair.key;
            if options.schema.contains_key(key) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::META,
                    label.pair.key_span,
                    format!("label `{key}` is not in the label schema, and strict labels allow no others"),
                )
                .with_help("remove it, or add it to the label schema"),
            );
        }
    }
}
