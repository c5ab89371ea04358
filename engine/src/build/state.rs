//! A stage being built: its image so far, the cache key of its last step, and its layers
//! unpacked on demand (only RUN, COPY into the image and USER lookups need them).

use super::BuildError;
use crate::digest::Digest;
use crate::image::{Image, LayerDesc};
use crate::layer::unpacked_layer;
use crate::store::Store;
use crate::syscall::Syscall;
use oci_spec::image::History;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct StageState {
    /// `stage 2` or the stage's name, for messages.
    pub name: String,
    pub image: Image,
    /// The cache key of the last step.
    pub key: Digest,
    /// A CMD instruction ran in this stage (ENTRYPOINT then keeps it).
    pub cmd_set: bool,
    lower: Option<Vec<PathBuf>>,
}

/// BuildKit's default shell.
pub fn default_shell() -> Vec<String> {
    vec!["/bin/sh".into(), "-c".into()]
}

impl StageState {
    pub fn new(name: String, image: Image, key: Digest) -> StageState {
        StageState {
            name,
            image,
            key,
            cmd_set: false,
            lower: None,
        }
    }

    /// The layer directories, bottom first, unpacking what is not yet.
    pub fn lower_dirs(
        &mut self,
        store: &Store,
        syscall: &dyn Syscall,
    ) -> Result<Vec<PathBuf>, BuildError> {
        if let Some(dirs) = &self.lower {
            return Ok(dirs.clone());
        }
        let dirs = self
            .image
            .layers
            .iter()
            .map(|layer| unpacked_layer(store, syscall, layer))
            .collect::<Result<Vec<_>, _>>()?;
        self.lower = Some(dirs.clone());
        Ok(dirs)
    }

    /// Adds a layer whose unpacked directory is `dir`.
    pub fn push_layer(&mut self, layer: LayerDesc, dir: PathBuf, history: History) {
        self.image.push_layer(layer, history);
        if let Some(lower) = &mut self.lower {
            lower.push(dir);
        }
    }

    /// Adds a layer found in the cache (its directory is found again on demand).
    pub fn push_cached_layer(&mut self, layer: LayerDesc, history: History) {
        self.image.push_layer(layer, history);
        self.lower = None;
    }

    /// Replaces the image with a cached result (its layers are found again on demand;
    /// unpacked ones cost a lookup).
    pub fn restore(&mut self, image: Image) {
        self.lower = None;
        self.image = image;
    }

    pub fn shell(&self) -> Vec<String> {
        self.image
            .config
            .shell
            .clone()
            .unwrap_or_else(default_shell)
    }

    /// Sets the creation time of the finished image: that of its last history entry (so
    /// a fully cached rebuild gives the same image), else `created`.
    pub fn finish(&mut self, created: &str) {
        let last = self
            .image
            .config
            .history()
            .last()
            .and_then(|h| h.created().clone())
            .unwrap_or_else(|| created.to_string());
        self.image.config.oci.set_created(Some(last));
    }
}
