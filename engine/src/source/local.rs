//! Images in Plimsoll's own store, by the name `--tag` gave them.

use super::{ImageSource, SourceError};
use crate::image::{Image, ImageName, Platform};
use crate::store::Store;
use crate::syscall::Syscall;

#[derive(Debug, Clone)]
pub struct LocalSource {
    pub name: ImageName,
}

impl ImageSource for LocalSource {
    fn describe(&self) -> String {
        self.name.normalized()
    }

    fn load(&self, store: &Store, _syscall: &dyn Syscall) -> Result<Image, SourceError> {
        match store.tag(&self.name.normalized())? {
            Some(manifest) => Ok(Image::load(store, &manifest)?),
            None => Err(SourceError::NotFound {
                name: self.name.to_string(),
            }),
        }
    }

    /// Another platform's image, as a pull tagged it; else the plain name's image when
    /// it is for that platform (a `--tag` build of a foreign stage).
    fn load_for(
        &self,
        store: &Store,
        syscall: &dyn Syscall,
        platform: &Platform,
    ) -> Result<Image, SourceError> {
        if let Some(manifest) = store.tag(&platform.store_tag(&self.name.normalized()))? {
            return Ok(Image::load(store, &manifest)?);
        }
        let image = self.load(store, syscall)?;
        super::check_platform(&self.describe(), &image, platform)?;
        Ok(image)
    }
}
