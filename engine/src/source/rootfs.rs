//! A plain root file system: a directory (archived as one layer, every node taken
//! literally) or a tar, optionally gzipped (used as the layer as it is). A directory is
//! archived again only when its metadata fingerprint changed.

use super::{ImageSource, SourceError};
use crate::digest::{Digest, Hasher, HashingReader};
use crate::image::{Compression, Image, LayerDesc, Platform, history};
use crate::layer::{LayerOptions, create_layer};
use crate::store::Store;
use crate::syscall::Syscall;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct RootfsSource {
    pub path: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Imported {
    fingerprint: Digest,
    layer: LayerDesc,
}

/// A digest of every path and its metadata below `dir` (not the contents): cheap, and
/// changes whenever a file is written, replaced, chmod-ed or chown-ed.
pub(crate) fn fingerprint(dir: &Path, syscall: &dyn Syscall) -> Result<Digest, SourceError> {
    let mut hasher = Hasher::default();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by(|a, b| a.file_name().as_bytes().cmp(b.file_name().as_bytes()))
    {
        let entry = entry.map_err(|e| SourceError::io(dir)(e.into()))?;
        let st = syscall
            .lstat(entry.path())
            .map_err(SourceError::io(entry.path()))?;
        hasher.field(entry.path().as_os_str().as_bytes());
        hasher.field(format!("{:?}", st.kind).as_bytes());
        for n in [
            u64::from(st.mode),
            u64::from(st.uid),
            u64::from(st.gid),
            st.size,
            st.mtime as u64,
            st.mtime_nsec as u64,
            st.ino,
            st.rdev,
        ] {
            hasher.update(&n.to_le_bytes());
        }
    }
    Ok(hasher.finish())
}

impl RootfsSource {
    fn import_dir(&self, store: &Store, syscall: &dyn Syscall) -> Result<LayerDesc, SourceError> {
        let abs = self
            .path
            .canonicalize()
            .map_err(SourceError::io(&self.path))?;
        let record_dir = store.cache_dir().join("rootfs");
        std::fs::create_dir_all(&record_dir).map_err(SourceError::io(&record_dir))?;
        let record = record_dir.join(Digest::of(abs.as_os_str().as_bytes()).hex());
        let print = fingerprint(&abs, syscall)?;
        if let Ok(bytes) = std::fs::read(&record)
            && let Ok(imported) = serde_json::from_slice::<Imported>(&bytes)
            && imported.fingerprint == print
            && store.has_blob(&imported.layer.digest)
        {
            return Ok(imported.layer);
        }
        let options = LayerOptions {
            whiteouts: false,
            ..LayerOptions::default()
        };
        let layer =
            create_layer(store, syscall, &abs, &options)?.ok_or_else(|| SourceError::Io {
                path: abs.clone(),
                source: std::io::Error::other("the root file system is empty"),
            })?;
        let imported = Imported {
            fingerprint: print,
            layer: layer.clone(),
        };
        let bytes = serde_json::to_vec(&imported).expect("plain struct serializes");
        std::fs::write(&record, bytes).map_err(SourceError::io(&record))?;
        Ok(layer)
    }

    fn import_tar(&self, store: &Store) -> Result<LayerDesc, SourceError> {
        let file = std::fs::File::open(&self.path).map_err(SourceError::io(&self.path))?;
        let mut writer = store.blob_writer()?;
        std::io::copy(&mut std::io::BufReader::new(file), &mut writer)
            .map_err(SourceError::io(&self.path))?;
        let (digest, size) = writer.commit()?;
        let mut head = [0u8; 2];
        let n = store
            .open_blob(&digest)?
            .read(&mut head)
            .map_err(SourceError::io(&self.path))?;
        let compression = Compression::sniff(&head[..n]);
        let reader = compression.decoder(store.open_blob(&digest)?);
        // Read it as a tar to be sure it is one, hashing the uncompressed bytes.
        let mut hashing = HashingReader::new(reader);
        {
            let mut archive = tar::Archive::new(&mut hashing);
            for entry in archive.entries().map_err(SourceError::io(&self.path))? {
                entry.map_err(SourceError::io(&self.path))?;
            }
        }
        let (diff_id, _) = hashing.finish().map_err(SourceError::io(&self.path))?;
        Ok(LayerDesc {
            digest,
            diff_id,
            size,
            compression,
        })
    }
}

impl ImageSource for RootfsSource {
    fn describe(&self) -> String {
        format!("rootfs:{}", self.path.display())
    }

    fn load(&self, store: &Store, syscall: &dyn Syscall) -> Result<Image, SourceError> {
        let meta = std::fs::metadata(&self.path).map_err(SourceError::io(&self.path))?;
        let layer = if meta.is_dir() {
            self.import_dir(store, syscall)?
        } else {
            self.import_tar(store)?
        };
        let mut image = Image::scratch();
        image.push_layer(layer, history(None, &self.describe(), false));
        Ok(image)
    }

    /// A root file system says nothing of its platform: it is taken to be the stage's.
    fn load_for(
        &self,
        store: &Store,
        syscall: &dyn Syscall,
        platform: &Platform,
    ) -> Result<Image, SourceError> {
        let mut image = self.load(store, syscall)?;
        platform.apply(&mut image.config);
        Ok(image)
    }
}
