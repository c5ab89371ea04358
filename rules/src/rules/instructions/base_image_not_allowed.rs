use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Base;

declare_rule! {
    /// ## What it does
    /// Reports a stage built `FROM` an image that is not on the configured list of allowed
    /// base images (`allowed-images` in `plimsoll.toml`). The image is judged after ARG
    /// expansion; stage names, `scratch` and images whose name uses a variable without a
    /// value are not checked. A pattern matches the reference without its digest, `*`
    /// standing for any run of characters (`debian:*`, `gcr.io/distroless/*`); a pattern
    /// without a tag matches every tag of that repository.
    ///
    /// The rule does nothing until allowed images are configured.
    ///
    /// ## Why is this bad?
    /// Teams keep a short list of base images they patch, scan and support. An image off
    /// that list brings its own vulnerabilities, update cadence and surprises, and nobody
    /// is watching it.
    ///
    /// ## Example
    /// With `allowed-images = ["debian:12-slim", "gcr.io/distroless/*"]`:
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// ```
    ///
    /// ## References
    /// - [Configuration: `allowed-images`](../../README.md#configuration)
    pub struct BaseImageNotAllowed {
        code: "PL728",
        name: "base-image-not-allowed",
        alias: None,
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "FROM an image that is not on the configured list of allowed base images",
    }
}

impl Rule for BaseImageNotAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if ctx.options.allowed_images.is_empty() {
            return;
        }
        for stage in &ctx.file.stages {
            let (Base::Image(image), Some(word)) = (&stage.base, &stage.image_word) else {
                continue;
            };
            if image.text.is_empty()
                || !stage.unresolved_vars.is_empty()
                || ctx.options.is_allowed_image(&image.text)
            {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::META,
                    word.span,
                    format!("`{}` is not an allowed base image", image.text),
                )
                .with_help(format!(
                    "build on one of the allowed images ({})",
                    ctx.options
                        .allowed_images
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
    }
}
