//! Writing images out of the store: an OCI image layout directory, or a `docker save`
//! style archive.

mod docker_archive;
mod oci_layout;

pub use docker_archive::write_docker_archive;
pub use oci_layout::write_oci_layout;

use crate::image::ImageError;
use crate::store::StoreError;
use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path} exists and is not an OCI image layout")]
    NotLayout { path: PathBuf },
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ExportError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> ExportError {
        let path = path.into();
        move |source| ExportError::Io { path, source }
    }
}

/// Where `--output` writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    OciLayout { dir: PathBuf, tag: Option<String> },
    DockerArchive { file: PathBuf },
}

impl Output {
    /// Parses `oci:DIR[:TAG]` or `docker-archive:FILE`.
    pub fn parse(text: &str) -> Result<Output, ImageError> {
        use crate::image::ImageLocation;
        match ImageLocation::parse(text)? {
            ImageLocation::OciLayout { dir, tag } => Ok(Output::OciLayout { dir, tag }),
            ImageLocation::DockerArchive { file } => Ok(Output::DockerArchive { file }),
            _ => Err(ImageError::Reference {
                text: text.to_string(),
                reason: "an output is oci:DIR[:TAG] or docker-archive:FILE".into(),
            }),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
