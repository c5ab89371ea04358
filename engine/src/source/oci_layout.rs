//! An OCI image layout directory (`oci-layout`, `index.json`, `blobs/`), as skopeo, umoci,
//! buildah and `docker buildx --output type=oci` write them.

use super::{ImageSource, SourceError};
use crate::digest::Digest;
use crate::image::{Image, ImageConfig, Platform};
use crate::store::Store;
use crate::syscall::Syscall;
use oci_spec::image::{Descriptor, ImageIndex, ImageManifest, MediaType};
use std::path::{Path, PathBuf};

pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

#[derive(Debug, Clone)]
pub struct OciLayoutSource {
    pub dir: PathBuf,
    pub tag: Option<String>,
}

fn is_index(media_type: &MediaType) -> bool {
    matches!(media_type, MediaType::ImageIndex)
        || matches!(media_type, MediaType::Other(t) if t == "application/vnd.docker.distribution.manifest.list.v2+json")
}

impl OciLayoutSource {
    fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.dir.join("blobs/sha256").join(digest.hex())
    }

    fn read_blob(&self, digest: &Digest) -> Result<Vec<u8>, SourceError> {
        let path = self.blob_path(digest);
        let bytes = std::fs::read(&path).map_err(SourceError::io(&path))?;
        if Digest::of(&bytes) != *digest {
            return Err(SourceError::NotOciLayout {
                path: self.dir.clone(),
                reason: format!("blob {digest} does not match its digest"),
            });
        }
        Ok(bytes)
    }

    fn not_layout(&self, reason: impl Into<String>) -> SourceError {
        SourceError::NotOciLayout {
            path: self.dir.clone(),
            reason: reason.into(),
        }
    }

    /// The manifest descriptor the tag names (or the only one); among several, the one
    /// for `platform`.
    fn pick(&self, index: &ImageIndex, platform: &Platform) -> Result<Descriptor, SourceError> {
        let manifests = index.manifests();
        let name_of = |d: &Descriptor| {
            d.annotations()
                .as_ref()
                .and_then(|a| a.get(REF_NAME).cloned())
        };
        let available = || {
            let names: Vec<String> = manifests.iter().filter_map(name_of).collect();
            if names.is_empty() {
                "no named images".to_string()
            } else {
                names.join(", ")
            }
        };
        let candidates: Vec<&Descriptor> = match &self.tag {
            Some(tag) => manifests
                .iter()
                .filter(|d| name_of(d).as_deref() == Some(tag.as_str()))
                .collect(),
            None => manifests.iter().collect(),
        };
        let fitting: Vec<&Descriptor> = candidates
            .iter()
            .copied()
            .filter(|d| d.platform().as_ref().is_some_and(|p| platform.matches(p)))
            .collect();
        match (candidates.as_slice(), fitting.as_slice(), &self.tag) {
            ([only], _, _) | (_, [only], _) => Ok((*only).clone()),
            ([], _, Some(tag)) => Err(SourceError::NoSuchImage {
                path: self.dir.clone(),
                name: tag.clone(),
                available: available(),
            }),
            ([], _, None) => Err(self.not_layout("index.json lists no images")),
            ([first, ..], _, Some(_)) => Ok((*first).clone()),
            (many, _, None) => Err(SourceError::Ambiguous {
                path: self.dir.clone(),
                count: many.len(),
                hint: format!("oci:{}:TAG (tags: {})", self.dir.display(), available()),
            }),
        }
    }

    /// Follows nested indexes to the manifest of `platform`.
    fn resolve_manifest(
        &self,
        mut desc: Descriptor,
        platform: &Platform,
    ) -> Result<ImageManifest, SourceError> {
        for _ in 0..8 {
            let digest = Digest::try_from(desc.digest()).map_err(crate::image::ImageError::from)?;
            let bytes = self.read_blob(&digest)?;
            if !is_index(desc.media_type()) {
                return serde_json::from_slice(&bytes)
                    .map_err(|e| self.not_layout(format!("manifest {digest}: {e}")));
            }
            let index: ImageIndex = serde_json::from_slice(&bytes)
                .map_err(|e| self.not_layout(format!("index {digest}: {e}")))?;
            desc = index
                .manifests()
                .iter()
                .find(|d| d.platform().as_ref().is_none_or(|p| platform.matches(p)))
                .cloned()
                .ok_or_else(|| {
                    self.not_layout(format!("index {digest} has no image for {platform}"))
                })?;
        }
        Err(self.not_layout("indexes nested too deeply"))
    }
}

impl ImageSource for OciLayoutSource {
    fn describe(&self) -> String {
        match &self.tag {
            Some(t) => format!("oci:{}:{t}", self.dir.display()),
            None => format!("oci:{}", self.dir.display()),
        }
    }

    fn load(&self, store: &Store, _syscall: &dyn Syscall) -> Result<Image, SourceError> {
        self.load_platform(store, &Platform::native())
    }

    fn load_for(
        &self,
        store: &Store,
        _syscall: &dyn Syscall,
        platform: &Platform,
    ) -> Result<Image, SourceError> {
        let image = self.load_platform(store, platform)?;
        super::check_platform(&self.describe(), &image, platform)?;
        Ok(image)
    }
}

impl OciLayoutSource {
    fn load_platform(&self, store: &Store, platform: &Platform) -> Result<Image, SourceError> {
        let layout = self.dir.join("oci-layout");
        if !layout.is_file() {
            return Err(self.not_layout("no oci-layout file"));
        }
        let index_path = self.dir.join("index.json");
        let index: ImageIndex = serde_json::from_slice(
            &std::fs::read(&index_path).map_err(SourceError::io(&index_path))?,
        )
        .map_err(|e| self.not_layout(format!("index.json: {e}")))?;
        let manifest = self.resolve_manifest(self.pick(&index, platform)?, platform)?;
        let config_digest =
            Digest::try_from(manifest.config().digest()).map_err(crate::image::ImageError::from)?;
        let config_bytes = self.read_blob(&config_digest)?;
        let config = ImageConfig::from_json(&config_bytes)?;
        let image = Image::from_parts(config, manifest.layers())?;
        for layer in &image.layers {
            import(store, &self.blob_path(&layer.digest), &layer.digest)?;
        }
        Ok(image)
    }
}

fn import(store: &Store, path: &Path, digest: &Digest) -> Result<(), SourceError> {
    if store.has_blob(digest) {
        return Ok(());
    }
    let file = std::fs::File::open(path).map_err(SourceError::io(path))?;
    store.import_blob(digest, file)?;
    Ok(())
}
