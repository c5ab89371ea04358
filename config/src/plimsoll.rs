//! `plimsoll.toml` and `.plimsoll.toml`: parsed with serde, every key known, every rule
//! code checked; errors point at the offending line and column.

use crate::{ConfigError, FailLevel, FileConfig, is_known_code};
use plimsoll_rules::{LabelSchema, Severity, SeverityOverride};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// The file as written. Keys are kebab-case; see the README's "Configuration" section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Toml {
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    extend_select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    per_file_ignores: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, SeverityName>,
    fail_level: Option<FailLevel>,
    disable_ignore_pragma: Option<bool>,
    #[serde(default)]
    trusted_registries: Vec<String>,
    #[serde(default)]
    allowed_images: Vec<String>,
    #[serde(default)]
    require_digests: bool,
    #[serde(default)]
    label_schema: BTreeMap<String, LabelSchema>,
    #[serde(default)]
    strict_labels: bool,
    analyze: Option<Spanned<AnalyzeTable>>,
}

/// `[analyze]`: the thresholds `plimsoll analyze` and `build --analyze` fail on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AnalyzeTable {
    min_efficiency: Option<Spanned<f64>>,
    max_wasted_bytes: Option<Spanned<Size>>,
    max_user_wasted_ratio: Option<Spanned<f64>>,
}

/// A byte count, or a size as dive writes one (`"20MB"`, `"1.5GiB"`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Size {
    Bytes(u64),
    Text(String),
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum SeverityName {
    Error,
    Warning,
    Info,
    Style,
}

impl From<SeverityName> for Severity {
    fn from(name: SeverityName) -> Severity {
        match name {
            SeverityName::Error => Severity::Error,
            SeverityName::Warning => Severity::Warning,
            SeverityName::Info => Severity::Info,
            SeverityName::Style => Severity::Style,
        }
    }
}

/// The rule enabled by `require-digests = true`.
const DIGEST_RULE: &str = "image-not-pinned-by-digest";

