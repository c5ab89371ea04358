//! What a rule gets to look at. Rules do no I/O: everything comes in here as data.

use crate::options::RuleOptions;
use plimsoll_analyzer::Dockerfile;
use plimsoll_analyzer::dockerignore::DockerIgnore;

/// The build context next to the Dockerfile, as plain data gathered by the caller.
#[derive(Clone, Debug, Default)]
pub struct BuildContext {
    /// Every file in the context, relative to its root, with `/` separators, sorted.
    pub files: Vec<String>,
    /// The parsed `.dockerignore` (empty when there is none).
    pub dockerignore: DockerIgnore,
}

impl BuildContext {
    pub fn new(mut files: Vec<String>, dockerignore: DockerIgnore) -> BuildContext {
        files.sort();
        BuildContext {
            files,
            dockerignore,
        }
    }

    /// Files that `docker build` sends (not excluded by `.dockerignore`).
    pub fn included(&self) -> impl Iterator<Item = &str> {
        self.files
            .iter()
            .map(String::as_str)
            .filter(|f| !self.dockerignore.is_excluded(f))
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
