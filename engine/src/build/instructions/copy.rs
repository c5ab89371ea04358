//! COPY and ADD with Docker's rules: sources are paths or globs in the context (after
//! `.dockerignore`), in another stage or image (`--from`), or heredocs; a directory source
//! copies its contents; several sources need a directory destination ending in `/`; a file
//! lands in the destination directory when it is one. Context files become root's unless
//! `--chown`; files from stages keep their owners. ADD also extracts local tar archives
//! (plain or gzip), refusing entries that would leave the destination.

use super::{Run, instruction_text};
use crate::build::BuildError;
use crate::build::context::{Entry, entries_digest};
use crate::build::scope::Scope;
use crate::build::state::StageState;
use crate::build::tree::{Attrs, Tree, attrs_of};
use crate::build::user::resolve_chown;
use crate::digest::Hasher;
use crate::fs::{View, glob, normalize_absolute};
use crate::layer::{UnpackOptions, unpack};
use crate::syscall::FileKind;
use plimsoll_analyzer::dockerignore::DockerIgnore;
use plimsoll_analyzer::{Dockerfile, Instruction, Keyword};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

enum Origin {
    Context,
    /// Another stage or image; its cache key identifies its content.
    Stage(crate::digest::Digest),
    Heredoc(Vec<u8>),
}

struct Item {
    /// The source as written (for messages and cache keys).
    arg: String,
    /// File name used when the destination is a directory.
    name: String,
    /// The source itself first (empty `rel`), then what is below it.
    entries: Vec<Entry>,
    origin: Origin,
}

/// `--chmod=755` (octal only).
fn parse_chmod(text: &str) -> Result<u32, BuildError> {
    u32::from_str_radix(text, 8)
        .ok()
        .filter(|m| *m <= 0o7777)
        .ok_or_else(|| {
            BuildError::Invalid(format!(
                "--chmod={text}: expected an octal mode such as 755"
            ))
        })
}

fn is_url(text: &str) -> bool {
    text.starts_with("http://") || text.starts_with("https://") || text.starts_with("git@")
}

/// Every entry at and below a resolved path of a view.
fn view_entries(view: &View<'_>, path: &str) -> Result<Vec<Entry>, BuildError> {
    let resolved = view.resolve(path, true).map_err(BuildError::io(path))?;
    let Some(found) = view.lookup(&resolved).map_err(BuildError::io(path))? else {
        return Err(BuildError::Invalid(format!("`{path}` does not exist")));
    };
    let mut out = vec![Entry {
        rel: PathBuf::new(),
        real: found.real,
        stat: found.stat,
    }];
    if found.stat.kind == FileKind::Dir {
        walk_view(view, &resolved, Path::new(""), &mut out)?;
    }
    Ok(out)
}

fn walk_view(
    view: &View<'_>,
    dir: &str,
    rel: &Path,
    out: &mut Vec<Entry>,
) -> Result<(), BuildError> {
    for (name, found) in view.read_dir(dir).map_err(BuildError::io(dir))? {
        let child = format!("{}/{}", dir.trim_end_matches('/'), name.to_string_lossy());
        let child_rel = rel.join(&name);
        let is_dir = found.stat.kind == FileKind::Dir;
        out.push(Entry {
            rel: child_rel.clone(),
            real: found.real,
            stat: found.stat,
        });
        if is_dir {
            walk_view(view, &child, &child_rel, out)?;
        }
    }
    Ok(())
}

/// Globs in a stage: expands one component at a time.
fn view_glob(view: &View<'_>, pattern: &str) -> Result<Vec<String>, BuildError> {
    let mut candidates = vec![String::from("/")];
    for part in pattern.split('/').filter(|p| !p.is_empty() && *p != ".") {
        let mut next = Vec::new();
        for c in &candidates {
            let base = c.trim_end_matches('/');
            if glob::is_pattern(part) {
                let dir = view.resolve(c, true).map_err(BuildError::io(c))?;
                if view
                    .lookup(&dir)
                    .map_err(BuildError::io(c))?
                    .is_some_and(|f| f.stat.kind == FileKind::Dir)
                {
                    for (name, _) in view.read_dir(&dir).map_err(BuildError::io(c))? {
                        if glob::matches(part, &name.to_string_lossy()) {
                            next.push(format!("{base}/{}", name.to_string_lossy()));
                        }
                    }
                }
            } else {
                next.push(format!("{base}/{part}"));
            }
        }
        candidates = next;
    }
    Ok(candidates)
}

