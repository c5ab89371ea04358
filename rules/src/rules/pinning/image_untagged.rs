use super::images::pulled_images;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a FROM whose image has neither a tag nor a digest, such as `FROM ubuntu`.
    /// The reference is judged after global ARGs are expanded, so `ARG BASE=ubuntu` then
    /// `FROM ${BASE}` is reported too. `scratch` and earlier stages are not images, and a
    /// reference with a variable that has no value here is left alone.
    ///
    /// ## Why is this bad?
    /// Without a tag the registry serves `latest`, which moves whenever the maintainers
    /// publish: the same Dockerfile builds on a different base from one week to the next,
    /// and a major-version jump can break the build or the application without any change
    /// in your repository. Reading the file also no longer tells which base it runs on.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim-bookworm
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: FROM](https://docs.docker.com/reference/dockerfile/#from)
    /// - [Docker build best practices: pin base image versions](https://docs.docker.com/build/building/best-practices/#pin-base-image-versions)
    pub struct ImageUntagged {
        code: "PL100",
        name: "image-untagged",
        alias: Some("DL3006"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "FROM image without a tag or digest",
    }
}

impl Rule for ImageUntagged {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for pulled in pulled_images(ctx) {
            if pulled.image.tag.is_some() || pulled.image.digest.is_some() {
                continue;
            }
            let image = &pulled.image.text;
            let help = if pulled.word.text == *image {
                format!("Name the version you build on, e.g. `{image}:<version>`")
            } else {
                format!("Give the ARG default a tag, e.g. `{image}:<version>`")
            };
            out.push(
                Diagnostic::new(
                    &Self::META,
                    pulled.word.span,
                    format!(
                        "{} has no tag: the build pulls whatever `latest` points to that day",
                        pulled.describe()
                    ),
                )
                .with_help(help),
            );
        }
    }
}
