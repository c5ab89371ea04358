//! The image model: a configuration and an ordered list of layers, written to and read
//! from the store as OCI manifests (oci-spec).

pub mod config;
pub mod json;
mod manifest;
mod platform;
pub mod reference;

pub use config::{Healthcheck, ImageConfig};
pub use manifest::StoredImage;
pub use platform::Platform;
pub use reference::{ImageLocation, ImageName};

use crate::digest::{Digest, DigestError};
use crate::store::StoreError;
use oci_spec::image::{History, MediaType};

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("image configuration: {0}")]
    Config(#[source] serde_json::Error),
    #[error("manifest: {0}")]
    Manifest(String),
    #[error("layer media type `{0}` is not supported (only tar and tar+gzip)")]
    UnsupportedMediaType(String),
    #[error("`{text}` is not an image reference: {reason}")]
    Reference { text: String, reason: String },
    #[error(transparent)]
    Digest(#[from] DigestError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How a layer blob is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Compression {
    None,
    Gzip,
}

impl Compression {
    pub fn media_type(self) -> MediaType {
        match self {
            Compression::None => MediaType::ImageLayer,
            Compression::Gzip => MediaType::ImageLayerGzip,
        }
    }

    pub fn from_media_type(media_type: &MediaType) -> Result<Compression, ImageError> {
        match media_type {
            MediaType::ImageLayer | MediaType::ImageLayerNonDistributable => Ok(Compression::None),
            MediaType::ImageLayerGzip | MediaType::ImageLayerNonDistributableGzip => {
                Ok(Compression::Gzip)
            }
            MediaType::Other(t)
                if t == "application/vnd.docker.image.rootfs.diff.tar.gzip"
                    || t == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" =>
            {
                Ok(Compression::Gzip)
            }
            MediaType::Other(t) if t == "application/vnd.docker.image.rootfs.diff.tar" => {
                Ok(Compression::None)
            }
            other => Err(ImageError::UnsupportedMediaType(other.to_string())),
        }
    }

    /// Reads the uncompressed stream of a blob compressed this way. Every gzip member is
    /// read, as `gzip -d` does: a layer may be the concatenation of several.
    pub fn decoder<'a>(self, blob: impl std::io::Read + 'a) -> Box<dyn std::io::Read + 'a> {
        match self {
            Compression::None => Box::new(std::io::BufReader::new(blob)),
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(
                std::io::BufReader::new(blob),
            )),
        }
    }

    /// Sniffs the compression of a blob from its first bytes.
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else {
            Compression::None
        }
    }
}

/// One layer: its blob (as stored and distributed) and the digest of its uncompressed tar.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct LayerDesc {
    pub digest: Digest,
    pub diff_id: Digest,
    pub size: u64,
    pub compression: Compression,
}

/// An image: configuration plus layers, bottom first. `config.rootfs.diff_ids` always
/// matches `layers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub config: ImageConfig,
    pub layers: Vec<LayerDesc>,
}

impl Image {
    /// The empty image of `FROM scratch`.
    pub fn scratch() -> Image {
        Image {
            config: ImageConfig::scratch(),
            layers: Vec::new(),
        }
    }

    /// Adds a layer and its history entry.
    pub fn push_layer(&mut self, layer: LayerDesc, history: History) {
        self.config
            .oci
            .rootfs_mut()
            .diff_ids_mut()
            .push(layer.diff_id.to_string());
        self.layers.push(layer);
        self.push_history(history);
    }

    /// Adds a history entry for an instruction that made no layer.
    pub fn push_history(&mut self, history: History) {
        let mut all = self.config.history();
        all.push(history);
        self.config.oci.set_history(Some(all));
    }

    /// The digest of the canonical configuration: the image's identity.
    pub fn config_digest(&self) -> Result<Digest, ImageError> {
        Ok(Digest::of(&self.config.to_json()?))
    }
}

/// A history entry.
pub fn history(created: Option<&str>, created_by: &str, empty_layer: bool) -> History {
    let mut h = History::default();
    h.set_created(created.map(str::to_string));
    h.set_created_by(Some(created_by.to_string()));
    if empty_layer {
        h.set_empty_layer(Some(true));
    }
    h.set_comment(Some("plimsoll".to_string()));
    h
}
