//! Layers: a directory (an overlayfs upper dir, or a COPY result) becomes a reproducible
//! tar with OCI whiteouts ([`create`]); a layer tar becomes a directory overlayfs can use
//! as a lower layer ([`unpack`]), refusing anything that would write outside it.

pub mod create;
pub mod materialize;
pub mod unpack;

pub use create::{LayerOptions, create_layer};
pub use materialize::{adopt, unpacked_layer};
pub use unpack::{UnpackOptions, UnpackReport, unpack};

use crate::fs::PathError;
use crate::store::StoreError;
use crate::syscall::SyscallError;
use std::io;
use std::path::PathBuf;

/// The prefix of an OCI whiteout entry.
pub const WHITEOUT_PREFIX: &str = ".wh.";
/// The OCI entry that makes its directory opaque.
pub const OPAQUE_WHITEOUT: &str = ".wh..wh..opq";

#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("refusing archive entry: {0}")]
    Traversal(#[from] PathError),
    #[error("refusing archive entry `{entry}`: it goes through the symbolic link `{link}`")]
    ThroughSymlink { entry: String, link: String },
    #[error("refusing hard link `{entry}`: its target `{target}` is not a file in the archive")]
    BadHardlink { entry: String, target: String },
    #[error("archive entry `{entry}`: {message}")]
    Malformed { entry: String, message: String },
    #[error(transparent)]
    Syscall(#[from] SyscallError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl LayerError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> LayerError {
        let path = path.into();
        move |source| LayerError::Io { path, source }
    }
}
