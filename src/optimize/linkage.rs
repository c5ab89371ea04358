//! What a compiled program loads at start, read from an image's file system: its ELF
//! interpreter and the shared libraries it needs (theirs included), found the way glibc's
//! dynamic loader finds them, so that a `FROM scratch` runtime stage can copy exactly
//! those files.
//!
//! The loader's search for a `DT_NEEDED` name without a `/`: the `DT_RPATH`s of the
//! object and of the objects that loaded it (only when the object has no `DT_RUNPATH`),
//! `LD_LIBRARY_PATH` (not set in an image's configuration we read, so ignored), the
//! object's `DT_RUNPATH`, `/etc/ld.so.cache` (built from the directories of
//! `/etc/ld.so.conf`), then the default directories. A name already loaded (by the name
//! asked for or by its `DT_SONAME`) is not searched again.

use goblin::elf::Elf;
use goblin::elf::header::{self, EM_386, EM_AARCH64, EM_ARM, EM_PPC64, EM_S390, EM_X86_64};
use plimsoll_engine::fs::{View, glob};
use plimsoll_engine::syscall::FileKind;
use plimsoll_rules::LinkedFile;
use std::collections::{BTreeSet, HashSet};
use std::io;

/// How many objects one program may load before we give up (a real program loads a few
/// dozen; a crafted image could make the walk long).
const MAX_OBJECTS: usize = 1024;
/// Larger files are not read as ELF objects (the biggest real libraries are a few hundred
/// megabytes).
const MAX_FILE_SIZE: u64 = 1 << 30;
/// How deep `include` lines of ld.so.conf may nest, and how many files they may name.
const MAX_CONF_DEPTH: usize = 8;
const MAX_CONF_FILES: usize = 256;
/// RISC-V's machine number (goblin's header module names fewer machines than the loader
/// knows).
const EM_RISCV: u16 = 243;

/// The files `program` (an absolute path in the view) needs to start besides itself, found
/// the way the dynamic loader finds them. `Ok(None)`: not an ELF executable (a script, a
/// missing file), or a library that cannot be found (then nobody can name what to copy).
/// `Ok(Some(vec![]))`: statically linked.
pub fn shared_libraries(view: &View, program: &str) -> io::Result<Option<Vec<LinkedFile>>> {
    let Some((real, bytes)) = read_regular(view, program)? else {
        return Ok(None);
    };
    let Some(main) = Object::parse(&bytes, parent(&real)) else {
        return Ok(None);
    };
    if !matches!(main.e_type, header::ET_EXEC | header::ET_DYN) {
        return Ok(None);
    }
    let Some(interpreter) = main.interpreter.clone() else {
        // Without an interpreter the kernel jumps straight to the program: a static (or
        // static-PIE) program, or one that cannot start at all.
        return Ok(main.needed.is_empty().then(Vec::new));
    };
    if !interpreter.starts_with('/') {
        // Relative to the working directory of whoever runs it: nothing we can name.
        return Ok(None);
    }
    let Some((interpreter_real, interpreter_bytes)) = read_regular(view, &interpreter)? else {
        return Ok(None);
    };
    let mut walk = Walk {
        view,
        class: main.class,
        conf: None,
        loaded: HashSet::new(),
        sources: HashSet::new(),
        files: BTreeSet::new(),
        through_cache: false,
    };
    walk.loaded.insert(interpreter.clone());
    // The loader is already in memory: a DT_NEEDED naming it (libc names
    // `ld-linux-x86-64.so.2`) matches its soname and is not searched for.
    if let Some(soname) =
        Object::parse(&interpreter_bytes, parent(&interpreter_real)).and_then(|o| o.soname)
    {
        walk.loaded.insert(soname);
    }
    walk.sources.insert(interpreter_real.clone());
    walk.files.insert((interpreter, interpreter_real));
    if !walk.run(main)? {
        return Ok(None);
    }
    if walk.through_cache {
        let Some(found) = walk.regular("/etc/ld.so.cache")? else {
            return Ok(None);
        };
        walk.files.insert(("/etc/ld.so.cache".to_string(), found));
    }
    Ok(Some(
        walk.files
            .into_iter()
            .map(|(dest, source)| LinkedFile { source, dest })
            .collect(),
    ))
}

/// What the loader compares before it accepts a candidate file: a library of another
/// class, byte order or machine is skipped and the search goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Class {
    is_64: bool,
    little_endian: bool,
    machine: u16,
}

