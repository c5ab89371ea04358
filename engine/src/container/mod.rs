//! `plimsoll run`: a command in an image, with the image configuration's semantics —
//! ENTRYPOINT and CMD combined as Docker does, its environment, working directory, user
//! and stop signal — and the container's exit code.

mod publish;
mod run;

pub use publish::{Publish, Publisher};
pub use run::{Prepared, RunOptions, RunOutcome, Volume, command_line, prepare, run};

use crate::build::BuildError;
use crate::image::ImageError;
use crate::layer::LayerError;
use crate::sandbox::SandboxError;
use crate::source::SourceError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Invalid(String),
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Layer(#[from] LayerError),
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Store(#[from] StoreError),
}
