//! Images in the store: the configuration and the OCI manifest written as blobs.

use super::{Compression, Image, ImageConfig, ImageError, LayerDesc};
use crate::digest::Digest;
use crate::store::Store;
use oci_spec::image::{Descriptor, ImageManifest, ImageManifestBuilder, MediaType};

/// An image written to the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredImage {
    pub manifest: Digest,
    pub manifest_size: u64,
    pub config: Digest,
}

pub(crate) fn descriptor(media_type: MediaType, digest: &Digest, size: u64) -> Descriptor {
    Descriptor::new(media_type, size, digest.to_oci())
}

impl Image {
    /// The OCI manifest of this image (its config written to the store first).
    pub fn manifest(&self, store: &Store) -> Result<(ImageManifest, Digest), ImageError> {
        let config = self.config.to_json()?;
        let config_digest = store.put_blob(&config)?;
        let manifest = ImageManifestBuilder::default()
            .schema_version(2u32)
            .media_type(MediaType::ImageManifest)
            .config(descriptor(
                MediaType::ImageConfig,
                &config_digest,
                config.len() as u64,
            ))
            .layers(
                self.layers
                    .iter()
                    .map(|l| descriptor(l.compression.media_type(), &l.digest, l.size))
                    .collect::<Vec<_>>(),
            )
            .build()
            .map_err(|e| ImageError::Manifest(e.to_string()))?;
        Ok((manifest, config_digest))
    }

    /// Writes the configuration and manifest to the store.
    pub fn store(&self, store: &Store) -> Result<StoredImage, ImageError> {
        let (manifest, config) = self.manifest(store)?;
        let bytes = super::json::canonical(&manifest).map_err(ImageError::Config)?;
        let digest = store.put_blob(&bytes)?;
        Ok(StoredImage {
            manifest: digest,
            manifest_size: bytes.len() as u64,
            config,
        })
    }

    /// The digests of the blobs a stored manifest names: its configuration (as stored,
    /// which for a pulled image need not be Plimsoll's canonical form) and its layers.
    pub fn stored_blobs(store: &Store, manifest: &Digest) -> Result<Vec<Digest>, ImageError> {
        let bytes = store.read_blob(manifest)?;
        let manifest: ImageManifest = serde_json::from_slice(&bytes)
            .map_err(|e| ImageError::Manifest(format!("{manifest}: {e}")))?;
        std::iter::once(manifest.config())
            .chain(manifest.layers())
            .map(|d| Ok(Digest::try_from(d.digest())?))
            .collect()
    }

    /// Reads an image whose manifest and blobs are in the store.
    pub fn load(store: &Store, manifest: &Digest) -> Result<Image, ImageError> {
        let bytes = store.read_blob(manifest)?;
        let manifest: ImageManifest = serde_json::from_slice(&bytes)
            .map_err(|e| ImageError::Manifest(format!("{manifest}: {e}")))?;
        let config_digest = Digest::try_from(manifest.config().digest())?;
        let config = ImageConfig::from_json(&store.read_blob(&config_digest)?)?;
        Image::from_parts(config, manifest.layers())
    }

    /// Pairs manifest layer descriptors with the configuration's diff IDs.
    pub fn from_parts(config: ImageConfig, layers: &[Descriptor]) -> Result<Image, ImageError> {
        let diff_ids = config.diff_ids();
        if diff_ids.len() != layers.len() {
            return Err(ImageError::Manifest(format!(
                "{} layers but the configuration lists {} diff IDs",
                layers.len(),
                diff_ids.len()
            )));
        }
        let layers = layers
            .iter()
            .zip(diff_ids)
            .map(|(d, diff_id)| {
                Ok(LayerDesc {
                    digest: Digest::try_from(d.digest())?,
                    diff_id: diff_id.parse()?,
                    size: d.size(),
                    compression: Compression::from_media_type(d.media_type())?,
                })
            })
            .collect::<Result<Vec<_>, ImageError>>()?;
        Ok(Image { config, layers })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::history;

    #[test]
    fn store_and_load_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let blob = store.put_blob(b"not really a layer").unwrap();
        let mut image = Image::scratch();
        image.push_layer(
            LayerDesc {
                digest: blob.clone(),
                diff_id: Digest::of(b"uncompressed"),
                size: 18,
                compression: Compression::Gzip,
            },
            history(Some("2024-01-01T00:00:00Z"), "COPY a /a", false),
        );
        image.push_history(history(None, "ENV A=1", true));
        let stored = image.store(&store).unwrap();
        let loaded = Image::load(&store, &stored.manifest).unwrap();
        assert_eq!(loaded, image);
        assert_eq!(loaded.config_digest().unwrap(), stored.config);
        // Writing again gives the same digests.
        assert_eq!(image.store(&store).unwrap(), stored);
        let text = String::from_utf8(store.read_blob(&stored.manifest).unwrap()).unwrap();
        assert!(
            text.contains("application/vnd.oci.image.layer.v1.tar+gzip"),
            "{text}"
        );
    }
}
