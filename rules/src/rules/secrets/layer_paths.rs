//! Which paths the instructions of a stage add to the image and which a `RUN` deletes:
//! the bookkeeping behind `file-removed-in-later-layer` (PL306).

use super::options::{CURL_VALUE_LETTERS, option_value};
use super::sensitive_files::classify;
use crate::helpers::copy::{CopyArgs, Origin, has_glob, is_remote};
use plimsoll_analyzer::shell::Command;
use plimsoll_analyzer::{Base, Dockerfile, Instruction, Keyword, Span, Stage, Word};

/// What put a path into the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddedBy {
    Copy,
    Run,
}

/// A path an instruction added.
#[derive(Clone, Debug)]
pub struct Added {
    /// Absolute, normalised.
    pub path: String,
    /// The instruction filled this directory with content of unknown names (`COPY dir/ /x/`,
    /// `tar -x -C /x`): deleting its entries (`rm -rf /x/*`) deletes what it added.
    pub contents: bool,
    pub instruction: usize,
    /// How the message names the adding step (`COPY app.tgz`, `curl -o`).
    pub how: String,
    pub by: AddedBy,
    /// What kind of secret it is, when its name says so.
    pub secret: Option<&'static str>,
    /// A small text file (script, config, list): deleting it saves nothing worth reporting.
    pub small: bool,
}

/// An `rm` operand that deletes paths earlier instructions added.
pub struct Removal {
    pub word_text: String,
    pub span: Span,
    pub added: Vec<Added>,
}

/// The working directory and the added paths of a stage, instruction by instruction.
#[derive(Clone, Debug, Default)]
pub struct StageFiles {
    /// `None` when unknown (inherited from a base image).
    workdir: Option<String>,
    added: Vec<Added>,
}

/// Extensions of small text files: scripts, configs, lists.
const SMALL: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "ps1",
    "bat",
    "cmd",
    "py",
    "rb",
    "pl",
    "js",
    "mjs",
    "cjs",
    "ts",
    "txt",
    "md",
    "rst",
    "json",
    "yaml",
    "yml",
    "toml",
    "ini",
    "cfg",
    "conf",
    "config",
    "properties",
    "xml",
    "list",
    "repo",
    "sources",
    "lock",
    "sum",
    "mod",
    "gradle",
    "template",
    "tmpl",
    "tpl",
    "j2",
    "patch",
    "diff",
    "service",
    "html",
    "css",
    "env",
    "asc",
    "gpg",
    "crt",
    "pub",
];

/// Extensions of files that are big enough to matter even when written by a redirection.
const BIG: &[&str] = &[
    "tar", "gz", "tgz", "bz2", "tbz2", "xz", "txz", "zst", "zip", "7z", "deb", "rpm", "apk", "jar",
    "war", "ear", "whl", "egg", "gem", "iso", "img", "bin", "run", "so", "exe", "msi", "appimage",
];

/// Archives that `ADD` unpacks when they come from the context.
const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
];

/// The extension of a file name, also of a glob that ends in one (`environment.yml*`).
fn extension(name: &str) -> Option<String> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let base = base.trim_end_matches(['*', '?']);
    base.rsplit_once('.')
        .filter(|(stem, _)| !stem.is_empty())
        .map(|(_, ext)| ext.to_ascii_lowercase())
}

fn is_small(name: &str) -> bool {
    extension(name).is_some_and(|e| SMALL.contains(&e.as_str()))
}

fn is_big(name: &str) -> bool {
    extension(name).is_some_and(|e| BIG.contains(&e.as_str()))
}

