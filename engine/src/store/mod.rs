//! The local store: a content-addressed blob store shared by all builds, unpacked layers
//! (the lower directories of RUN steps), image tags, the build cache and scratch space.
//!
//! ```text
//! ROOT/blobs/sha256/<hex>     layers (as distributed), image configs, manifests
//! ROOT/layers/<diff-id hex>/  a layer unpacked for overlayfs (`fs/`) and its `meta.json`
//! ROOT/images/tags.json       local image names → manifest digests
//! ROOT/cache/                 build cache records, RUN cache mounts, context hashes
//! ROOT/tmp/                   work directories (same file system, so results are renamed in)
//! ```
//!
//! ROOT is `--root`, else `$PLIMSOLL_ROOT`, else `$XDG_DATA_HOME/plimsoll`, else
//! `~/.local/share/plimsoll`.

mod blobs;
mod tags;

pub use blobs::BlobWriter;

use crate::digest::Digest;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("blob {0} is not in the store")]
    MissingBlob(Digest),
    #[error("blob {expected} is corrupt: its content hashes to {actual}")]
    Corrupt { expected: Digest, actual: Digest },
    #[error("{path}: {source}")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("no store directory: set --root or PLIMSOLL_ROOT, or HOME")]
    NoRoot,
}

impl StoreError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
        move |source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The store in a root directory.
#[derive(Clone, Debug)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// The default root: `$PLIMSOLL_ROOT`, `$XDG_DATA_HOME/plimsoll` or
    /// `~/.local/share/plimsoll`.
    pub fn default_root() -> Result<PathBuf> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        if let Some(root) = var("PLIMSOLL_ROOT") {
            return Ok(PathBuf::from(root));
        }
        if let Some(data) = var("XDG_DATA_HOME") {
            return Ok(PathBuf::from(data).join("plimsoll"));
        }
        var("HOME")
            .map(|home| PathBuf::from(home).join(".local/share/plimsoll"))
            .ok_or(StoreError::NoRoot)
    }

    /// Opens (creating as needed) the store at `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<Store> {
        let root = root.into();
        for dir in [
            "blobs/sha256",
            "layers",
            "images",
            "cache/steps",
            "cache/mounts",
            "tmp",
        ] {
            let path = root.join(dir);
            std::fs::create_dir_all(&path).map_err(StoreError::io(&path))?;
        }
        let root = root.canonicalize().map_err(StoreError::io(&root))?;
        Ok(Store { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.root.join("blobs/sha256").join(digest.hex())
    }

    pub fn has_blob(&self, digest: &Digest) -> bool {
        self.blob_path(digest).is_file()
    }

    /// The directory a layer is unpacked into (keyed by its diff ID).
    pub fn layer_dir(&self, diff_id: &Digest) -> PathBuf {
        self.root.join("layers").join(diff_id.hex())
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.root.join("cache")
    }

    /// A fresh work directory under `ROOT/tmp`, removed when dropped.
    pub fn temp_dir(&self, prefix: &str) -> Result<tempfile::TempDir> {
        let tmp = self.root.join("tmp");
        tempfile::Builder::new()
            .prefix(prefix)
            .tempdir_in(&tmp)
            .map_err(StoreError::io(&tmp))
    }

    /// Writes `bytes` atomically to `path` (temporary file and rename).
    pub(crate) fn write_atomic(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        let tmp = self.root.join("tmp");
        let mut file = tempfile::NamedTempFile::new_in(&tmp).map_err(StoreError::io(&tmp))?;
        io::Write::write_all(&mut file, bytes).map_err(StoreError::io(path))?;
        file.persist(path)
            .map_err(|e| StoreError::io(path)(e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_and_lays_out() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("root")).unwrap();
        assert!(store.root().join("blobs/sha256").is_dir());
        let d = Digest::of(b"x");
        assert!(store.blob_path(&d).ends_with(d.hex()));
        assert!(store.layer_dir(&d).starts_with(store.root().join("layers")));
        let t = store.temp_dir("t").unwrap();
        assert!(t.path().starts_with(store.root().join("tmp")));
    }
}
