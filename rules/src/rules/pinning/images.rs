//! What the image rules share: the stages built on a registry image whose reference is
//! fully known.

use crate::Context;
use plimsoll_analyzer::{Base, ImageRef, Word};

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
}

/// Stages built on a registry image. Stages built on `scratch` or an earlier stage are not
/// pulls; a reference with a variable that has no value is skipped rather than guessed.
pub(super) fn pulled_images<'a>(ctx: &Context<'a>) -> impl Iterator<Item = Pulled<'a>> {
    ctx.file.stages.iter().filter_map(|stage| {
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
