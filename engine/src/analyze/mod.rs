//! Image analysis (`plimsoll analyze`): where an image's bytes go. Every layer blob is
//! streamed once from the store — decompressed on the fly, never unpacked to disk — into
//! a [`LayerScan`]; [`efficiency`] then computes dive's measures from the scans.

mod efficiency;
mod scan;
mod secrets;
#[cfg(test)]
mod tests;
mod tree;

pub use efficiency::{Efficiency, FileChanges, WastedPath, efficiency};
pub use scan::{Entry, EntryKind, LayerScan, scan_layer};
pub use tree::{Node, NodeKind, Tree, apply_layer, filesystem};

use crate::image::Image;
use crate::store::{Store, StoreError};
use std::io;

#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error("reading a layer tar: {0}")]
    Tar(#[source] io::Error),
    #[error("layer {digest}: {source}")]
    Layer {
        digest: String,
        #[source]
        source: Box<AnalyzeError>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One layer, bottom first.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LayerReport {
    pub index: usize,
    pub digest: String,
    pub diff_id: String,
    /// The history entry's `created_by`: the instruction that made the layer.
    pub created_by: Option<String>,
    /// The blob as stored and distributed.
    pub compressed_size: u64,
    /// The uncompressed tar.
    pub uncompressed_size: u64,
    /// Σ sizes of its entries (dive's layer size).
    pub size: u64,
    pub files: FileChanges,
}

/// A secret found in a layer: where it is and what kind it is, never its value.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Secret {
    pub layer: usize,
    pub path: String,
    pub kind: String,
    /// A later layer that deletes or overwrites the file: it no longer shows in a
    /// container, but anyone with the image can still read it from this layer.
    pub hidden_by: Option<usize>,
}

/// Everything `plimsoll analyze` reports.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Analysis {
    pub efficiency: f64,
    pub wasted_bytes: u64,
    pub user_wasted_ratio: f64,
    /// Σ sizes of every layer but the first.
    pub user_bytes: u64,
    /// Σ sizes of every layer.
    pub total_bytes: u64,
    pub layers: Vec<LayerReport>,
    /// Paths in two or more layers, most wasted bytes first.
    pub wasted_paths: Vec<WastedPath>,
    pub secrets: Vec<Secret>,
}

/// Streams every layer of `image` from `store` and analyzes it.
pub fn analyze(store: &Store, image: &Image) -> Result<Analysis, AnalyzeError> {
    Ok(analyze_with_scans(store, image)?.0)
}

/// [`analyze`], also returning every layer's scan (paths, kinds and sizes) for callers
/// that look at particular paths.
pub fn analyze_with_scans(
    store: &Store,
    image: &Image,
) -> Result<(Analysis, Vec<LayerScan>), AnalyzeError> {
    let mut scans = Vec::with_capacity(image.layers.len());
    for layer in &image.layers {
        let scan = scan_layer(layer.compression.decoder(store.open_blob(&layer.digest)?)).map_err(
            |source| AnalyzeError::Layer {
                digest: layer.digest.to_string(),
                source: Box::new(source),
            },
        )?;
        scans.push(scan);
    }
    // History entries that made no layer are skipped, as dive and Docker do.
    let created_by: Vec<Option<String>> = image
        .config
        .history()
        .into_iter()
        .filter(|h| h.empty_layer() != Some(true))
        .map(|h| h.created_by().as_deref().map(instruction))
        .collect();
    let measures = efficiency(&scans);
    let layers = image
        .layers
        .iter()
        .zip(&scans)
        .enumerate()
        .map(|(index, (desc, scan))| LayerReport {
            index,
            digest: desc.digest.to_string(),
            diff_id: desc.diff_id.to_string(),
            created_by: created_by.get(index).cloned().flatten(),
            compressed_size: desc.size,
            uncompressed_size: scan.uncompressed_size,
            size: scan.size,
            files: measures.changes[index],
        })
        .collect();
    let analysis = Analysis {
        efficiency: measures.efficiency,
        wasted_bytes: measures.wasted_bytes,
        user_wasted_ratio: measures.user_wasted_ratio,
        user_bytes: measures.user_bytes,
        total_bytes: scans.iter().map(|s| s.size).sum(),
        layers,
        wasted_paths: measures.wasted_paths,
        secrets: find_secrets(&scans),
    };
    Ok((analysis, scans))
}

/// Every secret of every layer, with the first later layer that hides it.
fn find_secrets(scans: &[LayerScan]) -> Vec<Secret> {
    let mut found = Vec::new();
    for (layer, scan) in scans.iter().enumerate() {
        for (path, kind) in &scan.secrets {
            let hidden_by = scans
                .iter()
                .enumerate()
                .skip(layer + 1)
                .find(|(_, later)| hides(later, path))
                .map(|(index, _)| index);
            found.push(Secret {
                layer,
                path: format!("/{path}"),
                kind: kind.to_string(),
                hidden_by,
            });
        }
    }
    found.sort_by(|a, b| (a.layer, &a.path).cmp(&(b.layer, &b.path)));
    found
}

/// Whether `layer` deletes or replaces `path`: an entry or whiteout at the path or at one of
/// its directories, or an opaque directory above it.
fn hides(layer: &LayerScan, path: &str) -> bool {
    if layer.entries.contains_key(path) {
        return true;
    }
    scan::ancestors(path).any(|dir| {
        layer.opaque.iter().any(|o| o == dir)
            || layer
                .entries
                .get(dir)
                .is_some_and(|e| e.kind != EntryKind::Dir)
    }) || layer.opaque.iter().any(String::is_empty)
}

/// Docker's `/bin/sh -c #(nop) ` prefix says nothing to a reader.
fn instruction(created_by: &str) -> String {
    let text = created_by.trim();
    let text = text.strip_prefix("/bin/sh -c #(nop) ").unwrap_or(text);
    text.trim().to_string()
}
