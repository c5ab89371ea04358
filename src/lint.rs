//! Linting one file: read, parse, gather the build context, run the rules.

use crate::shellcheck::ShellCheck;
use plimsoll_analyzer::{Dockerfile, Keyword, ParseOptions};
use plimsoll_config::FileSettings;
use plimsoll_rewriter::{AppliedFix, DroppedFix, FixOptions};
use plimsoll_rules::external::external_meta;
use plimsoll_rules::suppression::Suppressions;
use plimsoll_rules::{BuildContext, Diagnostic, Settings};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What linting one file produced.
pub struct FileReport {
    /// The path as the user should see it.
    pub path: String,
    /// The text the diagnostics point into: after fixes when fixes were applied.
    pub text: String,
    /// The text as read, when fixing changed it.
    pub original: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
    pub applied: Vec<AppliedFix>,
    pub dropped: Vec<DroppedFix>,
    /// What could not be checked, though the file was linted (e.g. ShellCheck failed).
    pub warnings: Vec<String>,
    /// Why the file could not be linted.
    pub error: Option<String>,
}

pub struct Linter {
    pub parse_options: ParseOptions,
    /// `None`: no build context; `Some(None)`: each Dockerfile's directory; `Some(dir)`.
    pub context: Option<Option<PathBuf>>,
    contexts: Mutex<HashMap<PathBuf, Arc<BuildContext>>>,
    /// Runs on RUN bodies after the rules (and after fixing), when set.
    shellcheck: Option<ShellCheck>,
}

impl Linter {
    pub fn new(parse_options: ParseOptions, context: Option<Option<PathBuf>>) -> Linter {
        Linter {
            parse_options,
            context,
            contexts: Mutex::new(HashMap::new()),
            shellcheck: None,
        }
    }

    /// Also report ShellCheck's findings on RUN bodies.
    pub fn with_shellcheck(mut self, shellcheck: Option<ShellCheck>) -> Linter {
        self.shellcheck = shellcheck;
        self
    }

    /// Lints one file with the settings that apply to it (see `config`).
    pub fn lint_path(
        &self,
        path: &Path,
        settings: &Settings,
        fixing: Option<FixOptions>,
    ) -> FileReport {
        let display = display_path(path);
        match std::fs::read(path) {
            Ok(bytes) => self.lint_bytes(display, Some(path), bytes, settings, fixing),
            Err(e) => FileReport::failed(display, e.to_string()),
        }
    }

