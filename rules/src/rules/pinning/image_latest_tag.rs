use super::images::pulled_images;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a FROM whose image is tagged `latest`, such as `FROM node:latest`, unless a
    /// digest pins it as well (`node:latest@sha256:…`). The reference is judged after
    /// global ARGs are expanded.
    ///
    /// ## Why is this bad?
    /// `latest` is not a version: it is a label the maintainers move to each new release.
    /// Writing it out looks deliberate but pins nothing, so rebuilds silently change base
    /// image, and a new major release can break the build or the application.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:latest
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22.11-bookworm-slim
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: FROM](https://docs.docker.com/reference/dockerfile/#from)
    /// - [Docker build best practices: pin base image versions](https://docs.docker.com/build/building/best-practices/#pin-base-image-versions)
    pub struct ImageLatestTag {
        code: "PL101",
        name: "image-latest-tag",
        alias: Some("DL3007"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "FROM image tagged `latest`",
    }
}

impl Rule for ImageLatestTag {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for pulled in pulled_images(ctx) {
            if pulled.image.tag.as_deref() != Some("latest") || pulled.image.digest.is_some() {
                continue;
            }
            let name = match &pulled.image.registry {
                Some(registry) => format!("{registry}/{}", pulled.image.repository),
                None => pulled.image.repository.clone(),
            };
            out.push(
                Diagnostic::new(
                    &Self::META,
                    pulled.word.span,
                    format!(
                        "{} uses the `latest` tag, which moves to every new release",
                        pulled.describe()
                    ),
                )
                .with_help(format!(
                    "Replace `latest` with the release you build on, e.g. `{name}:<version>`"
                )),
            );
        }
    }
}