/// Resolves `path` against `cwd` and normalises it (`.`, `..`, doubled and trailing `/`).
/// `None` for a relative path without a known directory, and for `~` paths.
pub fn absolute(path: &str, cwd: Option<&str>) -> Option<String> {
    if path.starts_with('~') || path.is_empty() {
        return None;
    }
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{path}", cwd?)
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

fn components(path: &str) -> Vec<&str> {
    path.split('/').filter(|p| !p.is_empty()).collect()
}

/// Shell glob match of one path component (`*` and `?`).
fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Whether deleting `removed` (absolute, maybe with globs) deletes what `added` added.
fn removes(removed: &str, added: &Added) -> bool {
    let r = components(removed);
    let a = components(&added.path);
    let prefix_matches = |n: usize| r[..n].iter().zip(&a[..n]).all(|(g, p)| glob_match(g, p));
    if r.len() <= a.len() && prefix_matches(r.len()) {
        return true;
    }
    added.contents && r.len() == a.len() + 1 && r.last() == Some(&"*") && prefix_matches(a.len())
}

/// The basename of a URL's path (`https://x/a/b.tgz?x=1` → `b.tgz`).
fn url_basename(url: &str) -> Option<&str> {
    let path = url.split(['?', '#']).next()?;
    let after_scheme = path.split_once("://").map_or(path, |(_, rest)| rest);
    let (_, tail) = after_scheme.split_once('/')?;
    let name = tail.rsplit('/').next()?;
    (!name.is_empty()).then_some(name)
}

fn is_url(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("ftp://")
}

/// Whether a boolean short or long option is present (also inside a group of short options
/// that ends before any value-taking letter).
fn has_flag(args: &[Word], short: char, long: &str, value_letters: &str) -> bool {
    args.iter().any(|w| {
        let t = w.text.as_str();
        if let Some(name) = t.strip_prefix("--") {
            return name == long;
        }
        t.strip_prefix('-').is_some_and(|letters| {
            letters
                .chars()
                .take_while(|c| !value_letters.contains(*c))
                .any(|c| c == short)
        })
    })
}

/// Short options of wget that take a value.
const WGET_VALUES: &str = "oaeOiBtTwQPUlAIDXRY";

impl StageFiles {
    /// A stage built `FROM scratch` starts in `/`.
    pub fn at_root() -> StageFiles {
        StageFiles {
            workdir: Some("/".into()),
            added: Vec::new(),
        }
    }

    fn expand(file: &Dockerfile, at: usize, text: &str) -> Option<String> {
        let expanded = file.expand(at, text);
        (expanded.unresolved.is_empty() && !expanded.text.contains(['$', '`']))
            .then_some(expanded.text)
    }

    /// Calls `each` with every command of a RUN and the directory it runs in (`cd` followed).
    fn walk<'a>(
        &self,
        file: &Dockerfile,
        instruction: &'a Instruction,
        mut each: impl FnMut(&'a Command, Option<&str>),
    ) {
        let mut cwd = self.workdir.clone();
        for command in instruction.commands() {
            if command.program() == Some("cd") {
                let target = command
                    .program_args()
                    .iter()
                    .find(|w| !w.text.starts_with('-'));
                cwd = match (target, command.nested) {
                    (Some(t), false) => Self::expand(file, instruction.index, &t.text)
                        .and_then(|t| absolute(&t, cwd.as_deref())),
                    _ => None,
                };
                continue;
            }
            each(command, cwd.as_deref());
        }
    }

    /// The operands of an `rm`, resolved; `None` for any other command.
    fn rm_operands<'a>(
        file: &Dockerfile,
        at: usize,
        command: &'a Command,
        cwd: Option<&str>,
    ) -> Option<Vec<(&'a Word, String)>> {
        if command.program() != Some("rm") {
            return None;
        }
        let mut operands = Vec::new();
        let mut options_done = false;
        for word in command.program_args() {
            if !options_done && word.text == "--" {
                options_done = true;
                continue;
            }
            if (!options_done && word.text.starts_with('-')) || word.text.contains('[') {
                continue;
            }
            if let Some(path) = Self::expand(file, at, &word.text).and_then(|p| absolute(&p, cwd)) {
                operands.push((word, path));
            }
        }
        Some(operands)
    }

    /// Deletes `path` from what earlier instructions added; returns the deleted paths worth
    /// reporting. Deleted paths are forgotten, so a second `rm` is not reported again.
    fn remove(&mut self, path: &str) -> Vec<Added> {
        let (hit, kept): (Vec<Added>, Vec<Added>) =
            self.added.drain(..).partition(|a| removes(path, a));
        self.added = kept;
        hit.into_iter()
            .filter(|a| a.secret.is_some() || !a.small)
            .collect()
    }

    /// Records what an instruction adds (and where WORKDIR moves to); for a RUN, returns
    /// its `rm` operands that delete what earlier instructions added.
    pub fn record(&mut self, file: &Dockerfile, instruction: &Instruction) -> Vec<Removal> {
        match instruction.keyword {
            Keyword::Workdir => {
                self.workdir = instruction.words.first().and_then(|w| {
                    Self::expand(file, instruction.index, &w.text)
                        .and_then(|p| absolute(&p, self.workdir.as_deref()))
                });
            }
            Keyword::Copy | Keyword::Add => self.record_copy(file, instruction),
            Keyword::Run => return self.record_run(file, instruction),
            _ => {}
        }
        Vec::new()
    }

    fn record_copy(&mut self, file: &Dockerfile, instruction: &Instruction) {
        let Some(copy) = CopyArgs::of(instruction) else {
            return;
        };
        let Some(dest_text) = Self::expand(file, instruction.index, &copy.dest.text) else {
            return;
        };
        let Some(dest) = absolute(&dest_text, self.workdir.as_deref()) else {
            return;
        };
        let into_dir = dest_text.ends_with('/') || copy.sources.len() + copy.heredoc_sources > 1;
        let keyword = instruction.keyword.as_str();
        let from = match copy.origin {
            Origin::From(stage) => format!(" --from={stage}"),
            Origin::Context => String::new(),
        };
        for source in &copy.sources {
            let Some(text) = Self::expand(file, instruction.index, &source.text) else {
                continue;
            };
            let remote = is_remote(&text);
            let lower = text.to_ascii_lowercase();
            let unpacked = instruction.keyword == Keyword::Add
                && !remote
                && ARCHIVES.iter().any(|a| lower.ends_with(a));
            let name = if remote {
                url_basename(&text).unwrap_or("")
            } else {
                text.trim_end_matches('/').rsplit('/').next().unwrap_or("")
            };
            let dir_like = name.is_empty()
                || name == "."
                || text.ends_with('/')
                || has_glob(name)
                || unpacked
                || (remote && lower.contains(".git"));
            let (path, contents) = if into_dir && !dir_like {
                (format!("{}/{name}", dest.trim_end_matches('/')), false)
            } else {
                (dest.clone(), dir_like)
            };
            let secret = classify(&text).or_else(|| classify(&path)).map(|s| s.what);
            let small = !name.is_empty() && name != "." && is_small(name) && !unpacked;
            self.added.push(Added {
                secret,
                small,
                how: format!("{keyword}{from} {}", source.text),
                path,
                contents,
                instruction: instruction.index,
                by: AddedBy::Copy,
            });
        }
    }

    fn record_run(&mut self, file: &Dockerfile, instruction: &Instruction) -> Vec<Removal> {
        // In command order: what this RUN writes and what it deletes.
        enum Event<'a> {
            Add(Added),
            Remove(&'a Word, String),
        }
        let mut events = Vec::new();
        let text = &file.text;
        self.walk(file, instruction, |command, cwd| {
            if let Some(operands) = Self::rm_operands(file, instruction.index, command, cwd) {
                events.extend(operands.into_iter().map(|(w, p)| Event::Remove(w, p)));
                return;
            }
            let mut push = |path: Option<String>, how: &str, contents: bool, small: bool| {
                if let Some(path) = path {
                    events.push(Event::Add(Added {
                        secret: classify(&path).map(|s| s.what),
                        small,
                        how: how.to_string(),
                        path,
                        contents,
                        instruction: instruction.index,
                        by: AddedBy::Run,
                    }));
                }
            };
            let resolve =
                |p: &str| Self::expand(file, instruction.index, p).and_then(|p| absolute(&p, cwd));
            let args = command.program_args();
            let urls = || args.iter().filter(|w| is_url(&w.text));
            match command.program() {
                Some("curl") => {
                    if let Some(out) = option_value(args, &['o'], &["output"], CURL_VALUE_LETTERS) {
                        if out != "-" {
                            push(
                                resolve(out),
                                &format!("curl -o {out}"),
                                false,
                                is_small(out),
                            );
                        }
                    } else if has_flag(args, 'O', "remote-name", CURL_VALUE_LETTERS)
                        && option_value(args, &[], &["output-dir"], CURL_VALUE_LETTERS).is_none()
                    {
                        for url in urls() {
                            if let Some(name) = url_basename(&url.text) {
                                push(
                                    resolve(name),
                                    &format!("curl -O …/{name}"),
                                    false,
                                    is_small(name),
                                );
                            }
                        }
                    }
                }
                Some("wget") => {
                    if let Some(out) = option_value(args, &['O'], &["output-document"], WGET_VALUES)
                    {
                        if out != "-" {
                            push(
                                resolve(out),
                                &format!("wget -O {out}"),
                                false,
                                is_small(out),
                            );
                        }
                    } else {
                        let prefix = option_value(args, &['P'], &["directory-prefix"], WGET_VALUES);
                        for url in urls() {
                            if let Some(name) = url_basename(&url.text) {
                                let path = match prefix {
                                    Some(dir) => resolve(&format!("{dir}/{name}")),
                                    None => resolve(name),
                                };
                                push(path, &format!("wget …/{name}"), false, is_small(name));
                            }
                        }
                    }
                }
                Some("git") => {
                    if let Some((url, dir)) = git_clone(args) {
                        let dir = dir.map(str::to_string).or_else(|| {
                            url_basename(url)
                                .or_else(|| url.rsplit([':', '/']).next())
                                .map(|n| n.trim_end_matches(".git").to_string())
                        });
                        if let Some(dir) = dir.filter(|d| !d.is_empty()) {
                            push(resolve(&dir), &format!("git clone … {dir}"), true, false);
                        }
                    }
                }
                Some("tar") if tar_extracts(args) => {
                    let dir = option_value(args, &['C'], &["directory"], "bCfFgIKLNTVX")
                        .map(str::to_string)
                        .or_else(|| cwd.map(str::to_string));
                    if let Some(dir) = dir {
                        push(resolve(&dir), &format!("tar -x -C {dir}"), true, false);
                    }
                }
                _ => {}
            }
            for target in &command.redirects {
                let before = text[..target.span.start].trim_end();
                let t = target.text.as_str();
                if !before.ends_with('>')
                    || before.ends_with(">&")
                    || t.starts_with("/dev/")
                    || t == "-"
                    || t.chars().all(|c| c.is_ascii_digit())
                {
                    continue;
                }
                // Redirections mostly write small files; only archives and binaries count.
                push(resolve(t), &format!("> {t}"), false, !is_big(t));
            }
        });
        let mut removals = Vec::new();
        let mut pending: Vec<Added> = Vec::new();
        for event in events {
            match event {
                Event::Add(added) => pending.push(added),
                Event::Remove(word, path) => {
                    // What this RUN wrote itself never reaches a layer once deleted.
                    pending.retain(|a| !removes(&path, a));
                    let added = self.remove(&path);
                    if !added.is_empty() {
                        removals.push(Removal {
                            word_text: word.text.clone(),
                            span: word.span,
                            added,
                        });
                    }
                }
            }
        }
        self.added.extend(pending);
        removals
    }
}

