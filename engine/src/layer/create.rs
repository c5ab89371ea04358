//! Directory → layer blob. Entries are written depth-first in byte order of names, with
//! owners and modes as on disk (through [`Syscall::lstat`], so recorded owners count in
//! tests), no user or group names, and mtimes clamped to `SOURCE_DATE_EPOCH` when set:
//! the same tree always gives the same bytes. With `whiteouts`, overlayfs deletions (0/0
//! character devices) become `.wh.NAME` entries and opaque directories get a
//! `.wh..wh..opq` entry.

use super::{LayerError, OPAQUE_WHITEOUT, WHITEOUT_PREFIX};
use crate::digest::HashingWriter;
use crate::image::{Compression, LayerDesc};
use crate::store::{BlobWriter, Store};
use crate::syscall::{FileKind, Stat, Syscall, is_opaque};
use flate2::write::GzEncoder;
use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use tar::{EntryType, Header};

/// How to write a layer.
#[derive(Clone, Debug)]
pub struct LayerOptions {
    pub compression: Compression,
    /// Clamp file times to this (seconds since the epoch).
    pub source_date_epoch: Option<i64>,
    /// Read overlayfs whiteouts and opaque directories (an upper dir); otherwise every
    /// node is taken literally (a plain root file system).
    pub whiteouts: bool,
}

impl Default for LayerOptions {
    fn default() -> Self {
        LayerOptions {
            compression: Compression::Gzip,
            source_date_epoch: None,
            whiteouts: true,
        }
    }
}

enum Sink {
    Plain(BlobWriter),
    Gzip(Box<GzEncoder<BlobWriter>>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
        }
    }
}

impl Sink {
    fn finish(self) -> io::Result<BlobWriter> {
        match self {
            Sink::Plain(w) => Ok(w),
            Sink::Gzip(w) => w.finish(),
        }
    }
}

struct Writer<'a> {
    tar: tar::Builder<HashingWriter<Sink>>,
    syscall: &'a dyn Syscall,
    options: &'a LayerOptions,
    /// First path of each multiply-linked inode, for hard links.
    links: HashMap<(u64, u64), PathBuf>,
    entries: usize,
}

/// Writes `dir` as a layer blob into the store. Returns `None` when the directory holds
/// nothing (empty layers are not emitted).
pub fn create_layer(
    store: &Store,
    syscall: &dyn Syscall,
    dir: &Path,
    options: &LayerOptions,
) -> Result<Option<LayerDesc>, LayerError> {
    let blob = store.blob_writer()?;
    let sink = match options.compression {
        Compression::None => Sink::Plain(blob),
        Compression::Gzip => {
            Sink::Gzip(Box::new(GzEncoder::new(blob, flate2::Compression::new(6))))
        }
    };
    let mut tar = tar::Builder::new(HashingWriter::new(sink));
    tar.mode(tar::HeaderMode::Complete);
    let mut writer = Writer {
        tar,
        syscall,
        options,
        links: HashMap::new(),
        entries: 0,
    };
    writer.walk(dir, Path::new(""))?;
    if writer.entries == 0 {
        return Ok(None);
    }
    let hashed = writer.tar.into_inner().map_err(LayerError::io(dir))?;
    let (sink, diff_id, _) = hashed.finish();
    let blob = sink.finish().map_err(LayerError::io(dir))?;
    let (digest, size) = blob.commit()?;
    Ok(Some(LayerDesc {
        digest,
        diff_id,
        size,
        compression: options.compression,
    }))
}

