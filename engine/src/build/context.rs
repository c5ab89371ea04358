//! The build context: the directory COPY and ADD read from, filtered by `.dockerignore`
//! (or `<Dockerfile>.dockerignore` next to the Dockerfile, as BuildKit allows). Sources
//! cannot leave it: `..` that climbs out is refused and symbolic links are resolved inside
//! it, as if the context were the root.

use super::BuildError;
use crate::digest::{Digest, Hasher};
use crate::fs::{View, glob};
use crate::syscall::{FileKind, Stat, Syscall};
use plimsoll_analyzer::dockerignore::DockerIgnore;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ffi::OsString;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

pub struct BuildContext {
    root: PathBuf,
    ignore: DockerIgnore,
    has_exceptions: bool,
}

/// One matched COPY source.
#[derive(Clone, Debug)]
pub struct Source {
    /// Context-relative path after resolution (`""` is the context itself).
    pub rel: String,
    pub real: PathBuf,
    pub stat: Stat,
}

/// A file or directory below a source (or the source itself, with an empty `rel`).
#[derive(Clone, Debug)]
pub struct Entry {
    /// Relative to the source.
    pub rel: PathBuf,
    pub real: PathBuf,
    pub stat: Stat,
}

impl BuildContext {
    pub fn open(root: &Path, dockerfile: Option<&Path>) -> Result<BuildContext, BuildError> {
        let root = root.canonicalize().map_err(BuildError::io(root))?;
        let specific = dockerfile.map(|d| {
            let mut name = d.as_os_str().to_os_string();
            name.push(".dockerignore");
            PathBuf::from(name)
        });
        let file = specific
            .filter(|p| p.is_file())
            .unwrap_or_else(|| root.join(".dockerignore"));
        let ignore = match std::fs::read_to_string(&file) {
            Ok(text) => DockerIgnore::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => DockerIgnore::default(),
            Err(e) => return Err(BuildError::io(&file)(e)),
        };
        if let Some(error) = ignore.errors.first() {
            return Err(BuildError::Invalid(format!(
                "{}:{}: {}",
                file.display(),
                error.line,
                error.message
            )));
        }
        let has_exceptions = ignore.patterns().iter().any(|p| p.exclusion);
        Ok(BuildContext {
            root,
            ignore,
            has_exceptions,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether `.dockerignore` excludes anything at all.
    pub fn has_ignores(&self) -> bool {
        !self.ignore.patterns().is_empty()
    }

    pub fn is_excluded(&self, rel: &str) -> bool {
        !rel.is_empty() && self.ignore.is_excluded(rel)
    }

    /// The sources a COPY/ADD argument names: a path or a glob, relative to the context.
    pub fn sources(&self, pattern: &str, syscall: &dyn Syscall) -> Result<Vec<Source>, BuildError> {
        let view = View::plain(self.root.clone(), syscall);
        let mut parts: Vec<&str> = Vec::new();
        for part in pattern.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Err(BuildError::Invalid(format!(
                            "`{pattern}` is outside the build context"
                        )));
                    }
                }
                p => parts.push(p),
            }
        }
        let mut candidates = vec![String::new()];
        for part in &parts {
            let mut next = Vec::new();
            for candidate in &candidates {
                if glob::is_pattern(part) {
                    let dir = view
                        .resolve(candidate, true)
                        .map_err(BuildError::io(&self.root))?;
                    if !view
                        .lookup(&dir)
                        .map_err(BuildError::io(&self.root))?
                        .is_some_and(|f| f.stat.kind == FileKind::Dir)
                    {
                        continue;
                    }
                    for (name, _) in view.read_dir(&dir).map_err(BuildError::io(&self.root))? {
                        let name = name.to_string_lossy();
                        if glob::matches(part, &name) {
                            next.push(join(candidate, &name));
                        }
                    }
                } else {
                    next.push(join(candidate, &unescape(part)));
                }
            }
            candidates = next;
        }
        let mut sources = Vec::new();
        for candidate in candidates {
            if self.is_excluded(&candidate) {
                continue;
            }
            let resolved = view
                .resolve(&candidate, true)
                .map_err(BuildError::io(&self.root))?;
            let rel = resolved.trim_start_matches('/').to_string();
            if self.is_excluded(&rel) {
                continue;
            }
            let Some(found) = view.lookup(&resolved).map_err(BuildError::io(&self.root))? else {
                continue;
            };
            sources.push(Source {
                rel,
                real: found.real,
                stat: found.stat,
            });
        }
        if sources.is_empty() {
            return Err(BuildError::Invalid(format!(
                "`{pattern}` is not in the build context (or .dockerignore excludes it)"
            )));
        }
        Ok(sources)
    }

    /// Everything a source copies: the source itself (empty `rel`) and, for a directory,
    /// what is below it and not excluded — parents before children, names in byte order.
    pub fn walk(&self, source: &Source, syscall: &dyn Syscall) -> Result<Vec<Entry>, BuildError> {
        let mut out = vec![Entry {
            rel: PathBuf::new(),
            real: source.real.clone(),
            stat: source.stat,
        }];
        if source.stat.kind == FileKind::Dir {
            self.walk_dir(&source.real, &source.rel, Path::new(""), syscall, &mut out)?;
        }
        Ok(out)
    }

    fn walk_dir(
        &self,
        dir: &Path,
        context_rel: &str,
        rel: &Path,
        syscall: &dyn Syscall,
        out: &mut Vec<Entry>,
    ) -> Result<(), BuildError> {
        let mut names: Vec<OsString> = std::fs::read_dir(dir)
            .map_err(BuildError::io(dir))?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<Result<_, _>>()
            .map_err(BuildError::io(dir))?;
        names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        for name in names {
            let real = dir.join(&name);
            let child_context = join(context_rel, &name.to_string_lossy());
            let stat = syscall.lstat(&real).map_err(BuildError::io(&real))?;
            let excluded = self.is_excluded(&child_context);
            if excluded && !(stat.kind == FileKind::Dir && self.has_exceptions) {
                continue;
            }
            let child_rel = rel.join(&name);
            if !excluded {
                out.push(Entry {
                    rel: child_rel.clone(),
                    real: real.clone(),
                    stat,
                });
            }
            if stat.kind == FileKind::Dir {
                self.walk_dir(&real, &child_context, &child_rel, syscall, out)?;
            }
        }
        Ok(())
    }
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_string()
    } else {
        format!("{base}/{name}")
    }
}

