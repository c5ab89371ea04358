//! Configuration files for the open documents, found as `plimsoll check` finds them (the
//! `plimsoll-config` crate: the nearest `plimsoll.toml` or `.plimsoll.toml` above the
//! file, else hadolint's configuration), with the client's settings on top as the command
//! line's flags go on top. The workspace root stands in for the CLI's working directory.
//!
//! Files are read when a document is opened and again when they may have changed: a
//! watched configuration file changed (`workspace/didChangeWatchedFiles`), or a document
//! was saved (for clients that watch nothing).

use lsp_types as lsp;
use plimsoll_config::{FileConfig, FileSettings, Mode, Overrides, Resolved, Resolver};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The file names whose change means the configuration must be read again: Plimsoll's, and
/// hadolint's in the places hadolint looks.
pub const FILE_NAMES: [&str; 6] = [
    "plimsoll.toml",
    ".plimsoll.toml",
    ".hadolint.yaml",
    ".hadolint.yml",
    "hadolint.yaml",
    "hadolint.yml",
];

/// The glob patterns a client is asked to watch.
pub fn watch_patterns() -> Vec<String> {
    vec![
        "**/{plimsoll.toml,.plimsoll.toml}".to_string(),
        "**/{.hadolint.yaml,.hadolint.yml}".to_string(),
    ]
}

/// Whether a change to this file can change a document's configuration.
pub fn is_configuration_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|name| FILE_NAMES.contains(&name))
}

/// A message for the user, once.
pub type Message = (lsp::MessageType, String);

pub struct Configuration {
    root: PathBuf,
    overrides: Overrides,
    resolver: Resolver,
    /// Messages already shown (a broken file is reported once, not at each save).
    shown: HashSet<String>,
}

impl Configuration {
    /// `root`: the workspace root (hadolint's `./.hadolint.yaml` is looked for there, and
    /// documents without a file, such as `untitled:` ones, use its configuration).
    pub fn new(root: PathBuf, overrides: Overrides) -> Configuration {
        Configuration {
            resolver: Resolver::in_dir(Mode::Discover, overrides.clone(), root.clone()),
            root,
            overrides,
            shown: HashSet::new(),
        }
    }

    /// What applies to a document at `path` (`None`: not a file on disk), and what to tell
    /// the user about it. A configuration file that can not be used is reported, and the
    /// document is linted with the defaults and the client's settings meanwhile.
    pub fn for_path(&mut self, path: Option<&Path>) -> (FileSettings, Vec<Message>) {
        let mut messages = Vec::new();
        let settings = match self.resolver.for_file(path) {
            Ok(settings) => settings,
            Err(error) => {
                messages.push((
                    lsp::MessageType::ERROR,
                    format!(
                        "Plimsoll: {error} (linting with the defaults and the editor's settings \
                         until the file is fixed)"
                    ),
                ));
                let fallback =
                    Resolved::new(FileConfig::default(), &self.overrides, self.root.clone());
                FileSettings {
                    settings: fallback.settings_for(None),
                    fail_level: fallback.fail_level,
                    analyze: fallback.analyze,
                }
            }
        };
        for note in self.resolver.take_notes() {
            match note.strip_prefix("warning: ") {
                Some(warning) => {
                    messages.push((lsp::MessageType::WARNING, format!("Plimsoll: {warning}")))
                }
                None => crate::server::log(&note),
            }
        }
        messages.retain(|m| self.shown.insert(m.1.clone()));
        (settings, messages)
    }

    /// Forgets what was read: the next lookups read the files again. With `changed`, the
    /// files are known to have changed and their problems are reported again.
    pub fn reload(&mut self, changed: bool) {
        self.resolver = Resolver::in_dir(Mode::Discover, self.overrides.clone(), self.root.clone());
        if changed {
            self.shown.clear();
        }
    }

