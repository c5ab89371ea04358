//! The crate error: one enum per module, aggregated here.

use crate::analyze::AnalyzeError;
use crate::build::BuildError;
use crate::container::RunError;
use crate::digest::DigestError;
use crate::export::ExportError;
use crate::fs::PathError;
use crate::image::ImageError;
use crate::layer::LayerError;
use crate::registry::RegistryError;
use crate::sandbox::SandboxError;
use crate::source::SourceError;
use crate::store::StoreError;
use crate::syscall::SyscallError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Analyze(#[from] AnalyzeError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Digest(#[from] DigestError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Path(#[from] PathError),
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Layer(#[from] LayerError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Syscall(#[from] SyscallError),
}

pub type Result<T> = std::result::Result<T, Error>;
