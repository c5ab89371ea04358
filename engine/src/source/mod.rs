//! Where base images come from. Every kind of source implements [`ImageSource`]: it brings
//! the image's blobs into the store and returns the [`Image`]. [`Resolver`] decides which
//! source a FROM name uses.

mod docker_archive;
mod local;
pub(crate) mod oci_layout;
mod registry;
mod resolve;
mod rootfs;

pub use docker_archive::DockerArchiveSource;
pub use local::LocalSource;
pub use oci_layout::OciLayoutSource;
pub use registry::RegistrySource;
pub use resolve::{BaseMapping, Resolver};
pub use rootfs::RootfsSource;

use crate::image::{Image, ImageError, ImageLocation, Platform};
use crate::layer::LayerError;
use crate::store::{Store, StoreError};
use crate::syscall::Syscall;
use std::fmt::Debug;
use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path} is not an OCI image layout: {reason}")]
    NotOciLayout { path: PathBuf, reason: String },
    #[error("{path} is not a docker-archive: {reason}")]
    NotDockerArchive { path: PathBuf, reason: String },
    #[error("{path} has no image named `{name}` (it has: {available})")]
    NoSuchImage {
        path: PathBuf,
        name: String,
        available: String,
    },
    #[error("{path} holds {count} images; pick one with `{hint}`")]
    Ambiguous {
        path: PathBuf,
        count: usize,
        hint: String,
    },
    #[error(
        "image `{name}` is not in the local store: pull it (plimsoll pull {name}), build it with `--tag {name}`, or map it to a local image with `--base {name}=oci:DIR[:TAG]` (or docker-archive:FILE, rootfs:PATH)"
    )]
    NotFound { name: String },
    #[error("{what} is an image for {found}, not {wanted}")]
    WrongPlatform {
        what: String,
        wanted: String,
        found: String,
    },
    #[error("{0}")]
    Image(#[from] ImageError),
    #[error(transparent)]
    Layer(#[from] LayerError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot pull: {0}")]
    Registry(#[from] crate::registry::RegistryError),
}

impl SourceError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> SourceError {
        let path = path.into();
        move |source| SourceError::Io { path, source }
    }
}

/// A place an image can be loaded from.
pub trait ImageSource: Debug {
    /// How to name the source in messages and history.
    fn describe(&self) -> String;
    /// Brings the image's blobs into `store` and returns it.
    fn load(&self, store: &Store, syscall: &dyn Syscall) -> Result<Image, SourceError>;

    /// [`ImageSource::load`] for a stage of another platform (`FROM --platform=…`): sources
    /// that hold several platforms (registries, layouts with an index, the store) pick that
    /// one; the others must be for it.
    fn load_for(
        &self,
        store: &Store,
        syscall: &dyn Syscall,
        platform: &Platform,
    ) -> Result<Image, SourceError> {
        let image = self.load(store, syscall)?;
        check_platform(&self.describe(), &image, platform)?;
        Ok(image)
    }
}

/// An error unless `image`'s configuration is for `platform`.
pub fn check_platform(what: &str, image: &Image, platform: &Platform) -> Result<(), SourceError> {
    if platform.describes(&image.config) {
        return Ok(());
    }
    let config = &image.config.oci;
    Err(SourceError::WrongPlatform {
        what: what.to_string(),
        wanted: platform.to_string(),
        found: format!("{}/{}", config.os(), config.architecture()),
    })
}

/// `FROM scratch`.
#[derive(Debug, Clone, Copy)]
pub struct ScratchSource;

impl ImageSource for ScratchSource {
    fn describe(&self) -> String {
        "scratch".into()
    }

    fn load(&self, _store: &Store, _syscall: &dyn Syscall) -> Result<Image, SourceError> {
        Ok(Image::scratch())
    }

    fn load_for(
        &self,
        _store: &Store,
        _syscall: &dyn Syscall,
        platform: &Platform,
    ) -> Result<Image, SourceError> {
        let mut image = Image::scratch();
        platform.apply(&mut image.config);
        Ok(image)
    }
}

/// The source for a command-line location.
pub fn open(location: &ImageLocation) -> Box<dyn ImageSource> {
    match location {
        ImageLocation::Scratch => Box::new(ScratchSource),
        ImageLocation::OciLayout { dir, tag } => Box::new(OciLayoutSource {
            dir: dir.clone(),
            tag: tag.clone(),
        }),
        ImageLocation::DockerArchive { file } => {
            Box::new(DockerArchiveSource { file: file.clone() })
        }
        ImageLocation::Rootfs { path } => Box::new(RootfsSource { path: path.clone() }),
        ImageLocation::Named(name) => Box::new(LocalSource { name: name.clone() }),
    }
}

#[cfg(test)]
mod tests;
