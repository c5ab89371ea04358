//! OCI distribution registries: pulling images into the store (multi-platform indexes
//! resolved to this machine's platform, every blob checked against its sha256 and stored
//! once), pushing images from it, and resolving a tag to its digest.
//!
//! HTTP is [ureq] (blocking, like the rest of the engine); the protocol — manifests,
//! blobs, monolithic uploads, the bearer-token and basic authentication flows — is the
//! small part of the distribution spec in [`client`]. Registries speak HTTPS unless
//! named in [`RegistryOptions::insecure`].

pub mod auth;
pub mod client;

use crate::digest::Digest;
use crate::image::{Compression, Image, ImageError, ImageName, Platform};
use crate::store::{Store, StoreError};
use client::{Access, Repository};
use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{url}: {reason}")]
    Http { url: String, reason: String },
    #[error("{what}: HTTP {status}: {detail}")]
    Status {
        what: String,
        status: u16,
        detail: String,
    },
    #[error("{registry}/{repository}: not authorized: {reason}")]
    Unauthorized {
        registry: String,
        repository: String,
        reason: String,
    },
    #[error("token service {realm}: {reason}")]
    Token { realm: String, reason: String },
    #[error("credentials in {path}: {reason}")]
    Credentials { path: PathBuf, reason: String },
    #[error("{what}: {reason}")]
    Manifest { what: String, reason: String },
    #[error("{what} has no image for {platform} (it has: {available})")]
    NoPlatform {
        what: String,
        platform: String,
        available: String,
    },
    #[error("{what}: expected digest {expected}, got {actual}")]
    DigestMismatch {
        what: String,
        expected: Digest,
        actual: Digest,
    },
    #[error("{what}: the registry sent {actual} bytes, the manifest says {expected}")]
    SizeMismatch {
        what: String,
        expected: u64,
        actual: u64,
    },
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How to reach registries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistryOptions {
    /// `host[:port]`s spoken to over plain HTTP (`--insecure-registry`).
    pub insecure: Vec<String>,
    /// Docker's configuration file to take credentials from (default:
    /// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`).
    pub credentials_file: Option<PathBuf>,
}

impl RegistryOptions {
    pub fn is_insecure(&self, registry: &str) -> bool {
        self.insecure.iter().any(|h| h == registry)
    }
}

const INDEX_TYPES: [&str; 2] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// The media type of a manifest: the `Content-Type` the registry sent, else the
/// document's own `mediaType`, else guessed from its shape.
pub(crate) fn manifest_media_type(header: Option<&str>, bytes: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Shape {
        #[serde(default)]
        media_type: Option<String>,
        #[serde(default)]
        manifests: Option<serde_json::Value>,
    }
    let known = |t: &str| INDEX_TYPES.contains(&t) || t == OCI_MANIFEST || t == DOCKER_MANIFEST;
    if let Some(t) = header.filter(|t| known(t)) {
        return t.to_string();
    }
    match serde_json::from_slice::<Shape>(bytes) {
        Ok(Shape {
            media_type: Some(t),
            ..
        }) => t,
        Ok(Shape {
            manifests: Some(_), ..
        }) => INDEX_TYPES[0].to_string(),
        _ => header.unwrap_or(OCI_MANIFEST).to_string(),
    }
}

/// The reference to ask the registry for: the digest if there is one, else the tag.
fn reference(name: &ImageName) -> String {
    match (&name.digest, &name.tag) {
        (Some(digest), _) => digest.clone(),
        (None, Some(tag)) => tag.clone(),
        (None, None) => "latest".to_string(),
    }
}

/// This machine's platform, as OCI names it.
pub fn native_platform() -> (oci_spec::image::Os, oci_spec::image::Arch) {
    (oci_spec::image::Os::Linux, oci_spec::image::Arch::default())
}

/// The manifest of an index made for `platform`.
fn pick_platform(
    index: &ImageIndex,
    what: &str,
    platform: &Platform,
) -> Result<Descriptor, RegistryError> {
    index
        .manifests()
        .iter()
        .find(|d| d.platform().as_ref().is_some_and(|p| platform.matches(p)))
        .cloned()
        .ok_or_else(|| {
            let available: Vec<String> = index
                .manifests()
                .iter()
                .filter_map(|d| d.platform().as_ref())
                .map(|p| format!("{}/{}", p.os(), p.architecture()))
                .collect();
            RegistryError::NoPlatform {
                what: what.to_string(),
                platform: platform.to_string(),
                available: if available.is_empty() {
                    "no platforms".into()
                } else {
                    available.join(", ")
                },
            }
        })
}

/// A pulled image.
#[derive(Clone, Debug)]
pub struct Pulled {
    /// The digest the reference resolved to in the registry (an index for multi-platform
    /// images): what `FROM name@digest` pins.
    pub digest: Digest,
    /// The manifest of this platform's image, as stored (and tagged) in the store.
    pub manifest: Digest,
    pub image: Image,
}

