//! Plimsoll's configuration: which settings apply to each linted file. The binary
//! (`plimsoll check`) and the language server share it, so that a file is linted alike in
//! the terminal and in the editor.
//!
//! For a file, the nearest `plimsoll.toml` (or `.plimsoll.toml`) in its directory or above
//! applies, alone (files are not merged). `--config PATH` uses one file for every linted
//! file instead; `--isolated` uses none. Where no Plimsoll configuration applies, hadolint's
//! (`.hadolint.yaml` where hadolint looks for it, and the `HADOLINT_*` variables) does.
//! Command-line flags go on top of whichever applies. Lookups are cached per directory;
//! the binary resolves every file's configuration before linting, so a broken file stops
//! the run (exit 2) before anything is printed.

pub mod hadolint;
pub mod per_file;
pub mod plimsoll;

use per_file::PerFileIgnores;
use plimsoll_rules::selection::{self, Selection};
use plimsoll_rules::{RuleOptions, Settings, Severity, SeverityOverride};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// The names a Plimsoll configuration file can have, in order of preference.
pub const FILE_NAMES: [&str; 2] = ["plimsoll.toml", ".plimsoll.toml"];

/// The exit threshold: findings at or above it make the exit status 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailLevel {
    Style,
    Info,
    Warning,
    Error,
    Never,
}

impl FailLevel {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailLevel::Style => Some(Severity::Style),
            FailLevel::Info => Some(Severity::Info),
            FailLevel::Warning => Some(Severity::Warning),
            FailLevel::Error => Some(Severity::Error),
            FailLevel::Never => None,
        }
    }
}

/// What one configuration source says, before the command line is applied.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileConfig {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// (glob relative to the configuration's directory, codes)
    pub per_file_ignores: Vec<(String, Vec<String>)>,
    pub severity_overrides: Vec<SeverityOverride>,
    pub fail_level: Option<FailLevel>,
    pub honour_pragmas: Option<bool>,
    pub options: RuleOptions,
    /// `[analyze]`: CI thresholds of `plimsoll analyze` and `build --analyze`.
    pub analyze: AnalyzeThresholds,
}

/// Image-analysis thresholds; the command line and `.dive-ci` win over them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AnalyzeThresholds {
    pub min_efficiency: Option<f64>,
    pub max_wasted_bytes: Option<u64>,
    pub max_user_wasted_ratio: Option<f64>,
}

impl AnalyzeThresholds {
    /// Each threshold of `self`, else of `other`.
    pub fn or(self, other: AnalyzeThresholds) -> AnalyzeThresholds {
        AnalyzeThresholds {
            min_efficiency: self.min_efficiency.or(other.min_efficiency),
            max_wasted_bytes: self.max_wasted_bytes.or(other.max_wasted_bytes),
            max_user_wasted_ratio: self.max_user_wasted_ratio.or(other.max_user_wasted_ratio),
        }
    }
}

/// What the command line says; it wins over any configuration file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    pub select: Vec<String>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_level: Option<FailLevel>,
}

/// A size as dive (go-humanize) reads it: `20MB` = 20,000,000, `20MiB` = 20 × 2²⁰,
/// plain numbers are bytes.
pub fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let number: f64 = text[..split].parse().ok()?;
    let unit = text[split..].trim().to_ascii_lowercase();
    let factor: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "ki" | "kib" => 1024.0,
        "mi" | "mib" => 1024f64.powi(2),
        "gi" | "gib" => 1024f64.powi(3),
        "ti" | "tib" => 1024f64.powi(4),
        _ => return None,
    };
    Some((number * factor) as u64)
}

