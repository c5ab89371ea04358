//! The final file system of an image, as a container sees it: every layer tar streamed in
//! order, whiteouts and opaque directories applied, each regular file hashed. Used to
//! compare two images path by path (`plimsoll optimize` checks that a rewritten
//! Dockerfile still produces the files the original did).

use super::AnalyzeError;
use crate::digest::{Digest, Hasher};
use crate::image::Image;
use crate::store::Store;
use std::collections::BTreeMap;
use std::io::{self, Read};

/// What a path is in the final file system.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum NodeKind {
    /// A regular file and the digest of its content.
    File {
        digest: Digest,
    },
    Dir,
    Symlink {
        target: String,
    },
    /// Devices and FIFOs.
    Special,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Node {
    pub kind: NodeKind,
    /// Permission bits (and setuid/setgid/sticky).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
}

/// Paths relative to the root, without leading `/`.
pub type Tree = BTreeMap<String, Node>;

fn normalize(path: &str) -> Option<String> {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Removes `path` and everything below it.
fn remove_below(tree: &mut Tree, path: &str, keep_self: bool) {
    if !keep_self {
        tree.remove(path);
    }
    let prefix = format!("{path}/");
    let below: Vec<String> = tree
        .range(prefix.clone()..)
        .take_while(|(p, _)| p.starts_with(&prefix))
        .map(|(p, _)| p.clone())
        .collect();
    for p in below {
        tree.remove(&p);
    }
}

/// Applies one uncompressed layer tar on top of `tree`.
pub fn apply_layer(tree: &mut Tree, reader: impl Read) -> Result<(), AnalyzeError> {
    let mut archive = tar::Archive::new(reader);
    // Whiteouts and opaque markers act on the layers below, whatever their place in the
    // tar; entries of this layer are added after them.
    let mut added: Vec<(String, Node)> = Vec::new();
    let mut links: Vec<(String, String, Node)> = Vec::new();
    for entry in archive.entries().map_err(AnalyzeError::Tar)? {
        let mut entry = entry.map_err(AnalyzeError::Tar)?;
        let raw = entry.path().map_err(AnalyzeError::Tar)?.into_owned();
        let Some(path) = normalize(&raw.to_string_lossy()) else {
            continue;
        };
        let (parent, name) = match path.rsplit_once('/') {
            Some((parent, name)) => (Some(parent.to_string()), name.to_string()),
            None => (None, path.clone()),
        };
        if name == ".wh..wh..opq" {
            remove_below(tree, parent.as_deref().unwrap_or(""), true);
            if parent.is_none() {
                tree.clear();
            }
            continue;
        }
        if let Some(removed) = name.strip_prefix(".wh.") {
            let removed = match &parent {
                Some(parent) => format!("{parent}/{removed}"),
                None => removed.to_string(),
            };
            remove_below(tree, &removed, false);
            continue;
        }
        let header = entry.header();
        let mode = header.mode().map_err(AnalyzeError::Tar)? & 0o7777;
        let uid = header.uid().map_err(AnalyzeError::Tar)?;
        let gid = header.gid().map_err(AnalyzeError::Tar)?;
        let size = entry.size();
        let entry_type = header.entry_type();
        let node = |kind| Node {
            kind,
            mode,
            uid,
            gid,
            size,
        };
        match entry_type {
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let digest = hash(&mut entry).map_err(AnalyzeError::Tar)?;
                added.push((path, node(NodeKind::File { digest })));
            }
            tar::EntryType::Directory => added.push((path, node(NodeKind::Dir))),
            tar::EntryType::Symlink => {
                let target = entry
                    .link_name()
                    .map_err(AnalyzeError::Tar)?
                    .map(|t| t.to_string_lossy().into_owned())
                    .unwrap_or_default();
                added.push((path, node(NodeKind::Symlink { target })));
            }
            tar::EntryType::Link => {
                let target = entry
                    .link_name()
                    .map_err(AnalyzeError::Tar)?
                    .and_then(|t| normalize(&t.to_string_lossy()))
                    .unwrap_or_default();
                links.push((path, target, node(NodeKind::Special)));
            }
            _ => added.push((path, node(NodeKind::Special))),
        }
    }
    for (path, node) in added {
        if !matches!(node.kind, NodeKind::Dir) {
            // A file replacing a directory replaces what was below it too.
            remove_below(tree, &path, true);
        }
        tree.insert(path, node);
    }
    // A hard link is the file it links to (in this layer or below).
    for (path, target, fallback) in links {
        let node = tree.get(&target).cloned().unwrap_or(fallback);
        tree.insert(path, node);
    }
    Ok(())
}

fn hash(reader: &mut impl Read) -> io::Result<Digest> {
    let mut hasher = Hasher::default();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finish())
}

/// The final file system of `image`.
pub fn filesystem(store: &Store, image: &Image) -> Result<Tree, AnalyzeError> {
    let mut tree = Tree::new();
    for layer in &image.layers {
        apply_layer(
            &mut tree,
            layer.compression.decoder(store.open_blob(&layer.digest)?),
        )
        .map_err(|source| AnalyzeError::Layer {
            digest: layer.digest.to_string(),
            source: Box::new(source),
        })?;
    }
    Ok(tree)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(entries: &[(&str, Option<&[u8]>)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, content) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_uid(0);
            header.set_gid(0);
            header.set_mtime(0);
            match content {
                Some(bytes) => {
                    header.set_entry_type(tar::EntryType::Regular);
                    header.set_size(bytes.len() as u64);
                    header.set_mode(0o644);
                    builder.append_data(&mut header, path, *bytes).unwrap();
                }
                None => {
                    header.set_entry_type(tar::EntryType::Directory);
                    header.set_size(0);
                    header.set_mode(0o755);
                    builder.append_data(&mut header, path, &[][..]).unwrap();
                }
            }
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn applies_whiteouts_opaque_directories_and_replacements() {
        let mut tree = Tree::new();
        let base = layer(&[
            ("etc/", None),
            ("etc/a", Some(b"a")),
            ("etc/b", Some(b"b")),
            ("var/", None),
            ("var/cache/", None),
            ("var/cache/x", Some(b"x")),
            ("usr/", None),
            ("usr/y", Some(b"y")),
        ]);
        apply_layer(&mut tree, &base[..]).unwrap();
        let second = layer(&[
            ("etc/.wh.a", Some(b"")),
            ("var/cache/.wh..wh..opq", Some(b"")),
            ("var/cache/new", Some(b"n")),
            ("usr/y", Some(b"changed")),
        ]);
        apply_layer(&mut tree, &second[..]).unwrap();
        let paths: Vec<&str> = tree.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "etc",
                "etc/b",
                "usr",
                "usr/y",
                "var",
                "var/cache",
                "var/cache/new"
            ]
        );
        assert_eq!(
            tree["usr/y"].kind,
            NodeKind::File {
                digest: Digest::of(b"changed")
            }
        );
        assert_eq!(tree["usr/y"].size, 7);
        assert_eq!(tree["etc/b"].mode, 0o644);
    }

    #[test]
    fn a_whiteout_of_a_directory_removes_what_is_below() {
        let mut tree = Tree::new();
        apply_layer(&mut tree, &layer(&[("d/", None), ("d/f", Some(b"f"))])[..]).unwrap();
        apply_layer(&mut tree, &layer(&[(".wh.d", Some(b""))])[..]).unwrap();
        assert!(tree.is_empty());
    }
}