/// Pulls `name` into the store and tags it there under its normalized name.
pub fn pull(
    options: &RegistryOptions,
    store: &Store,
    name: &ImageName,
) -> Result<Pulled, RegistryError> {
    pull_platform(options, store, name, &Platform::native())
}

/// Pulls `name`'s image for `platform` (chosen from an index; a single manifest must be
/// for it). Another platform's image is tagged [`Platform::store_tag`], beside this
/// machine's.
pub fn pull_platform(
    options: &RegistryOptions,
    store: &Store,
    name: &ImageName,
    platform: &Platform,
) -> Result<Pulled, RegistryError> {
    let mut repo = Repository::open(options, name, Access::Pull);
    let top = repo.manifest(&reference(name))?;
    let what = name.normalized();
    let mut fetched = top;
    let digest = fetched.digest.clone();
    // An index names one manifest a platform; indexes of indexes are not followed.
    if INDEX_TYPES.contains(&fetched.media_type.as_str()) {
        let index: ImageIndex =
            serde_json::from_slice(&fetched.bytes).map_err(|e| RegistryError::Manifest {
                what: what.clone(),
                reason: format!("not an image index: {e}"),
            })?;
        let chosen = pick_platform(&index, &what, platform)?;
        let chosen_digest = Digest::try_from(chosen.digest()).map_err(ImageError::from)?;
        fetched = repo.manifest(&chosen_digest.to_string())?;
        if INDEX_TYPES.contains(&fetched.media_type.as_str()) {
            return Err(RegistryError::Manifest {
                what,
                reason: "an index inside an index".into(),
            });
        }
    }
    if fetched.media_type != OCI_MANIFEST && fetched.media_type != DOCKER_MANIFEST {
        return Err(RegistryError::Manifest {
            what,
            reason: format!(
                "media type `{}` is not an image manifest Plimsoll reads",
                fetched.media_type
            ),
        });
    }
    let manifest: ImageManifest =
        serde_json::from_slice(&fetched.bytes).map_err(|e| RegistryError::Manifest {
            what: what.clone(),
            reason: format!("not an image manifest: {e}"),
        })?;
    for layer in manifest.layers() {
        Compression::from_media_type(layer.media_type())?;
    }
    for descriptor in std::iter::once(manifest.config()).chain(manifest.layers()) {
        fetch_blob(&mut repo, store, descriptor)?;
    }
    let stored = store.put_blob(&fetched.bytes)?;
    let image = Image::load(store, &stored)?;
    if *platform == Platform::native() {
        store.set_tag(&name.normalized(), &stored)?;
    } else {
        if !platform.describes(&image.config) {
            let config = &image.config.oci;
            return Err(RegistryError::NoPlatform {
                what,
                platform: platform.to_string(),
                available: format!("{}/{}", config.os(), config.architecture()),
            });
        }
        store.set_tag(&platform.store_tag(&name.normalized()), &stored)?;
    }
    Ok(Pulled {
        digest,
        manifest: stored,
        image,
    })
}

/// Downloads a blob into the store unless it is there already; the store checks the
/// sha256 as the bytes arrive.
fn fetch_blob(
    repo: &mut Repository,
    store: &Store,
    descriptor: &Descriptor,
) -> Result<(), RegistryError> {
    let digest = Digest::try_from(descriptor.digest()).map_err(ImageError::from)?;
    if store.has_blob(&digest) {
        return Ok(());
    }
    let response = repo.blob(&digest)?;
    let reader = response
        .into_body()
        .into_with_config()
        .limit(u64::MAX)
        .reader();
    let size = store.import_blob(&digest, reader).map_err(|e| match e {
        StoreError::Corrupt { expected, actual } => RegistryError::DigestMismatch {
            what: format!("blob from {}", repo.describe(&expected.to_string())),
            expected,
            actual,
        },
        other => RegistryError::Store(other),
    })?;
    if size != descriptor.size() {
        let _ = std::fs::remove_file(store.blob_path(&digest));
        return Err(RegistryError::SizeMismatch {
            what: format!("blob {digest}"),
            expected: descriptor.size(),
            actual: size,
        });
    }
    Ok(())
}