impl Class {
    /// The Debian multiarch tuple of the default library directories.
    fn multiarch(self) -> Option<&'static str> {
        Some(match (self.machine, self.is_64, self.little_endian) {
            (EM_X86_64, true, _) => "x86_64-linux-gnu",
            (EM_X86_64, false, _) => "x86_64-linux-gnux32",
            (EM_AARCH64, true, true) => "aarch64-linux-gnu",
            (EM_ARM, false, true) => "arm-linux-gnueabihf",
            (EM_386, false, _) => "i386-linux-gnu",
            (EM_PPC64, true, true) => "powerpc64le-linux-gnu",
            (EM_S390, true, false) => "s390x-linux-gnu",
            (EM_RISCV, true, true) => "riscv64-linux-gnu",
            _ => return None,
        })
    }

    /// The loader's built-in directories, searched last.
    fn default_dirs(self) -> Vec<String> {
        let mut dirs = Vec::new();
        if let Some(tuple) = self.multiarch() {
            dirs.push(format!("/lib/{tuple}"));
            dirs.push(format!("/usr/lib/{tuple}"));
        }
        for dir in ["/lib", "/usr/lib", "/lib64", "/usr/lib64"] {
            dirs.push(dir.to_string());
        }
        dirs
    }
}

/// What the walk needs of one ELF object.
#[derive(Clone, Debug)]
struct Object {
    class: Class,
    e_type: u16,
    /// The directory `$ORIGIN` stands for.
    origin: String,
    interpreter: Option<String>,
    soname: Option<String>,
    needed: Vec<String>,
    /// Colon-separated lists, as the dynamic section holds them.
    rpath: Vec<String>,
    runpath: Vec<String>,
}

impl Object {
    /// `None` when goblin cannot read it: then it is not an ELF object the loader would
    /// accept either.
    fn parse(bytes: &[u8], origin: String) -> Option<Object> {
        let elf = Elf::parse(bytes).ok()?;
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Some(Object {
            class: Class {
                is_64: elf.is_64,
                little_endian: elf.little_endian,
                machine: elf.header.e_machine,
            },
            e_type: elf.header.e_type,
            origin,
            interpreter: elf.interpreter.map(str::to_string),
            soname: elf.soname.map(str::to_string),
            needed: owned(&elf.libraries),
            rpath: owned(&elf.rpaths),
            runpath: owned(&elf.runpaths),
        })
    }

    /// The object's own `DT_RPATH` directories, which the loader ignores when the object
    /// also has a `DT_RUNPATH`.
    fn own_rpath(&self) -> Vec<String> {
        if self.runpath.is_empty() {
            expand(&self.rpath, &self.origin)
        } else {
            Vec::new()
        }
    }
}

/// The directories of `DT_RPATH`/`DT_RUNPATH` entries: split at `:`, `$ORIGIN` replaced by
/// the object's directory. Entries the loader would take relative to the working
/// directory, and other dynamic string tokens (`$LIB`, `$PLATFORM`, which depend on the
/// machine that runs it), are left out: we cannot name what they find.
fn expand(lists: &[String], origin: &str) -> Vec<String> {
    lists
        .iter()
        .flat_map(|list| list.split(':'))
        .filter_map(|entry| {
            let dir = entry
                .replace("${ORIGIN}", origin)
                .replace("$ORIGIN", origin);
            (dir.starts_with('/') && !dir.contains('$')).then_some(dir)
        })
        .collect()
}

/// How a search directory came to be searched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    /// `DT_RPATH`, `DT_RUNPATH` or a default directory: the loader looks there itself.
    Loader,
    /// Only listed in /etc/ld.so.conf: the loader finds it through /etc/ld.so.cache.
    Cache,
}

/// The directories searched for a name an object needs, in the loader's order.
/// `rpath_chain`: the `DT_RPATH` directories of the object and of the objects that loaded
/// it, up to the program.
fn search_dirs(
    object: &Object,
    rpath_chain: &[String],
    conf: &[(String, Via)],
    defaults: &[String],
) -> Vec<(String, Via)> {
    let mut dirs: Vec<(String, Via)> = Vec::new();
    if object.runpath.is_empty() {
        dirs.extend(rpath_chain.iter().map(|d| (d.clone(), Via::Loader)));
    } else {
        dirs.extend(
            expand(&object.runpath, &object.origin)
                .into_iter()
                .map(|d| (d, Via::Loader)),
        );
    }
    dirs.extend(conf.iter().cloned());
    dirs.extend(defaults.iter().map(|d| (d.clone(), Via::Loader)));
    dirs
}

