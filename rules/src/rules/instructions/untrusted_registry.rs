use super::stages::{FromRef, Target, copy_from, mount_froms, resolve};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::{Base, ImageRef, Span};

declare_rule! {
    /// ## What it does
    /// Reports an image pulled from a registry that is not on the configured list of
    /// trusted registries: a `FROM` image, a `COPY --from` image and a
    /// `RUN --mount=from=` image. Stage names, `scratch` and images whose name is a
    /// variable without a value are not checked. An image without a registry host comes
    /// from Docker Hub and is trusted when `docker.io` or `hub.docker.com` is listed.
    ///
    /// A listed entry matches a registry exactly, or with a leading or trailing `*`
    /// (`*.corp.example`, `registry.*`); `*` alone trusts every registry. Host names are
    /// compared case-insensitively.
    ///
    /// The rule does nothing until trusted registries are configured (hadolint's
    /// `trustedRegistries`).
    ///
    /// ## Why is this bad?
    /// Organisations mirror and scan the images they build on in registries they control.
    /// An image from anywhere else skips that review: it may change under the same tag,
    /// disappear, or carry whatever its publisher put in it.
    ///
    /// ## Example
    /// With `registry.corp.example` trusted:
    /// ```dockerfile
    /// FROM ghcr.io/someone/python:3.12
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM registry.corp.example/mirror/python:3.12
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3026](https://github.com/hadolint/hadolint/wiki/DL3026)
    pub struct UntrustedRegistry {
        code: "PL709",
        name: "untrusted-registry",
        alias: Some("DL3026"),
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "An image comes from a registry that is not on the trusted list",
    }
}

/// The rule's option: the registries images may come from (hadolint's
/// `trustedRegistries`). Empty means the rule is off.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedRegistries {
    pub registries: Vec<String>,
}

impl TrustedRegistries {
    pub fn new<S: Into<String>>(registries: impl IntoIterator<Item = S>) -> TrustedRegistries {
        TrustedRegistries {
            registries: registries.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether `registry` (a host, `docker.io` for Docker Hub) is trusted.
    pub fn trusts(&self, registry: &str) -> bool {
        let registry = registry.to_ascii_lowercase();
        self.registries.iter().any(|pattern| {
            let pattern = pattern.trim().to_ascii_lowercase();
            if pattern == "*" {
                true
            } else if let Some(suffix) = pattern.strip_prefix('*') {
                registry.ends_with(suffix)
            } else if let Some(prefix) = pattern.strip_suffix('*') {
                registry.starts_with(prefix)
            } else {
                registry == pattern
            }
        })
    }

    /// Whether an image reference is trusted (Docker Hub images need `docker.io` or
    /// `hub.docker.com`).
    pub fn trusts_image(&self, image: &ImageRef) -> bool {
        match &image.registry {
            Some(registry) => self.trusts(registry),
            None => {
                image.repository.eq_ignore_ascii_case("scratch")
                    || self.trusts("docker.io")
                    || self.trusts("hub.docker.com")
            }
        }
    }
}

impl UntrustedRegistry {
    /// Runs the rule with its option. [`Rule::check`] runs it with no trusted registries,
    /// which reports nothing.
    pub fn check_with(
        &self,
        trusted: &TrustedRegistries,
        ctx: &Context<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        if trusted.registries.is_empty() {
            return;
        }
        let file = ctx.file;
        let mut report = |span: Span, image: &ImageRef, what: &str| {
            if trusted.trusts_image(image) {
                return;
            }
            let registry = image.registry_or_default();
            out.push(
                Diagnostic::new(
                    &Self::META,
                    span,
                    format!(
                        "{what} `{}` comes from `{registry}`, which is not a trusted registry",
                        image.text
                    ),
                )
                .with_help(format!(
                    "pull it through a trusted registry ({})",
                    trusted
                        .registries
                        .iter()
                        .map(|r| format!("`{r}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        };
        for stage in &file.stages {
            if let (Base::Image(image), Some(word)) = (&stage.base, &stage.image_word)
                && !image.text.is_empty()
                && !image_has_unknowns(&stage.unresolved_vars, &word.text)
            {
                report(word.span, image, "the base image");
            }
            for instruction in file.stage_instructions(stage) {
                let refs: Vec<FromRef<'_>> = copy_from(instruction)
                    .into_iter()
                    .chain(mount_froms(file, instruction))
                    .collect();
                for r in refs {
                    if resolve(file, &r.value) == Target::Outside {
                        report(r.span, &ImageRef::parse(&r.value), "the image");
                    }
                }
            }
        }
    }
}

/// Whether variables without a value leave the registry or name unknown.
fn image_has_unknowns(unresolved: &[String], written: &str) -> bool {
    !unresolved.is_empty() && {
        let raw = ImageRef::parse(written);
        raw.repository.contains('$') || raw.registry.as_deref().is_some_and(|r| r.contains('$'))
    }
}

impl Rule for UntrustedRegistry {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        self.check_with(&TrustedRegistries::default(), ctx, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_analyzer::Dockerfile;

    fn run(text: &str, trusted: &[&str]) -> Vec<String> {
        let file = Dockerfile::parse(text);
        let ctx = Context::new(&file);
        let mut out = Vec::new();
        UntrustedRegistry.check_with(
            &TrustedRegistries::new(trusted.iter().copied()),
            &ctx,
            &mut out,
        );
        out.iter().map(|d| d.span.text(text).to_string()).collect()
    }

    const FILE: &str = "ARG REG\n\
        FROM ghcr.io/a/b:1 AS one\n\
        FROM docker.io/library/debian:12\n\
        FROM debian:12\n\
        FROM one\n\
        FROM scratch\n\
        FROM ${REG}/x:1\n\
        COPY --from=quay.io/q/z:1 /a /b\n\
        COPY --from=one /a /b\n\
        RUN --mount=type=bind,from=registry.corp.example/tools:1,target=/t true\n";

    #[test]
    fn reports_nothing_without_a_list() {
        assert!(run(FILE, &[]).is_empty());
    }

    #[test]
    fn reports_images_from_other_registries() {
        assert_eq!(
            run(FILE, &["docker.io"]),
            vec![
                "ghcr.io/a/b:1",
                "quay.io/q/z:1",
                "registry.corp.example/tools:1"
            ]
        );
        assert_eq!(
            run(FILE, &["*.example", "ghcr.*", "QUAY.IO"]),
            vec!["docker.io/library/debian:12", "debian:12"]
        );
        assert!(run(FILE, &["*"]).is_empty());
    }
}
