//! Writing a new layer's tree (COPY, ADD, WORKDIR): files go into a fresh directory that
//! will become the layer, at paths resolved through the image below (links followed
//! inside it), with parent directories copied up from the image — as overlayfs would —
//! so the layer carries them with their owners and modes.

use super::BuildError;
use crate::fs::View;
use crate::syscall::{FileKind, Stat, Syscall};
use filetime::FileTime;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Owner and mode a new file or directory gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attrs {
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
    pub mtime: Option<i64>,
}

pub struct Tree<'a> {
    /// The new layer's directory.
    pub dir: PathBuf,
    /// The image below it.
    lower: Vec<PathBuf>,
    syscall: &'a dyn Syscall,
}

fn components(path: &str) -> Vec<&str> {
    path.split('/').filter(|c| !c.is_empty()).collect()
}

impl<'a> Tree<'a> {
    pub fn new(dir: PathBuf, lower: Vec<PathBuf>, syscall: &'a dyn Syscall) -> Tree<'a> {
        Tree {
            dir,
            lower,
            syscall,
        }
    }

    /// The image with this tree on top.
    pub fn merged(&self) -> View<'a> {
        let mut layers = self.lower.clone();
        layers.push(self.dir.clone());
        View::new(layers, self.syscall)
    }

    fn lower(&self) -> View<'a> {
        View::new(self.lower.clone(), self.syscall)
    }

    fn host(&self, resolved: &str) -> PathBuf {
        crate::fs::join_clean(&self.dir, resolved)
    }

    fn set_attrs(&self, path: &Path, attrs: Attrs, symlink: bool) -> Result<(), BuildError> {
        self.syscall.lchown(path, attrs.uid, attrs.gid)?;
        if !symlink {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(attrs.mode))
                .map_err(BuildError::io(path))?;
        }
        if let Some(mtime) = attrs.mtime {
            let t = FileTime::from_unix_time(mtime, 0);
            filetime::set_symlink_file_times(path, t, t).map_err(BuildError::io(path))?;
        }
        Ok(())
    }

    /// Makes the directory at `resolved` (an already-resolved container path) exist in
    /// the tree: copied up from the image when it is there, else created with `attrs`.
    /// Its parents are made the same way, new ones owned by root.
    fn make_dir(&self, resolved: &str, attrs: Attrs) -> Result<PathBuf, BuildError> {
        let parts = components(resolved);
        let merged = self.merged();
        let mut current = String::new();
        for (i, part) in parts.iter().enumerate() {
            current.push('/');
            current.push_str(part);
            let host = self.host(&current);
            match merged.lookup(&current).map_err(BuildError::io(&host))? {
                Some(found) if found.stat.kind == FileKind::Dir => {
                    if !found.real.starts_with(&self.dir) {
                        // Copy up: same owner, mode and time as in the image.
                        std::fs::create_dir(&host).map_err(BuildError::io(&host))?;
                        let st = found.stat;
                        self.set_attrs(
                            &host,
                            Attrs {
                                uid: st.uid,
                                gid: st.gid,
                                mode: st.mode,
                                mtime: Some(st.mtime),
                            },
                            false,
                        )?;
                    }
                }
                Some(_) => {
                    return Err(BuildError::Invalid(format!(
                        "cannot create {resolved}: {current} is not a directory"
                    )));
                }
                None => {
                    std::fs::create_dir(&host).map_err(BuildError::io(&host))?;
                    let a = if i + 1 == parts.len() {
                        attrs
                    } else {
                        Attrs {
                            uid: 0,
                            gid: 0,
                            mode: 0o755,
                            mtime: None,
                        }
                    };
                    self.set_attrs(&host, a, false)?;
                }
            }
        }
        Ok(self.host(resolved))
    }

    /// Resolves a container path for writing: parents followed through links inside the
    /// image, the last component not.
    pub fn resolve(&self, container: &str) -> Result<String, BuildError> {
        self.merged()
            .resolve(container, false)
            .map_err(BuildError::io(&self.dir))
    }

    /// Makes sure a directory exists at `container` (links followed), creating it with
    /// `attrs` if the image has none. Returns its resolved container path.
    pub fn ensure_dir(&self, container: &str, attrs: Attrs) -> Result<String, BuildError> {
        let resolved = self
            .merged()
            .resolve(container, true)
            .map_err(BuildError::io(&self.dir))?;
        self.make_dir(&resolved, attrs)?;
        Ok(resolved)
    }

    /// The host path to write `container` at: parents exist, nothing is there yet.
    fn prepare(&self, container: &str) -> Result<PathBuf, BuildError> {
        let resolved = self.resolve(container)?;
        let parts = components(&resolved);
        let Some((_, parents)) = parts.split_last() else {
            return Err(BuildError::Invalid(format!(
                "cannot write a file at {container}"
            )));
        };
        let parent = format!("/{}", parents.join("/"));
        self.make_dir(
            &parent,
            Attrs {
                uid: 0,
                gid: 0,
                mode: 0o755,
                mtime: None,
            },
        )?;
        let host = self.host(&resolved);
        match self.syscall.lstat(&host) {
            Ok(st) if st.kind == FileKind::Dir => {
                return Err(BuildError::Invalid(format!(
                    "cannot replace the directory {resolved} with a file"
                )));
            }
            Ok(_) => std::fs::remove_file(&host).map_err(BuildError::io(&host))?,
            Err(_) => {}
        }
        if self
            .lower()
            .lookup(&resolved)
            .map_err(BuildError::io(&host))?
            .is_some_and(|f| f.stat.kind == FileKind::Dir)
        {
            return Err(BuildError::Invalid(format!(
                "cannot replace the directory {resolved} with a file"
            )));
        }
        Ok(host)
    }

    /// Copies a regular file's content to `container`.
    pub fn copy_file(
        &self,
        source: &Path,
        container: &str,
        attrs: Attrs,
    ) -> Result<(), BuildError> {
        let host = self.prepare(container)?;
        std::fs::copy(source, &host).map_err(BuildError::io(source))?;
        self.set_attrs(&host, attrs, false)
    }

    /// Writes bytes as a file at `container`.
    pub fn write_file(
        &self,
        bytes: &[u8],
        container: &str,
        attrs: Attrs,
    ) -> Result<(), BuildError> {
        let host = self.prepare(container)?;
        std::fs::write(&host, bytes).map_err(BuildError::io(&host))?;
        self.set_attrs(&host, attrs, false)
    }

    pub fn symlink(&self, target: &Path, container: &str, attrs: Attrs) -> Result<(), BuildError> {
        let host = self.prepare(container)?;
        std::os::unix::fs::symlink(target, &host).map_err(BuildError::io(&host))?;
        self.set_attrs(&host, attrs, true)
    }

    /// A directory copied from a source (not the top of a COPY): created with the
    /// source's attributes, or updated to them when it exists.
    pub fn copy_dir(&self, container: &str, attrs: Attrs) -> Result<(), BuildError> {
        let resolved = self.resolve(container)?;
        let host = self.make_dir(&resolved, attrs)?;
        self.set_attrs(&host, attrs, false)
    }
}

