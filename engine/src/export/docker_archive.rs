//! `docker save` format: `manifest.json`, the config as `<hex>.json` and every layer
//! uncompressed as `<diff-id hex>/layer.tar`, readable by `docker load`, skopeo and podman.

use super::ExportError;
use crate::image::{Compression, Image};
use crate::store::Store;
use serde::Serialize;
use std::collections::HashSet;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    repo_tags: Vec<String>,
    layers: Vec<String>,
}

fn header(size: u64, mtime: u64, dir: bool) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(if dir {
        tar::EntryType::Directory
    } else {
        tar::EntryType::Regular
    });
    h.set_mode(if dir { 0o755 } else { 0o644 });
    h.set_size(size);
    h.set_mtime(mtime);
    h
}

/// Writes `image` as a docker-archive at `file`. `repo_tag` (e.g. `app:1`) becomes its
/// RepoTags entry.
pub fn write_docker_archive(
    store: &Store,
    image: &Image,
    file: &Path,
    repo_tag: Option<&str>,
    mtime: u64,
) -> Result<(), ExportError> {
    let stored = image.store(store)?;
    let parent = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let out = tempfile::NamedTempFile::new_in(parent).map_err(ExportError::io(parent))?;
    let mut tar = tar::Builder::new(std::io::BufWriter::new(out));
    let mut written = HashSet::new();
    let mut layer_paths = Vec::new();
    for layer in &image.layers {
        let dir = layer.diff_id.hex().to_string();
        let path = format!("{dir}/layer.tar");
        layer_paths.push(path.clone());
        if !written.insert(dir.clone()) {
            continue;
        }
        tar.append_data(
            &mut header(0, mtime, true),
            format!("{dir}/"),
            std::io::empty(),
        )
        .map_err(ExportError::io(file))?;
        match layer.compression {
            Compression::None => {
                let blob = store.open_blob(&layer.digest)?;
                let size = blob.metadata().map_err(ExportError::io(file))?.len();
                tar.append_data(&mut header(size, mtime, false), &path, blob)
                    .map_err(ExportError::io(file))?;
            }
            Compression::Gzip => {
                // The tar header needs the size first: decompress to a scratch file.
                let mut scratch = tempfile::tempfile_in(store.root().join("tmp"))
                    .map_err(ExportError::io(file))?;
                let mut decoder = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
                    store.open_blob(&layer.digest)?,
                ));
                let size =
                    std::io::copy(&mut decoder, &mut scratch).map_err(ExportError::io(file))?;
                scratch
                    .seek(SeekFrom::Start(0))
                    .map_err(ExportError::io(file))?;
                tar.append_data(&mut header(size, mtime, false), &path, scratch)
                    .map_err(ExportError::io(file))?;
            }
        }
    }
    let config_name = format!("{}.json", stored.config.hex());
    let config = store.read_blob(&stored.config)?;
    tar.append_data(
        &mut header(config.len() as u64, mtime, false),
        &config_name,
        &config[..],
    )
    .map_err(ExportError::io(file))?;
    let manifest = vec![ManifestEntry {
        config: config_name,
        repo_tags: repo_tag.map(str::to_string).into_iter().collect(),
        layers: layer_paths,
    }];
    let manifest = serde_json::to_vec(&manifest).expect("plain struct serializes");
    tar.append_data(
        &mut header(manifest.len() as u64, mtime, false),
        "manifest.json",
        &manifest[..],
    )
    .map_err(ExportError::io(file))?;
    let mut buffered = tar.into_inner().map_err(ExportError::io(file))?;
    buffered.flush().map_err(ExportError::io(file))?;
    let out = buffered
        .into_inner()
        .map_err(|e| ExportError::io(file)(e.into_error()))?;
    out.persist(file)
        .map_err(|e| ExportError::io(file)(e.error))?;
    Ok(())
}
