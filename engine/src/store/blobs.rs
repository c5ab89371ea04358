//! Content-addressed blobs: written through a hashing temporary file, renamed into place
//! under their digest, verified when imported.

use super::{Result, Store, StoreError};
use crate::digest::{Digest, HashingReader, HashingWriter};
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

/// A blob being written: bytes go through a hash into a temporary file in the store;
/// [`BlobWriter::commit`] names it by its digest.
pub struct BlobWriter {
    inner: HashingWriter<BufWriter<tempfile::NamedTempFile>>,
    store: Store,
}

impl BlobWriter {
    pub fn commit(self) -> Result<(Digest, u64)> {
        let (buffered, digest, size) = self.inner.finish();
        let file = buffered
            .into_inner()
            .map_err(|e| StoreError::io(Path::new("blob"))(e.into_error()))?;
        let target = self.store.blob_path(&digest);
        if !target.exists() {
            file.persist(&target)
                .map_err(|e| StoreError::io(&target)(e.error))?;
        }
        Ok((digest, size))
    }
}

impl Write for BlobWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Store {
    pub fn blob_writer(&self) -> Result<BlobWriter> {
        let tmp = self.root.join("tmp");
        let file = tempfile::NamedTempFile::new_in(&tmp).map_err(StoreError::io(&tmp))?;
        Ok(BlobWriter {
            inner: HashingWriter::new(BufWriter::with_capacity(1 << 16, file)),
            store: self.clone(),
        })
    }

    pub fn put_blob(&self, bytes: &[u8]) -> Result<Digest> {
        let digest = Digest::of(bytes);
        let path = self.blob_path(&digest);
        if !path.exists() {
            self.write_atomic(&path, bytes)?;
        }
        Ok(digest)
    }

    /// Copies a blob from `reader` into the store, checking it has digest `expected`.
    pub fn import_blob(&self, expected: &Digest, reader: impl Read) -> Result<u64> {
        if let Ok(meta) = std::fs::metadata(self.blob_path(expected)) {
            return Ok(meta.len());
        }
        let mut writer = self.blob_writer()?;
        io::copy(&mut { reader }, &mut writer).map_err(StoreError::io(Path::new("blob")))?;
        let (actual, size) = writer.commit()?;
        if &actual != expected {
            let _ = std::fs::remove_file(self.blob_path(&actual));
            return Err(StoreError::Corrupt {
                expected: expected.clone(),
                actual,
            });
        }
        Ok(size)
    }

    pub fn open_blob(&self, digest: &Digest) -> Result<File> {
        File::open(self.blob_path(digest)).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => StoreError::MissingBlob(digest.clone()),
            _ => StoreError::io(&self.blob_path(digest))(e),
        })
    }

    pub fn read_blob(&self, digest: &Digest) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.open_blob(digest)?
            .read_to_end(&mut bytes)
            .map_err(StoreError::io(&self.blob_path(digest)))?;
        Ok(bytes)
    }

    /// Re-hashes a stored blob.
    pub fn verify_blob(&self, digest: &Digest) -> Result<()> {
        let (actual, _) = HashingReader::new(self.open_blob(digest)?)
            .finish()
            .map_err(StoreError::io(&self.blob_path(digest)))?;
        if &actual == digest {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                expected: digest.clone(),
                actual,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        (dir, store)
    }

    #[test]
    fn writes_and_reads_blobs() {
        let (_d, store) = store();
        let mut w = store.blob_writer().unwrap();
        w.write_all(b"layer bytes").unwrap();
        let (digest, size) = w.commit().unwrap();
        assert_eq!(digest, Digest::of(b"layer bytes"));
        assert_eq!(size, 11);
        assert_eq!(store.read_blob(&digest).unwrap(), b"layer bytes");
        assert_eq!(store.put_blob(b"layer bytes").unwrap(), digest);
        store.verify_blob(&digest).unwrap();
        assert!(matches!(
            store.read_blob(&Digest::of(b"nope")),
            Err(StoreError::MissingBlob(_))
        ));
    }

    #[test]
    fn import_rejects_wrong_content() {
        let (_d, store) = store();
        let expected = Digest::of(b"good");
        let err = store.import_blob(&expected, &b"evil"[..]).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }));
        assert!(!store.has_blob(&expected));
        assert!(!store.has_blob(&Digest::of(b"evil")));
        assert_eq!(store.import_blob(&expected, &b"good"[..]).unwrap(), 4);
        assert!(store.has_blob(&expected));
    }

    #[test]
    fn detects_corruption_on_verify() {
        let (_d, store) = store();
        let digest = store.put_blob(b"abc").unwrap();
        std::fs::write(store.blob_path(&digest), b"abd").unwrap();
        assert!(store.verify_blob(&digest).is_err());
    }
}