/// Attributes of a copied entry: its mode unless `chmod`, its owner unless `chown`.
pub fn attrs_of(stat: &Stat, chown: Option<(u32, u32)>, chmod: Option<u32>) -> Attrs {
    let (uid, gid) = chown.unwrap_or((stat.uid, stat.gid));
    Attrs {
        uid,
        gid,
        mode: chmod.unwrap_or(stat.mode),
        mtime: Some(stat.mtime),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscall::test::RecordingSyscall;

    #[test]
    fn writes_through_image_links_and_copies_parents_up() {
        let dir = tempfile::tempdir().unwrap();
        let lower = dir.path().join("lower");
        std::fs::create_dir_all(lower.join("usr/lib")).unwrap();
        std::os::unix::fs::symlink("usr/lib", lower.join("lib")).unwrap();
        let sys = RecordingSyscall::new();
        sys.lchown(&lower.join("usr"), 0, 50).unwrap();
        let upper = dir.path().join("upper");
        std::fs::create_dir(&upper).unwrap();
        let tree = Tree::new(upper.clone(), vec![lower], &sys);
        let attrs = Attrs {
            uid: 7,
            gid: 8,
            mode: 0o640,
            mtime: Some(100),
        };
        tree.write_file(b"x", "/lib/libfoo.so", attrs).unwrap();
        assert_eq!(
            std::fs::read(upper.join("usr/lib/libfoo.so")).unwrap(),
            b"x"
        );
        assert!(!upper.join("lib").exists());
        let usr = sys.lstat(&upper.join("usr")).unwrap();
        assert_eq!((usr.uid, usr.gid), (0, 50));
        let f = sys.lstat(&upper.join("usr/lib/libfoo.so")).unwrap();
        assert_eq!((f.uid, f.gid, f.mode, f.mtime), (7, 8, 0o640, 100));
        // New directories: the last gets the attributes, parents are root's.
        let resolved = tree.ensure_dir("/app/data", attrs).unwrap();
        assert_eq!(resolved, "/app/data");
        let app = sys.lstat(&upper.join("app")).unwrap();
        assert_eq!((app.uid, app.mode), (0, 0o755));
        assert_eq!(sys.lstat(&upper.join("app/data")).unwrap().uid, 7);
        assert!(upper.join("app").is_dir());
        // A file cannot replace a directory of the image.
        assert!(tree.write_file(b"", "/usr", attrs).is_err());
    }
}
