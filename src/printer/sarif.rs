//! SARIF 2.1.0 (OASIS), the format code-scanning services read (GitHub, Azure DevOps, IDE
//! viewers). One run; `tool.driver.rules` holds the metadata of every rule that has a
//! result (sorted by code), each result points at its rule by id and index.
//!
//! Columns count Unicode characters, as in every other format: the run says so with
//! `columnKind: unicodeCodePoints` (SARIF's default would be UTF-16 code units). Regions
//! are `startLine`/`startColumn` to `endLine`/`endColumn`, the end exclusive. Paths are
//! relative URIs (percent-encoded, `/`-separated) when the file is below the working
//! directory, `file://` URIs otherwise. Nothing depends on the time or the machine, so the
//! same input gives the same bytes.

use crate::lint::FileReport;
use crate::printer::{fingerprints, line_cols, rule_name};
use plimsoll_analyzer::{LineIndex, Span};
use plimsoll_rules::external::is_shellcheck_code;
use plimsoll_rules::{Applicability, Diagnostic, Severity, docs_url, registry};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: Vec<Invocation>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    full_name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Markdown {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Markdown,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleProperties {
    /// The hadolint or BuildKit codes the rule answers to.
    aliases: Vec<&'static str>,
    /// Plimsoll's own severity (SARIF has three levels, Plimsoll four).
    severity: &'static str,
    fix_availability: &'static str,
    enabled_by_default: bool,
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    properties: ResultProperties,
}

#[derive(Serialize)]
struct ResultProperties {
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Clone, Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    /// `safe`, `unsafe` or `display-only`, as in `--format json`.
    applicability: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    #[serde(skip_serializing_if = "Option::is_none")]
    inserted_content: Option<Text>,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "note",
    }
}

