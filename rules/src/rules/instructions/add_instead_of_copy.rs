use crate::helpers::copy::{CopyArgs, has_glob, is_remote};
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::{Dockerfile, Instruction, Keyword};

declare_rule! {
    /// ## What it does
    /// Reports an `ADD` that copies files or directories from the build context: a source
    /// that is neither a URL, a git repository nor an archive (by its file name ending:
    /// `.tar`, `.gz`, `.tgz`, `.bz2`, `.xz`, `.zst`, …, hadolint's list plus zstd). An `ADD`
    /// that mixes an archive with plain files is reported too. Unlike hadolint, a source
    /// given by a variable is judged by the value its `ARG` or `ENV` gives it (a URL in
    /// `ARG URL=https://…` is fine), and left alone when the value is unknown; and git
    /// sources (`git@host:repo.git`) count as remote.
    ///
    /// ## Why is this bad?
    /// `ADD` does more than copy: it fetches URLs and unpacks local tar archives. Using it
    /// for plain files hides which of those the line is meant to do, and a file that
    /// happens to be a tar archive gets unpacked instead of copied. `COPY` does just the
    /// copy.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ADD requirements.txt /app/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY requirements.txt /app/
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces `ADD` with `COPY` when every source is a local file or directory
    /// without an archive ending and without wildcards (a pattern may match archives),
    /// and the `ADD` uses no flag that only `ADD` has (`--checksum`, `--keep-git-dir`,
    /// `--unpack`). It is safe: `COPY` copies those
    /// sources the same way. (Only a tar archive saved under a name without an archive
    /// ending would behave differently: `ADD` unpacks it, `COPY` copies it.)
    ///
    /// ## References
    /// - [Dockerfile reference: ADD or COPY](https://docs.docker.com/build/building/best-practices/#add-or-copy)
    /// - [hadolint DL3020](https://github.com/hadolint/hadolint/wiki/DL3020)
    pub struct AddInsteadOfCopy {
        code: "PL704",
        name: "add-instead-of-copy",
        alias: Some("DL3020"),
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "ADD of local files or directories: use COPY",
    }
}

/// File name endings `ADD` may unpack (hadolint's list, plus zstd).
const ARCHIVES: &[&str] = &[
    ".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz",
    ".tpz", ".txz", ".xz", ".zst", ".tzst",
];

/// Flags only `ADD` understands.
const ADD_ONLY_FLAGS: &[&str] = &["checksum", "keep-git-dir", "unpack"];

#[derive(PartialEq)]
enum Source {
    Local,
    Archive,
    Remote,
    Unknown,
}

fn classify(file: &Dockerfile, instruction: &Instruction, text: &str) -> Source {
    let text = if text.contains('$') {
        let expanded = file.expand(instruction.index, text);
        if !expanded.unresolved.is_empty() {
            return Source::Unknown;
        }
        expanded.text
    } else {
        text.to_string()
    };
    if is_remote(&text) {
        Source::Remote
    } else if ARCHIVES.iter().any(|ext| text.ends_with(ext)) {
        Source::Archive
    } else {
        Source::Local
    }
}

impl Rule for AddInsteadOfCopy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for instruction in &file.instructions {
            if instruction.keyword != Keyword::Add {
                continue;
            }
            let Some(add) = CopyArgs::of(instruction) else {
                continue;
            };
            let kinds: Vec<Source> = add
                .sources
                .iter()
                .map(|w| classify(file, instruction, &w.text))
                .collect();
            if kinds.contains(&Source::Unknown) {
                continue;
            }
            // Sources as written, with the value of any variable.
            let local: Vec<String> = add
                .sources
                .iter()
                .zip(&kinds)
                .filter(|(_, k)| **k == Source::Local)
                .map(|(w, _)| {
                    if w.text.contains('$') {
                        let value = file.expand(instruction.index, &w.text).text;
                        format!("`{}` (`{value}`)", w.text)
                    } else {
                        format!("`{}`", w.text)
                    }
                })
                .collect();
            let inline = add.heredoc_sources > 0;
            if local.is_empty() && !inline {
                continue;
            }
            let what = match local.as_slice() {
                [] => "inline heredoc content".to_string(),
                [one] => format!("the local path {one}"),
                many => format!("the local paths {}", many.join(", ")),
            };
            let all_local = kinds.iter().all(|k| *k == Source::Local);
            let add_only = instruction
                .flags
                .iter()
                .find(|f| ADD_ONLY_FLAGS.contains(&f.name.to_ascii_lowercase().as_str()));
            let mut diagnostic = Diagnostic::new(
                &Self::META,
                instruction.keyword_span,
                format!(
                    "`ADD` of {what}: `COPY` does the same without ADD's URL and unpacking magic"
                ),
            );
            // A pattern may match archives, which ADD unpacks and COPY would not.
            let pattern = add.sources.iter().any(|w| has_glob(&w.text));
            if all_local && add_only.is_none() && !pattern {
                let written = instruction.keyword_text(&file.text);
                let copy = if written.chars().all(|c| c.is_ascii_lowercase()) {
                    "copy"
                } else {
                    "COPY"
                };
                diagnostic = diagnostic.with_help("use `COPY`").with_fix(Fix::safe(
                    "Replace `ADD` with `COPY`",
                    vec![Edit::replace(instruction.keyword_span, copy)],
                ));
            } else if pattern {
                diagnostic = diagnostic.with_help(
                    "use `COPY`, unless the pattern is meant to match tar archives for ADD to unpack",
                );
            } else if !all_local {
                diagnostic = diagnostic.with_help(
                    "copy the plain files with their own `COPY` and keep `ADD` for the archive or URL",
                );
            } else {
                diagnostic = diagnostic.with_help("use `COPY`");
            }
            out.push(diagnostic);
        }
    }
}