fn base_name(path: &str) -> String {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string()
}

/// What kind of archive a file is, if ADD should extract it.
enum Archive {
    Tar,
    TarGz,
}

fn sniff_archive(path: &Path) -> Result<Option<Archive>, BuildError> {
    let mut head = [0u8; 512];
    let mut file = std::fs::File::open(path).map_err(BuildError::io(path))?;
    let n = read_full(&mut file, &mut head).map_err(BuildError::io(path))?;
    let is_tar = |h: &[u8]| h.len() >= 262 && &h[257..262] == b"ustar";
    if head[..n].starts_with(&[0x1f, 0x8b]) {
        let mut decoder =
            flate2::read::GzDecoder::new(std::fs::File::open(path).map_err(BuildError::io(path))?);
        let mut inner = [0u8; 512];
        let m = read_full(&mut decoder, &mut inner).unwrap_or(0);
        return Ok(is_tar(&inner[..m]).then_some(Archive::TarGz));
    }
    let compressed = head[..n].starts_with(b"BZh")
        || head[..n].starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0])
        || head[..n].starts_with(&[0x28, 0xb5, 0x2f, 0xfd]);
    if compressed {
        return Err(BuildError::Invalid(format!(
            "{}: ADD extracts tar and tar.gz archives; bzip2, xz and zstd are not supported yet",
            path.display()
        )));
    }
    Ok(is_tar(&head[..n]).then_some(Archive::Tar))
}