impl Writer<'_> {
    fn header(&self, stat: &Stat, kind: EntryType) -> Header {
        let mut h = Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(stat.mode);
        h.set_uid(u64::from(stat.uid));
        h.set_gid(u64::from(stat.gid));
        let mtime = match self.options.source_date_epoch {
            Some(epoch) => stat.mtime.min(epoch),
            None => stat.mtime,
        };
        h.set_mtime(mtime.max(0) as u64);
        h.set_size(0);
        h
    }

    fn walk(&mut self, dir: &Path, rel: &Path) -> Result<(), LayerError> {
        let names: Vec<OsString> = std::fs::read_dir(dir)
            .map_err(LayerError::io(dir))?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<io::Result<_>>()
            .map_err(LayerError::io(dir))?;
        // Sort by the name the entry gets in the archive (a whiteout is `.wh.NAME`).
        let mut children = Vec::with_capacity(names.len());
        for name in names {
            let path = dir.join(&name);
            let stat = self.syscall.lstat(&path).map_err(LayerError::io(&path))?;
            let mut key = Vec::new();
            if self.options.whiteouts && stat.is_whiteout() {
                key.extend_from_slice(WHITEOUT_PREFIX.as_bytes());
            }
            key.extend_from_slice(name.as_bytes());
            children.push((key, name, path, stat));
        }
        children.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, name, path, stat) in children {
            self.entry(&path, &rel.join(&name), &stat)?;
        }
        Ok(())
    }

    fn entry(&mut self, path: &Path, entry: &Path, stat: &Stat) -> Result<(), LayerError> {
        let err = |e| LayerError::io(path)(e);
        if self.options.whiteouts && stat.is_whiteout() {
            let name = entry.file_name().unwrap_or_default();
            let mut wh = OsString::from(WHITEOUT_PREFIX);
            wh.push(name);
            let target = entry.with_file_name(wh);
            let mut h = self.header(stat, EntryType::Regular);
            h.set_mode(0o644);
            self.tar
                .append_data(&mut h, &target, io::empty())
                .map_err(err)?;
            self.entries += 1;
            return Ok(());
        }
        match stat.kind {
            FileKind::Dir => {
                let mut h = self.header(stat, EntryType::Directory);
                let mut name = entry.as_os_str().to_os_string();
                name.push("/");
                self.tar
                    .append_data(&mut h, &name, io::empty())
                    .map_err(err)?;
                self.entries += 1;
                if self.options.whiteouts
                    && is_opaque(self.syscall, path).map_err(LayerError::io(path))?
                {
                    let mut h = self.header(stat, EntryType::Regular);
                    h.set_mode(0o644);
                    self.tar
                        .append_data(&mut h, entry.join(OPAQUE_WHITEOUT), io::empty())
                        .map_err(err)?;
                }
                self.walk(path, entry)?;
            }
            FileKind::File => {
                if stat.nlink > 1 {
                    let key = (stat.dev, stat.ino);
                    if let Some(first) = self.links.get(&key) {
                        let mut h = self.header(stat, EntryType::Link);
                        let first = first.clone();
                        self.tar.append_link(&mut h, entry, first).map_err(err)?;
                        self.entries += 1;
                        return Ok(());
                    }
                    self.links.insert(key, entry.to_path_buf());
                }
                self.xattrs(path)?;
                let mut h = self.header(stat, EntryType::Regular);
                h.set_size(stat.size);
                let file = std::fs::File::open(path).map_err(err)?;
                // A file that changes size while being read would corrupt the archive.
                let reader = io::Read::take(file, stat.size);
                let mut counted = CountingReader {
                    inner: reader,
                    count: 0,
                };
                self.tar
                    .append_data(&mut h, entry, &mut counted)
                    .map_err(err)?;
                if counted.count != stat.size {
                    return Err(LayerError::Malformed {
                        entry: entry.display().to_string(),
                        message: "file changed size while it was archived".into(),
                    });
                }
                self.entries += 1;
            }
            FileKind::Symlink => {
                let target = std::fs::read_link(path).map_err(err)?;
                let mut h = self.header(stat, EntryType::Symlink);
                h.set_mode(0o777);
                self.tar.append_link(&mut h, entry, target).map_err(err)?;
                self.entries += 1;
            }
            FileKind::CharDevice | FileKind::BlockDevice | FileKind::Fifo => {
                let kind = match stat.kind {
                    FileKind::CharDevice => EntryType::Char,
                    FileKind::BlockDevice => EntryType::Block,
                    _ => EntryType::Fifo,
                };
                let mut h = self.header(stat, kind);
                let major = nix::sys::stat::major(stat.rdev) as u32;
                let minor = nix::sys::stat::minor(stat.rdev) as u32;
                h.set_device_major(major).map_err(err)?;
                h.set_device_minor(minor).map_err(err)?;
                self.tar
                    .append_data(&mut h, entry, io::empty())
                    .map_err(err)?;
                self.entries += 1;
            }
            // Sockets belong to running processes, never to images.
            FileKind::Socket => {}
        }
        Ok(())
    }

    /// File capabilities (`setcap`) are part of a binary; keep them as PAX records.
    fn xattrs(&mut self, path: &Path) -> Result<(), LayerError> {
        if let Some(value) = self
            .syscall
            .lgetxattr(path, "security.capability")
            .map_err(LayerError::io(path))?
        {
            self.tar
                .append_pax_extensions([("SCHILY.xattr.security.capability", &value[..])])
                .map_err(LayerError::io(path))?;
        }
        Ok(())
    }
}

struct CountingReader<R> {
    inner: R,
    count: u64,
}

