//! A read-only view of stacked layer directories as overlayfs would merge them, computed in
//! user space (no mount, no root): whiteouts (0/0 character devices, or `.wh.NAME` files
//! in layers unpacked without root) hide lower entries, opaque directories
//! (`trusted.overlay.opaque`, or a `.wh..wh..opq` file) hide everything below them.
//! Paths are resolved like a process chrooted into the view: symbolic links are followed
//! inside it and `..` stops at its root, so nothing outside can be reached.

use crate::layer::{OPAQUE_WHITEOUT, WHITEOUT_PREFIX};
use crate::syscall::{FileKind, Stat, Syscall, is_opaque};
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// One entry of the view: where it really is, and what it is.
#[derive(Clone, Debug)]
pub struct Found {
    pub real: PathBuf,
    pub stat: Stat,
}

#[derive(Clone, Debug)]
pub struct View<'a> {
    /// Bottom first.
    layers: Vec<PathBuf>,
    syscall: &'a dyn Syscall,
    /// Interpret whiteouts and opaque directories (layers); off for a plain directory.
    whiteouts: bool,
}

fn components(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect()
}

impl<'a> View<'a> {
    pub fn new(layers: Vec<PathBuf>, syscall: &'a dyn Syscall) -> View<'a> {
        View {
            layers,
            syscall,
            whiteouts: true,
        }
    }

    /// One plain directory (a build context, a merged mount): nothing is a whiteout.
    pub fn plain(root: PathBuf, syscall: &'a dyn Syscall) -> View<'a> {
        View {
            layers: vec![root],
            syscall,
            whiteouts: false,
        }
    }

    pub fn layers(&self) -> &[PathBuf] {
        &self.layers
    }

    fn lstat(&self, path: &Path) -> io::Result<Option<Stat>> {
        match self.syscall.lstat(path) {
            Ok(st) => Ok(Some(st)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether `layer/rel` is deleted by this layer (overlayfs or AUFS style).
    fn whiteout(&self, layer: &Path, rel: &[&str]) -> io::Result<bool> {
        if !self.whiteouts {
            return Ok(false);
        }
        let path = rel.iter().fold(layer.to_path_buf(), |p, c| p.join(c));
        if let Some(st) = self.lstat(&path)?
            && st.is_whiteout()
        {
            return Ok(true);
        }
        let Some((name, parent)) = rel.split_last() else {
            return Ok(false);
        };
        let marker = parent
            .iter()
            .fold(layer.to_path_buf(), |p, c| p.join(c))
            .join(format!("{WHITEOUT_PREFIX}{name}"));
        Ok(self.lstat(&marker)?.is_some())
    }

    fn opaque(&self, dir: &Path) -> io::Result<bool> {
        if !self.whiteouts {
            return Ok(false);
        }
        Ok(is_opaque(self.syscall, dir)? || self.lstat(&dir.join(OPAQUE_WHITEOUT))?.is_some())
    }

    /// The entry at an already-resolved path (no symbolic links in its parents), without
    /// following a final link.
    pub fn lookup(&self, path: &str) -> io::Result<Option<Found>> {
        let parts = components(path);
        if parts.is_empty() {
            let top = match self.layers.last() {
                Some(top) => top.clone(),
                None => return Ok(None),
            };
            return Ok(self.lstat(&top)?.map(|stat| Found { real: top, stat }));
        }
        for layer in self.layers.iter().rev() {
            for end in 1..=parts.len() {
                if self.whiteout(layer, &parts[..end])? {
                    return Ok(None);
                }
            }
            let real = parts.iter().fold(layer.clone(), |p, c| p.join(c));
            if let Some(stat) = self.lstat(&real)? {
                if self.whiteouts && stat.is_whiteout() {
                    return Ok(None);
                }
                return Ok(Some(Found { real, stat }));
            }
            // A parent that is a file here hides the path below; an opaque parent hides
            // the lower layers.
            let mut dir = layer.clone();
            for part in &parts[..parts.len() - 1] {
                dir.push(part);
                match self.lstat(&dir)? {
                    Some(st) if st.kind == FileKind::Dir => {
                        if self.opaque(&dir)? {
                            return Ok(None);
                        }
                    }
                    Some(_) => return Ok(None),
                    None => break,
                }
            }
        }
        Ok(None)
    }

    /// Resolves `path` inside the view: symbolic links are followed (the last one only
    /// when `follow_last`), absolute link targets start again at the view's root and `..`
    /// never climbs above it. The result is an absolute, normalized path that may not
    /// exist.
    pub fn resolve(&self, path: &str, follow_last: bool) -> io::Result<String> {
        super::resolve_in_root(path, follow_last, |current| match self.lookup(current)? {
            Some(found) if found.stat.kind == FileKind::Symlink => Ok(Some(
                std::fs::read_link(&found.real)?
                    .to_string_lossy()
                    .into_owned(),
            )),
            _ => Ok(None),
        })
    }

    /// Resolves and looks up, following every link.
    pub fn stat(&self, path: &str) -> io::Result<Option<Found>> {
        let resolved = self.resolve(path, true)?;
        self.lookup(&resolved)
    }

    /// The merged listing of a resolved directory, sorted by name.
    pub fn read_dir(&self, path: &str) -> io::Result<Vec<(OsString, Found)>> {
        let parts = components(path);
        let mut seen: BTreeMap<OsString, Option<Found>> = BTreeMap::new();
        for layer in self.layers.iter().rev() {
            let dir = parts.iter().fold(layer.clone(), |p, c| p.join(c));
            let mut hidden_above = false;
            for end in 1..=parts.len() {
                if self.whiteout(layer, &parts[..end])? {
                    hidden_above = true;
                }
            }
            if hidden_above {
                break;
            }
            match self.lstat(&dir)? {
                Some(st) if st.kind == FileKind::Dir => {}
                Some(_) => break,
                None => {
                    // A missing directory in this layer: a file parent hides lower ones.
                    if self.parent_blocks(layer, &parts)? {
                        break;
                    }
                    continue;
                }
            }
            for entry in std::fs::read_dir(&dir)? {
                let entry = entry?;
                let name = entry.file_name();
                let bytes = name.as_bytes();
                if self.whiteouts && bytes == OPAQUE_WHITEOUT.as_bytes() {
                    continue;
                }
                if let Some(hidden) = bytes
                    .strip_prefix(WHITEOUT_PREFIX.as_bytes())
                    .filter(|_| self.whiteouts)
                {
                    seen.entry(OsStr::from_bytes(hidden).to_os_string())
                        .or_insert(None);
                    continue;
                }
                if seen.contains_key(&name) {
                    continue;
                }
                let real = dir.join(&name);
                let stat = self.syscall.lstat(&real)?;
                let value =
                    (!(self.whiteouts && stat.is_whiteout())).then_some(Found { real, stat });
                seen.insert(name, value);
            }
            if self.opaque(&dir)? {
                break;
            }
        }
        Ok(seen
            .into_iter()
            .filter_map(|(name, found)| found.map(|f| (name, f)))
            .collect())
    }

    fn parent_blocks(&self, layer: &Path, parts: &[&str]) -> io::Result<bool> {
        let mut dir = layer.to_path_buf();
        for part in parts.iter().take(parts.len().saturating_sub(1)) {
            dir.push(part);
            match self.lstat(&dir)? {
                Some(st) if st.kind == FileKind::Dir => {
                    if self.opaque(&dir)? {
                        return Ok(true);
                    }
                }
                Some(_) => return Ok(true),
                None => return Ok(false),
            }
        }
        Ok(false)
    }

    /// Reads a file (links followed).
    pub fn read(&self, path: &str) -> io::Result<Option<Vec<u8>>> {
        match self.stat(path)? {
            Some(found) if found.stat.kind == FileKind::File => {
                std::fs::read(&found.real).map(Some)
            }
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscall::test::RecordingSyscall;
    use crate::syscall::{make_opaque, make_whiteout};
    use std::os::unix::fs::symlink;

    struct Layers {
        _dir: tempfile::TempDir,
        paths: Vec<PathBuf>,
    }

    fn layers(n: usize) -> Layers {
        let dir = tempfile::tempdir().unwrap();
        let paths = (0..n)
            .map(|i| {
                let p = dir.path().join(format!("l{i}"));
                std::fs::create_dir(&p).unwrap();
                p
            })
            .collect();
        Layers { _dir: dir, paths }
    }

    fn write(path: PathBuf, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn upper_layers_win_and_whiteouts_hide() {
        let l = layers(2);
        let sys = RecordingSyscall::new();
        write(l.paths[0].join("etc/a"), "lower a");
        write(l.paths[0].join("etc/b"), "lower b");
        write(l.paths[0].join("etc/c/deep"), "deep");
        write(l.paths[1].join("etc/a"), "upper a");
        make_whiteout(&sys, &l.paths[1].join("etc/b")).unwrap();
        make_whiteout(&sys, &l.paths[1].join("etc/c")).unwrap();
        let view = View::new(l.paths.clone(), &sys);
        assert_eq!(view.read("/etc/a").unwrap().unwrap(), b"upper a");
        assert!(view.lookup("/etc/b").unwrap().is_none());
        assert!(view.lookup("/etc/c/deep").unwrap().is_none());
        let names: Vec<_> = view
            .read_dir("/etc")
            .unwrap()
            .into_iter()
            .map(|(n, _)| n.into_string().unwrap())
            .collect();
        assert_eq!(names, ["a"]);
    }

    #[test]
    fn opaque_directories_and_aufs_markers() {
        let l = layers(3);
        let sys = RecordingSyscall::new();
        write(l.paths[0].join("d/old"), "old");
        write(l.paths[0].join("x/gone"), "g");
        std::fs::create_dir_all(l.paths[1].join("d")).unwrap();
        write(l.paths[1].join("d/new"), "new");
        make_opaque(&sys, &l.paths[1].join("d")).unwrap();
        // AUFS style, as unpacked without root.
        write(l.paths[2].join("x/.wh.gone"), "");
        let view = View::new(l.paths.clone(), &sys);
        assert!(view.lookup("/d/old").unwrap().is_none());
        assert!(view.lookup("/d/new").unwrap().is_some());
        assert_eq!(view.read_dir("/d").unwrap().len(), 1);
        assert!(view.lookup("/x/gone").unwrap().is_none());
        assert!(view.read_dir("/x").unwrap().is_empty());
    }

    #[test]
    fn resolution_stays_inside_the_root() {
        let l = layers(1);
        let sys = RecordingSyscall::new();
        let root = &l.paths[0];
        write(root.join("usr/lib/libx"), "x");
        symlink("usr/lib", root.join("lib")).unwrap();
        symlink("/../../../../etc", root.join("escape")).unwrap();
        symlink("../../../../../..", root.join("up")).unwrap();
        symlink("loop", root.join("loop")).unwrap();
        let view = View::new(l.paths.clone(), &sys);
        assert_eq!(view.resolve("/lib/libx", true).unwrap(), "/usr/lib/libx");
        assert_eq!(view.read("/lib/libx").unwrap().unwrap(), b"x");
        assert_eq!(view.resolve("/escape/passwd", true).unwrap(), "/etc/passwd");
        assert_eq!(view.resolve("/up/usr", true).unwrap(), "/usr");
        assert_eq!(view.resolve("/lib", false).unwrap(), "/lib");
        assert_eq!(view.resolve("/a/../../b", true).unwrap(), "/b");
        assert!(view.resolve("/loop", true).is_err());
        // The host's /etc/passwd is never what we read.
        assert!(view.read("/escape/passwd").unwrap().is_none());
    }

    #[test]
    fn files_hide_lower_directories() {
        let l = layers(2);
        let sys = RecordingSyscall::new();
        write(l.paths[0].join("p/child"), "c");
        write(l.paths[1].join("p"), "now a file");
        let view = View::new(l.paths.clone(), &sys);
        assert!(view.lookup("/p/child").unwrap().is_none());
        assert_eq!(
            view.lookup("/p").unwrap().unwrap().stat.kind,
            FileKind::File
        );
    }
}
