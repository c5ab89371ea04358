use super::images::pulled_images;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a FROM whose image has no digest (`@sha256:…`), even when it has a tag. The
    /// reference is judged after global ARGs are expanded. Off by default: enable it with
    /// `--select PL102` where builds must be reproducible to the byte.
    ///
    /// ## Why is this bad?
    /// A tag such as `debian:12` is mutable: the publisher re-points it at every rebuild
    /// (security fixes, new point releases), and a compromised registry account can
    /// re-point it at anything. A digest names one exact image, so the build gets the same
    /// bytes every time, and a change of base shows up as a change in the Dockerfile. The
    /// cost is that the base no longer picks up fixes by itself: pair digests with a tool
    /// that proposes updates (Renovate, Dependabot).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12@sha256:b8084b1a576c5504a031936e1132574f4ce1d6cc7130bbcc25a28f074539ae6b
    /// ```
    ///
    /// ## References
    /// - [Docker build best practices: pin base image versions](https://docs.docker.com/build/building/best-practices/#pin-base-image-versions)
    /// - [`docker buildx imagetools inspect`](https://docs.docker.com/reference/cli/docker/buildx/imagetools/inspect/)
    pub struct ImageNotPinnedByDigest {
        code: "PL102",
        name: "image-not-pinned-by-digest",
        alias: None,
        severity: Severity::Info,
        fix: FixAvailability::None,
        default_enabled: false,
        summary: "FROM image without a `@sha256:` digest",
    }
}

impl Rule for ImageNotPinnedByDigest {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for pulled in pulled_images(ctx) {
            if pulled.image.digest.is_some() {
                continue;
            }
            let image = &pulled.image.text;
            out.push(
                Diagnostic::new(
                    &Self::META,
                    pulled.word.span,
                    format!(
                        "{} is not pinned by digest: the tag can be moved to a different image",
                        pulled.describe()
                    ),
                )
                .with_help(format!(
                    "Append the digest, `{image}@sha256:<digest>`; `docker buildx imagetools inspect {image}` prints it"
                )),
            );
        }
    }
}
