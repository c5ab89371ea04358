//! Migration from hadolint: `.hadolint.yaml` / `.hadolint.yml`, found where hadolint looks
//! for it, and the `HADOLINT_*` environment variables hadolint documents. Used only where no
//! Plimsoll configuration applies.
//!
//! hadolint ignores keys it does not know; Plimsoll warns about them (and about rule codes
//! it does not know) but goes on, so an existing hadolint set-up keeps working. A value of
//! the wrong type is an error, as it is for hadolint.

use crate::{ConfigError, FailLevel, FileConfig, is_known_code};
use plimsoll_rules::{LabelSchema, Severity, SeverityOverride};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The environment, as a function so that tests can supply their own.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Where hadolint looks for its configuration, in order; the first that exists is used.
/// (hadolint's `Hadolint.Config.Configfile.findConfig`, and its README.)
pub fn candidates(cwd: &Path, env: Env<'_>) -> Vec<PathBuf> {
    let mut dirs_and_names: Vec<(PathBuf, &[&str])> = Vec::new();
    const HIDDEN: &[&str] = &[".hadolint.yaml", ".hadolint.yml"];
    const VISIBLE: &[&str] = &["hadolint.yaml", "hadolint.yml"];
    const IN_APP_DIR: &[&str] = &["hadolint.yaml", "hadolint.yml", "config.yaml", "config.yml"];
    dirs_and_names.push((cwd.to_path_buf(), HIDDEN));
    let home = env("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
    if let Some(xdg) = env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
    {
        dirs_and_names.push((xdg, VISIBLE));
    }
    if let Some(home) = &home {
        dirs_and_names.push((home.join(".config"), VISIBLE));
        dirs_and_names.push((home.join(".hadolint"), IN_APP_DIR));
        dirs_and_names.push((home.clone(), HIDDEN));
    }
    let mut out: Vec<PathBuf> = Vec::new();
    for (dir, names) in dirs_and_names {
        for name in names {
            let path = dir.join(name);
            if !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

/// hadolint's configuration file as written (`Hadolint.Config.Configuration`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Yaml {
    no_fail: Option<bool>,
    // Output settings: accepted, not applied (use --format and --color).
    #[allow(dead_code)]
    no_color: Option<bool>,
    #[allow(dead_code)]
    verbose: Option<bool>,
    #[allow(dead_code)]
    format: Option<String>,
    #[allow(dead_code)]
    formats: Option<Vec<String>>,
    ignored: Option<Vec<Spanned<String>>>,
    #[serde(rename = "override")]
    overrides: Option<Overrides>,
    #[serde(rename = "trustedRegistries")]
    trusted_registries: Option<OneOrMany>,
    label_schema: Option<BTreeMap<String, LabelSchema>>,
    strict_labels: Option<bool>,
    disable_ignore_pragma: Option<bool>,
    failure_threshold: Option<Threshold>,
}

const KEYS: &[&str] = &[
    "no-fail",
    "no-color",
    "verbose",
    "format",
    "formats",
    "ignored",
    "override",
    "trustedRegistries",
    "label-schema",
    "strict-labels",
    "disable-ignore-pragma",
    "failure-threshold",
];

#[derive(Debug, Default, Deserialize)]
struct Overrides {
    error: Option<Vec<Spanned<String>>>,
    warning: Option<Vec<Spanned<String>>>,
    info: Option<Vec<Spanned<String>>>,
    style: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// The top-level keys of a mapping, with their positions.
struct Keys(Vec<Spanned<String>>);

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Keys, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Keys;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a mapping")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    keys.push(key);
                }
                Ok(Keys(keys))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// hadolint's failure threshold; `ignore` and `none` never fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Threshold {
    Error,
    Warning,
    Info,
    Style,
    Ignore,
    None,
}

impl Threshold {
    fn parse(text: &str) -> Option<Threshold> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "error" => Threshold::Error,
            "warning" => Threshold::Warning,
            "info" => Threshold::Info,
            "style" => Threshold::Style,
            "ignore" => Threshold::Ignore,
            "none" => Threshold::None,
            _ => return None,
        })
    }
}

/// hadolint's settings merged from the file and the environment, before they become a
/// [`FileConfig`]: lists add up, a later scalar replaces an earlier one.
#[derive(Debug, Default)]
pub struct Partial {
    no_fail: Option<bool>,
    threshold: Option<Threshold>,
    ignored: Vec<String>,
    overrides: Vec<SeverityOverride>,
    trusted_registries: Vec<String>,
    label_schema: BTreeMap<String, LabelSchema>,
    strict_labels: Option<bool>,
    disable_ignore_pragma: Option<bool>,
}

