//! COPY and ADD with Docker's rules: sources are paths or globs in the context (after
//! `.dockerignore`), in another stage or image (`--from`), or heredocs; a directory source
//! copies its contents; several sources need a directory destination ending in `/`; a file
//! lands in the destination directory when it is one. Context files become root's unless
//! `--chown`; files from stages keep their owners. ADD also extracts local tar archives
//! (plain, gzip, bzip2, xz or zstd), refusing entries that would leave the destination,
//! downloads URLs (`--checksum` verified) and checks out git repositories. `--parents`
//! keeps sources' paths; `--link` writes the layer without reading the image below (no
//! directories copied up, no links followed in the destination path).

use super::{Run, instruction_text};
use crate::build::BuildError;
use crate::build::archive;
use crate::build::cache;
use crate::build::chmod::Chmod;
use crate::build::context::{Entry, entries_digest};
use crate::build::remote::{self, Checksum, Download, GitRef, RemoteKind};
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
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

enum Origin {
    Context,
    /// Another stage or image; its cache key identifies its content.
    Stage(crate::digest::Digest),
    Heredoc(Vec<u8>),
    /// A file over HTTP(S), downloaded before the cache key unless `--checksum` names it.
    Url {
        url: String,
        checksum: Option<Checksum>,
        download: Option<Download>,
    },
    /// A git repository at a resolved commit.
    Git {
        git: GitRef,
        commit: String,
    },
}

struct Item {
    /// The source as written (for messages and cache keys).
    arg: String,
    /// File name used when the destination is a directory (with `--parents`, the path
    /// below the context root or the `/./` pivot).
    name: String,
    /// The source itself first (empty `rel`), then what is below it.
    entries: Vec<Entry>,
    origin: Origin,
}

/// A boolean flag: `--parents`, `--parents=true`, `--parents=false`.
fn bool_flag(scope: &Scope<'_>, instruction: &Instruction, name: &str) -> Result<bool, BuildError> {
    if instruction.flag(name).is_none() {
        return Ok(false);
    }
    match scope.flag(instruction, name).as_deref() {
        None | Some("true") | Some("") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(BuildError::Invalid(format!(
            "--{name}={other}: expected true or false"
        ))),
    }
}

/// With `--parents`, the part of a source's path kept below the destination: the path
/// from the context (or stage) root, or from the last `/./` of the source as written.
fn parents_name(word: &str, rel: &str) -> String {
    let rel = rel.trim_start_matches('/');
    let Some(at) = word.rfind("/./") else {
        return rel.to_string();
    };
    let pivot: Vec<&str> = word[..at]
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let pivot = pivot.join("/");
    if pivot.is_empty() {
        return rel.to_string();
    }
    rel.strip_prefix(&pivot)
        .and_then(|r| r.strip_prefix('/'))
        .map_or_else(|| rel.to_string(), str::to_string)
}