/// Pushes the image whose manifest is `manifest` in the store to `target` (its tag, or
/// `latest`; or its digest, which must then be the manifest's). Returns the digest of
/// the manifest as pushed.
pub fn push(
    options: &RegistryOptions,
    store: &Store,
    manifest: &Digest,
    target: &ImageName,
) -> Result<Digest, RegistryError> {
    let bytes = store.read_blob(manifest)?;
    let parsed: ImageManifest =
        serde_json::from_slice(&bytes).map_err(|e| RegistryError::Manifest {
            what: manifest.to_string(),
            reason: format!("not an image manifest: {e}"),
        })?;
    let media_type = manifest_media_type(None, &bytes);
    let mut repo = Repository::open(options, target, Access::Push);
    for descriptor in parsed
        .layers()
        .iter()
        .chain(std::iter::once(parsed.config()))
    {
        let digest = Digest::try_from(descriptor.digest()).map_err(ImageError::from)?;
        if repo.has_blob(&digest)? {
            continue;
        }
        let path = store.blob_path(&digest);
        if !path.is_file() {
            return Err(StoreError::MissingBlob(digest).into());
        }
        repo.upload_blob(&digest, &|| std::fs::File::open(&path))?;
    }
    let reference = match (&target.tag, &target.digest) {
        (Some(tag), _) => tag.clone(),
        (None, Some(digest)) => {
            if digest != &manifest.to_string() {
                return Err(RegistryError::DigestMismatch {
                    what: target.normalized(),
                    expected: digest.parse().map_err(ImageError::from)?,
                    actual: manifest.clone(),
                });
            }
            digest.clone()
        }
        (None, None) => "latest".to_string(),
    };
    repo.put_manifest(&reference, &media_type, &bytes)?;
    Ok(manifest.clone())
}

/// The digest `name` has in its registry now (what `FROM name@digest` would pin).
pub fn resolve_digest(
    options: &RegistryOptions,
    name: &ImageName,
) -> Result<Digest, RegistryError> {
    Repository::open(options, name, Access::Pull).resolve(&reference(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_from_header_document_or_shape() {
        assert_eq!(
            manifest_media_type(Some(DOCKER_MANIFEST), b"{}"),
            DOCKER_MANIFEST
        );
        assert_eq!(
            manifest_media_type(
                Some("application/json"),
                br#"{"mediaType":"application/vnd.oci.image.index.v1+json"}"#
            ),
            INDEX_TYPES[0]
        );
        assert_eq!(
            manifest_media_type(None, br#"{"schemaVersion":2,"manifests":[]}"#),
            INDEX_TYPES[0]
        );
        assert_eq!(
            manifest_media_type(None, br#"{"schemaVersion":2,"layers":[]}"#),
            OCI_MANIFEST
        );
    }

    #[test]
    fn references_and_platforms() {
        let n = |t: &str| reference(&ImageName::parse(t).unwrap());
        assert_eq!(n("nginx"), "latest");
        assert_eq!(n("nginx:1.27"), "1.27");
        let pinned = format!("nginx:1@sha256:{}", "a".repeat(64));
        assert_eq!(n(&pinned), format!("sha256:{}", "a".repeat(64)));

        let (_, arch) = native_platform();
        let other = if arch == oci_spec::image::Arch::Amd64 {
            "arm64"
        } else {
            "amd64"
        };
        let index: ImageIndex = serde_json::from_value(serde_json::json!({
            "schemaVersion": 2,
            "manifests": [
                {"mediaType": OCI_MANIFEST, "size": 1, "digest": format!("sha256:{}", "1".repeat(64)),
                 "platform": {"os": "linux", "architecture": other}},
                {"mediaType": OCI_MANIFEST, "size": 1, "digest": format!("sha256:{}", "2".repeat(64)),
                 "platform": {"os": "unknown", "architecture": "unknown"}},
                {"mediaType": OCI_MANIFEST, "size": 1, "digest": format!("sha256:{}", "3".repeat(64)),
                 "platform": {"os": "linux", "architecture": arch.to_string()}},
            ]
        }))
        .unwrap();
        let chosen = pick_platform(&index, "x", &Platform::native()).unwrap();
        assert_eq!(
            chosen.digest().to_string(),
            format!("sha256:{}", "3".repeat(64))
        );
        let foreign = Platform::parse(&format!("linux/{other}")).unwrap();
        let chosen = pick_platform(&index, "x", &foreign).unwrap();
        assert_eq!(
            chosen.digest().to_string(),
            format!("sha256:{}", "1".repeat(64))
        );
        let missing = Platform::parse("linux/s390x").unwrap();
        let err = pick_platform(&index, "x", &missing)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no image for linux/s390x"), "{err}");
        let only_other: ImageIndex = serde_json::from_value(serde_json::json!({
            "schemaVersion": 2,
            "manifests": [
                {"mediaType": OCI_MANIFEST, "size": 1, "digest": format!("sha256:{}", "1".repeat(64)),
                 "platform": {"os": "linux", "architecture": other}},
            ]
        }))
        .unwrap();
        let err = pick_platform(&only_other, "x", &Platform::native())
            .unwrap_err()
            .to_string();
        assert!(err.contains(&format!("linux/{other}")), "{err}");
    }
}