/// Parses a hadolint configuration file. Problems that hadolint would pass over silently
/// (unknown keys, unknown rule codes) come back as warnings, `path:line:col: message`.
pub fn parse(text: &str, path: &Path) -> Result<(Partial, Vec<String>), ConfigError> {
    let mut warnings = Vec::new();
    if is_empty_document(text) {
        return Ok((Partial::default(), warnings));
    }
    let yaml: Yaml = serde_saphyr::from_str(text).map_err(|e| yaml_error(&e, path))?;
    // Keys hadolint does not know: it ignores them, we say so.
    if let Ok(Keys(keys)) = serde_saphyr::from_str::<Keys>(text) {
        for key in &keys {
            if !KEYS.contains(&key.value.as_str()) {
                warnings.push(format!(
                    "{}: unknown key `{}` (hadolint ignores it too)",
                    position(path, key),
                    key.value
                ));
            }
        }
    }
    let mut codes = |list: Option<Vec<Spanned<String>>>| -> Vec<String> {
        list.unwrap_or_default()
            .into_iter()
            .filter(|code| {
                let known = is_known_code(&code.value);
                if !known {
                    warnings.push(format!(
                        "{}: `{}` is not a rule Plimsoll knows; left out",
                        position(path, code),
                        code.value
                    ));
                }
                known
            })
            .map(|code| code.value)
            .collect()
    };
    let mut partial = Partial {
        no_fail: yaml.no_fail,
        threshold: yaml.failure_threshold,
        ignored: codes(yaml.ignored),
        trusted_registries: match yaml.trusted_registries {
            None => Vec::new(),
            Some(OneOrMany::One(one)) => vec![one],
            Some(OneOrMany::Many(many)) => many,
        },
        label_schema: yaml.label_schema.unwrap_or_default(),
        strict_labels: yaml.strict_labels,
        disable_ignore_pragma: yaml.disable_ignore_pragma,
        ..Partial::default()
    };
    let overrides = yaml.overrides.unwrap_or_default();
    for (list, severity) in [
        (overrides.error, Severity::Error),
        (overrides.warning, Severity::Warning),
        (overrides.info, Severity::Info),
        (overrides.style, Severity::Style),
    ] {
        for selector in codes(list) {
            partial
                .overrides
                .push(SeverityOverride { selector, severity });
        }
    }
    Ok((partial, warnings))
}

/// Adds what the `HADOLINT_*` variables set (hadolint's `Hadolint.Config.Environment`):
/// lists add to the file's, flags and the threshold replace its values. Returns the names
/// of the variables that were set; problems hadolint passes over come back as warnings.
pub fn apply_env(
    partial: &mut Partial,
    env: Env<'_>,
    warnings: &mut Vec<String>,
) -> Vec<&'static str> {
    let mut used = Vec::new();
    let mut get = |name: &'static str| {
        let value = env(name)?;
        used.push(name);
        Some(value)
    };
    let truthy = |v: String| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "y" | "on" | "true" | "yes"
        )
    };
    let list = |v: String| -> Vec<String> {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let known_codes = |name: &str, v: String, warnings: &mut Vec<String>| -> Vec<String> {
        list(v)
            .into_iter()
            .filter(|code| {
                let known = is_known_code(code);
                if !known {
                    warnings.push(format!(
                        "{name}: `{code}` is not a rule Plimsoll knows; left out"
                    ));
                }
                known
            })
            .collect()
    };
    if let Some(v) = get("HADOLINT_NOFAIL") {
        partial.no_fail = Some(truthy(v));
    }
    if let Some(v) = get("HADOLINT_FAILURE_THRESHOLD") {
        match Threshold::parse(&v) {
            Some(t) => partial.threshold = Some(t),
            None => warnings.push(format!(
                "HADOLINT_FAILURE_THRESHOLD: `{v}` is not one of error, warning, info, style, ignore, none; left out"
            )),
        }
    }
    for (name, severity) in [
        ("HADOLINT_OVERRIDE_ERROR", Severity::Error),
        ("HADOLINT_OVERRIDE_WARNING", Severity::Warning),
        ("HADOLINT_OVERRIDE_INFO", Severity::Info),
        ("HADOLINT_OVERRIDE_STYLE", Severity::Style),
    ] {
        if let Some(v) = get(name) {
            for selector in known_codes(name, v, warnings) {
                partial
                    .overrides
                    .push(SeverityOverride { selector, severity });
            }
        }
    }
    if let Some(v) = get("HADOLINT_IGNORE") {
        partial
            .ignored
            .extend(known_codes("HADOLINT_IGNORE", v, warnings));
    }
    if let Some(v) = get("HADOLINT_TRUSTED_REGISTRIES") {
        partial.trusted_registries.extend(list(v));
    }
    if let Some(v) = get("HADOLINT_REQUIRE_LABELS") {
        for item in list(v) {
            let schema = item
                .split_once(':')
                .and_then(|(name, schema)| Some((name.trim(), LabelSchema::parse(schema)?)))
                .filter(|(name, _)| !name.is_empty());
            match schema {
                Some((name, schema)) => {
                    partial.label_schema.insert(name.to_string(), schema);
                }
                None => warnings.push(format!(
                    "HADOLINT_REQUIRE_LABELS: `{item}` is not `label:schema` with a schema of text, url, hash, rfc3339, semver, spdx, email; left out"
                )),
            }
        }
    }
    if let Some(v) = get("HADOLINT_STRICT_LABELS") {
        partial.strict_labels = Some(truthy(v));
    }
    if let Some(v) = get("HADOLINT_DISABLE_IGNORE_PRAGMA") {
        partial.disable_ignore_pragma = Some(truthy(v));
    }
    used
}

