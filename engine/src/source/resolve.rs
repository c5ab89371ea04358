//! FROM name → image source: a `--base NAME=REF` mapping first, then the local store
//! (`--tag`, earlier pulls), then the name's registry (always, with `--pull`).

use super::{ImageSource, LocalSource, RegistrySource, ScratchSource, SourceError, open};
use crate::image::{ImageError, ImageLocation, ImageName, Platform};
use crate::registry::RegistryOptions;
use crate::store::Store;

/// One `--base NAME=REF`. A NAME without tag or digest maps every tag of the repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseMapping {
    pub name: ImageName,
    pub any_tag: bool,
    pub location: ImageLocation,
}

impl BaseMapping {
    /// Parses `NAME=REF`.
    pub fn parse(text: &str) -> Result<BaseMapping, ImageError> {
        let (name, location) = text.split_once('=').ok_or_else(|| ImageError::Reference {
            text: text.to_string(),
            reason: "expected NAME=REF, e.g. debian:12=oci:./debian:12".into(),
        })?;
        let parsed = ImageName::parse(name)?;
        let any_tag = parsed.tag.is_none() && parsed.digest.is_none();
        Ok(BaseMapping {
            name: parsed,
            any_tag,
            location: ImageLocation::parse(location)?,
        })
    }

    fn matches(&self, name: &ImageName) -> Option<u8> {
        if self.name.normalized() == name.normalized() {
            Some(2)
        } else if self.any_tag && self.name.repository_key() == name.repository_key() {
            Some(1)
        } else {
            None
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Resolver {
    pub bases: Vec<BaseMapping>,
    /// Skip the local store (`--pull`).
    pub pull: bool,
    /// How to reach registries.
    pub registry: RegistryOptions,
}

impl Resolver {
    pub fn new(bases: Vec<BaseMapping>) -> Resolver {
        Resolver {
            bases,
            ..Resolver::default()
        }
    }

    /// The source for a FROM (or `COPY --from`) image name.
    pub fn resolve(&self, text: &str, store: &Store) -> Result<Box<dyn ImageSource>, SourceError> {
        self.resolve_for(text, store, None)
    }

    /// [`Resolver::resolve`] for a stage of `platform` (None: this machine's): the store
    /// answers when it holds an image for that platform.
    pub fn resolve_for(
        &self,
        text: &str,
        store: &Store,
        platform: Option<&Platform>,
    ) -> Result<Box<dyn ImageSource>, SourceError> {
        if text.eq_ignore_ascii_case("scratch") {
            return Ok(Box::new(ScratchSource));
        }
        let name = ImageName::parse(text)?;
        if let Some(mapping) = self
            .bases
            .iter()
            .filter_map(|m| m.matches(&name).map(|score| (score, m)))
            .max_by_key(|(score, _)| *score)
            .map(|(_, m)| m)
        {
            return Ok(open(&mapping.location));
        }
        let local = match platform {
            None => store.tag(&name.normalized())?.is_some(),
            Some(p) => {
                store.tag(&p.store_tag(&name.normalized()))?.is_some()
                    || store
                        .tag(&name.normalized())?
                        .and_then(|m| crate::image::Image::load(store, &m).ok())
                        .is_some_and(|image| p.describes(&image.config))
            }
        };
        if !self.pull && local {
            return Ok(Box::new(LocalSource { name }));
        }
        Ok(Box::new(RegistrySource {
            name,
            options: self.registry.clone(),
        }))
    }

    /// The source for a command-line reference (`plimsoll run IMAGE`, `--base` targets).
    pub fn resolve_location(
        &self,
        text: &str,
        store: &Store,
    ) -> Result<Box<dyn ImageSource>, SourceError> {
        match ImageLocation::parse(text)? {
            ImageLocation::Named(_) => self.resolve(text, store),
            location => Ok(open(&location)),
        }
    }
}