/// What the loader would open at a path.
enum Candidate {
    /// No regular file.
    Missing,
    NotElf,
    Object {
        source: String,
        object: Object,
    },
}

/// A library found for a name.
struct Library {
    /// Where the loader opens it.
    dest: String,
    /// Its real path.
    source: String,
    object: Object,
    via: Via,
}

/// One object met by the walk, with the `DT_RPATH` chain its own needs are searched with.
struct Loaded {
    object: Object,
    rpath_chain: Vec<String>,
}

struct Walk<'v, 'a> {
    view: &'v View<'a>,
    class: Class,
    /// The directories of /etc/ld.so.conf, read at the first search.
    conf: Option<Vec<(String, Via)>>,
    /// Names already loaded: the names asked for and the sonames.
    loaded: HashSet<String>,
    /// Real paths already loaded (the loader also recognises a file it has open).
    sources: HashSet<String>,
    /// (dest, source), in the order the result lists them.
    files: BTreeSet<(String, String)>,
    /// Some library is found only through a directory of /etc/ld.so.conf.
    through_cache: bool,
}

impl Walk<'_, '_> {
    /// Loads every object breadth first, as the loader does. `false`: a library cannot be
    /// found, or there are too many.
    fn run(&mut self, main: Object) -> io::Result<bool> {
        let defaults = self.class.default_dirs();
        let rpath_chain = main.own_rpath();
        let mut objects = vec![Loaded {
            object: main,
            rpath_chain,
        }];
        let mut next = 0;
        while next < objects.len() {
            let needed = objects[next].object.needed.clone();
            for name in needed {
                if self.loaded.contains(&name) {
                    continue;
                }
                if objects.len() >= MAX_OBJECTS {
                    return Ok(false);
                }
                let found = if name.contains('/') {
                    self.by_path(&name)?
                } else {
                    let conf = self.conf()?;
                    let dirs = search_dirs(
                        &objects[next].object,
                        &objects[next].rpath_chain,
                        &conf,
                        &defaults,
                    );
                    self.search(&name, &dirs)?
                };
                let Some(Library {
                    dest,
                    source,
                    object,
                    via,
                }) = found
                else {
                    return Ok(false);
                };
                self.through_cache |= via == Via::Cache;
                self.loaded.insert(name);
                self.files.insert((dest, source.clone()));
                if !self.sources.insert(source) {
                    continue;
                }
                if let Some(soname) = &object.soname {
                    self.loaded.insert(soname.clone());
                }
                let mut rpath_chain = object.own_rpath();
                rpath_chain.extend(objects[next].rpath_chain.iter().cloned());
                objects.push(Loaded {
                    object,
                    rpath_chain,
                });
            }
            next += 1;
        }
        Ok(true)
    }

    /// A `DT_NEEDED` name with a `/` is opened as it is, without a search.
    fn by_path(&self, name: &str) -> io::Result<Option<Library>> {
        if !name.starts_with('/') {
            return Ok(None);
        }
        Ok(match self.candidate(name)? {
            Candidate::Object { source, object } if object.class == self.class => Some(Library {
                dest: name.to_string(),
                source,
                object,
                via: Via::Loader,
            }),
            _ => None,
        })
    }

    /// The first directory holding `name` as an object of the program's class.
    fn search(&self, name: &str, dirs: &[(String, Via)]) -> io::Result<Option<Library>> {
        let mut seen = HashSet::new();
        for (dir, via) in dirs {
            let Ok(dir) = self.view.resolve(dir, true) else {
                continue;
            };
            if !seen.insert(dir.clone()) {
                continue;
            }
            let dest = join(&dir, name);
            match self.candidate(&dest)? {
                Candidate::Missing => {}
                // A file that is not an ELF object stops the loader with an error.
                Candidate::NotElf => return Ok(None),
                Candidate::Object { source, object } if object.class == self.class => {
                    return Ok(Some(Library {
                        dest,
                        source,
                        object,
                        via: *via,
                    }));
                }
                Candidate::Object { .. } => {}
            }
        }
        Ok(None)
    }