impl Partial {
    pub fn into_config(self) -> FileConfig {
        let fail_level = if self.no_fail == Some(true) {
            Some(FailLevel::Never)
        } else {
            self.threshold.map(|t| match t {
                Threshold::Error => FailLevel::Error,
                Threshold::Warning => FailLevel::Warning,
                Threshold::Info => FailLevel::Info,
                Threshold::Style => FailLevel::Style,
                Threshold::Ignore | Threshold::None => FailLevel::Never,
            })
        };
        let mut config = FileConfig {
            ignore: self.ignored,
            severity_overrides: self.overrides,
            fail_level,
            honour_pragmas: self.disable_ignore_pragma.map(|disable| !disable),
            ..FileConfig::default()
        };
        config.options.trusted_registries = self.trusted_registries;
        config.options.required_labels = self.label_schema;
        config.options.strict_labels = self.strict_labels.unwrap_or(false);
        config
    }
}

/// Nothing but blank lines, comments and document markers.
fn is_empty_document(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#') || line == "---" || line == "..."
    })
}

fn position<T>(path: &Path, spanned: &Spanned<T>) -> String {
    format!(
        "{}:{}:{}",
        crate::display(path),
        spanned.referenced.line(),
        spanned.referenced.column()
    )
}

fn yaml_error(error: &serde_saphyr::Error, path: &Path) -> ConfigError {
    let error = error.without_snippet();
    let mut message = error.to_string();
    let location = error.location().filter(|l| l.line() > 0);
    // The message names the position itself ("… at line 3, column 5"): we put it first.
    if let Some(at) = message.rfind(" at line ") {
        message.truncate(at);
    }
    ConfigError {
        path: crate::display(path),
        position: location.map(|l| (l.line() as usize, l.column() as usize)),
        message: message.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<(FileConfig, Vec<String>), String> {
        parse(text, Path::new(".hadolint.yaml"))
            .map(|(p, w)| (p.into_config(), w))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn reads_hadolints_schema() {
        let (config, warnings) = parse_str(
            "failure-threshold: warning\nformat: json\nignored:\n  - DL3008\n  - SC2086\noverride:\n  error:\n    - DL3015\n  style: [PL210]\ntrustedRegistries: docker.io\nlabel-schema:\n  author: text\n  version: semver\nstrict-labels: true\ndisable-ignore-pragma: true\n",
        )
        .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config.ignore, ["DL3008", "SC2086"]);
        assert_eq!(config.fail_level, Some(FailLevel::Warning));
        assert_eq!(config.honour_pragmas, Some(false));
        let overrides: Vec<_> = config
            .severity_overrides
            .iter()
            .map(|o| (o.selector.as_str(), o.severity))
            .collect();
        assert_eq!(
            overrides,
            [("DL3015", Severity::Error), ("PL210", Severity::Style)]
        );
        assert_eq!(config.options.trusted_registries, ["docker.io"]);
        assert_eq!(
            config.options.required_labels.get("version"),
            Some(&LabelSchema::Semver)
        );
        assert!(config.options.strict_labels);

        let (config, _) = parse_str("no-fail: true\nfailure-threshold: error\n").unwrap();
        assert_eq!(config.fail_level, Some(FailLevel::Never));
        let (config, _) =
            parse_str("trustedRegistries:\n  - a.io\n  - \"*.gcr.io\"\nignored:\n").unwrap();
        assert_eq!(config.options.trusted_registries, ["a.io", "*.gcr.io"]);
        let (config, _) = parse_str("# only a comment\n").unwrap();
        assert!(config.ignore.is_empty());
    }

    #[test]
    fn warns_about_what_hadolint_would_pass_over() {
        let (config, warnings) =
            parse_str("ignore:\n  - DL3008\nignored:\n  - DL3008\n  - XX0001\n").unwrap();
        assert_eq!(config.ignore, ["DL3008"]);
        assert_eq!(
            warnings,
            [
                ".hadolint.yaml:1:1: unknown key `ignore` (hadolint ignores it too)",
                ".hadolint.yaml:5:5: `XX0001` is not a rule Plimsoll knows; left out",
            ]
        );
    }

    #[test]
    fn wrong_types_are_errors_with_positions() {
        assert_eq!(
            parse_str("ignored:\n  - DL3008\nstrict-labels: maybe\n").unwrap_err(),
            ".hadolint.yaml:3:16: invalid boolean"
        );
        assert_eq!(
            parse_str("label-schema:\n  version: number\n").unwrap_err(),
            ".hadolint.yaml:2:12: unknown variant `number`, expected one of text, url, hash, rfc3339, semver, spdx, email"
        );
        assert_eq!(
            parse_str("failure-threshold: loud\n").unwrap_err(),
            ".hadolint.yaml:1:20: unknown variant `loud`, expected one of error, warning, info, style, ignore, none"
        );
        assert_eq!(
            parse_str("ignored: [DL3008\n").unwrap_err(),
            ".hadolint.yaml:1:10: unclosed bracket '['"
        );
    }

    #[test]
    fn environment_adds_to_the_file() {
        let vars: BTreeMap<&str, &str> = [
            ("HADOLINT_NOFAIL", "yes"),
            ("HADOLINT_IGNORE", "DL3008, DL3009,XX1"),
            ("HADOLINT_OVERRIDE_STYLE", "DL3015"),
            ("HADOLINT_TRUSTED_REGISTRIES", "docker.io,quay.io"),
            ("HADOLINT_REQUIRE_LABELS", "maintainer:email,version:number"),
            ("HADOLINT_STRICT_LABELS", "1"),
            ("HADOLINT_DISABLE_IGNORE_PRAGMA", "off"),
            ("HADOLINT_FAILURE_THRESHOLD", "error"),
        ]
        .into_iter()
        .collect();
        let env = |name: &str| vars.get(name).map(|v| v.to_string());
        let (mut partial, _) = parse("ignored: [DL3006]\n", Path::new("x.yaml")).unwrap();
        let mut warnings = Vec::new();
        let used = apply_env(&mut partial, &env, &mut warnings);
        assert_eq!(used.len(), 8);
        assert_eq!(
            warnings,
            [
                "HADOLINT_IGNORE: `XX1` is not a rule Plimsoll knows; left out",
                "HADOLINT_REQUIRE_LABELS: `version:number` is not `label:schema` with a schema of text, url, hash, rfc3339, semver, spdx, email; left out",
            ]
        );
        let config = partial.into_config();
        assert_eq!(config.ignore, ["DL3006", "DL3008", "DL3009"]);
        assert_eq!(config.fail_level, Some(FailLevel::Never));
        assert_eq!(config.honour_pragmas, Some(true));
        assert_eq!(config.options.trusted_registries, ["docker.io", "quay.io"]);
        assert_eq!(config.options.required_labels.len(), 1);
        assert!(config.options.strict_labels);
    }

    #[test]
    fn looks_where_hadolint_looks() {
        let env = |name: &str| match name {
            "HOME" => Some("/home/u".to_string()),
            "XDG_CONFIG_HOME" => Some("/xdg".to_string()),
            _ => None,
        };
        let found: Vec<String> = candidates(Path::new("/work"), &env)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(
            found,
            [
                "/work/.hadolint.yaml",
                "/work/.hadolint.yml",
                "/xdg/hadolint.yaml",
                "/xdg/hadolint.yml",
                "/home/u/.config/hadolint.yaml",
                "/home/u/.config/hadolint.yml",
                "/home/u/.hadolint/hadolint.yaml",
                "/home/u/.hadolint/hadolint.yml",
                "/home/u/.hadolint/config.yaml",
                "/home/u/.hadolint/config.yml",
                "/home/u/.hadolint.yaml",
                "/home/u/.hadolint.yml",
            ]
        );
    }
}
