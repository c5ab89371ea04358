//! OCI image layout output. An existing layout is updated: the image replaces any other
//! with the same `org.opencontainers.image.ref.name`; without a tag the layout holds just
//! this image.

use super::ExportError;
use crate::digest::Digest;
use crate::image::{Image, StoredImage, json};
use crate::source::oci_layout::REF_NAME;
use crate::store::Store;
use oci_spec::image::{Descriptor, ImageIndex, MediaType};
use std::collections::HashMap;
use std::path::Path;

fn copy_blob(store: &Store, digest: &Digest, blobs: &Path) -> Result<(), ExportError> {
    let target = blobs.join(digest.hex());
    let source = store.blob_path(digest);
    let size = std::fs::metadata(&source)
        .map_err(ExportError::io(&source))?
        .len();
    if std::fs::metadata(&target).is_ok_and(|m| m.len() == size) {
        return Ok(());
    }
    let tmp = blobs.join(format!(".{}.tmp", digest.hex()));
    std::fs::copy(&source, &tmp).map_err(ExportError::io(&tmp))?;
    std::fs::rename(&tmp, &target).map_err(ExportError::io(&target))
}

pub fn write_oci_layout(
    store: &Store,
    image: &Image,
    dir: &Path,
    tag: Option<&str>,
) -> Result<StoredImage, ExportError> {
    let stored = image.store(store)?;
    let layout = dir.join("oci-layout");
    let index_path = dir.join("index.json");
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(ExportError::io(dir))?
            .next()
            .is_some()
        && !layout.is_file()
    {
        return Err(ExportError::NotLayout {
            path: dir.to_path_buf(),
        });
    }
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).map_err(ExportError::io(&blobs))?;
    std::fs::write(&layout, br#"{"imageLayoutVersion":"1.0.0"}"#)
        .map_err(ExportError::io(&layout))?;
    for layer in &image.layers {
        copy_blob(store, &layer.digest, &blobs)?;
    }
    copy_blob(store, &stored.config, &blobs)?;
    copy_blob(store, &stored.manifest, &blobs)?;

    let mut manifests: Vec<Descriptor> = match (tag, std::fs::read(&index_path)) {
        (Some(_), Ok(bytes)) => serde_json::from_slice::<ImageIndex>(&bytes)
            .map(|i| i.manifests().clone())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let mut descriptor = Descriptor::new(
        MediaType::ImageManifest,
        stored.manifest_size,
        stored.manifest.to_oci(),
    );
    if let Some(tag) = tag {
        manifests.retain(|d| {
            d.annotations()
                .as_ref()
                .and_then(|a| a.get(REF_NAME))
                .is_none_or(|name| name != tag)
        });
        descriptor.set_annotations(Some(HashMap::from([(
            REF_NAME.to_string(),
            tag.to_string(),
        )])));
    }
    manifests.push(descriptor);
    let mut index = ImageIndex::default();
    index.set_schema_version(2);
    index.set_media_type(Some(MediaType::ImageIndex));
    index.set_manifests(manifests);
    let bytes = json::canonical(&index).map_err(crate::image::ImageError::Config)?;
    let tmp = dir.join(".index.json.tmp");
    std::fs::write(&tmp, bytes).map_err(ExportError::io(&tmp))?;
    std::fs::rename(&tmp, &index_path).map_err(ExportError::io(&index_path))?;
    Ok(stored)
}
