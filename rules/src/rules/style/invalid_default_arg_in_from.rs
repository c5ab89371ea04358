use super::from_args;
use super::reference::invalid_reason;
use super::variables::references;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::vars;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM` whose image, with every `ARG` at its default (no `--build-arg`
    /// given), expands to an empty or invalid image reference: `ARG VERSION` without a
    /// default and `FROM busybox:$VERSION` gives `busybox:`.
    ///
    /// This is BuildKit's `InvalidDefaultArgInFrom` check. Like BuildKit, it also reports a
    /// `FROM` without variables whose image is not a valid reference (`FROM REPLACE-ME`),
    /// but not one that names an earlier stage. Platform arguments (`TARGETARCH`, …) always
    /// have a value; they are taken as for a `linux/amd64` build.
    ///
    /// ## Why is this bad?
    /// The file only builds when the caller remembers every `--build-arg`. Plain
    /// `docker build .`, an IDE, a dependency bot or a scanner that builds the file fails
    /// with "invalid reference format", or pulls an image nobody meant. A default that
    /// builds keeps the argument optional.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG PYTHON_VERSION
    /// FROM python:${PYTHON_VERSION}-slim
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ARG PYTHON_VERSION=3.12
    /// FROM python:${PYTHON_VERSION}-slim
    /// ```
    ///
    /// ## References
    /// - [BuildKit check InvalidDefaultArgInFrom](https://docs.docker.com/reference/build-checks/invalid-default-arg-in-from/)
    pub struct InvalidDefaultArgInFrom {
        code: "PL915",
        name: "invalid-default-arg-in-from",
        alias: Some("InvalidDefaultArgInFrom"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "FROM expands to an invalid image when ARGs keep their defaults",
    }
}

impl Rule for InvalidDefaultArgInFrom {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let defaults = from_args::default_values(file);
        for stage in &file.stages {
            let Some(word) = from_args::image_word(stage) else {
                continue;
            };
            let earlier_stage = |name: &str| {
                file.stage_by_ref(name)
                    .is_some_and(|s| s.index < stage.index)
            };
            let refs = references(&word.text, file.escape());
            if !word.text.contains('$') {
                // A literal name: a stage name (any case) is fine, the rest must parse.
                if earlier_stage(&word.text) {
                    continue;
                }
                if let Some(reason) = invalid_reason(&word.text) {
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            word.span,
                            format!("`{}` is not a valid image reference: {reason}", word.text),
                        )
                        .with_help(
                            "write the image as `name[:tag][@digest]`, with the name in lower case",
                        ),
                    );
                }
                continue;
            }
            let expanded = vars::expand(&word.text, file.escape(), &|n| defaults.get(n).cloned());
            // `$` left over is a substitution BuildKit can not process either: the build
            // fails there, with its own error.
            if expanded.text.contains('$') || earlier_stage(&expanded.text) {
                continue;
            }
            let Some(reason) = invalid_reason(&expanded.text) else {
                continue;
            };
            let mut empty: Vec<&str> = Vec::new();
            for r in &refs {
                if defaults.get(&r.name).is_none_or(String::is_empty)
                    && !empty.contains(&r.name.as_str())
                {
                    empty.push(&r.name);
                }
            }
            let help = match empty.as_slice() {
                [] => "give the ARGs defaults that make a valid image reference".to_string(),
                names => format!(
                    "give {} a default that makes a valid image reference, e.g. `ARG {}=…` before the first FROM",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    names[0]
                ),
            };
            out.push(
                Diagnostic::new(
                    &Self::META,
                    word.span,
                    format!(
                        "without `--build-arg`, `{}` expands to `{}`, which is not a valid image reference: {reason}",
                        word.text, expanded.text
                    ),
                )
                .with_help(help),
            );
        }
    }
}
