//! What a rule gets to look at. Rules do no I/O: everything comes in here as data.

use crate::options::RuleOptions;
use crate::rules::secrets::sensitive_files::{SensitivePath, classify};
use plimsoll_analyzer::Dockerfile;
use plimsoll_analyzer::dockerignore::DockerIgnore;
use std::sync::OnceLock;

/// Most files [`BuildContext::read`] lists; rules work on what was read.
pub const CONTEXT_FILE_LIMIT: usize = 100_000;

/// The build context next to the Dockerfile, as plain data gathered by the caller.
#[derive(Clone, Debug, Default)]
pub struct BuildContext {
    /// Every file in the context, relative to its root, with `/` separators, sorted.
    pub files: Vec<String>,
    /// The parsed `.dockerignore` (empty when there is none).
    pub dockerignore: DockerIgnore,
    /// Included files that hold credentials, by index into `files`, worked out on first use:
    /// every Dockerfile of a directory shares its context, so this is classified once.
    sensitive: OnceLock<Vec<(usize, SensitivePath)>>,
}

impl BuildContext {
    pub fn new(mut files: Vec<String>, dockerignore: DockerIgnore) -> BuildContext {
        files.sort();
        BuildContext {
            files,
            dockerignore,
            sensitive: OnceLock::new(),
        }
    }

    /// Lists a context directory as `docker build` sends it: every file, hidden and
    /// git-ignored ones included (only `.dockerignore` decides), `.git` one level deep, at
    /// most [`CONTEXT_FILE_LIMIT`] files. For the callers that gather a rule's inputs (the
    /// binary, the language server); rules themselves never touch the disk.
    pub fn read(dir: &std::path::Path) -> BuildContext {
        let dockerignore = std::fs::read_to_string(dir.join(".dockerignore")).unwrap_or_default();
        let mut files = Vec::new();
        let walker = ignore::WalkBuilder::new(dir)
            .standard_filters(false)
            .filter_entry(|e| {
                // Enough of .git to know it is there, without walking its objects.
                !(e.depth() >= 2
                    && e.path()
                        .parent()
                        .and_then(|p| p.file_name())
                        .is_some_and(|n| n == ".git"))
            })
            .build();
        for entry in walker.flatten() {
            if files.len() >= CONTEXT_FILE_LIMIT {
                break;
            }
            if entry.file_type().is_some_and(|t| !t.is_dir())
                && let Ok(relative) = entry.path().strip_prefix(dir)
            {
                let relative = relative.to_string_lossy().replace('\\', "/");
                if !relative.is_empty() {
                    files.push(relative);
                }
            }
        }
        BuildContext::new(files, DockerIgnore::parse(&dockerignore))
    }

    /// Files that `docker build` sends (not excluded by `.dockerignore`).
    pub fn included(&self) -> impl Iterator<Item = &str> {
        self.files
            .iter()
            .map(String::as_str)
            .filter(|f| !self.dockerignore.is_excluded(f))
    }

    /// Files that `docker build` sends and that hold credentials (see
    /// [`classify`](crate::rules::secrets::sensitive_files::classify)), in file order.
    pub(crate) fn sensitive_included(&self) -> impl Iterator<Item = (&str, &SensitivePath)> {
        self.sensitive
            .get_or_init(|| {
                self.files
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| !self.dockerignore.is_excluded(f))
                    .filter_map(|(i, f)| classify(f).map(|found| (i, found)))
                    .collect()
            })
            .iter()
            .map(|(i, found)| (self.files[*i].as_str(), found))
    }
}

/// Everything one rule run sees.
pub struct Context<'a> {
    pub file: &'a Dockerfile,
    /// `None` when linting text without a context (stdin, the editor before saving).
    pub build_context: Option<&'a BuildContext>,
    /// What the user configured for rules (trusted registries, required labels, …).
    pub options: &'a RuleOptions,
}

/// The options of a run without configuration.
static NO_OPTIONS: RuleOptions = RuleOptions {
    trusted_registries: Vec::new(),
    allowed_images: Vec::new(),
    required_labels: std::collections::BTreeMap::new(),
    strict_labels: false,
    image_digests: std::collections::BTreeMap::new(),
    resolved_programs: std::collections::BTreeMap::new(),
    shared_libraries: std::collections::BTreeMap::new(),
};

impl<'a> Context<'a> {
    pub fn new(file: &'a Dockerfile) -> Context<'a> {
        Context {
            file,
            build_context: None,
            options: &NO_OPTIONS,
        }
    }

    pub fn with_options(mut self, options: &'a RuleOptions) -> Context<'a> {
        self.options = options;
        self
    }

    pub fn text(&self) -> &'a str {
        &self.file.text
    }
}
