//! dive's measures, computed as dive computes them (`dive/filetree/efficiency.go` and
//! `runtime/ci`), so the figures can be compared:
//!
//! - every *leaf* of a layer's tree (an entry no other entry of the same layer lies
//!   below) counts once for its path: a file or link its header size; a whiteout the size
//!   it removes — for a directory, the sizes of everything below it in the layers
//!   underneath, for anything else 0, as in dive; opaque markers are ignored, as in dive;
//! - efficiency = Σ (smallest size seen for a path) / Σ (cumulative size of a path), 1 for
//!   an image with no bytes;
//! - a path counted in two or more layers is an *inefficiency*; wasted bytes = Σ of their
//!   cumulative sizes;
//! - user-wasted ratio = wasted bytes / Σ sizes of every layer but the first, where a
//!   layer's size is the sum of its entries' header sizes.

use super::scan::{EntryKind, LayerScan, ancestors};
use std::collections::{BTreeMap, BTreeSet};

/// Per-layer counts of paths, against the layers below.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FileChanges {
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
}

/// A path found in two or more layers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct WastedPath {
    pub path: String,
    /// Indexes (bottom first) of the layers it is in.
    pub layers: Vec<usize>,
    /// Its cumulative size across those layers: what it adds to the wasted bytes.
    pub wasted_bytes: u64,
}

/// The image-wide figures.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Efficiency {
    pub efficiency: f64,
    pub wasted_bytes: u64,
    pub user_wasted_ratio: f64,
    /// Σ sizes of every layer but the first.
    pub user_bytes: u64,
    /// Every inefficient path, most wasted bytes first.
    pub wasted_paths: Vec<WastedPath>,
    /// One per layer.
    pub changes: Vec<FileChanges>,
}

#[derive(Default)]
struct PathData {
    cumulative: u64,
    min: u64,
    layers: Vec<usize>,
}

/// What the merged tree holds at a path.
#[derive(Clone, Copy)]
struct Stacked {
    size: u64,
    dir: bool,
}

pub fn efficiency(layers: &[LayerScan]) -> Efficiency {
    let mut paths: BTreeMap<&str, PathData> = BTreeMap::new();
    let mut stacked: BTreeMap<String, Stacked> = BTreeMap::new();
    let mut changes = Vec::with_capacity(layers.len());
    for (index, layer) in layers.iter().enumerate() {
        let parents: BTreeSet<&str> = layer.entries.keys().flat_map(|p| ancestors(p)).collect();
        let mut change = FileChanges::default();
        for (path, entry) in &layer.entries {
            let present = stacked.contains_key(path);
            match entry.kind {
                EntryKind::Whiteout => change.removed += u64::from(present),
                EntryKind::Dir => {}
                _ if present => change.modified += 1,
                _ => change.added += 1,
            }
            if parents.contains(path.as_str()) {
                continue;
            }
            let size = match entry.kind {
                EntryKind::Whiteout => match stacked.get(path) {
                    Some(s) if s.dir => below(&stacked, path).map(|(_, s)| s.size).sum(),
                    _ => 0,
                },
                _ => entry.size,
            };
            let data = paths.entry(path).or_default();
            if data.layers.is_empty() || size < data.min {
                data.min = size;
            }
            data.cumulative += size;
            data.layers.push(index);
        }
        changes.push(change);
        // Stack the layer, as dive does (opaque markers ignored).
        for (path, entry) in &layer.entries {
            if entry.kind == EntryKind::Whiteout {
                let gone: Vec<String> = below(&stacked, path).map(|(p, _)| p.clone()).collect();
                for p in gone {
                    stacked.remove(&p);
                }
                continue;
            }
            for parent in ancestors(path) {
                stacked
                    .entry(parent.to_string())
                    .or_insert(Stacked { size: 0, dir: true });
            }
            stacked.insert(
                path.clone(),
                Stacked {
                    size: entry.size,
                    dir: entry.kind == EntryKind::Dir,
                },
            );
        }
    }
    let (minimum, discovered) = paths
        .values()
        .fold((0u64, 0u64), |(m, d), p| (m + p.min, d + p.cumulative));
    let efficiency = if discovered == 0 {
        1.0
    } else {
        minimum as f64 / discovered as f64
    };
    let mut wasted_paths: Vec<WastedPath> = paths
        .into_iter()
        .filter(|(_, d)| d.layers.len() >= 2)
        .map(|(path, d)| WastedPath {
            path: format!("/{path}"),
            layers: d.layers,
            wasted_bytes: d.cumulative,
        })
        .collect();
    wasted_paths.sort_by(|a, b| {
        b.wasted_bytes
            .cmp(&a.wasted_bytes)
            .then_with(|| a.path.cmp(&b.path))
    });
    let wasted_bytes = wasted_paths.iter().map(|p| p.wasted_bytes).sum();
    let user_bytes: u64 = layers.iter().skip(1).map(|l| l.size).sum();
    let user_wasted_ratio = if user_bytes == 0 {
        0.0
    } else {
        wasted_bytes as f64 / user_bytes as f64
    };
    Efficiency {
        efficiency,
        wasted_bytes,
        user_wasted_ratio,
        user_bytes,
        wasted_paths,
        changes,
    }
}

/// `path` itself and everything below it in the merged tree.
fn below<'a>(
    stacked: &'a BTreeMap<String, Stacked>,
    path: &str,
) -> impl Iterator<Item = (&'a String, &'a Stacked)> {
    // Everything below `path` sorts between `path/` and `path0` ('0' follows '/').
    let own = stacked.get_key_value(path);
    own.into_iter()
        .chain(stacked.range(format!("{path}/")..format!("{path}0")))
}
