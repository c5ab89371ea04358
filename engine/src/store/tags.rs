//! Local image names (`--tag`) → manifest digests, in `ROOT/images/tags.json`.

use super::{Result, Store, StoreError};
use crate::digest::Digest;
use std::collections::BTreeMap;
use std::path::PathBuf;

impl Store {
    fn tags_path(&self) -> PathBuf {
        self.root.join("images/tags.json")
    }

    /// Every tag, by normalized name.
    pub fn tags(&self) -> Result<BTreeMap<String, Digest>> {
        let path = self.tags_path();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| StoreError::Json {
                path: path.clone(),
                source,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(StoreError::io(&path)(e)),
        }
    }

    /// Points `name` (already normalized) at a manifest.
    pub fn set_tag(&self, name: &str, manifest: &Digest) -> Result<()> {
        let mut tags = self.tags()?;
        tags.insert(name.to_string(), manifest.clone());
        let bytes = serde_json::to_vec_pretty(&tags).map_err(|source| StoreError::Json {
            path: self.tags_path(),
            source,
        })?;
        self.write_atomic(&self.tags_path(), &bytes)
    }

    /// Removes `name` (normalized); returns the manifest it named, if it existed.
    pub fn remove_tag(&self, name: &str) -> Result<Option<Digest>> {
        let mut tags = self.tags()?;
        let removed = tags.remove(name);
        if removed.is_some() {
            let bytes = serde_json::to_vec_pretty(&tags).map_err(|source| StoreError::Json {
                path: self.tags_path(),
                source,
            })?;
            self.write_atomic(&self.tags_path(), &bytes)?;
        }
        Ok(removed)
    }

    pub fn tag(&self, name: &str) -> Result<Option<Digest>> {
        Ok(self.tags()?.remove(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.tag("x").unwrap(), None);
        let d = Digest::of(b"m");
        store.set_tag("docker.io/library/x:latest", &d).unwrap();
        store.set_tag("docker.io/library/y:1", &d).unwrap();
        assert_eq!(store.tag("docker.io/library/x:latest").unwrap(), Some(d));
        assert_eq!(store.tags().unwrap().len(), 2);
        assert_eq!(
            store.remove_tag("docker.io/library/y:1").unwrap(),
            Some(Digest::of(b"m"))
        );
        assert_eq!(store.remove_tag("docker.io/library/y:1").unwrap(), None);
        assert_eq!(store.tags().unwrap().len(), 1);
    }
}
