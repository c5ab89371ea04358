use crate::suppression::parse_pragma;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports every inline ignore pragma — `# hadolint ignore=…`, `# plimsoll: ignore=…`
    /// and their `global` forms — for teams that want every exception to live in the
    /// configuration file instead of the Dockerfile.
    ///
    /// Off by default, as in hadolint (where DL1001's default severity is "ignore").
    ///
    /// ## Why is this bad?
    /// A pragma silences a rule where nobody reviewing the configuration will see it. Teams
    /// that audit their exceptions centrally (`ignore` and `per-file-ignores` in
    /// `plimsoll.toml`) turn this on so exceptions cannot creep into Dockerfiles.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// # hadolint ignore=DL3008
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// Use instead (in `plimsoll.toml`):
    /// ```toml
    /// [per-file-ignores]
    /// "Dockerfile" = ["DL3008"]
    /// ```
    ///
    /// ## References
    /// - [hadolint DL1001](https://github.com/hadolint/hadolint/wiki/DL1001)
    pub struct InlineIgnorePragma {
        code: "PL002",
        name: "inline-ignore-pragma",
        alias: Some("DL1001"),
        severity: Severity::Info,
        fix: FixAvailability::None,
        default_enabled: false,
        summary: "An inline ignore pragma silences a rule inside the Dockerfile",
    }
}

impl Rule for InlineIgnorePragma {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for comment in &ctx.file.comments {
            if parse_pragma(comment.span.text(ctx.text())).is_some() {
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        comment.span,
                        "inline ignore pragma: this exception is invisible to the configuration",
                    )
                    .with_help(
                        "move the exception to `ignore` or `per-file-ignores` in plimsoll.toml",
                    ),
                );
            }
        }
    }
}
