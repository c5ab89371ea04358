//! Client settings: what `plimsoll check` takes on its command line, sent by the editor
//! (initialization options, `workspace/didChangeConfiguration`, `workspace/configuration`).
//! Rule selection and the fail level go on top of the configuration file that applies to a
//! document (see `configuration`), as the command line's flags do.

use plimsoll_config::{FailLevel, Overrides};
use serde::Deserialize;
use std::collections::HashMap;

/// Where rule pages are linked from diagnostics (`codeDescription`). `{code}` and `{name}`
/// are replaced by the rule's code and kebab-case name. The default is the generated
/// `docs/rules/` page, the same link SARIF output uses (`plimsoll_rules::docs_url`).
pub const DEFAULT_RULE_DOCS_URL: &str =
    "https://github.com/plimsoll/plimsoll/blob/main/docs/rules/{code}.md";

/// Settings as the client sends them (camelCase, every field optional).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClientSettings {
    pub select: Vec<String>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_level: Option<String>,
    pub build_args: HashMap<String, String>,
    pub rule_docs_url: Option<String>,
}

/// Settings the server works with.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `select`, `extendSelect`, `ignore` and `failLevel`: over the configuration file's.
    pub overrides: Overrides,
    pub build_args: HashMap<String, String>,
    pub rule_docs_url: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            overrides: Overrides::default(),
            build_args: HashMap::new(),
            rule_docs_url: DEFAULT_RULE_DOCS_URL.to_string(),
        }
    }
}

impl Settings {
    /// Reads settings from what a client sent: either the settings object itself or one
    /// wrapped as `{"plimsoll": {...}}` (or `{"settings": {...}}`). Returns the settings and
    /// a warning for each value that was not understood (and ignored).
    pub fn from_value(value: &serde_json::Value) -> Option<(Settings, Vec<String>)> {
        let inner = unwrap_section(value)?;
        let client: ClientSettings = match serde_json::from_value(inner.clone()) {
            Ok(client) => client,
            Err(e) => {
                return Some((
                    Settings::default(),
                    vec![format!(
                        "Plimsoll settings not understood ({e}); using defaults"
                    )],
                ));
            }
        };
        Some(Settings::from_client(client))
    }

    pub fn from_client(client: ClientSettings) -> (Settings, Vec<String>) {
        let mut warnings = Vec::new();
        // Unset or empty: the configuration file's fail level applies.
        let fail_level = client
            .fail_level
            .as_deref()
            .filter(|l| !l.trim().is_empty());
        let fail_level = fail_level.and_then(|level| {
            let parsed = match level.to_ascii_lowercase().as_str() {
                "style" => Some(FailLevel::Style),
                "info" => Some(FailLevel::Info),
                "warning" => Some(FailLevel::Warning),
                "error" => Some(FailLevel::Error),
                "never" => Some(FailLevel::Never),
                _ => None,
            };
            if parsed.is_none() {
                warnings.push(format!(
                    "Plimsoll: unknown failLevel `{level}` (expected style, info, warning, \
                     error or never); using the configuration file's"
                ));
            }
            parsed
        });
        let mut known = |list: Vec<String>| -> Vec<String> {
            list.into_iter()
                .filter(|s| {
                    let ok = plimsoll_rules::selection::is_known(s);
                    if !ok {
                        warnings.push(format!(
                            "Plimsoll: unknown rule selector `{s}` in settings (ignored)"
                        ));
                    }
                    ok
                })
                .collect()
        };
        let overrides = Overrides {
            select: known(client.select),
            extend_select: known(client.extend_select),
            ignore: known(client.ignore),
            fail_level,
        };
        let rule_docs_url = client
            .rule_docs_url
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_RULE_DOCS_URL.to_string());
        (
            Settings {
                overrides,
                build_args: client.build_args,
                rule_docs_url,
            },
            warnings,
        )
    }
}

fn unwrap_section(value: &serde_json::Value) -> Option<&serde_json::Value> {
    let object = value.as_object()?;
    for key in ["plimsoll", "settings"] {
        if let Some(inner) = object.get(key) {
            return unwrap_section(inner)
                .or(Some(inner))
                .filter(|v| v.is_object());
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_wrapped_and_bare_settings() {
        for value in [
            json!({"plimsoll": {"select": ["PL1"], "failLevel": "warning"}}),
            json!({"select": ["PL1"], "failLevel": "warning"}),
            json!({"settings": {"plimsoll": {"select": ["PL1"], "failLevel": "warning"}}}),
        ] {
            let (settings, warnings) = Settings::from_value(&value).unwrap();
            assert_eq!(settings.overrides.select, vec!["PL1".to_string()]);
            assert_eq!(settings.overrides.fail_level, Some(FailLevel::Warning));
            assert!(warnings.is_empty());
        }
        assert!(Settings::from_value(&json!(null)).is_none());
    }

    #[test]
    fn unknown_values_warn_and_fall_back() {
        let (settings, warnings) = Settings::from_value(&json!({
            "ignore": ["PL103", "NOPE999"], "failLevel": "loud"
        }))
        .unwrap();
        assert_eq!(settings.overrides.ignore, vec!["PL103".to_string()]);
        assert_eq!(
            settings.overrides.fail_level, None,
            "the file's fail level applies"
        );
        assert_eq!(warnings.len(), 2);
        let (settings, _) = Settings::from_value(&json!({"failLevel": "Never"})).unwrap();
        assert_eq!(settings.overrides.fail_level, Some(FailLevel::Never));
        for nothing in [json!({}), json!({"failLevel": ""})] {
            let (settings, warnings) = Settings::from_value(&nothing).unwrap();
            assert_eq!(
                settings.overrides,
                Overrides::default(),
                "nothing over the file"
            );
            assert!(warnings.is_empty());
        }
        let (_, warnings) = Settings::from_value(&json!({"select": "PL1"})).unwrap();
        assert_eq!(
            warnings.len(),
            1,
            "a string where a list belongs is reported"
        );
    }
}

#[cfg(test)]
mod docs_link_tests {
    #[test]
    fn default_link_is_the_generated_rule_page() {
        assert_eq!(
            super::DEFAULT_RULE_DOCS_URL.replace("{code}", "PL103"),
            plimsoll_rules::docs_url("PL103")
        );
    }
}
