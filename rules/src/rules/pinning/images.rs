//! What the image rules share: the stages built on a registry image whose reference is
//! fully known.

use crate::Context;
use plimsoll_analyzer::{Base, Dockerfile, ImageRef, Word};

/// A FROM that pulls an image, with its reference after ARG expansion.
pub(super) struct Pulled<'a> {
    /// The image word as written: what a diagnostic points at.
    pub word: &'a Word,
    pub image: &'a ImageRef,
}

impl Pulled<'_> {
    /// The reference for a message: the resolved value is named too when it came from an
    /// ARG (`` `${BASE}` (resolves to `ubuntu`) ``).
    pub fn describe(&self) -> String {
        if self.word.text == self.image.text {
            format!("`{}`", self.image.text)
        } else {
            format!("`{}` (resolves to `{}`)", self.word.text, self.image.text)
        }
    }

    /// The reference without its digest: what a tag lookup is keyed by in
    /// `RuleOptions::image_digests`.
    pub fn without_digest(&self) -> &str {
        without_digest(self.image)
    }

    /// Whether the word in the file is the reference itself, character for character (no
    /// variable, no quotes): only then can a fix edit the reference in place.
    pub fn is_literal(&self, text: &str) -> bool {
        text.get(self.word.span.start..self.word.span.end) == Some(self.image.text.as_str())
    }
}

fn without_digest(image: &ImageRef) -> &str {
    image.text.split('@').next().unwrap_or(&image.text)
}

/// Stages built on a registry image. Stages built on `scratch` or an earlier stage are not
/// pulls; a reference with a variable that has no value is skipped rather than guessed.
pub(super) fn pulled_images<'a>(ctx: &Context<'a>) -> impl Iterator<Item = Pulled<'a>> {
    pulled_in(ctx.file)
}

fn pulled_in(file: &Dockerfile) -> impl Iterator<Item = Pulled<'_>> {
    file.stages.iter().filter_map(|stage| {
        let Base::Image(image) = &stage.base else {
            return None;
        };
        let word = stage.image_word.as_ref()?;
        if !stage.unresolved_vars.is_empty() || image.repository.is_empty() {
            return None;
        }
        Some(Pulled { word, image })
    })
}

/// Which FROM images to look up (see [`digest_lookups`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookups {
    /// Those pinned by digest with a tag, for PL111 (`check --check-digests`).
    Pinned,
    /// Those too that are not pinned yet, for PL102's fix (`check --pin-digests`).
    All,
}

/// The references whose current digest the caller should look up in their registries
/// (into `RuleOptions::image_digests`) for PL102 to offer a pin and PL111 to compare a
/// pin with its tag: pulled FROM images, without their digest, except those pinned by
/// digest alone (`app@sha256:…` has no tag to compare with). Sorted, without repeats.
pub fn digest_lookups(file: &Dockerfile, which: Lookups) -> Vec<String> {
    let mut found: Vec<String> = pulled_in(file)
        .filter(|p| match p.image.digest {
            Some(_) => p.image.tag.is_some(),
            None => which == Lookups::All,
        })
        .map(|p| p.without_digest().to_string())
        .collect();
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_the_tags_of_pulled_images() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let file = Dockerfile::parse(&format!(
            "ARG BASE=alpine:3.20\nARG LATER\n\
             FROM debian:12 AS a\nFROM debian:12@{digest} AS b\nFROM busybox@{digest}\n\
             FROM ${{BASE}}\nFROM app:${{LATER}}\nFROM a\nFROM scratch\nFROM ubuntu\n\
             FROM host:5000/x:1@{digest}\n"
        ));
        assert_eq!(
            digest_lookups(&file, Lookups::All),
            ["alpine:3.20", "debian:12", "host:5000/x:1", "ubuntu"]
        );
        assert_eq!(
            digest_lookups(&file, Lookups::Pinned),
            ["debian:12", "host:5000/x:1"]
        );
    }
}
