//! The build cache: a record per layer-making step, keyed by the step's cache key (its
//! parent's key and everything the step depends on), holding the image after the step.
//! Layers themselves are blobs in the store, shared by every build. `prune` removes the
//! records and every blob and unpacked layer no tagged image uses.

use super::BuildError;
use crate::digest::{Digest, Hasher};
use crate::image::{Image, ImageConfig, LayerDesc};
use crate::store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

#[derive(Serialize, Deserialize)]
struct Record {
    config: String,
    layers: Vec<LayerDesc>,
}

/// The key of a step: its parent's key and the step's own material.
pub fn key(parent: &Digest, material: &[u8]) -> Digest {
    let mut h = Hasher::default();
    h.field(parent.hex().as_bytes());
    h.field(material);
    h.finish()
}

fn record_path(store: &Store, key: &Digest) -> std::path::PathBuf {
    store.cache_dir().join("steps").join(key.hex())
}

/// The image a step produced before, if its layers are all still there.
pub fn get(store: &Store, key: &Digest) -> Option<Image> {
    let bytes = std::fs::read(record_path(store, key)).ok()?;
    let record: Record = serde_json::from_slice(&bytes).ok()?;
    if !record.layers.iter().all(|l| store.has_blob(&l.digest)) {
        return None;
    }
    let config = ImageConfig::from_json(record.config.as_bytes()).ok()?;
    Some(Image {
        config,
        layers: record.layers,
    })
}

pub fn put(store: &Store, key: &Digest, image: &Image) -> Result<(), BuildError> {
    let config = String::from_utf8(image.config.to_json()?).expect("JSON is UTF-8");
    let record = Record {
        config,
        layers: image.layers.clone(),
    };
    let bytes = serde_json::to_vec(&record).expect("plain struct serializes");
    let path = record_path(store, key);
    std::fs::write(&path, bytes).map_err(BuildError::io(&path))
}

/// `COPY --link`/`ADD --link` records: the layer a step's link key made. The key leaves
/// out the parent (such a layer does not depend on the image below), so the layer is
/// found again when only earlier steps changed.
fn link_path(store: &Store, key: &Digest) -> std::path::PathBuf {
    store
        .cache_dir()
        .join("steps")
        .join(format!("link-{}", key.hex()))
}

/// The layer made for link key `key`, if its blob is still there.
pub fn get_link(store: &Store, key: &Digest) -> Option<LayerDesc> {
    let bytes = std::fs::read(link_path(store, key)).ok()?;
    let layer: LayerDesc = serde_json::from_slice(&bytes).ok()?;
    store.has_blob(&layer.digest).then_some(layer)
}

pub fn put_link(store: &Store, key: &Digest, layer: &LayerDesc) -> Result<(), BuildError> {
    let bytes = serde_json::to_vec(layer).expect("plain struct serializes");
    let path = link_path(store, key);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(BuildError::io(dir))?;
    }
    store.write_atomic(&path, &bytes)?;
    Ok(())
}

/// What `prune` removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PruneReport {
    pub records: usize,
    pub blobs: usize,
    pub layers: usize,
    pub mounts: usize,
    pub bytes: u64,
}

fn size_of(path: &Path) -> u64 {
    walkdir::WalkDir::new(path)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| !m.is_dir())
        .map(|m| m.len())
        .sum()
}

fn remove(path: &Path, report_bytes: &mut u64) -> Result<(), StoreError> {
    *report_bytes += size_of(path);
    let result = if path.is_dir() {
        crate::fs::remove_tree(path)
    } else {
        std::fs::remove_file(path)
    };
    result.map_err(StoreError::io(path))
}

fn entries(dir: &Path) -> Result<Vec<std::fs::DirEntry>, StoreError> {
    match std::fs::read_dir(dir) {
        Ok(read) => read
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::io(dir)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(StoreError::io(dir)(e)),
    }
}

/// Removes the build cache, RUN cache mounts and everything in the store that no tagged
/// image uses. With `all`, tags go too and the store is emptied.
pub fn prune(store: &Store, all: bool) -> Result<PruneReport, BuildError> {
    let mut report = PruneReport::default();
    let mut keep_blobs: HashSet<String> = HashSet::new();
    let mut keep_layers: HashSet<String> = HashSet::new();
    if all {
        let tags = store.root().join("images/tags.json");
        if tags.exists() {
            remove(&tags, &mut report.bytes)?;
        }
    } else {
        for manifest in store.tags()?.values() {
            let image = Image::load(store, manifest)?;
            keep_blobs.insert(manifest.hex().to_string());
            // The configuration as stored: a pulled one is kept byte for byte.
            for blob in Image::stored_blobs(store, manifest)? {
                keep_blobs.insert(blob.hex().to_string());
            }
            for layer in &image.layers {
                keep_layers.insert(layer.diff_id.hex().to_string());
            }
        }
    }
    let cache = store.cache_dir();
    for entry in entries(&cache.join("steps"))? {
        remove(&entry.path(), &mut report.bytes)?;
        report.records += 1;
    }
    for dir in [cache.join("mounts"), store.root().join("containers")] {
        for entry in entries(&dir)? {
            remove(&entry.path(), &mut report.bytes)?;
            report.mounts += 1;
        }
    }
    for name in ["rootfs", "context-hashes.json"] {
        let path = cache.join(name);
        if path.exists() {
            remove(&path, &mut report.bytes)?;
        }
    }
    for entry in entries(&store.root().join("blobs/sha256"))? {
        if !keep_blobs.contains(entry.file_name().to_string_lossy().as_ref()) {
            remove(&entry.path(), &mut report.bytes)?;
            report.blobs += 1;
        }
    }
    for entry in entries(&store.root().join("layers"))? {
        if !keep_layers.contains(entry.file_name().to_string_lossy().as_ref()) {
            remove(&entry.path(), &mut report.bytes)?;
            report.layers += 1;
        }
    }
    // Work directories of builds that did not clean up (killed): not those of a build
    // running now.
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in entries(&store.root().join("tmp"))? {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < hour_ago);
        if old {
            remove(&entry.path(), &mut report.bytes)?;
        }
    }
    Ok(report)
}