fn region(index: &LineIndex, text: &str, span: Span) -> Region {
    let (start, end) = line_cols(index, text, span);
    Region {
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

/// A path as a URI reference: relative paths stay relative, absolute ones become `file://`
/// URIs; everything but unreserved characters and `/` is percent-encoded (UTF-8).
pub fn path_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let (prefix, rest) = if path.starts_with('/') {
        ("file://", path.as_str())
    } else if path.as_bytes().get(1) == Some(&b':') && path.as_bytes()[0].is_ascii_alphabetic() {
        // A Windows drive path: `C:/x` becomes `file:///C:/x`.
        ("file:///", path.as_str())
    } else {
        ("", path.as_str())
    };
    let mut out = String::from(prefix);
    for (i, byte) in rest.bytes().enumerate() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/')
            || (byte == b':' && prefix == "file:///" && i == 1);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The first paragraph of the rule page's "What it does" section, as plain text.
fn what_it_does(docs: &str) -> Option<String> {
    let section = docs.split("## What it does").nth(1)?;
    let paragraph: Vec<&str> = section
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    (!paragraph.is_empty()).then(|| paragraph.join(" "))
}

fn rule(code: &'static str, severity: Severity) -> Rule {
    let url = docs_url(code);
    match registry::meta(code) {
        Some(meta) => {
            let docs = meta.docs();
            Rule {
                id: meta.code,
                name: meta.name.to_string(),
                short_description: Text {
                    text: meta.summary.to_string(),
                },
                full_description: Text {
                    text: what_it_does(&docs).unwrap_or_else(|| meta.summary.to_string()),
                },
                help: Markdown {
                    text: docs.clone(),
                    markdown: docs,
                },
                help_uri: url,
                default_configuration: Configuration {
                    level: level(meta.severity),
                },
                properties: RuleProperties {
                    aliases: meta.alias.into_iter().collect(),
                    severity: meta.severity.as_str(),
                    fix_availability: meta.fix.as_str(),
                    enabled_by_default: meta.default_enabled,
                    tags: vec!["dockerfile"],
                },
            }
        }
        None => {
            let shellcheck = is_shellcheck_code(code);
            let summary = if shellcheck {
                format!("ShellCheck {code}, on the shell of a RUN instruction.")
            } else {
                code.to_string()
            };
            Rule {
                id: code,
                name: rule_name(code).to_string(),
                short_description: Text {
                    text: summary.clone(),
                },
                full_description: Text {
                    text: summary.clone(),
                },
                help: Markdown {
                    text: format!("{summary} See {url}"),
                    markdown: format!("{summary} See [{code}]({url})."),
                },
                help_uri: url,
                default_configuration: Configuration {
                    level: level(severity),
                },
                properties: RuleProperties {
                    aliases: Vec::new(),
                    severity: severity.as_str(),
                    fix_availability: "sometimes",
                    enabled_by_default: true,
                    tags: if shellcheck {
                        vec!["dockerfile", "shell", "shellcheck"]
                    } else {
                        vec!["dockerfile"]
                    },
                },
            }
        }
    }
}

fn fix(uri: &ArtifactLocation, index: &LineIndex, text: &str, d: &Diagnostic) -> Option<SarifFix> {
    let fix = d.fix.as_ref()?;
    Some(SarifFix {
        description: Text {
            text: fix.message.clone(),
        },
        artifact_changes: vec![ArtifactChange {
            artifact_location: uri.clone(),
            replacements: fix
                .edits
                .iter()
                .map(|e| Replacement {
                    deleted_region: region(index, text, e.span),
                    inserted_content: (!e.content.is_empty()).then(|| Text {
                        text: e.content.clone(),
                    }),
                })
                .collect(),
        }],
        properties: FixProperties {
            applicability: match fix.applicability {
                Applicability::Safe => "safe",
                Applicability::Unsafe => "unsafe",
                Applicability::DisplayOnly => "display-only",
            },
        },
    })
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    // Rules with a result, by code; a ShellCheck code takes the level of its first finding.
    let mut codes: BTreeMap<&'static str, Severity> = BTreeMap::new();
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        codes.entry(d.code).or_insert(d.severity);
    }
    let rule_index: BTreeMap<&str, usize> =
        codes.keys().enumerate().map(|(i, c)| (*c, i)).collect();
    let rules = codes.iter().map(|(code, s)| rule(code, *s)).collect();

    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for report in reports {
        let uri = ArtifactLocation {
            uri: path_uri(&report.path),
        };
        let file_only = || {
            vec![Location {
                physical_location: PhysicalLocation {
                    artifact_location: uri.clone(),
                    region: None,
                },
            }]
        };
        if let Some(error) = &report.error {
            notifications.push(Notification {
                level: "error",
                message: Text {
                    text: error.clone(),
                },
                locations: file_only(),
            });
        }
        for warning in &report.warnings {
            notifications.push(Notification {
                level: "warning",
                message: Text {
                    text: warning.clone(),
                },
                locations: file_only(),
            });
        }
        let index = LineIndex::new(&report.text);
        let prints = fingerprints(report, &index);
        for (d, print) in report.diagnostics.iter().zip(prints) {
            results.push(SarifResult {
                rule_id: d.code,
                rule_index: rule_index[d.code],
                level: level(d.severity),
                message: Text {
                    text: d.message.clone(),
                },
                locations: vec![Location {
                    physical_location: PhysicalLocation {
                        artifact_location: uri.clone(),
                        region: Some(region(&index, &report.text, d.span)),
                    },
                }],
                partial_fingerprints: BTreeMap::from([("plimsoll/v1", print)]),
                fixes: fix(&uri, &index, &report.text, d).into_iter().collect(),
                properties: ResultProperties {
                    severity: d.severity.as_str(),
                    help: d.help.clone(),
                },
            });
        }
    }

    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "Plimsoll",
                    full_name: "Plimsoll Dockerfile linter",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: plimsoll_rules::docs::PROJECT_URL,
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: reports.iter().all(|r| r.error.is_none()),
                tool_execution_notifications: notifications,
            }],
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log).map_err(std::io::Error::from)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(path_uri("svc/api/Dockerfile"), "svc/api/Dockerfile");
        assert_eq!(path_uri("my dir/Dockerfile"), "my%20dir/Dockerfile");
        assert_eq!(path_uri("é/Dockerfile#1"), "%C3%A9/Dockerfile%231");
        assert_eq!(path_uri("/tmp/x/Dockerfile"), "file:///tmp/x/Dockerfile");
        assert_eq!(path_uri("C:\\src\\Dockerfile"), "file:///C:/src/Dockerfile");
    }

    #[test]
    fn takes_the_first_paragraph_of_what_it_does() {
        let docs = "## What it does\nChecks a\nthing.\n\nMore.\n## Why\n";
        assert_eq!(what_it_does(docs).as_deref(), Some("Checks a thing."));
        assert_eq!(what_it_does("nothing"), None);
    }
}
