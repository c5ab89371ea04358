//! Plimsoll's build engine: builds OCI images from Dockerfiles (read by
//! `plimsoll_analyzer`) with its own small runtime, and runs them.
//!
//! Modules follow the domain: [`store`] (blobs, unpacked layers, tags, cache), [`image`]
//! (configuration, manifests, references), [`source`] (where base images come from),
//! [`layer`] (directory ⇄ layer tar), [`export`] (OCI layout, docker-archive) and
//! [`syscall`] (every kernel call behind a trait, recorded in tests).

pub mod build;
pub mod container;
pub mod digest;
pub mod error;
pub mod export;
pub mod fs;
pub mod image;
pub mod interrupt;
pub mod layer;
pub mod sandbox;
pub mod source;
pub mod store;
pub mod syscall;

pub use error::{Error, Result};