    fn candidate(&self, path: &str) -> io::Result<Candidate> {
        let Some((source, bytes)) = read_regular(self.view, path)? else {
            return Ok(Candidate::Missing);
        };
        Ok(match Object::parse(&bytes, parent(path)) {
            Some(object) => Candidate::Object { source, object },
            None => Candidate::NotElf,
        })
    }

    /// The real path of a regular file, every link resolved.
    fn regular(&self, path: &str) -> io::Result<Option<String>> {
        Ok(regular(self.view, path)?.map(|(real, _)| real))
    }

    fn conf(&mut self) -> io::Result<Vec<(String, Via)>> {
        if let Some(conf) = &self.conf {
            return Ok(conf.clone());
        }
        let mut listed = Vec::new();
        let mut files = 0;
        read_conf(self.view, "/etc/ld.so.conf", 0, &mut files, &mut listed)?;
        let defaults: HashSet<String> = self
            .class
            .default_dirs()
            .iter()
            .filter_map(|d| self.view.resolve(d, true).ok())
            .collect();
        let conf: Vec<(String, Via)> = listed
            .into_iter()
            .map(|dir| {
                // Listed and also a default directory: the loader finds it without the
                // cache.
                let via = match self.view.resolve(&dir, true) {
                    Ok(real) if defaults.contains(&real) => Via::Loader,
                    _ => Via::Cache,
                };
                (dir, via)
            })
            .collect();
        self.conf = Some(conf.clone());
        Ok(conf)
    }
}

/// The directories an ld.so.conf file lists, `include` globs followed (relative ones from
/// the including file's directory), as ldconfig reads them.
fn read_conf(
    view: &View,
    path: &str,
    depth: usize,
    files: &mut usize,
    out: &mut Vec<String>,
) -> io::Result<()> {
    *files += 1;
    if depth > MAX_CONF_DEPTH || *files > MAX_CONF_FILES {
        return Ok(());
    }
    let Some((_, bytes)) = read_regular(view, path)? else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(&bytes);
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let mut words = line.split_whitespace();
        match words.next() {
            None => {}
            Some("include") => {
                for pattern in words {
                    let pattern = if pattern.starts_with('/') {
                        pattern.to_string()
                    } else {
                        join(&parent(path), pattern)
                    };
                    for file in expand_glob(view, &pattern)? {
                        read_conf(view, &file, depth + 1, files, out)?;
                    }
                }
            }
            Some("hwcap") => {}
            Some(_) => {
                // Old ldconfig also split a line at these; `=TYPE` named a library type.
                for entry in line.split([' ', '\t', ':', ',']) {
                    let dir = entry.split('=').next().unwrap_or("").trim_end_matches('/');
                    if dir.starts_with('/') && !out.iter().any(|d| d == dir) {
                        out.push(dir.to_string());
                    }
                }
            }
        }
    }
    Ok(())
}

/// The paths in the view matching a glob(3) pattern, sorted as glob sorts them.
fn expand_glob(view: &View, pattern: &str) -> io::Result<Vec<String>> {
    let mut paths = vec![String::new()];
    for part in pattern.split('/').filter(|p| !p.is_empty()) {
        if !glob::is_pattern(part) {
            for path in &mut paths {
                path.push('/');
                path.push_str(part);
            }
            continue;
        }
        let mut next = Vec::new();
        for path in &paths {
            let Ok(dir) = view.resolve(if path.is_empty() { "/" } else { path }, true) else {
                continue;
            };
            let entries = match view.read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if matches!(e.kind(), io::ErrorKind::NotFound) => continue,
                Err(e) => return Err(e),
            };
            for (name, _) in entries {
                let name = name.to_string_lossy();
                // glob(3): a wildcard never matches a leading dot.
                if name.starts_with('.') && !part.starts_with('.') {
                    continue;
                }
                if glob::matches(part, &name) {
                    next.push(format!("{path}/{name}"));
                }
            }
        }
        paths = next;
        if paths.len() > MAX_CONF_FILES {
            paths.truncate(MAX_CONF_FILES);
        }
    }
    Ok(paths)
}

