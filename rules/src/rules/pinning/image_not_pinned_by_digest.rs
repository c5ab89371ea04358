use super::images::pulled_images;
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};

declare_rule! {
    /// ## What it does
    /// Reports a FROM whose image has no digest (`@sha256:…`), even when it has a tag. The
    /// reference is judged after global ARGs are expanded. Off by default: enable it with
    /// `--select PL102` where builds must be reproducible to the byte, or let
    /// `plimsoll check --pin-digests` enable it and look the digests up.
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
    /// ## Fix safety
    /// Only with `plimsoll check --pin-digests`, which asks each image's registry for the
    /// digest its tag points at now (the index digest for a multi-platform image, so every
    /// platform stays buildable) and appends it: `FROM debian:12` becomes
    /// `FROM debian:12@sha256:…`. The fix is safe: the build uses the very image it would
    /// have pulled today. A reference that comes from an ARG is reported with the digest in
    /// the help but not rewritten, since the text to change is the ARG's value.
    ///
    /// ## References
    /// - [Docker build best practices: pin base image versions](https://docs.docker.com/build/building/best-practices/#pin-base-image-versions)
    /// - [`docker buildx imagetools inspect`](https://docs.docker.com/reference/cli/docker/buildx/imagetools/inspect/)
    pub struct ImageNotPinnedByDigest {
        code: "PL102",
        name: "image-not-pinned-by-digest",
        alias: None,
        severity: Severity::Info,
        fix: FixAvailability::Sometimes,
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
            let diagnostic = Diagnostic::new(
                &Self::META,
                pulled.word.span,
                format!(
                    "{} is not pinned by digest: the tag can be moved to a different image",
                    pulled.describe()
                ),
            );
            let Some(digest) = ctx.options.image_digests.get(pulled.without_digest()) else {
                out.push(diagnostic.with_help(format!(
                    "Append the digest, `{image}@sha256:<digest>`; `plimsoll check --pin-digests --fix` looks it up and writes it"
                )));
                continue;
            };
            let diagnostic =
                diagnostic.with_help(format!("Its registry has it at `{image}@{digest}`"));
            out.push(if pulled.is_literal(ctx.text()) {
                diagnostic.with_fix(Fix::safe(
                    format!("Pin `{image}` to `{digest}`"),
                    vec![Edit::insert(pulled.word.span.end, format!("@{digest}"))],
                ))
            } else {
                diagnostic
            });
        }
    }
}
