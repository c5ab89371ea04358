//! Images in Plimsoll's own store, by the name `--tag` gave them.

use super::{ImageSource, SourceError};
use crate::image::{Image, ImageName};
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
}