    /// Lints (and, with `fixing`, fixes) one file's bytes. A rule bug costs this file, not
    /// the run.
    pub fn lint_bytes(
        &self,
        display: String,
        path: Option<&Path>,
        bytes: Vec<u8>,
        settings: &Settings,
        fixing: Option<FixOptions>,
    ) -> FileReport {
        if bytes.contains(&0) {
            return FileReport::failed(
                display,
                "looks like a binary file, not a Dockerfile".into(),
            );
        }
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                return FileReport::failed(
                    display,
                    format!("is not valid UTF-8 (invalid byte at offset {at})"),
                );
            }
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match fixing {
            None => (
                None,
                self.diagnostics(&text, path, settings),
                Vec::new(),
                Vec::new(),
            ),
            Some(options) => {
                let outcome = plimsoll_rewriter::fix_text(&text, options, &|t| {
                    self.diagnostics(t, path, settings)
                });
                let fixed = (outcome.text != text).then_some(outcome.text);
                (fixed, outcome.remaining, outcome.applied, outcome.dropped)
            }
        }));
        match outcome {
            Ok((fixed, diagnostics, applied, dropped)) => {
                let (text, original) = match fixed {
                    Some(fixed) => (fixed, Some(text)),
                    None => (text, None),
                };
                FileReport {
                    path: display,
                    text,
                    original,
                    diagnostics,
                    applied,
                    dropped,
                    warnings: Vec::new(),
                    error: None,
                }
            }
            Err(_) => {
                FileReport::failed(display, "internal error while linting (see above)".into())
            }
        }
    }

    /// Adds ShellCheck's findings on the RUN bodies to each report (after fixing: they point
    /// into the text as it ends up; ShellCheck's suggestions are never applied), keeping the
    /// order `plimsoll_rules::check` gives (position, then code). `--select`/`--ignore` and
    /// pragmas apply to SC codes as to rule codes, and so do each file's configured
    /// selection and severity overrides (`settings`, one per report).
    pub fn add_shellcheck(&self, reports: &mut [FileReport], settings: &[FileSettings]) {
        let Some(shellcheck) = &self.shellcheck else {
            return;
        };
        let (linted, settings): (Vec<&mut FileReport>, Vec<&Settings>) = reports
            .iter_mut()
            .zip(settings)
            .filter(|(r, _)| r.error.is_none())
            .map(|(r, s)| (r, &*s.settings))
            .unzip();
        let files: Vec<Dockerfile> = linted
            .par_iter()
            .map(|r| Dockerfile::parse_with(&r.text, self.parse_options.clone()))
            .collect();
        let refs: Vec<&Dockerfile> = files.iter().collect();
        let findings = shellcheck.check_files(&refs);
        for (((report, file), found), settings) in
            linted.into_iter().zip(&files).zip(findings).zip(settings)
        {
            report
                .warnings
                .extend(found.failures.into_iter().map(|f| f.0));
            if found.diagnostics.is_empty() {
                continue;
            }
            let mut suppressions = if settings.honour_pragmas {
                Suppressions::collect(file)
            } else {
                Suppressions::default()
            };
            let diagnostics = &mut report.diagnostics;
            diagnostics.extend(found.diagnostics.into_iter().filter_map(|mut d| {
                let meta = external_meta(d.code, d.severity);
                if !settings.is_external_enabled(d.code) || suppressions.is_suppressed(&d, &meta) {
                    return None;
                }
                if let Some(severity) = settings.severity_override(&meta) {
                    d.severity = severity;
                }
                Some(d)
            }));
            diagnostics.sort_by(|a, b| {
                (a.span.start, a.span.end, a.code, &a.message).cmp(&(
                    b.span.start,
                    b.span.end,
                    b.code,
                    &b.message,
                ))
            });
            diagnostics.dedup();
        }
    }

    /// The findings for a text, with the build context of the file it belongs to.
    pub fn diagnostics(
        &self,
        text: &str,
        path: Option<&Path>,
        settings: &Settings,
    ) -> Vec<Diagnostic> {
        let file = Dockerfile::parse_with(text, self.parse_options.clone());
        let context = match (&self.context, path) {
            (Some(dir), Some(path)) if reads_context(&file) => {
                let dir = dir
                    .clone()
                    .or_else(|| path.parent().map(Path::to_path_buf))
                    .map(|d| {
                        if d.as_os_str().is_empty() {
                            PathBuf::from(".")
                        } else {
                            d
                        }
                    });
                dir.map(|d| self.build_context(&d))
            }
            (Some(Some(dir)), None) if reads_context(&file) => Some(self.build_context(dir)),
            _ => None,
        };
        plimsoll_rules::check_with(&file, context.as_deref(), settings)
    }

    fn build_context(&self, dir: &Path) -> Arc<BuildContext> {
        let key = dir.to_path_buf();
        if let Some(found) = self.contexts.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return found;
        }
        let context = Arc::new(BuildContext::read(dir));
        if let Ok(mut map) = self.contexts.lock() {
            map.insert(key, context.clone());
        }
        context
    }
}

impl FileReport {
    fn failed(path: String, error: String) -> FileReport {
        FileReport {
            path,
            text: String::new(),
            original: None,
            diagnostics: Vec::new(),
            applied: Vec::new(),
            dropped: Vec::new(),
            warnings: Vec::new(),
            error: Some(error),
        }
    }
}

/// Does the file copy anything from the build context? Only then is it worth listing.
fn reads_context(file: &Dockerfile) -> bool {
    file.instructions.iter().any(|i| {
        matches!(i.keyword, Keyword::Copy | Keyword::Add)
            && i.flag("from").is_none()
            // Sources other than heredocs: more words than heredoc markers plus the destination.
            && i.words.len() > i.heredocs.len() + 1
    })
}

/// Paths are shown relative to the working directory when they are below it.
pub fn display_path(path: &Path) -> String {
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let text = shown.to_string_lossy().to_string();
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}