/// `git clone [options] URL [DIR]` → the URL and the directory, if given.
fn git_clone(args: &[Word]) -> Option<(&str, Option<&str>)> {
    const WITH_VALUE: &[&str] = &[
        "-b",
        "--branch",
        "--depth",
        "-o",
        "--origin",
        "-c",
        "--config",
        "--reference",
        "--reference-if-able",
        "--separate-git-dir",
        "-j",
        "--jobs",
        "--filter",
        "-u",
        "--upload-pack",
        "--template",
        "--shallow-since",
        "--shallow-exclude",
        "--server-option",
    ];
    let mut operands = Vec::new();
    let mut skip = false;
    for word in args {
        let t = word.text.as_str();
        if skip {
            skip = false;
            continue;
        }
        if t == "-C" {
            // Runs somewhere else: the directory is not known.
            return None;
        }
        if t.starts_with('-') {
            skip = !t.contains('=') && WITH_VALUE.contains(&t);
            continue;
        }
        operands.push(t);
    }
    match operands.as_slice() {
        ["clone", url] => Some((url, None)),
        ["clone", url, dir] => Some((url, Some(dir))),
        _ => None,
    }
}

/// Whether a tar command extracts (`tar -xzf`, `tar xzf`, `tar --extract`).
fn tar_extracts(args: &[Word]) -> bool {
    args.iter().enumerate().any(|(i, w)| {
        let t = w.text.as_str();
        t == "--extract"
            || t == "--get"
            || (t.starts_with('-') && !t.starts_with("--") && t.contains('x'))
            || (i == 0 && !t.starts_with('-') && t.contains('x'))
    })
}

