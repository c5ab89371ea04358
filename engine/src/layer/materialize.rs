//! Unpacked layers in the store (`ROOT/layers/<diff-id>/fs`): the lower directories of RUN
//! steps and what COPY --from reads. A layer is unpacked once and verified against its
//! diff ID; one unpacked without root is redone when root needs it (owners, devices and
//! whiteouts were missing).

use super::{LayerError, UnpackOptions, unpack};
use crate::digest::{Digest, HashingReader};
use crate::image::LayerDesc;
use crate::store::Store;
use crate::syscall::Syscall;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    privileged: bool,
}

fn meta_path(dir: &Path) -> PathBuf {
    dir.join("meta.json")
}

fn usable(dir: &Path, syscall: &dyn Syscall) -> bool {
    let Ok(bytes) = std::fs::read(meta_path(dir)) else {
        return false;
    };
    let Ok(meta) = serde_json::from_slice::<Meta>(&bytes) else {
        return false;
    };
    meta.privileged || syscall.euid() != 0
}

/// The unpacked directory of `layer`, unpacking it first if needed.
pub fn unpacked_layer(
    store: &Store,
    syscall: &dyn Syscall,
    layer: &LayerDesc,
) -> Result<PathBuf, LayerError> {
    let dir = store.layer_dir(&layer.diff_id);
    if usable(&dir, syscall) {
        return Ok(dir.join("fs"));
    }
    let work = store.temp_dir("unpack-")?;
    let fs = work.path().join("fs");
    std::fs::create_dir(&fs).map_err(LayerError::io(&fs))?;
    let blob = store.open_blob(&layer.digest)?;
    let reader = layer.compression.decoder(blob);
    let mut hashing = HashingReader::new(reader);
    let report = unpack(&mut hashing, &fs, syscall, &UnpackOptions::default())?;
    let (diff_id, _) = hashing.finish().map_err(LayerError::io(&fs))?;
    if diff_id != layer.diff_id {
        return Err(LayerError::Malformed {
            entry: layer.digest.to_string(),
            message: format!(
                "the layer's content has diff ID {diff_id}, its image says {}",
                layer.diff_id
            ),
        });
    }
    adopt(store, work.path(), &layer.diff_id, report.privileged)?;
    Ok(dir.join("fs"))
}

/// Moves `work` (which holds the layer's tree in `work/fs`) into the store as the
/// unpacked form of `diff_id`.
pub fn adopt(
    store: &Store,
    work: &Path,
    diff_id: &Digest,
    privileged: bool,
) -> Result<PathBuf, LayerError> {
    let meta = serde_json::to_vec(&Meta { privileged }).expect("plain struct serializes");
    std::fs::write(meta_path(work), meta).map_err(LayerError::io(work))?;
    let dir = store.layer_dir(diff_id);
    let existing: Option<Meta> = std::fs::read(meta_path(&dir))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    if existing.is_some_and(|m| m.privileged || !privileged) {
        // Another build made the same layer first, and it may be using it: keep it.
        crate::fs::remove_tree(work).map_err(LayerError::io(work))?;
        return Ok(dir.join("fs"));
    }
    if dir.exists() {
        // An unprivileged (or unfinished) copy is being replaced.
        let old = store.temp_dir("old-layer-")?;
        let aside = old.path().join("layer");
        if std::fs::rename(&dir, &aside).is_ok() {
            crate::fs::remove_tree(&aside).map_err(LayerError::io(&aside))?;
        }
    }
    std::fs::rename(work, &dir).map_err(LayerError::io(&dir))?;
    Ok(dir.join("fs"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{LayerOptions, create_layer};
    use crate::syscall::test::RecordingSyscall;

    #[test]
    fn unpacks_once_and_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("store")).unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(src.join("a")).unwrap();
        std::fs::write(src.join("a/f"), b"data").unwrap();
        let sys = RecordingSyscall::new();
        let layer = create_layer(&store, &sys, &src, &LayerOptions::default())
            .unwrap()
            .unwrap();
        let fs = unpacked_layer(&store, &sys, &layer).unwrap();
        assert_eq!(std::fs::read(fs.join("a/f")).unwrap(), b"data");
        // Second time: no work (the marker file is still there).
        std::fs::write(fs.join("marker"), b"").unwrap();
        assert_eq!(unpacked_layer(&store, &sys, &layer).unwrap(), fs);
        assert!(fs.join("marker").exists());
        // A layer whose diff ID lies is refused.
        let mut lying = layer.clone();
        lying.diff_id = Digest::of(b"other");
        assert!(matches!(
            unpacked_layer(&store, &sys, &lying),
            Err(LayerError::Malformed { .. })
        ));
        assert!(!store.layer_dir(&lying.diff_id).exists());
    }

    #[test]
    fn root_redoes_unprivileged_unpacks() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("store")).unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("f"), b"x").unwrap();
        let user = RecordingSyscall::new().with_euid(1000);
        let layer = create_layer(&store, &user, &src, &LayerOptions::default())
            .unwrap()
            .unwrap();
        let fs = unpacked_layer(&store, &user, &layer).unwrap();
        std::fs::write(fs.join("marker"), b"").unwrap();
        let root = RecordingSyscall::new();
        let fs = unpacked_layer(&store, &root, &layer).unwrap();
        assert!(!fs.join("marker").exists());
        // Adopting the same layer again keeps the one in place (a build may use it).
        std::fs::write(fs.join("marker"), b"").unwrap();
        let again = store.temp_dir("again-").unwrap().keep();
        std::fs::create_dir(again.join("fs")).unwrap();
        assert_eq!(adopt(&store, &again, &layer.diff_id, true).unwrap(), fs);
        assert!(fs.join("marker").exists());
        assert!(!again.exists());
        assert!(
            root.calls()
                .iter()
                .any(|c| matches!(c, crate::syscall::test::Call::Lchown { .. }))
        );
    }
}