    /// New client settings.
    pub fn set_overrides(&mut self, overrides: Overrides) {
        self.overrides = overrides;
        self.reload(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_config::FailLevel;
    use plimsoll_rules::Selection;

    fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn the_nearest_file_applies_and_the_client_goes_on_top() {
        let dir = workspace(&[
            (
                "plimsoll.toml",
                "ignore = [\"PL103\"]\nfail-level = \"error\"\n",
            ),
            ("svc/.plimsoll.toml", "select = [\"PL1\"]\n"),
        ]);
        let mut config = Configuration::new(dir.path().to_path_buf(), Overrides::default());
        let (top, messages) = config.for_path(Some(&dir.path().join("Dockerfile")));
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(top.fail_level, FailLevel::Error);
        assert_eq!(
            top.settings.selections,
            vec![Selection {
                ignore: vec!["PL103".into()],
                ..Selection::default()
            }]
        );
        let (svc, _) = config.for_path(Some(&dir.path().join("svc/Dockerfile")));
        assert_eq!(svc.fail_level, FailLevel::Info);
        assert_eq!(svc.settings.selections[0].select, vec!["PL1".to_string()]);
        // Documents without a file use the workspace root's configuration.
        assert_eq!(config.for_path(None).0, top);

        config.set_overrides(Overrides {
            extend_select: vec!["PL001".into()],
            fail_level: Some(FailLevel::Never),
            ..Overrides::default()
        });
        let (top, _) = config.for_path(Some(&dir.path().join("Dockerfile")));
        assert_eq!(
            top.fail_level,
            FailLevel::Never,
            "the client's fail level wins"
        );
        assert_eq!(
            top.settings.selections.len(),
            2,
            "the file's layer, then the client's"
        );
        assert_eq!(top.settings.selections[1].extend_select, vec!["PL001"]);
    }

    #[test]
    fn hadolint_files_in_the_workspace_root() {
        let dir = workspace(&[(
            ".hadolint.yaml",
            "ignored: [DL3008]\nfailure-threshold: warning\n",
        )]);
        let mut config = Configuration::new(dir.path().to_path_buf(), Overrides::default());
        let (settings, _) = config.for_path(Some(&dir.path().join("a/Dockerfile")));
        assert_eq!(settings.fail_level, FailLevel::Warning);
        assert_eq!(
            settings.settings.selections[0].ignore,
            vec!["DL3008".to_string()]
        );
    }

    #[test]
    fn a_broken_file_is_reported_once_and_reloads_pick_up_changes() {
        let dir = workspace(&[("plimsoll.toml", "select = [\"NOPE1\"]\n")]);
        let file = dir.path().join("Dockerfile");
        let overrides = Overrides {
            ignore: vec!["PL100".into()],
            ..Overrides::default()
        };
        let mut config = Configuration::new(dir.path().to_path_buf(), overrides);
        let (settings, messages) = config.for_path(Some(&file));
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert_eq!(messages[0].0, lsp::MessageType::ERROR);
        assert!(
            messages[0].1.contains("plimsoll.toml:1:"),
            "{}",
            messages[0].1
        );
        assert!(messages[0].1.contains("NOPE1"), "{}", messages[0].1);
        assert_eq!(
            settings.settings.selections[0].ignore,
            vec!["PL100".to_string()],
            "the client's settings still apply"
        );
        config.reload(false);
        assert!(config.for_path(Some(&file)).1.is_empty(), "said once");
        config.reload(true);
        assert_eq!(
            config.for_path(Some(&file)).1.len(),
            1,
            "said again after a change"
        );

        std::fs::write(dir.path().join("plimsoll.toml"), "select = [\"PL2\"]\n").unwrap();
        config.reload(true);
        let (fixed, messages) = config.for_path(Some(&file));
        assert!(messages.is_empty());
        assert_eq!(fixed.settings.selections[0].select, vec!["PL2".to_string()]);
        std::fs::write(dir.path().join("plimsoll.toml"), "select = [\"PL3\"]\n").unwrap();
        assert_eq!(
            config.for_path(Some(&file)).0,
            fixed,
            "read again only on reload"
        );
        config.reload(false);
        let (changed, _) = config.for_path(Some(&file));
        assert_eq!(
            changed.settings.selections[0].select,
            vec!["PL3".to_string()]
        );
    }

    #[test]
    fn recognises_configuration_files() {
        assert!(is_configuration_file(Path::new("/w/svc/plimsoll.toml")));
        assert!(is_configuration_file(Path::new("/w/.hadolint.yml")));
        assert!(!is_configuration_file(Path::new("/w/Cargo.toml")));
        assert!(!is_configuration_file(Path::new("/w/Dockerfile")));
    }
}
