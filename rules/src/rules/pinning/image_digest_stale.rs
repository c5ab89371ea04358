use super::images::pulled_images;
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::Span;

declare_rule! {
    /// ## What it does
    /// Reports a FROM pinned by digest whose tag now points at a different image:
    /// `FROM debian:12@sha256:X` when the registry says `debian:12` is `sha256:Y`. Only with
    /// `plimsoll check --check-digests` (or `--pin-digests`), which asks each image's
    /// registry what its tag points at; otherwise it stays quiet.
    ///
    /// ## Why is this bad?
    /// With a digest the tag is ignored by the build, but not by readers: `debian:12@…`
    /// says "Debian 12 as of the day it was pinned". Once the tag moves on, the pin holds
    /// an image that no longer gets the publisher's fixes (security updates land in the
    /// new image), and the tag in the Dockerfile tells a story that is no longer true.
    /// Either update the digest, or drop the tag to say the old image is wanted.
    ///
    /// ## Example
    /// ```dockerfile
    /// # debian:12 has been rebuilt since this was pinned
    /// FROM debian:12@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12@sha256:b8084b1a576c5504a031936e1132574f4ce1d6cc7130bbcc25a28f074539ae6b
    /// ```
    ///
    /// ## Fix safety
    /// The fix writes the digest the tag points at now. It is unsafe: the build then uses
    /// a different image, which can change what gets installed and how it behaves; apply
    /// it with `--unsafe-fixes` after reading what changed. A reference that comes from an
    /// ARG is reported but not rewritten.
    ///
    /// ## References
    /// - [Docker build best practices: pin base image versions](https://docs.docker.com/build/building/best-practices/#pin-base-image-versions)
    /// - [OCI distribution spec: pulling manifests](https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests)
    pub struct ImageDigestStale {
        code: "PL111",
        name: "image-digest-stale",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "FROM digest is no longer the image its tag points at",
    }
}

impl Rule for ImageDigestStale {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for pulled in pulled_images(ctx) {
            let (Some(pinned), Some(_)) = (&pulled.image.digest, &pulled.image.tag) else {
                continue;
            };
            let tagged = pulled.without_digest();
            let Some(current) = ctx.options.image_digests.get(tagged) else {
                continue;
            };
            if current == pinned {
                continue;
            }
            let literal = pulled.is_literal(ctx.text());
            let name = if literal {
                format!("`{tagged}`")
            } else {
                format!("`{}` (resolves to `{tagged}`)", pulled.word.text)
            };
            let diagnostic = Diagnostic::new(
                &Self::META,
                pulled.word.span,
                format!("{name} is pinned to `{pinned}`, but the tag now points at `{current}`"),
            )
            .with_help(format!(
                "Update the digest to `{current}` if the new image is wanted, or write `{}@{pinned}` without the tag to keep the old one on purpose",
                repository(tagged)
            ));
            out.push(if literal {
                // The digest is the end of the word: `name:tag@` is `tagged.len() + 1` bytes.
                let start = pulled.word.span.start + tagged.len() + 1;
                diagnostic.with_fix(Fix::unsafe_edit(
                    format!("Update the digest to `{current}`"),
                    vec![Edit::replace(
                        Span {
                            start,
                            end: pulled.word.span.end,
                        },
                        current.clone(),
                    )],
                ))
            } else {
                diagnostic
            });
        }
    }
}

/// `host:5000/app:1` → `host:5000/app`.
fn repository(tagged: &str) -> &str {
    let last_slash = tagged.rfind('/').map_or(0, |i| i + 1);
    match tagged[last_slash..].rfind(':') {
        Some(colon) => &tagged[..last_slash + colon],
        None => tagged,
    }
}