fn read_full(reader: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

pub fn execute(
    run: &mut Run<'_>,
    state: &mut StageState,
    df: &Dockerfile,
    instruction: &Instruction,
) -> Result<(), BuildError> {
    let add = instruction.keyword == Keyword::Add;
    let keyword = instruction.keyword.as_str();
    for unsupported in ["parents", "keep-git-dir"] {
        if instruction.flag(unsupported).is_some() {
            return Err(BuildError::Invalid(format!(
                "{keyword} --{unsupported} is not supported yet"
            )));
        }
    }
    let config = state.image.config.clone();
    let scope = Scope {
        df,
        at: instruction.index,
        config: &config,
    };
    let from = scope.flag(instruction, "from");
    let chown = scope.flag(instruction, "chown");
    let chmod = scope
        .flag(instruction, "chmod")
        .map(|m| parse_chmod(&m))
        .transpose()?;
    let excludes = scope.flags(instruction, "exclude");
    let extract = !matches!(scope.flag(instruction, "unpack").as_deref(), Some("false"));
    if instruction.flag("checksum").is_some() {
        return Err(BuildError::Invalid(
            "ADD --checksum applies to URLs, and ADD from URLs is not supported yet".into(),
        ));
    }
    let mut words = scope.words(instruction);
    if words.len() < 2 {
        return Err(BuildError::Invalid(format!(
            "{keyword} needs at least one source and a destination"
        )));
    }
    let dest = words.pop().unwrap_or_default();
    let workdir = config.working_dir().unwrap_or_else(|| "/".into());
    let dest_abs = normalize_absolute(&workdir, &dest);
    let dest_says_dir = dest.ends_with('/') || dest == "." || dest.ends_with("/.");
    let exclude = (!excludes.is_empty()).then(|| DockerIgnore::parse(&excludes.join("\n")));

    // Gather the sources.
    let mut items: Vec<Item> = Vec::new();
    let source_state = match &from {
        Some(value) => Some(run.stage_or_image(df, instruction.index, &config, value)?),
        None => None,
    };
    let mut source_view_dirs = None;
    if let Some(mut source) = source_state {
        source_view_dirs = Some((
            source.lower_dirs(run.store, run.syscall)?,
            source.key.clone(),
        ));
    }
    for word in &words {
        if let Some(heredoc) = heredoc_source(df, instruction, word) {
            items.push(Item {
                arg: word.clone(),
                name: heredoc.0.clone(),
                entries: Vec::new(),
                origin: Origin::Heredoc(heredoc.1.into_bytes()),
            });
            continue;
        }
        if is_url(word) {
            return Err(BuildError::Invalid(if add {
                format!("ADD {word}: adding from URLs and git repositories is not supported yet")
            } else {
                format!("COPY {word}: COPY takes no URLs (ADD does)")
            }));
        }
        match &source_view_dirs {
            Some((dirs, key)) => {
                let view = View::new(dirs.clone(), run.syscall);
                let absolute = normalize_absolute("/", word);
                let paths = if glob::is_pattern(word) {
                    view_glob(&view, &absolute)?
                } else {
                    vec![absolute.clone()]
                };
                let mut found = 0;
                for path in paths {
                    if view.stat(&path).map_err(BuildError::io(&path))?.is_none() {
                        continue;
                    }
                    found += 1;
                    items.push(Item {
                        arg: path.clone(),
                        name: base_name(&path),
                        entries: view_entries(&view, &path)?,
                        origin: Origin::Stage(key.clone()),
                    });
                }
                if found == 0 {
                    return Err(BuildError::Invalid(format!(
                        "`{word}` does not exist in {}",
                        from.as_deref().unwrap_or("the source")
                    )));
                }
            }
            None => {
                for source in run.context.sources(word, run.syscall)? {
                    let entries = run.context.walk(&source, run.syscall)?;
                    items.push(Item {
                        arg: word.clone(),
                        name: base_name(&source.rel),
                        entries,
                        origin: Origin::Context,
                    });
                }
            }
        }
    }
    if let Some(ignore) = &exclude {
        for item in &mut items {
            item.entries.retain(|e| {
                e.rel.as_os_str().is_empty() || !ignore.is_excluded(&e.rel.to_string_lossy())
            });
        }
    }
    if items.len() > 1 && !dest_says_dir {
        return Err(BuildError::Invalid(format!(
            "{keyword} with more than one source needs a directory destination ending in `/` (got `{dest}`)"
        )));
    }

    // The cache key: the instruction as expanded, and the content of its sources.
    let mut material = Hasher::default();
    material.field(instruction_text(df, instruction).as_bytes());
    for value in [&from, &chown].into_iter().flatten() {
        material.field(value.as_bytes());
    }
    material.field(format!("{chmod:?}{extract}{dest_abs}{workdir}").as_bytes());
    for word in &words {
        material.field(word.as_bytes());
    }
    let mut context_entries = Vec::new();
    for item in &items {
        material.field(item.arg.as_bytes());
        match &item.origin {
            Origin::Context => context_entries.push((item.name.clone(), item.entries.clone())),
            Origin::Stage(key) => {
                material.field(key.hex().as_bytes());
                for e in &item.entries {
                    material.field(e.rel.as_os_str().as_bytes());
                }
            }
            Origin::Heredoc(content) => material.field(content),
        }
    }
    material.field(
        entries_digest(&context_entries, &mut run.hashes)?
            .hex()
            .as_bytes(),
    );
    let material = material.finish();
    let text = instruction_text(df, instruction);

    run.layer_step(state, material.hex().as_bytes(), |run, state| {
        let lower = state.lower_dirs(run.store, run.syscall)?;
        let chown_ids = match &chown {
            Some(spec) => Some(resolve_chown(&View::new(lower.clone(), run.syscall), spec)?),
            None => None,
        };
        let work = run.store.temp_dir("copy-")?;
        let fs = work.path().join("fs");
        std::fs::create_dir(&fs).map_err(BuildError::io(&fs))?;
        let tree = Tree::new(fs.clone(), lower, run.syscall);
        let dest_is_dir = dest_says_dir || tree.is_dir(&dest_abs)?;
        let top = Attrs {
            uid: chown_ids.map_or(0, |c| c.0),
            gid: chown_ids.map_or(0, |c| c.1),
            mode: 0o755,
            mtime: None,
        };
        for (index, item) in items.iter().enumerate() {
            let owner = match item.origin {
                Origin::Stage(_) => chown_ids,
                _ => Some(chown_ids.unwrap_or((0, 0))),
            };
            if let Origin::Heredoc(content) = &item.origin {
                let target = if dest_is_dir {
                    tree.ensure_dir(&dest_abs, top)?;
                    format!("{}/{}", dest_abs.trim_end_matches('/'), item.name)
                } else {
                    dest_abs.clone()
                };
                let (uid, gid) = owner.unwrap_or((0, 0));
                let attrs = Attrs {
                    uid,
                    gid,
                    mode: chmod.unwrap_or(0o644),
                    mtime: None,
                };
                tree.write_file(content, &target, attrs)?;
                continue;
            }
            let root = &item.entries[0];
            let archive = if add
                && extract
                && matches!(item.origin, Origin::Context)
                && root.stat.kind == FileKind::File
            {
                sniff_archive(&root.real)?
            } else {
                None
            };
            if let Some(kind) = archive {
                let staging = work.path().join(format!("archive-{index}"));
                std::fs::create_dir(&staging).map_err(BuildError::io(&staging))?;
                let file = std::fs::File::open(&root.real).map_err(BuildError::io(&root.real))?;
                let reader: Box<dyn Read> = match kind {
                    Archive::Tar => Box::new(std::io::BufReader::new(file)),
                    Archive::TarGz => Box::new(flate2::read::MultiGzDecoder::new(
                        std::io::BufReader::new(file),
                    )),
                };
                let report = unpack(
                    reader,
                    &staging,
                    run.syscall,
                    &UnpackOptions { literal: true },
                )
                .map_err(|e| BuildError::Invalid(format!("ADD {}: {e}", item.arg)))?;
                let keep_owners = if report.privileged {
                    chown_ids
                } else {
                    Some(chown_ids.unwrap_or((0, 0)))
                };
                let staged = View::plain(staging.clone(), run.syscall);
                let entries = view_entries(&staged, "/")?;
                tree.ensure_dir(&dest_abs, top)?;
                for entry in &entries[1..] {
                    let target =
                        format!("{}/{}", dest_abs.trim_end_matches('/'), entry.rel.display());
                    copy_entry(&tree, entry, &target, keep_owners, chmod)?;
                }
                continue;
            }
            if root.stat.kind == FileKind::Dir {
                tree.ensure_dir(&dest_abs, top)?;
                for entry in &item.entries[1..] {
                    let target =
                        format!("{}/{}", dest_abs.trim_end_matches('/'), entry.rel.display());
                    copy_entry(&tree, entry, &target, owner, chmod)?;
                }
            } else {
                let target = if dest_is_dir {
                    tree.ensure_dir(&dest_abs, top)?;
                    format!("{}/{}", dest_abs.trim_end_matches('/'), item.name)
                } else {
                    dest_abs.clone()
                };
                copy_entry(&tree, root, &target, owner, chmod)?;
            }
        }
        run.commit_layer(state, &fs, &text, false)
    })
}

fn copy_entry(
    tree: &Tree<'_>,
    entry: &Entry,
    target: &str,
    owner: Option<(u32, u32)>,
    chmod: Option<u32>,
) -> Result<(), BuildError> {
    let attrs = attrs_of(&entry.stat, owner, chmod);
    match entry.stat.kind {
        FileKind::File => tree.copy_file(&entry.real, target, attrs),
        FileKind::Dir => tree.copy_dir(target, attrs),
        FileKind::Symlink => {
            let link = std::fs::read_link(&entry.real).map_err(BuildError::io(&entry.real))?;
            tree.symlink(
                &link,
                target,
                Attrs {
                    mode: 0o777,
                    ..attrs
                },
            )
        }
        // Devices, pipes and sockets are not copied (as in BuildKit's context transfer).
        _ => Ok(()),
    }
}

/// `<<EOF` (or `<<-EOF`) among COPY/ADD sources: the heredoc's name and content.
fn heredoc_source(
    df: &Dockerfile,
    instruction: &Instruction,
    word: &str,
) -> Option<(String, String)> {
    let name = word.strip_prefix("<<")?;
    let name = name.strip_prefix('-').unwrap_or(name);
    let name = name.trim_matches(|c| c == '"' || c == '\'');
    instruction
        .heredocs
        .iter()
        .find(|h| h.delimiter == name)
        .map(|h| (h.delimiter.clone(), h.content(&df.text)))
}