/// Parses a `plimsoll.toml`; `path` is only used in error messages.
pub fn parse(text: &str, path: &Path) -> Result<FileConfig, ConfigError> {
    let error = |span: Option<std::ops::Range<usize>>, message: String| {
        ConfigError::at(path, text, span.map(|s| s.start), message)
    };
    let raw: Toml = toml::from_str(text).map_err(|e| error(e.span(), e.message().to_string()))?;

    let codes = |list: Vec<Spanned<String>>, key: &str| -> Result<Vec<String>, ConfigError> {
        list.into_iter()
            .map(|code| {
                if is_known_code(code.get_ref()) {
                    Ok(code.into_inner())
                } else {
                    Err(error(
                        Some(code.span()),
                        format!(
                            "unknown rule code `{}` in `{key}` (see `plimsoll rule --all`)",
                            code.get_ref()
                        ),
                    ))
                }
            })
            .collect()
    };

    let mut config = FileConfig {
        select: raw.select.map(|s| codes(s, "select")).transpose()?,
        extend_select: codes(raw.extend_select, "extend-select")?,
        ignore: codes(raw.ignore, "ignore")?,
        fail_level: raw.fail_level,
        honour_pragmas: raw.disable_ignore_pragma.map(|disable| !disable),
        ..FileConfig::default()
    };
    if raw.require_digests {
        config.extend_select.push(DIGEST_RULE.to_string());
    }
    for (pattern, list) in raw.per_file_ignores {
        let key = format!("per-file-ignores.\"{}\"", pattern.get_ref());
        let list = codes(list, &key)?;
        if let Err(e) = super::per_file::glob(pattern.get_ref()) {
            return Err(error(
                Some(pattern.span()),
                format!("invalid glob `{}`: {}", pattern.get_ref(), e.kind()),
            ));
        }
        config.per_file_ignores.push((pattern.into_inner(), list));
    }
    let mut overrides: Vec<(usize, SeverityOverride)> = Vec::new();
    for (selector, severity) in raw.severity {
        if !is_known_code(selector.get_ref()) {
            return Err(error(
                Some(selector.span()),
                format!(
                    "unknown rule code `{}` in `severity` (see `plimsoll rule --all`)",
                    selector.get_ref()
                ),
            ));
        }
        overrides.push((
            selector.span().start,
            SeverityOverride {
                selector: selector.into_inner(),
                severity: severity.into(),
            },
        ));
    }
    // In the order written, so that of two equally specific overrides the later wins.
    overrides.sort_by_key(|(at, _)| *at);
    config.severity_overrides = overrides.into_iter().map(|(_, o)| o).collect();
    config.options.trusted_registries = raw.trusted_registries;
    config.options.allowed_images = raw.allowed_images;
    config.options.required_labels = raw.label_schema;
    config.options.strict_labels = raw.strict_labels;
    if let Some(table) = raw.analyze {
        let table = table.into_inner();
        let ratio = |value: Option<Spanned<f64>>, key: &str, max: Option<f64>| {
            value
                .map(|v| {
                    let n = *v.get_ref();
                    if n.is_finite() && n >= 0.0 && max.is_none_or(|m| n <= m) {
                        Ok(n)
                    } else {
                        let range = match max {
                            Some(m) => format!("between 0 and {m}"),
                            None => "0 or more".into(),
                        };
                        Err(error(
                            Some(v.span()),
                            format!("`analyze.{key}` must be a number {range}"),
                        ))
                    }
                })
                .transpose()
        };
        config.analyze.min_efficiency = ratio(table.min_efficiency, "min-efficiency", Some(1.0))?;
        config.analyze.max_user_wasted_ratio =
            ratio(table.max_user_wasted_ratio, "max-user-wasted-ratio", None)?;
        config.analyze.max_wasted_bytes = table
            .max_wasted_bytes
            .map(|size| {
                let span = size.span();
                match size.into_inner() {
                    Size::Bytes(n) => Ok(n),
                    Size::Text(text) => crate::parse_bytes(&text).ok_or_else(|| {
                        error(
                            Some(span),
                            format!("`analyze.max-wasted-bytes`: `{text}` is not a size (e.g. 20MB, 1.5GiB, 20000000)"),
                        )
                    }),
                }
            })
            .transpose()?;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<FileConfig, String> {
        parse(text, Path::new("plimsoll.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_every_key() {
        let config = parse_str(
            r#"
select = ["PL1", "DL3008"]
extend-select = ["PL001"]
ignore = ["apt-get-unpinned"]
fail-level = "warning"
disable-ignore-pragma = true
trusted-registries = ["docker.io", "*.gcr.io"]
allowed-images = ["debian:*"]
require-digests = true
strict-labels = true

[per-file-ignores]
"legacy/**" = ["PL6"]

[severity]
PL210 = "style"
DL3008 = "error"

[label-schema]
maintainer = "email"
"org.opencontainers.image.source" = "url"

[analyze]
min-efficiency = 0.95
max-wasted-bytes = "20MB"
max-user-wasted-ratio = 0.1
"#,
        )
        .unwrap();
        assert_eq!(
            config.analyze,
            crate::AnalyzeThresholds {
                min_efficiency: Some(0.95),
                max_wasted_bytes: Some(20_000_000),
                max_user_wasted_ratio: Some(0.1),
            }
        );
        assert_eq!(config.select, Some(vec!["PL1".into(), "DL3008".into()]));
        assert_eq!(config.extend_select, ["PL001", DIGEST_RULE]);
        assert_eq!(config.ignore, ["apt-get-unpinned"]);
        assert_eq!(config.fail_level, Some(FailLevel::Warning));
        assert_eq!(config.honour_pragmas, Some(false));
        assert_eq!(
            config.per_file_ignores,
            [("legacy/**".to_string(), vec!["PL6".to_string()])]
        );
        let severities: Vec<_> = config
            .severity_overrides
            .iter()
            .map(|o| (o.selector.as_str(), o.severity))
            .collect();
        assert_eq!(
            severities,
            [("PL210", Severity::Style), ("DL3008", Severity::Error)]
        );
        assert_eq!(config.options.trusted_registries, ["docker.io", "*.gcr.io"]);
        assert_eq!(config.options.allowed_images, ["debian:*"]);
        assert!(config.options.strict_labels);
        assert_eq!(
            config.options.required_labels.get("maintainer"),
            Some(&LabelSchema::Email)
        );
    }

    #[test]
    fn the_readme_example_is_valid() {
        let readme = include_str!("../../README.md");
        let section = &readme[readme.find("## Configuration").unwrap()..];
        let start = section.find("```toml\n").unwrap() + "```toml\n".len();
        let end = start + section[start..].find("```").unwrap();
        let config = parse_str(&section[start..end]).unwrap();
        assert_eq!(config.options.required_labels.len(), 3);
    }

    #[test]
    fn analyze_thresholds_are_checked() {
        assert_eq!(
            parse_str("[analyze]\nmax-wasted-bytes = 5000\n")
                .unwrap()
                .analyze
                .max_wasted_bytes,
            Some(5000)
        );
        assert_eq!(
            parse_str("select = []\n[analyze]\nmin-efficiency = 1.5\n").unwrap_err(),
            "plimsoll.toml:3:18: `analyze.min-efficiency` must be a number between 0 and 1"
        );
        assert_eq!(
            parse_str("[analyze]\nmax-wasted-bytes = \"lots\"\n").unwrap_err(),
            "plimsoll.toml:2:20: `analyze.max-wasted-bytes`: `lots` is not a size (e.g. 20MB, 1.5GiB, 20000000)"
        );
        assert!(
            parse_str("[analyze]\nmin-eficiency = 0.9\n")
                .unwrap_err()
                .contains("unknown field `min-eficiency`")
        );
    }

    #[test]
    fn errors_point_at_the_line() {
        assert_eq!(
            parse_str("select = [\"PL1\"]\nselct = [\"PL2\"]\n").unwrap_err(),
            "plimsoll.toml:2:1: unknown field `selct`, expected one of `select`, `extend-select`, `ignore`, `per-file-ignores`, `severity`, `fail-level`, `disable-ignore-pragma`, `trusted-registries`, `allowed-images`, `require-digests`, `label-schema`, `strict-labels`, `analyze`"
        );
        assert_eq!(
            parse_str("ignore = [\"PL103\",\n  \"PL999\"]\n").unwrap_err(),
            "plimsoll.toml:2:3: unknown rule code `PL999` in `ignore` (see `plimsoll rule --all`)"
        );
        assert_eq!(
            parse_str("fail-level = \"loud\"\n").unwrap_err(),
            "plimsoll.toml:1:14: unknown variant `loud`, expected one of `style`, `info`, `warning`, `error`, `never`"
        );
        assert_eq!(
            parse_str("strict-labels = \"yes\"\n").unwrap_err(),
            "plimsoll.toml:1:17: invalid type: string \"yes\", expected a boolean"
        );
        assert_eq!(
            parse_str("[severity]\nPL103 = \"fatal\"\n").unwrap_err(),
            "plimsoll.toml:2:9: unknown variant `fatal`, expected one of `error`, `warning`, `info`, `style`"
        );
        assert_eq!(
            parse_str("[severity]\nXX1 = \"error\"\n").unwrap_err(),
            "plimsoll.toml:2:1: unknown rule code `XX1` in `severity` (see `plimsoll rule --all`)"
        );
        assert_eq!(
            parse_str("[per-file-ignores]\n\"a/[b\" = [\"PL1\"]\n").unwrap_err(),
            "plimsoll.toml:2:1: invalid glob `a/[b`: unclosed character class; missing ']'"
        );
        assert_eq!(
            parse_str("[label-schema]\nversion = \"number\"\n").unwrap_err(),
            "plimsoll.toml:2:11: unknown variant `number`, expected one of `text`, `url`, `hash`, `rfc3339`, `semver`, `spdx`, `email`"
        );
        assert_eq!(
            parse_str("select = [\n").unwrap_err(),
            "plimsoll.toml:1:11: unclosed array, expected `]`"
        );
    }
}