/// A configuration file that cannot be used: `path:line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    /// 1-based line and column (in characters).
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl ConfigError {
    /// An error at a byte offset of `text`.
    pub fn at(path: &Path, text: &str, offset: Option<usize>, message: String) -> ConfigError {
        let position = offset.map(|offset| {
            let offset = offset.min(text.len());
            let before = text.get(..offset).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = before[line_start..].chars().count() + 1;
            (line, column)
        });
        ConfigError {
            path: display(path),
            position,
            message,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Whether a configuration may name this code: any selector the command line accepts
/// (rule codes, aliases, names, prefixes, `ALL`, ShellCheck codes).
pub fn is_known_code(code: &str) -> bool {
    selection::is_known(code)
}

/// A path as the user should see it: relative to the working directory when under it.
pub fn display(path: &Path) -> String {
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let text = shown.to_string_lossy().to_string();
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// The settings of one configuration source with the command line applied.
#[derive(Debug)]
pub struct Resolved {
    settings: Arc<Settings>,
    pub fail_level: FailLevel,
    pub analyze: AnalyzeThresholds,
    per_file_ignores: PerFileIgnores,
    /// Per-file-ignore globs are relative to this directory.
    base: PathBuf,
}

impl Resolved {
    /// `base` is the configuration file's directory.
    pub fn new(config: FileConfig, overrides: &Overrides, base: PathBuf) -> Resolved {
        let config_layer = Selection {
            select: config.select.clone().unwrap_or_default(),
            extend_select: config.extend_select.clone(),
            ignore: config.ignore.clone(),
        };
        let cli_layer = Selection {
            select: overrides.select.clone(),
            extend_select: overrides.extend_select.clone(),
            ignore: overrides.ignore.clone(),
        };
        let is_set = |l: &Selection| {
            !(l.select.is_empty() && l.extend_select.is_empty() && l.ignore.is_empty())
        };
        let settings = Settings {
            selections: [config_layer, cli_layer]
                .into_iter()
                .filter(is_set)
                .collect(),
            severity_overrides: config.severity_overrides,
            options: config.options,
            honour_pragmas: config.honour_pragmas.unwrap_or(true),
            resolved: Default::default(),
        };
        Resolved {
            settings: Arc::new(settings),
            fail_level: overrides
                .fail_level
                .or(config.fail_level)
                .unwrap_or(FailLevel::Info),
            analyze: config.analyze,
            per_file_ignores: PerFileIgnores::new(&config.per_file_ignores),
            base,
        }
    }

    /// The settings for one file (an absolute path): per-file ignores that match it are
    /// added to the selection's ignores. `None` for standard input without a file name.
    pub fn settings_for(&self, path: Option<&Path>) -> Arc<Settings> {
        let Some(path) = path.filter(|_| !self.per_file_ignores.is_empty()) else {
            return self.settings.clone();
        };
        let relative = path.strip_prefix(&self.base).unwrap_or(path);
        let codes = self.per_file_ignores.codes_for(relative);
        if codes.is_empty() {
            return self.settings.clone();
        }
        let mut settings = (*self.settings).clone();
        settings.selections.push(Selection {
            ignore: codes,
            ..Selection::default()
        });
        Arc::new(settings)
    }
}

/// What applies to one linted file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileSettings {
    pub settings: Arc<Settings>,
    pub fail_level: FailLevel,
    pub analyze: AnalyzeThresholds,
}

impl Default for FileSettings {
    /// The default rules, failing at info (no configuration, no flags).
    fn default() -> FileSettings {
        FileSettings {
            settings: Arc::new(Settings::default()),
            fail_level: FailLevel::Info,
            analyze: AnalyzeThresholds::default(),
        }
    }
}

/// How configuration is found.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Nearest `plimsoll.toml` above each file, else hadolint's configuration.
    Discover,
    /// `--config PATH` for every file.
    Explicit(PathBuf),
    /// `--isolated`: no file, no environment; only the command line.
    Isolated,
}

/// Finds and caches the configuration of each directory.
pub struct Resolver {
    mode: Mode,
    overrides: Overrides,
    cwd: PathBuf,
    env: fn(&str) -> Option<String>,
    /// Directory → the configuration that applies to files in it.
    by_dir: HashMap<PathBuf, Arc<Resolved>>,
    /// Parsed Plimsoll configuration files.
    by_file: HashMap<PathBuf, Arc<Resolved>>,
    /// What applies where no Plimsoll configuration does (hadolint's, or the defaults).
    fallback: Option<Arc<Resolved>>,
    explicit: Option<Arc<Resolved>>,
    /// Said once on stderr: which hadolint configuration was used, warnings.
    notes: Vec<String>,
}

impl Resolver {
    /// Relative paths, hadolint's `./.hadolint.yaml` and standard input's configuration
    /// are taken from the working directory.
    pub fn new(mode: Mode, overrides: Overrides) -> Resolver {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Resolver::in_dir(mode, overrides, cwd)
    }

    /// As [`Resolver::new`], with `cwd` in place of the working directory (the language
    /// server passes the workspace root).
    pub fn in_dir(mode: Mode, overrides: Overrides, cwd: PathBuf) -> Resolver {
        Resolver {
            mode,
            overrides,
            cwd,
            env: |name| std::env::var(name).ok(),
            by_dir: HashMap::new(),
            by_file: HashMap::new(),
            fallback: None,
            explicit: None,
            notes: Vec::new(),
        }
    }

    /// Messages for stderr (each once): the hadolint configuration used, warnings.
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    /// The settings and fail level for a Dockerfile at `path` (for standard input without
    /// a file name, `None`: the working directory's configuration applies).
    pub fn for_file(&mut self, path: Option<&Path>) -> Result<FileSettings, ConfigError> {
        let absolute = path.map(|p| normalize(&self.cwd.join(p)));
        let dir = match &absolute {
            Some(file) => file.parent().map_or(file.clone(), Path::to_path_buf),
            None => self.cwd.clone(),
        };
        let resolved = match self.mode.clone() {
            Mode::Isolated => self.defaults()?,
            Mode::Explicit(file) => self.explicit(&file)?,
            Mode::Discover => self.discover(&dir)?,
        };
        Ok(FileSettings {
            settings: resolved.settings_for(absolute.as_deref()),
            fail_level: resolved.fail_level,
            analyze: resolved.analyze,
        })
    }

    fn defaults(&mut self) -> Result<Arc<Resolved>, ConfigError> {
        if self.fallback.is_none() {
            self.fallback = Some(Arc::new(Resolved::new(
                FileConfig::default(),
                &self.overrides,
                self.cwd.clone(),
            )));
        }
        Ok(self.fallback.clone().expect("just set"))
    }

    fn explicit(&mut self, file: &Path) -> Result<Arc<Resolved>, ConfigError> {
        if let Some(resolved) = &self.explicit {
            return Ok(resolved.clone());
        }
        let path = normalize(&self.cwd.join(file));
        let text = read(&path)?;
        let is_yaml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        let config = if is_yaml {
            // As `hadolint --config`: the HADOLINT_* variables still apply on top.
            let (mut partial, mut warnings) = hadolint::parse(&text, &path)?;
            hadolint::apply_env(&mut partial, &self.env, &mut warnings);
            self.notes
                .extend(warnings.into_iter().map(|w| format!("warning: {w}")));
            partial.into_config()
        } else {
            plimsoll::parse(&text, &path)?
        };
        let base = path.parent().map_or(self.cwd.clone(), Path::to_path_buf);
        let resolved = Arc::new(Resolved::new(config, &self.overrides, base));
        self.explicit = Some(resolved.clone());
        Ok(resolved)
    }

    /// The nearest Plimsoll configuration at or above `dir`, else the fallback.
    fn discover(&mut self, dir: &Path) -> Result<Arc<Resolved>, ConfigError> {
        let mut visited = Vec::new();
        let mut found = None;
        for ancestor in dir.ancestors() {
            if let Some(resolved) = self.by_dir.get(ancestor) {
                found = Some(resolved.clone());
                break;
            }
            visited.push(ancestor.to_path_buf());
            if let Some(file) = FILE_NAMES
                .iter()
                .map(|name| ancestor.join(name))
                .find(|p| p.is_file())
            {
                found = Some(self.plimsoll_file(&file)?);
                break;
            }
        }
        let resolved = match found {
            Some(resolved) => resolved,
            None => self.hadolint()?,
        };
        for dir in visited {
            self.by_dir.insert(dir, resolved.clone());
        }
        Ok(resolved)
    }

    fn plimsoll_file(&mut self, path: &Path) -> Result<Arc<Resolved>, ConfigError> {
        if let Some(resolved) = self.by_file.get(path) {
            return Ok(resolved.clone());
        }
        let config = plimsoll::parse(&read(path)?, path)?;
        let base = path.parent().map_or(self.cwd.clone(), Path::to_path_buf);
        let resolved = Arc::new(Resolved::new(config, &self.overrides, base));
        self.by_file.insert(path.to_path_buf(), resolved.clone());
        Ok(resolved)
    }

    /// hadolint's configuration file and environment, read once; the defaults when there
    /// is neither.
    fn hadolint(&mut self) -> Result<Arc<Resolved>, ConfigError> {
        if let Some(fallback) = &self.fallback {
            return Ok(fallback.clone());
        }
        let file = hadolint::candidates(&self.cwd, &self.env)
            .into_iter()
            .find(|p| p.is_file());
        let (mut partial, mut warnings) = match &file {
            Some(path) => hadolint::parse(&read(path)?, path)?,
            None => (hadolint::Partial::default(), Vec::new()),
        };
        let used = hadolint::apply_env(&mut partial, &self.env, &mut warnings);
        let source = match (&file, used.is_empty()) {
            (Some(path), true) => Some(format!("using {}", describe(path))),
            (Some(path), false) => {
                Some(format!("using {} and {}", describe(path), used.join(", ")))
            }
            (None, false) => Some(format!("using hadolint settings from {}", used.join(", "))),
            (None, true) => None,
        };
        if let Some(source) = source {
            self.notes.push(format!(
                "note: {source} (no plimsoll.toml applies; see the README's Configuration section)"
            ));
        }
        self.notes
            .extend(warnings.into_iter().map(|w| format!("warning: {w}")));
        let resolved = Arc::new(Resolved::new(
            partial.into_config(),
            &self.overrides,
            self.cwd.clone(),
        ));
        self.fallback = Some(resolved.clone());
        Ok(resolved)
    }
}

/// `.hadolint.yaml from DIR`, the way the note names a hadolint file.
fn describe(path: &Path) -> String {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().to_string());
    match path.parent() {
        Some(dir) => {
            let shown = display(dir);
            let shown = if shown.is_empty() {
                ".".to_string()
            } else {
                shown
            };
            format!("{name} from {shown}")
        }
        None => name,
    }
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: display(path),
        position: None,
        message: format!("cannot read the configuration: {e}"),
    })
}

/// `.` and `..` resolved by name (symlinks are not followed: a configuration belongs to
/// the directory the user sees).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_count_lines_and_characters() {
        let e = ConfigError::at(Path::new("p.toml"), "a\nbé = x\n", Some(6), "m".into());
        assert_eq!(e.to_string(), "p.toml:2:4: m");
        let e = ConfigError::at(Path::new("p.toml"), "", None, "m".into());
        assert_eq!(e.to_string(), "p.toml: m");
    }

    #[test]
    fn sizes_as_dive_reads_them() {
        assert_eq!(parse_bytes("20MB"), Some(20_000_000));
        assert_eq!(parse_bytes("1.5 KiB"), Some(1536));
        assert_eq!(parse_bytes("270"), Some(270));
        assert_eq!(parse_bytes("ten"), None);
        assert_eq!(parse_bytes("3 parsecs"), None);
    }

    #[test]
    fn normalizes_by_name() {
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
    }
}