/// The real path of a regular file and its size, every link resolved; `None` when there
/// is none, or when the links loop (the loader's open fails then, too).
fn regular(view: &View, path: &str) -> io::Result<Option<(String, u64)>> {
    let Ok(real) = view.resolve(path, true) else {
        return Ok(None);
    };
    Ok(match view.lookup(&real)? {
        Some(found) if found.stat.kind == FileKind::File => Some((real, found.stat.size)),
        _ => None,
    })
}

/// The real path and the content of a regular file no larger than [`MAX_FILE_SIZE`].
fn read_regular(view: &View, path: &str) -> io::Result<Option<(String, Vec<u8>)>> {
    let Some((real, size)) = regular(view, path)? else {
        return Ok(None);
    };
    if size > MAX_FILE_SIZE {
        return Ok(None);
    }
    Ok(view.read(&real)?.map(|bytes| (real, bytes)))
}

fn parent(path: &str) -> String {
    match path.trim_end_matches('/').rsplit_once('/') {
        Some(("", _)) | None => "/".to_string(),
        Some((dir, _)) => dir.to_string(),
    }
}

fn join(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_engine::syscall::{SyscallRef, host};
    use std::os::unix::fs::symlink;

    /// A minimal ELF64 little-endian object: one PT_LOAD over the whole file, PT_INTERP when
    /// `interp` is given, PT_DYNAMIC when anything dynamic is.
    #[derive(Default)]
    struct Spec<'a> {
        machine: u16,
        interp: Option<&'a str>,
        needed: &'a [&'a str],
        soname: Option<&'a str>,
        rpath: Option<&'a str>,
        runpath: Option<&'a str>,
    }

    const BASE: u64 = 0x40_0000;

    fn elf(spec: &Spec) -> Vec<u8> {
        let machine = if spec.machine == 0 {
            EM_X86_64
        } else {
            spec.machine
        };
        let mut strtab = vec![0u8];
        let mut string = |s: &str| {
            let at = strtab.len() as u64;
            strtab.extend_from_slice(s.as_bytes());
            strtab.push(0);
            at
        };
        let mut dyns: Vec<(u64, u64)> = spec.needed.iter().map(|n| (1, string(n))).collect();
        for (tag, value) in [(14, spec.soname), (15, spec.rpath), (29, spec.runpath)] {
            if let Some(value) = value {
                dyns.push((tag, string(value)));
            }
        }
        let dynamic = !dyns.is_empty();
        let phnum = 1 + u64::from(spec.interp.is_some()) + u64::from(dynamic);
        let interp_at = 64 + 56 * phnum;
        let interp = spec.interp.map(|i| format!("{i}\0")).unwrap_or_default();
        let dyn_at = (interp_at + interp.len() as u64).next_multiple_of(8);
        let dyn_len = if dynamic {
            16 * (dyns.len() as u64 + 3)
        } else {
            0
        };
        let str_at = dyn_at + dyn_len;
        if dynamic {
            dyns.push((5, BASE + str_at));
            dyns.push((10, strtab.len() as u64));
            dyns.push((0, 0));
        }
        let total = str_at + if dynamic { strtab.len() as u64 } else { 0 };

        let mut out = Vec::new();
        out.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]);
        out.extend_from_slice(&[0; 8]);
        let e_type: u16 = if spec.soname.is_some() { 3 } else { 2 };
        out.extend_from_slice(&e_type.to_le_bytes());
        out.extend_from_slice(&machine.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&(BASE + total).to_le_bytes()); // entry
        out.extend_from_slice(&64u64.to_le_bytes()); // phoff
        out.extend_from_slice(&0u64.to_le_bytes()); // shoff
        out.extend_from_slice(&0u32.to_le_bytes()); // flags
        for half in [64u16, 56, phnum as u16, 64, 0, 0] {
            out.extend_from_slice(&half.to_le_bytes());
        }
        let mut phdr = |p_type: u32, offset: u64, size: u64| {
            out.extend_from_slice(&p_type.to_le_bytes());
            out.extend_from_slice(&5u32.to_le_bytes());
            for word in [offset, BASE + offset, BASE + offset, size, size, 8] {
                out.extend_from_slice(&word.to_le_bytes());
            }
        };
        phdr(1, 0, total);
        if spec.interp.is_some() {
            phdr(3, interp_at, interp.len() as u64);
        }
        if dynamic {
            phdr(2, dyn_at, dyn_len);
        }
        out.extend_from_slice(interp.as_bytes());
        out.resize(dyn_at as usize, 0);
        if dynamic {
            for (tag, value) in dyns {
                out.extend_from_slice(&tag.to_le_bytes());
                out.extend_from_slice(&value.to_le_bytes());
            }
            out.extend_from_slice(&strtab);
        }
        out
    }

    /// A merged-/usr Debian root: `lib -> usr/lib`, `lib64 -> usr/lib64`, the loader's
    /// link in `/usr/lib64`.
    struct Root {
        dir: tempfile::TempDir,
        syscall: SyscallRef,
    }

    const LIBDIR: &str = "/usr/lib/x86_64-linux-gnu";
    const INTERP: &str = "/lib64/ld-linux-x86-64.so.2";

    impl Root {
        fn new() -> Root {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            std::fs::create_dir_all(root.join("usr/lib64")).unwrap();
            std::fs::create_dir_all(root.join("usr/lib/x86_64-linux-gnu")).unwrap();
            symlink("usr/lib", root.join("lib")).unwrap();
            symlink("usr/lib64", root.join("lib64")).unwrap();
            symlink(
                "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                root.join("usr/lib64/ld-linux-x86-64.so.2"),
            )
            .unwrap();
            Root {
                dir,
                syscall: host(),
            }
        }

        /// The crafted loader and libc.
        fn with_libc() -> Root {
            let root = Root::new();
            root.write(
                &format!("{LIBDIR}/ld-linux-x86-64.so.2"),
                &elf(&Spec {
                    soname: Some("ld-linux-x86-64.so.2"),
                    ..Spec::default()
                }),
            );
            root.write(
                &format!("{LIBDIR}/libc.so.6"),
                &elf(&Spec {
                    soname: Some("libc.so.6"),
                    needed: &["ld-linux-x86-64.so.2"],
                    ..Spec::default()
                }),
            );
            root
        }

        fn path(&self, path: &str) -> std::path::PathBuf {
            self.dir.path().join(path.trim_start_matches('/'))
        }

        fn write(&self, path: &str, bytes: &[u8]) {
            let path = self.path(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }

        fn link(&self, target: &str, path: &str) {
            let path = self.path(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            symlink(target, path).unwrap();
        }

        fn program(&self, path: &str, needed: &[&str], runpath: Option<&str>) {
            self.write(
                path,
                &elf(&Spec {
                    interp: Some(INTERP),
                    needed,
                    runpath,
                    ..Spec::default()
                }),
            );
        }

        fn libraries(&self, program: &str) -> Option<Vec<(String, String)>> {
            let view = View::plain(self.dir.path().to_path_buf(), self.syscall.as_ref());
            shared_libraries(&view, program)
                .unwrap()
                .map(|files| files.into_iter().map(|f| (f.dest, f.source)).collect())
        }
    }

    fn pairs(expected: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
        Some(
            expected
                .iter()
                .map(|(d, s)| (d.to_string(), s.to_string()))
                .collect(),
        )
    }

    #[test]
    fn interpreter_and_libraries_transitively_with_origin_and_class() {
        let root = Root::with_libc();
        root.program(
            "/app/bin/server",
            &["libfoo.so.1", "libbar.so.1"],
            Some("$ORIGIN/../lib"),
        );
        root.write(
            "/app/lib/libfoo.so.1.2.3",
            &elf(&Spec {
                soname: Some("libfoo.so.1"),
                needed: &["libc.so.6"],
                ..Spec::default()
            }),
        );
        root.link("libfoo.so.1.2.3", "/app/lib/libfoo.so.1");
        // Found first, but of another machine: the loader skips it.
        root.write(
            "/app/lib/libbar.so.1",
            &elf(&Spec {
                machine: EM_AARCH64,
                soname: Some("libbar.so.1"),
                ..Spec::default()
            }),
        );
        root.write(
            &format!("{LIBDIR}/libbar.so.1"),
            &elf(&Spec {
                soname: Some("libbar.so.1"),
                needed: &["libc.so.6"],
                ..Spec::default()
            }),
        );
        // libc's own need of the loader is met by the loader's soname: no second copy.
        assert_eq!(
            root.libraries("/app/bin/server"),
            pairs(&[
                ("/app/lib/libfoo.so.1", "/app/lib/libfoo.so.1.2.3"),
                (INTERP, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
                (
                    "/usr/lib/x86_64-linux-gnu/libbar.so.1",
                    "/usr/lib/x86_64-linux-gnu/libbar.so.1"
                ),
                (
                    "/usr/lib/x86_64-linux-gnu/libc.so.6",
                    "/usr/lib/x86_64-linux-gnu/libc.so.6"
                ),
            ])
        );
        // Through a link to the program, $ORIGIN is still the program's real directory.
        root.link("/app/bin/server", "/usr/bin/server");
        assert_eq!(
            root.libraries("/usr/bin/server"),
            root.libraries("/app/bin/server")
        );
    }

    #[test]
    fn rpath_is_inherited_unless_the_library_has_a_runpath() {
        for (runpath, found) in [(None, true), (Some("/nowhere"), false)] {
            let root = Root::with_libc();
            root.write(
                "/app/prog",
                &elf(&Spec {
                    interp: Some(INTERP),
                    needed: &["liba.so"],
                    rpath: Some("/opt/a:/opt/b"),
                    ..Spec::default()
                }),
            );
            root.write(
                "/opt/a/liba.so",
                &elf(&Spec {
                    soname: Some("liba.so"),
                    needed: &["libb.so"],
                    runpath,
                    ..Spec::default()
                }),
            );
            root.write(
                "/opt/b/libb.so",
                &elf(&Spec {
                    soname: Some("libb.so"),
                    ..Spec::default()
                }),
            );
            let got = root.libraries("/app/prog");
            assert_eq!(got.is_some(), found, "{runpath:?}: {got:?}");
        }
    }

    #[test]
    fn ld_so_conf_directories_need_the_cache() {
        let root = Root::with_libc();
        root.write("/etc/ld.so.conf", b"include /etc/ld.so.conf.d/*.conf\n");
        root.write(
            "/etc/ld.so.conf.d/libc.conf",
            b"# multiarch\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n",
        );
        root.write("/etc/ld.so.conf.d/local.conf", b"/usr/local/lib  # ours\n");
        root.write("/etc/ld.so.conf.d/.hidden.conf", b"/hidden\n");
        root.program("/app/plain", &["libc.so.6"], None);
        root.program("/app/local", &["libz.so.1"], None);
        root.write(
            "/usr/local/lib/libz.so.1",
            &elf(&Spec {
                soname: Some("libz.so.1"),
                ..Spec::default()
            }),
        );
        let plain = pairs(&[
            (INTERP, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
            (
                "/usr/lib/x86_64-linux-gnu/libc.so.6",
                "/usr/lib/x86_64-linux-gnu/libc.so.6",
            ),
        ]);
        // A listed directory that is also a default one needs no cache.
        assert_eq!(root.libraries("/app/plain"), plain);
        // Without a cache the loader cannot find /usr/local/lib.
        assert_eq!(root.libraries("/app/local"), None);
        root.write("/etc/ld.so.cache.real", b"cache");
        root.link("ld.so.cache.real", "/etc/ld.so.cache");
        assert_eq!(
            root.libraries("/app/local"),
            pairs(&[
                ("/etc/ld.so.cache", "/etc/ld.so.cache.real"),
                (INTERP, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
                ("/usr/local/lib/libz.so.1", "/usr/local/lib/libz.so.1"),
            ])
        );
        // A hidden file is not matched by `*.conf`.
        root.program("/app/hidden", &["libh.so"], None);
        root.write("/hidden/libh.so", &elf(&Spec::default()));
        assert_eq!(root.libraries("/app/hidden"), None);
    }

    #[test]
    fn static_programs_scripts_and_what_cannot_start() {
        let root = Root::with_libc();
        root.write("/bin/static", &elf(&Spec::default()));
        assert_eq!(root.libraries("/bin/static"), Some(vec![]));
        root.write("/bin/script", b"#!/bin/sh\necho hi\n");
        assert_eq!(root.libraries("/bin/script"), None);
        assert_eq!(root.libraries("/bin/missing"), None);
        root.program("/bin/needs", &["libmissing.so.1"], None);
        assert_eq!(root.libraries("/bin/needs"), None);
        // A library that is not an ELF object stops the loader.
        root.program("/bin/broken", &["libbroken.so"], None);
        root.write(&format!("{LIBDIR}/libbroken.so"), b"INPUT(libc.so.6)\n");
        assert_eq!(root.libraries("/bin/broken"), None);
        // A missing interpreter.
        root.write(
            "/bin/elsewhere",
            &elf(&Spec {
                interp: Some("/lib/ld-musl-x86_64.so.1"),
                needed: &["libc.so"],
                ..Spec::default()
            }),
        );
        assert_eq!(root.libraries("/bin/elsewhere"), None);
        // Truncated and looping files are not programs, and nothing panics.
        let whole = elf(&Spec {
            interp: Some(INTERP),
            needed: &["libc.so.6"],
            ..Spec::default()
        });
        for len in [0, 4, 20, 63, 64, 100, 130, whole.len() - 1] {
            root.write("/bin/cut", &whole[..len]);
            let _ = root.libraries("/bin/cut");
        }
        root.link("loop", "/bin/loop");
        assert_eq!(root.libraries("/bin/loop"), None);
    }

    #[test]
    fn names_with_a_slash_are_paths() {
        let root = Root::with_libc();
        root.program("/app/prog", &["/opt/libx.so"], None);
        assert_eq!(root.libraries("/app/prog"), None);
        root.write("/opt/libx.so", &elf(&Spec::default()));
        assert_eq!(
            root.libraries("/app/prog"),
            pairs(&[
                (INTERP, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
                ("/opt/libx.so", "/opt/libx.so"),
            ])
        );
    }

    #[test]
    fn search_order() {
        let object = Object {
            class: Class {
                is_64: true,
                little_endian: true,
                machine: EM_AARCH64,
            },
            e_type: header::ET_DYN,
            origin: "/app/lib".to_string(),
            interpreter: None,
            soname: None,
            needed: vec![],
            rpath: vec!["/ignored".to_string()],
            runpath: vec!["${ORIGIN}/plugins:relative::$LIB/x:/opt".to_string()],
        };
        let conf = vec![("/usr/local/lib".to_string(), Via::Cache)];
        let dirs = search_dirs(
            &object,
            &["/chain".to_string()],
            &conf,
            &object.class.default_dirs(),
        );
        let names: Vec<&str> = dirs.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(
            names,
            [
                "/app/lib/plugins",
                "/opt",
                "/usr/local/lib",
                "/lib/aarch64-linux-gnu",
                "/usr/lib/aarch64-linux-gnu",
                "/lib",
                "/usr/lib",
                "/lib64",
                "/usr/lib64",
            ]
        );
    }

    /// The host's `ls` (Debian 12 x86_64 here and in CI) with the host's real loader and
    /// libraries, copied into a merged-/usr root the way Debian lays them out.
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    #[test]
    fn host_ls_with_its_real_libraries() {
        let host_dir = std::path::Path::new(LIBDIR);
        let root = Root::new();
        let ls = std::fs::read("/bin/ls").unwrap();
        root.write("/usr/bin/ls", &ls);
        // Install what `ls` needs from the host, transitively, each as its real file plus
        // the soname link when the host has one.
        let mut expected = BTreeSet::new();
        let mut pending: Vec<String> = Elf::parse(&ls)
            .unwrap()
            .libraries
            .iter()
            .map(|s| s.to_string())
            .collect();
        pending.push("ld-linux-x86-64.so.2".to_string());
        let mut done = HashSet::new();
        while let Some(name) = pending.pop() {
            if !done.insert(name.clone()) {
                continue;
            }
            let real = std::fs::canonicalize(host_dir.join(&name)).unwrap();
            let real_name = real.file_name().unwrap().to_str().unwrap().to_string();
            let bytes = std::fs::read(&real).unwrap();
            root.write(&format!("{LIBDIR}/{real_name}"), &bytes);
            if real_name != name {
                root.link(&real_name, &format!("{LIBDIR}/{name}"));
            }
            if name != "ld-linux-x86-64.so.2" {
                expected.insert((format!("{LIBDIR}/{name}"), format!("{LIBDIR}/{real_name}")));
            } else {
                expected.insert((INTERP.to_string(), format!("{LIBDIR}/{real_name}")));
            }
            pending.extend(
                Elf::parse(&bytes)
                    .unwrap()
                    .libraries
                    .iter()
                    .map(|s| s.to_string()),
            );
        }
        let got = root.libraries("/usr/bin/ls").unwrap();
        assert!(got.contains(&(
            "/usr/lib/x86_64-linux-gnu/libc.so.6".to_string(),
            "/usr/lib/x86_64-linux-gnu/libc.so.6".to_string()
        )));
        assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), expected);
    }
}
