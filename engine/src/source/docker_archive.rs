//! A `docker save` tar: `manifest.json` naming a config and layer tars (plain or gzipped;
//! duplicates may be symbolic links), as written by Docker, skopeo and podman.

use super::{ImageSource, SourceError};
use crate::digest::{Digest, HashingReader};
use crate::image::{Compression, Image, ImageConfig, ImageError, LayerDesc};
use crate::store::Store;
use crate::syscall::Syscall;
use serde::Deserialize;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct DockerArchiveSource {
    pub file: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    #[serde(default)]
    layers: Vec<String>,
}

fn normalize(path: &str) -> String {
    crate::fs::normalize_absolute("/", path)
        .trim_start_matches('/')
        .to_string()
}

impl DockerArchiveSource {
    fn not_archive(&self, reason: impl Into<String>) -> SourceError {
        SourceError::NotDockerArchive {
            path: self.file.clone(),
            reason: reason.into(),
        }
    }

    fn archive(&self) -> Result<tar::Archive<std::fs::File>, SourceError> {
        let file = std::fs::File::open(&self.file).map_err(SourceError::io(&self.file))?;
        Ok(tar::Archive::new(file))
    }

    /// First pass: `manifest.json` and the symbolic links.
    fn manifest(&self) -> Result<(ManifestEntry, HashMap<String, String>), SourceError> {
        let mut archive = self.archive()?;
        let mut manifest = None;
        let mut links = HashMap::new();
        for entry in archive.entries().map_err(SourceError::io(&self.file))? {
            let mut entry = entry.map_err(SourceError::io(&self.file))?;
            let path = normalize(
                &entry
                    .path()
                    .map_err(SourceError::io(&self.file))?
                    .to_string_lossy(),
            );
            if entry.header().entry_type() == tar::EntryType::Symlink {
                if let Ok(Some(target)) = entry.link_name() {
                    let dir = Path::new(&path).parent().unwrap_or(Path::new(""));
                    let joined = dir.join(target);
                    links.insert(path, normalize(&joined.to_string_lossy()));
                }
                continue;
            }
            if path == "manifest.json" {
                let mut bytes = Vec::new();
                entry
                    .read_to_end(&mut bytes)
                    .map_err(SourceError::io(&self.file))?;
                let entries: Vec<ManifestEntry> = serde_json::from_slice(&bytes)
                    .map_err(|e| self.not_archive(format!("manifest.json: {e}")))?;
                manifest = Some(entries);
            }
        }
        let mut entries = manifest.ok_or_else(|| self.not_archive("no manifest.json"))?;
        match entries.len() {
            1 => Ok((entries.remove(0), links)),
            0 => Err(self.not_archive("manifest.json lists no images")),
            n => Err(SourceError::Ambiguous {
                path: self.file.clone(),
                count: n,
                hint: "an archive of one image (`docker save IMAGE`)".into(),
            }),
        }
    }
}

impl ImageSource for DockerArchiveSource {
    fn describe(&self) -> String {
        format!("docker-archive:{}", self.file.display())
    }

    fn load(&self, store: &Store, _syscall: &dyn Syscall) -> Result<Image, SourceError> {
        let (manifest, links) = self.manifest()?;
        let resolve = |p: &str| {
            let mut p = normalize(p);
            for _ in 0..16 {
                match links.get(&p) {
                    Some(t) => p = t.clone(),
                    None => break,
                }
            }
            p
        };
        let config_path = resolve(&manifest.config);
        let layer_paths: Vec<String> = manifest.layers.iter().map(|l| resolve(l)).collect();
        let mut config_bytes = None;
        let mut stored: HashMap<String, (Digest, u64)> = HashMap::new();
        let mut archive = self.archive()?;
        for entry in archive.entries().map_err(SourceError::io(&self.file))? {
            let mut entry = entry.map_err(SourceError::io(&self.file))?;
            if entry.header().entry_type() != tar::EntryType::Regular {
                continue;
            }
            let path = normalize(
                &entry
                    .path()
                    .map_err(SourceError::io(&self.file))?
                    .to_string_lossy(),
            );
            if path == config_path {
                let mut bytes = Vec::new();
                entry
                    .read_to_end(&mut bytes)
                    .map_err(SourceError::io(&self.file))?;
                config_bytes = Some(bytes);
            } else if layer_paths.contains(&path) && !stored.contains_key(&path) {
                let mut writer = store.blob_writer()?;
                std::io::copy(&mut entry, &mut writer).map_err(SourceError::io(&self.file))?;
                stored.insert(path, writer.commit()?);
            }
        }
        let config_bytes = config_bytes
            .ok_or_else(|| self.not_archive(format!("config {config_path} is missing")))?;
        let config = ImageConfig::from_json(&config_bytes)?;
        let diff_ids = config.diff_ids().to_vec();
        if diff_ids.len() != layer_paths.len() {
            return Err(self.not_archive(format!(
                "{} layers but the configuration lists {} diff IDs",
                layer_paths.len(),
                diff_ids.len()
            )));
        }
        let mut layers = Vec::new();
        for (path, expected) in layer_paths.iter().zip(&diff_ids) {
            let (digest, size) = stored
                .get(path)
                .cloned()
                .ok_or_else(|| self.not_archive(format!("layer {path} is missing")))?;
            let mut head = [0u8; 2];
            let mut blob = store.open_blob(&digest)?;
            let n = blob.read(&mut head).map_err(SourceError::io(&self.file))?;
            let compression = Compression::sniff(&head[..n]);
            let diff_id = match compression {
                Compression::None => digest.clone(),
                Compression::Gzip => {
                    let decoder = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
                        store.open_blob(&digest)?,
                    ));
                    HashingReader::new(decoder)
                        .finish()
                        .map_err(SourceError::io(&self.file))?
                        .0
                }
            };
            let expected: Digest = expected.parse().map_err(ImageError::from)?;
            if diff_id != expected {
                return Err(self.not_archive(format!(
                    "layer {path} has diff ID {diff_id}, the configuration says {expected}"
                )));
            }
            layers.push(LayerDesc {
                digest,
                diff_id,
                size,
                compression,
            });
        }
        Ok(Image { config, layers })
    }
}
