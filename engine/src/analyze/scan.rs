//! One layer tar, streamed: every entry's path, kind and size, with OCI whiteouts decoded.
//! Nothing is written to disk.

use super::AnalyzeError;
use super::secrets;
use std::collections::BTreeMap;
use std::io::{self, Read};

/// What a tar entry is, as far as the analysis cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    /// Symlinks, hard links, devices, FIFOs.
    Other,
    /// `.wh.NAME`: the path is removed from the layers below.
    Whiteout,
}

/// One path in a layer (the last tar entry for it wins, as when unpacking).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    /// The size in the tar header (0 for directories, links and whiteouts).
    pub size: u64,
}

/// A streamed layer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LayerScan {
    /// Paths relative to the root, without leading `/` or `./`.
    pub entries: BTreeMap<String, Entry>,
    /// Directories marked opaque (`.wh..wh..opq`).
    pub opaque: Vec<String>,
    /// Σ header sizes of every entry: dive's layer size.
    pub size: u64,
    /// Bytes of the uncompressed tar.
    pub uncompressed_size: u64,
    /// Files that hold secrets: path and kind (never the value).
    pub secrets: Vec<(String, &'static str)>,
}

struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Normalizes a tar path: no leading `/` or `./`, no trailing `/`; `None` for the root.
fn normalize(path: &str) -> Option<String> {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Reads an uncompressed layer tar to its end.
pub fn scan_layer(reader: impl Read) -> Result<LayerScan, AnalyzeError> {
    let mut archive = tar::Archive::new(Counting {
        inner: reader,
        count: 0,
    });
    let mut scan = LayerScan::default();
    for entry in archive.entries().map_err(AnalyzeError::Tar)? {
        let mut entry = entry.map_err(AnalyzeError::Tar)?;
        let raw = entry.path().map_err(AnalyzeError::Tar)?.into_owned();
        let Some(path) = normalize(&raw.to_string_lossy()) else {
            continue;
        };
        let size = entry.size();
        scan.size += size;
        let (parent, name) = match path.rsplit_once('/') {
            Some((parent, name)) => (Some(parent), name),
            None => (None, path.as_str()),
        };
        let join = |name: &str| match parent {
            Some(parent) => format!("{parent}/{name}"),
            None => name.to_string(),
        };
        if name == ".wh..wh..opq" {
            scan.opaque.push(parent.unwrap_or("").to_string());
            continue;
        }
        let (path, kind) = if let Some(removed) = name.strip_prefix(".wh.") {
            (join(removed), EntryKind::Whiteout)
        } else {
            let kind = match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => EntryKind::File,
                tar::EntryType::Directory => EntryKind::Dir,
                _ => EntryKind::Other,
            };
            (path, kind)
        };
        if kind == EntryKind::File {
            let content = if secrets::wants_content(size) {
                let mut content = Vec::with_capacity(size as usize);
                entry.read_to_end(&mut content).map_err(AnalyzeError::Tar)?;
                Some(content)
            } else {
                None
            };
            for secret in secrets::detect(&path, content.as_deref()) {
                scan.secrets.push((path.clone(), secret));
            }
        }
        scan.entries.insert(path, Entry { kind, size });
    }
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(AnalyzeError::Tar)?;
    scan.uncompressed_size = rest.count;
    Ok(scan)
}

/// Every proper ancestor of `path` (`a/b/c` → `a`, `a/b`).
pub(crate) fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}
