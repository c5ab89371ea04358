use super::stages::line_of;
use crate::helpers::copy::CopyArgs;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::shell::Command;
use plimsoll_analyzer::{Keyword, Word};

declare_rule! {
    /// ## What it does
    /// Reports a tar archive that a `COPY` takes from the build context and a later `RUN`
    /// of the same stage unpacks with `tar -x`.
    ///
    /// Unlike hadolint, only tar archives count (`.tar`, `.tar.gz`/`.tgz`,
    /// `.tar.bz2`/`.tbz2`/`.tbz`/`.tb2`, `.tar.xz`/`.txz`, `.tar.zst`/`.tzst`) and only
    /// `tar` unpacking them: `ADD` unpacks exactly those, whereas a plain `.gz`, `.zip` or
    /// `.lz` file that `gunzip` or `unzip` opens would be copied by `ADD` unchanged. A
    /// `tar` with `--strip-components` is not reported either: `ADD` cannot strip leading
    /// directories.
    ///
    /// ## Why is this bad?
    /// The `COPY` stores the archive in a layer of its own; removing it in the `RUN` that
    /// unpacks it does not take it out of the image. `ADD` unpacks a local tar archive
    /// into the destination directory in one step, and the archive itself never lands in
    /// the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// COPY vendor.tar.gz /tmp/
    /// RUN tar -xzf /tmp/vendor.tar.gz -C /opt && rm /tmp/vendor.tar.gz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// ADD vendor.tar.gz /opt/
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: ADD](https://docs.docker.com/reference/dockerfile/#add)
    /// - [hadolint DL3010](https://github.com/hadolint/hadolint/wiki/DL3010)
    pub struct CopiedArchiveExtracted {
        code: "PL701",
        name: "copied-archive-extracted",
        alias: Some("DL3010"),
        severity: Severity::Info,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A tar archive copied in and unpacked by a later RUN: ADD unpacks it without keeping it",
    }
}

/// File name endings of the tar archives `ADD` unpacks (plain, gzip, bzip2, xz, zstd).
const TAR_ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tb2", ".tar.xz", ".txz", ".tar.zst",
    ".tzst",
];

fn is_tar_archive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    TAR_ARCHIVES.iter().any(|ext| lower.ends_with(ext))
}

fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The archive names a `tar` command unpacks (its non-option arguments), if it unpacks.
fn tar_extracts(command: &Command) -> Option<Vec<&Word>> {
    if command.program() != Some("tar") {
        return None;
    }
    let args = command.program_args();
    let is_extract = |w: &Word| {
        let t = w.text.as_str();
        matches!(t, "--extract" | "--get")
            || t.strip_prefix('-').is_some_and(|f| {
                !f.starts_with('-') && f.chars().all(|c| c.is_ascii_alphabetic()) && f.contains('x')
            })
    };
    // Old-style bundled options: `tar xzf file.tgz`.
    let old_style = args.first().is_some_and(|w| {
        !w.text.starts_with('-')
            && w.text.contains('x')
            && w.text.chars().all(|c| c.is_ascii_alphabetic())
    });
    if !(old_style || args.iter().any(is_extract)) {
        return None;
    }
    if args.iter().any(|w| w.text.starts_with("--strip")) {
        return None;
    }
    Some(args.iter().filter(|w| !w.text.starts_with('-')).collect())
}

impl Rule for CopiedArchiveExtracted {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for stage in &file.stages {
            // (names the archive goes by in the image, its source word)
            let mut copied: Vec<(Vec<String>, &Word)> = Vec::new();
            for instruction in file.stage_instructions(stage) {
                match instruction.keyword {
                    Keyword::Copy => {
                        let Some(copy) = CopyArgs::of(instruction) else {
                            continue;
                        };
                        if !copy.from_context() {
                            continue;
                        }
                        let single = copy.sources.len() == 1 && copy.heredoc_sources == 0;
                        for source in copy.context_sources() {
                            if !is_tar_archive(&source.text) || source.text.contains(['*', '?']) {
                                continue;
                            }
                            let mut names = vec![basename(&source.text).to_string()];
                            if single && !copy.dest.text.ends_with('/') {
                                names.push(basename(&copy.dest.text).to_string());
                            }
                            copied.push((names, source));
                        }
                    }
                    Keyword::Run if !copied.is_empty() => {
                        for command in instruction.commands() {
                            let Some(operands) = tar_extracts(command) else {
                                continue;
                            };
                            copied.retain(|(names, source)| {
                                let unpacked = operands
                                    .iter()
                                    .any(|w| names.iter().any(|n| basename(&w.text) == n));
                                if unpacked {
                                    out.push(
                                        Diagnostic::new(
                                            &Self::META,
                                            source.span,
                                            format!(
                                                "`{}` is copied in and then unpacked by `tar` on \
                                                 line {}: the archive stays in the COPY's layer",
                                                source.text,
                                                line_of(file, command.span.start)
                                            ),
                                        )
                                        .with_help(
                                            "`ADD` unpacks a local tar archive into the \
                                             destination directory in one step (`ADD app.tar.gz \
                                             /opt/`), without storing the archive",
                                        ),
                                    );
                                }
                                !unpacked
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}
