//! Images pulled from an OCI distribution registry (and tagged in the store, so the next
//! build finds them locally).

use super::{ImageSource, SourceError};
use crate::image::{Image, ImageName, Platform};
use crate::registry::{RegistryOptions, pull, pull_platform};
use crate::store::Store;
use crate::syscall::Syscall;

#[derive(Debug, Clone)]
pub struct RegistrySource {
    pub name: ImageName,
    pub options: RegistryOptions,
}

impl ImageSource for RegistrySource {
    fn describe(&self) -> String {
        self.name.normalized()
    }

    fn load(&self, store: &Store, _syscall: &dyn Syscall) -> Result<Image, SourceError> {
        Ok(pull(&self.options, store, &self.name)?.image)
    }

    fn load_for(
        &self,
        store: &Store,
        _syscall: &dyn Syscall,
        platform: &Platform,
    ) -> Result<Image, SourceError> {
        Ok(pull_platform(&self.options, store, &self.name, platform)?.image)
    }
}
