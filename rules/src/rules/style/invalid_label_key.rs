use super::labels::labels;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `LABEL` key that breaks Docker's key conventions: it must start with a
    /// lower-case letter, end with a lower-case letter or digit, hold only lower-case
    /// letters, digits, `.`, `-`, `_` and `/`, have no `..` or `--`, and not use the
    /// namespaces Docker reserves (`com.docker.`, `io.docker.`, `org.dockerproject.`).
    ///
    /// This is hadolint's DL3048, with its severity (style). A key with a variable in it is
    /// checked as the builder stores it, after expansion (hadolint checks the text as
    /// written, `$` included); one whose variable has no value in the file is skipped.
    ///
    /// ## Why is this bad?
    /// Labels from many sources end up on one image: the base image, the build, CI, the
    /// registry. Lower-case reverse-DNS keys (`org.opencontainers.image.source`,
    /// `com.example.team`) keep them from colliding and keep them greppable; tools that
    /// query labels compare keys exactly, so `Maintainer` and `maintainer` are two
    /// different labels.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL Maintainer="ops@example.com" com.docker.tier=backend
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.authors="ops@example.com" com.example.tier=backend
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3048](https://github.com/hadolint/hadolint/wiki/DL3048)
    /// - [Docker object labels: key format recommendations](https://docs.docker.com/engine/manage-resources/labels/#key-format-recommendations)
    pub struct InvalidLabelKey {
        code: "PL930",
        name: "invalid-label-key",
        alias: Some("DL3048"),
        severity: Severity::Style,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A LABEL key breaks Docker's key conventions",
    }
}

impl Rule for InvalidLabelKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for label in labels(ctx.file) {
            let written = &label.pair.key;
            let key = if written.contains('$') {
                // Checked as the builder stores it; unknown when a variable has no value.
                let expanded = ctx.file.expand(label.instruction.index, written);
                if !expanded.unresolved.is_empty() {
                    continue;
                }
                expanded.text
            } else {
                written.clone()
            };
            if key.is_empty() {
                continue;
            }
            let Some(problem) = problem(&key) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &Self::META,
                    label.pair.key_span,
                    format!("label key `{key}` {problem}"),
                )
                .with_help(
                    "use a lower-case reverse-DNS key of letters, digits, `.` and `-`, such as `com.example.team` or `org.opencontainers.image.source`",
                ),
            );
        }
    }
}

/// What is wrong with `key`, as a phrase.
fn problem(key: &str) -> Option<String> {
    let valid = |c: char| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_' | '/')
    };
    if let Some(reserved) = ["com.docker.", "io.docker.", "org.dockerproject."]
        .iter()
        .find(|ns| key.starts_with(*ns))
    {
        return Some(format!(
            "uses the namespace `{reserved}`, which Docker reserves for itself"
        ));
    }
    if key.chars().any(|c| c.is_ascii_uppercase()) {
        return Some("has upper-case letters".to_string());
    }
    if let Some(bad) = key.chars().find(|&c| !valid(c)) {
        return Some(format!(
            "has the character `{bad}`, which keys should not hold"
        ));
    }
    if !key.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("does not start with a letter".to_string());
    }
    if !key.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return Some("does not end with a letter or digit".to_string());
    }
    if key.contains("..") || key.contains("--") {
        return Some("has two separators in a row".to_string());
    }
    None
}