/// `\*` in a non-pattern component means a literal `*`.
fn unescape(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    let mut chars = part.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[derive(Clone, Serialize, Deserialize)]
struct CachedHash {
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    ino: u64,
    digest: Digest,
}

/// File content digests remembered by path and metadata, so an unchanged context is not
/// read again (`ROOT/cache/context-hashes.json`).
pub struct HashCache {
    path: Option<PathBuf>,
    entries: HashMap<String, CachedHash>,
    dirty: bool,
}

impl HashCache {
    pub fn load(path: Option<PathBuf>) -> HashCache {
        let entries = path
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        HashCache {
            path,
            entries,
            dirty: false,
        }
    }

    /// The digest of a regular file's content.
    pub fn file(&mut self, real: &Path, stat: &Stat) -> Result<Digest, BuildError> {
        let key = real.to_string_lossy().into_owned();
        if let Some(c) = self.entries.get(&key)
            && c.size == stat.size
            && c.mtime == (stat.mtime, stat.mtime_nsec)
            && c.ctime == (stat.ctime, stat.ctime_nsec)
            && c.ino == stat.ino
        {
            return Ok(c.digest.clone());
        }
        let mut hasher = Hasher::default();
        let mut file = std::fs::File::open(real).map_err(BuildError::io(real))?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = file.read(&mut buf).map_err(BuildError::io(real))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        let digest = hasher.finish();
        self.entries.insert(
            key,
            CachedHash {
                size: stat.size,
                mtime: (stat.mtime, stat.mtime_nsec),
                ctime: (stat.ctime, stat.ctime_nsec),
                ino: stat.ino,
                digest: digest.clone(),
            },
        );
        self.dirty = true;
        Ok(digest)
    }

    /// Writes the cache back if it changed.
    pub fn save(&self) {
        if let (true, Some(path)) = (self.dirty, &self.path) {
            let tmp = path.with_extension("tmp");
            if let Ok(bytes) = serde_json::to_vec(&self.entries)
                && std::fs::write(&tmp, bytes).is_ok()
            {
                let _ = std::fs::rename(&tmp, path);
            }
        }
    }
}

/// The digest of what a list of entries would copy: names, kinds, modes, link targets and
/// contents (owners and times are not part of it: COPY resets owners).
pub fn entries_digest(
    entries: &[(String, Vec<Entry>)],
    hashes: &mut HashCache,
) -> Result<Digest, BuildError> {
    let mut hasher = Hasher::default();
    for (name, list) in entries {
        hasher.field(name.as_bytes());
        for entry in list {
            hasher.field(entry.rel.as_os_str().as_bytes());
            hasher.field(format!("{:?}:{:o}", entry.stat.kind, entry.stat.mode).as_bytes());
            match entry.stat.kind {
                FileKind::File => {
                    hasher.field(hashes.file(&entry.real, &entry.stat)?.hex().as_bytes())
                }
                FileKind::Symlink => {
                    let target =
                        std::fs::read_link(&entry.real).map_err(BuildError::io(&entry.real))?;
                    hasher.field(target.as_os_str().as_bytes());
                }
                _ => {}
            }
        }
    }
    Ok(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscall::linux::LinuxSyscall;

    fn context(files: &[(&str, &str)], ignore: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        std::fs::write(dir.path().join(".dockerignore"), ignore).unwrap();
        dir
    }

    fn rels(sources: &[Source]) -> Vec<String> {
        sources.iter().map(|s| s.rel.clone()).collect()
    }

    #[test]
    fn globs_and_dockerignore() {
        let dir = context(
            &[
                ("src/a.rs", "a"),
                ("src/b.rs", "b"),
                ("src/c.txt", "c"),
                ("secret.env", "s"),
                ("docs/keep.md", "k"),
                ("docs/drop.md", "d"),
            ],
            "*.env\ndocs\n!docs/keep.md\n",
        );
        let sys = LinuxSyscall;
        let ctx = BuildContext::open(dir.path(), None).unwrap();
        assert_eq!(
            rels(&ctx.sources("src/*.rs", &sys).unwrap()),
            ["src/a.rs", "src/b.rs"]
        );
        assert_eq!(
            rels(&ctx.sources("./src/../src/c.txt", &sys).unwrap()),
            ["src/c.txt"]
        );
        assert!(ctx.sources("secret.env", &sys).is_err());
        let all = ctx.sources(".", &sys).unwrap();
        let walked: Vec<String> = ctx
            .walk(&all[0], &sys)
            .unwrap()
            .iter()
            .map(|e| e.rel.display().to_string())
            .collect();
        assert_eq!(
            walked,
            [
                "",
                ".dockerignore",
                "docs/keep.md",
                "src",
                "src/a.rs",
                "src/b.rs",
                "src/c.txt"
            ]
        );
    }

    #[test]
    fn sources_cannot_escape() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("host-secret"), "h").unwrap();
        let dir = context(&[("in", "i")], "");
        std::os::unix::fs::symlink(outside.path().join("host-secret"), dir.path().join("abs"))
            .unwrap();
        std::os::unix::fs::symlink("../../../../../../../../etc/passwd", dir.path().join("rel"))
            .unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("dirlink")).unwrap();
        let sys = LinuxSyscall;
        let ctx = BuildContext::open(dir.path(), None).unwrap();
        let err = ctx.sources("../in", &sys).unwrap_err().to_string();
        assert!(err.contains("outside the build context"), "{err}");
        assert!(ctx.sources("../../etc/passwd", &sys).is_err());
        // Links are resolved inside the context, where their targets do not exist.
        assert!(ctx.sources("abs", &sys).is_err());
        assert!(ctx.sources("rel", &sys).is_err());
        assert!(ctx.sources("dirlink/host-secret", &sys).is_err());
        // A link to a file inside is followed.
        std::os::unix::fs::symlink("in", dir.path().join("inner")).unwrap();
        let s = ctx.sources("inner", &sys).unwrap();
        assert_eq!(s[0].rel, "in");
    }

    #[test]
    fn content_digests_follow_content_and_use_the_cache() {
        let dir = context(&[("a/x", "1"), ("a/y", "2")], "");
        let sys = LinuxSyscall;
        let ctx = BuildContext::open(dir.path(), None).unwrap();
        let digest = |hashes: &mut HashCache| {
            let s = ctx.sources("a", &sys).unwrap();
            let entries = vec![("a".to_string(), ctx.walk(&s[0], &sys).unwrap())];
            entries_digest(&entries, hashes).unwrap()
        };
        let cache_file = dir.path().join("hashes.json");
        let mut hashes = HashCache::load(Some(cache_file.clone()));
        let first = digest(&mut hashes);
        hashes.save();
        assert!(cache_file.is_file());
        let mut reloaded = HashCache::load(Some(cache_file));
        assert_eq!(digest(&mut reloaded), first);
        assert!(!reloaded.dirty);
        std::fs::write(dir.path().join("a/y"), "3").unwrap();
        assert_ne!(digest(&mut reloaded), first);
    }
}