impl<R: io::Read> io::Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscall::test::RecordingSyscall;
    use crate::syscall::{make_opaque, make_whiteout};

    fn entries(store: &Store, layer: &LayerDesc) -> Vec<(String, EntryType, u64, u64, u32, u64)> {
        let file = store.open_blob(&layer.digest).unwrap();
        let reader = layer.compression.decoder(file);
        let mut archive = tar::Archive::new(reader);
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                (
                    e.path().unwrap().display().to_string(),
                    h.entry_type(),
                    h.uid().unwrap(),
                    h.gid().unwrap(),
                    h.mode().unwrap(),
                    h.mtime().unwrap(),
                )
            })
            .collect()
    }

    fn setup() -> (tempfile::TempDir, Store, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("store")).unwrap();
        let upper = dir.path().join("upper");
        std::fs::create_dir(&upper).unwrap();
        (dir, store, upper)
    }

    #[test]
    fn writes_sorted_entries_with_whiteouts_and_owners() {
        let (_d, store, upper) = setup();
        let sys = RecordingSyscall::new();
        std::fs::create_dir_all(upper.join("etc/opaque")).unwrap();
        std::fs::write(upper.join("etc/b"), b"bee").unwrap();
        std::fs::write(upper.join("etc/a"), b"a").unwrap();
        std::fs::write(upper.join("etc/opaque/kept"), b"k").unwrap();
        make_opaque(&sys, &upper.join("etc/opaque")).unwrap();
        make_whiteout(&sys, &upper.join("etc/removed")).unwrap();
        std::os::unix::fs::symlink("a", upper.join("etc/link")).unwrap();
        sys.lchown(&upper.join("etc/b"), 1000, 1001).unwrap();
        let layer = create_layer(&store, &sys, &upper, &LayerOptions::default())
            .unwrap()
            .unwrap();
        let names: Vec<String> = entries(&store, &layer).into_iter().map(|e| e.0).collect();
        assert_eq!(
            names,
            [
                "etc/",
                "etc/.wh.removed",
                "etc/a",
                "etc/b",
                "etc/link",
                "etc/opaque/",
                "etc/opaque/.wh..wh..opq",
                "etc/opaque/kept"
            ]
        );
        let b = entries(&store, &layer)
            .into_iter()
            .find(|e| e.0 == "etc/b")
            .unwrap();
        assert_eq!((b.2, b.3), (1000, 1001));
        assert!(store.has_blob(&layer.digest));
    }

    #[test]
    fn is_reproducible_and_clamps_times() {
        let (_d, store, upper) = setup();
        let sys = RecordingSyscall::new();
        std::fs::write(upper.join("f"), b"x").unwrap();
        let options = LayerOptions {
            source_date_epoch: Some(1_000),
            ..LayerOptions::default()
        };
        let a = create_layer(&store, &sys, &upper, &options)
            .unwrap()
            .unwrap();
        // Touch the file: a new mtime, clamped to the same epoch.
        filetime::set_file_mtime(
            upper.join("f"),
            filetime::FileTime::from_unix_time(5_000_000, 0),
        )
        .unwrap();
        let b = create_layer(&store, &sys, &upper, &options)
            .unwrap()
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(entries(&store, &a)[0].5, 1_000);
        let plain = LayerOptions {
            compression: Compression::None,
            ..options
        };
        let c = create_layer(&store, &sys, &upper, &plain).unwrap().unwrap();
        assert_eq!(c.diff_id, a.diff_id);
        assert_eq!(c.digest, c.diff_id);
        assert_ne!(c.digest, a.digest);
    }

    #[test]
    fn empty_directories_make_no_layer() {
        let (_d, store, upper) = setup();
        let sys = RecordingSyscall::new();
        assert_eq!(
            create_layer(&store, &sys, &upper, &LayerOptions::default()).unwrap(),
            None
        );
    }

    #[test]
    fn hard_links_are_linked_and_literal_mode_keeps_devices() {
        let (_d, store, upper) = setup();
        let sys = RecordingSyscall::new();
        std::fs::write(upper.join("a"), b"same").unwrap();
        std::fs::hard_link(upper.join("a"), upper.join("b")).unwrap();
        make_whiteout(&sys, &upper.join("null")).unwrap();
        let literal = LayerOptions {
            whiteouts: false,
            ..LayerOptions::default()
        };
        let layer = create_layer(&store, &sys, &upper, &literal)
            .unwrap()
            .unwrap();
        let e = entries(&store, &layer);
        assert_eq!(e[1].0, "b");
        assert_eq!(e[1].1, EntryType::Link);
        assert_eq!(e[2].0, "null");
        assert_eq!(e[2].1, EntryType::Char);
    }
}