/// Every entry at and below a resolved path of a view.
pub(super) fn view_entries(view: &View<'_>, path: &str) -> Result<Vec<Entry>, BuildError> {
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

pub fn execute(
    run: &mut Run<'_>,
    state: &mut StageState,
    df: &Dockerfile,
    instruction: &Instruction,
) -> Result<(), BuildError> {
    let add = instruction.keyword == Keyword::Add;
    let keyword = instruction.keyword.as_str();
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
        .map(|m| Chmod::parse(&m))
        .transpose()?;
    let excludes = scope.flags(instruction, "exclude");
    let extract = !matches!(scope.flag(instruction, "unpack").as_deref(), Some("false"));
    let parents = bool_flag(&scope, instruction, "parents")?;
    let link = bool_flag(&scope, instruction, "link")?;
    let keep_git_dir = bool_flag(&scope, instruction, "keep-git-dir")?;
    let checksum = scope.flag(instruction, "checksum");
    if !add {
        for only_add in ["checksum", "keep-git-dir", "unpack"] {
            if instruction.flag(only_add).is_some() {
                return Err(BuildError::Invalid(format!(
                    "--{only_add} is a flag of ADD, not COPY"
                )));
            }
        }
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
    let dest_says_dir = dest.ends_with('/') || dest == "." || dest.ends_with("/.") || parents;
    let exclude = (!excludes.is_empty()).then(|| DockerIgnore::parse(&excludes.join("\n")));
    if checksum.is_some() && words.iter().any(|w| remote::classify(w).is_none()) {
        return Err(BuildError::Invalid(
            "ADD --checksum applies to a URL or a git repository source only".into(),
        ));
    }
    if keep_git_dir && !words.iter().any(|w| remote::GitRef::parse(w).is_some()) {
        return Err(BuildError::Invalid(
            "ADD --keep-git-dir applies to a git repository source only".into(),
        ));
    }
    // Downloads and clones live here until the layer is written.
    let fetched = run.store.temp_dir("add-")?;

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
        if let Some(kind) = remote::classify(word) {
            if !add {
                return Err(BuildError::Invalid(format!(
                    "COPY {word}: COPY takes no URLs (ADD does)"
                )));
            }
            if from.is_some() {
                return Err(BuildError::Invalid(format!(
                    "ADD {word}: --from cannot be used with a URL or git source"
                )));
            }
            let origin = match kind {
                RemoteKind::File => {
                    let checksum = checksum.as_deref().map(Checksum::parse).transpose()?;
                    // Without a checksum the content is only known by downloading it.
                    let download = match &checksum {
                        Some(_) => None,
                        None => Some(remote::download(word, fetched.path(), None)?),
                    };
                    Origin::Url {
                        url: word.clone(),
                        checksum,
                        download,
                    }
                }
                RemoteKind::Git(git) => {
                    let commit = remote::resolve_commit(&git)?;
                    if let Some(sum) = &checksum {
                        remote::verify_commit(&git, sum, &commit)?;
                    }
                    Origin::Git { git, commit }
                }
            };
            items.push(Item {
                arg: word.clone(),
                name: remote::file_name(word),
                entries: Vec::new(),
                origin,
            });
            continue;
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
                        name: if parents {
                            parents_name(word, &path)
                        } else {
                            base_name(&path)
                        },
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
                        name: if parents {
                            parents_name(word, &source.rel)
                        } else {
                            base_name(&source.rel)
                        },
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
    material.field(
        format!("{chmod:?}{extract}{parents}{link}{keep_git_dir}{dest_abs}{workdir}").as_bytes(),
    );
    for word in &words {
        material.field(word.as_bytes());
    }
    let mut context_entries = Vec::new();
    for item in &items {
        material.field(item.arg.as_bytes());
        material.field(item.name.as_bytes());
        match &item.origin {
            Origin::Context => context_entries.push((item.name.clone(), item.entries.clone())),
            Origin::Stage(key) => {
                material.field(key.hex().as_bytes());
                for e in &item.entries {
                    material.field(e.rel.as_os_str().as_bytes());
                }
            }
            Origin::Heredoc(content) => material.field(content),
            Origin::Url {
                checksum: Some(sum),
                ..
            } => material.field(sum.to_string().as_bytes()),
            Origin::Url {
                download: Some(d), ..
            } => material.field(format!("{}{:?}", d.digest, d.mtime).as_bytes()),
            Origin::Url { .. } => {}
            Origin::Git { commit, .. } => material.field(commit.as_bytes()),
        }
    }
    material.field(
        entries_digest(&context_entries, &mut run.hashes)?
            .hex()
            .as_bytes(),
    );
    let material = material.finish();
    let text = instruction_text(df, instruction);

    let step_material = material.clone();
    run.layer_step(state, step_material.hex().as_bytes(), move |run, state| {
        let lower = state.lower_dirs(run.store, run.syscall)?;
        let image = View::new(lower.clone(), run.syscall);
        let chown_ids = match &chown {
            Some(spec) => Some(resolve_chown(&image, spec)?),
            None => None,
        };
        let work = run.store.temp_dir("copy-")?;
        let fs = work.path().join("fs");
        std::fs::create_dir(&fs).map_err(BuildError::io(&fs))?;
        // With --link the layer is made as if on an empty image: nothing copied up, no
        // links of the image followed. Whether the destination is a directory is still
        // read from the image, so a file never replaces one of its directories.
        let dest_is_dir = dest_says_dir
            || image
                .stat(&dest_abs)
                .map_err(BuildError::io(&fs))?
                .is_some_and(|f| f.stat.kind == FileKind::Dir);
        // A --link layer depends on the step and the two facts read from the image
        // above, not on the layers below: when only earlier steps changed, the layer
        // made before is used again.
        let link_key = link.then(|| {
            let mut h = Hasher::default();
            h.field(b"link");
            h.field(material.hex().as_bytes());
            h.field(format!("{dest_is_dir}{chown_ids:?}").as_bytes());
            h.field(
                format!(
                    "{:?}{:?}",
                    run.options.source_date_epoch, run.options.compression
                )
                .as_bytes(),
            );
            h.finish()
        });
        if let Some(key) = &link_key
            && !run.options.no_cache
            && let Some(layer) = cache::get_link(run.store, key)
        {
            state.push_cached_layer(layer, run.history(&text, false));
            run.hit = true;
            return Ok(());
        }
        let tree = Tree::new(
            fs.clone(),
            if link { Vec::new() } else { lower },
            run.syscall,
        );
        let top = Attrs {
            uid: chown_ids.map_or(0, |c| c.0),
            gid: chown_ids.map_or(0, |c| c.1),
            mode: 0o755,
            mtime: None,
        };
        let into = |name: &str| -> Result<String, BuildError> {
            Ok(if dest_is_dir {
                tree.ensure_dir(&dest_abs, top)?;
                format!("{}/{name}", dest_abs.trim_end_matches('/'))
            } else {
                dest_abs.clone()
            })
        };
        for (index, mut item) in items.into_iter().enumerate() {
            let owner = match item.origin {
                Origin::Stage(_) => chown_ids,
                _ => Some(chown_ids.unwrap_or((0, 0))),
            };
            let mut mtime = None;
            match &mut item.origin {
                Origin::Heredoc(content) => {
                    let (uid, gid) = owner.unwrap_or((0, 0));
                    let attrs = Attrs {
                        uid,
                        gid,
                        mode: chmod.as_ref().map_or(0o644, |c| c.apply(0o644, false)),
                        mtime: None,
                    };
                    tree.write_file(content, &into(&item.name)?, attrs)?;
                    continue;
                }
                Origin::Url {
                    url,
                    checksum,
                    download,
                } => {
                    let got = match download.take() {
                        Some(d) => d,
                        None => remote::download(url, fetched.path(), checksum.as_ref())?,
                    };
                    let mut stat = run
                        .syscall
                        .lstat(&got.path)
                        .map_err(BuildError::io(&got.path))?;
                    // Downloads are private to their owner, as in Docker.
                    stat.mode = 0o600;
                    mtime = got.mtime;
                    item.entries = vec![Entry {
                        rel: PathBuf::new(),
                        real: got.path,
                        stat,
                    }];
                }
                Origin::Git { git, commit } => {
                    let dir = fetched.path().join(format!("git-{index}"));
                    let commit_time = remote::clone(git, commit, &dir, keep_git_dir)?;
                    let tree_view = View::plain(dir, run.syscall);
                    let root = git.subdir.as_deref().unwrap_or("/");
                    item.entries = view_entries(&tree_view, &format!("/{root}"))?;
                    mtime = Some(commit_time);
                }
                Origin::Context | Origin::Stage(_) => {}
            }
            let root = &item.entries[0];
            let archive = if add
                && extract
                && matches!(item.origin, Origin::Context)
                && root.stat.kind == FileKind::File
            {
                archive::sniff(&root.real)?
            } else {
                None
            };
            if let Some(compression) = archive {
                let staging = work.path().join(format!("archive-{index}"));
                std::fs::create_dir(&staging).map_err(BuildError::io(&staging))?;
                let reader = archive::open(&root.real, compression)?;
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
                let base = if parents {
                    format!("{}/{}", dest_abs.trim_end_matches('/'), item.name)
                } else {
                    dest_abs.clone()
                };
                tree.ensure_dir(&base, top)?;
                for entry in &entries[1..] {
                    let target = format!("{}/{}", base.trim_end_matches('/'), entry.rel.display());
                    copy_entry(&tree, entry, &target, keep_owners, chmod.as_ref(), None)?;
                }
                continue;
            }
            if root.stat.kind == FileKind::Dir {
                // A directory's contents go into the destination (with --parents, into
                // its path below the destination).
                let base = if parents {
                    format!("{}/{}", dest_abs.trim_end_matches('/'), item.name)
                } else {
                    dest_abs.clone()
                };
                tree.ensure_dir(&base, top)?;
                if parents {
                    copy_entry(&tree, root, &base, owner, chmod.as_ref(), mtime)?;
                }
                for entry in &item.entries[1..] {
                    let target = format!("{}/{}", base.trim_end_matches('/'), entry.rel.display());
                    copy_entry(&tree, entry, &target, owner, chmod.as_ref(), mtime)?;
                }
            } else {
                let target = into(&item.name)?;
                copy_entry(&tree, root, &target, owner, chmod.as_ref(), mtime)?;
            }
        }
        let before = state.image.layers.len();
        run.commit_layer(state, &fs, &text, false)?;
        if let Some(key) = &link_key
            && state.image.layers.len() > before
            && let Some(layer) = state.image.layers.last()
        {
            cache::put_link(run.store, key, layer)?;
        }
        Ok(())
    })
}

fn copy_entry(
    tree: &Tree<'_>,
    entry: &Entry,
    target: &str,
    owner: Option<(u32, u32)>,
    chmod: Option<&Chmod>,
    mtime: Option<i64>,
) -> Result<(), BuildError> {
    let is_dir = entry.stat.kind == FileKind::Dir;
    let mut attrs = attrs_of(
        &entry.stat,
        owner,
        chmod.map(|c| c.apply(entry.stat.mode, is_dir)),
    );
    if mtime.is_some() {
        attrs.mtime = mtime;
    }
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