/// Whether other stages use this stage only as a `COPY --from` (or `--mount=from=`) source:
/// it is not the last stage, no stage is built on it, and something copies from it.
pub fn consumed_only_by_copy(file: &Dockerfile, stage: &Stage) -> bool {
    if stage.index + 1 == file.stages.len() {
        return false;
    }
    if file
        .stages
        .iter()
        .any(|s| s.base == Base::Stage(stage.index))
    {
        return false;
    }
    let names_it = |reference: &str| {
        reference.parse::<usize>().ok() == Some(stage.index)
            || stage.key().as_deref() == Some(reference.to_ascii_lowercase().as_str())
    };
    file.instructions.iter().any(|i| {
        i.flags.iter().any(|f| {
            let value = f.value.as_deref().unwrap_or("");
            if f.name.eq_ignore_ascii_case("from") {
                return names_it(value);
            }
            f.name.eq_ignore_ascii_case("mount")
                && value
                    .split(',')
                    .filter_map(|kv| kv.strip_prefix("from="))
                    .any(names_it)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_prefixes() {
        let added = |path: &str, contents: bool| Added {
            path: path.into(),
            contents,
            instruction: 0,
            how: String::new(),
            by: AddedBy::Copy,
            secret: None,
            small: false,
        };
        assert!(removes("/tmp/app.tgz", &added("/tmp/app.tgz", false)));
        assert!(removes("/tmp", &added("/tmp/app.tgz", false)));
        assert!(removes("/tmp/*", &added("/tmp/app.tgz", false)));
        assert!(removes("/tmp/*.tgz", &added("/tmp/app.tgz", false)));
        assert!(!removes("/tmp/*.zip", &added("/tmp/app.tgz", false)));
        assert!(!removes("/tmp/app.tgz/x", &added("/tmp/app.tgz", false)));
        assert!(removes("/build/*", &added("/build", true)));
        assert!(!removes("/build/*", &added("/build", false)));
        assert!(!removes("/app/tests", &added("/app", true)));
    }

    #[test]
    fn resolves_paths() {
        assert_eq!(absolute("/tmp//x/", None).as_deref(), Some("/tmp/x"));
        assert_eq!(absolute("x/../y", Some("/app")).as_deref(), Some("/app/y"));
        assert_eq!(absolute("x", None), None);
        assert_eq!(absolute("/..", None).as_deref(), Some("/"));
        assert_eq!(absolute("~/.ssh", Some("/")), None);
    }

    #[test]
    fn url_names() {
        assert_eq!(url_basename("https://x.org/a/b.tgz?v=1"), Some("b.tgz"));
        assert_eq!(url_basename("https://x.org/"), None);
        assert_eq!(url_basename("https://x.org"), None);
    }
}
