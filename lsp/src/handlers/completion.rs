//! `textDocument/completion`: instructions at the start of a line, flags after `--`, stage
//! names after `--from=` and in FROM, variables after `$` or `${`.

use super::{Result, document};
use crate::docs;
use crate::session::Session;
use lsp_types as lsp;
use plimsoll_analyzer::dockerfile::PREDEFINED_ARGS;
use plimsoll_analyzer::{Dockerfile, Instruction, Keyword, Span};
use plimsoll_rules::registry;
use std::collections::BTreeSet;

pub fn run(
    session: &Session,
    params: lsp::CompletionParams,
) -> Result<Option<lsp::CompletionResponse>> {
    let at = &params.text_document_position;
    let document = document(session, &at.text_document.uri)?;
    let file = &session.analysis(document).file;
    let positions = session.positions(document);
    let offset = positions.offset(at.position);
    let items = completions(file, offset)
        .into_iter()
        .map(|c| {
            let range = positions.range(c.replace);
            lsp::CompletionItem {
                label: c.label.clone(),
                kind: Some(c.kind),
                detail: c.detail,
                documentation: c.documentation.map(|value| {
                    lsp::Documentation::MarkupContent(lsp::MarkupContent {
                        kind: lsp::MarkupKind::Markdown,
                        value,
                    })
                }),
                filter_text: Some(c.filter),
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                    range, c.insert,
                ))),
                ..Default::default()
            }
        })
        .collect();
    Ok(Some(lsp::CompletionResponse::Array(items)))
}

/// One completion, independent of the protocol.
#[derive(Debug)]
pub(crate) struct Candidate {
    pub label: String,
    pub kind: lsp::CompletionItemKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    /// The text the client filters on (what replaces `replace`, as typed so far).
    pub filter: String,
    pub insert: String,
    /// The part already typed, replaced by `insert`.
    pub replace: Span,
}

pub(crate) fn completions(file: &Dockerfile, offset: usize) -> Vec<Candidate> {
    let text = file.text.as_str();
    let line_start = file.lines.line_start(file.lines.line_of(offset));
    let before = &text[line_start..offset];
    if before.trim_start().starts_with('#') {
        return pragma_codes(before, offset);
    }
    let word_start = line_start
        + before.rfind(char::is_whitespace).map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    let word = &text[word_start..offset];
    let instruction = file
        .instructions
        .iter()
        .find(|i| i.span.start <= offset && offset <= i.span.end);

    let Some(instruction) = instruction.filter(|i| offset > i.keyword_span.end) else {
        // Nothing but the start of a word on a line of its own: an instruction keyword.
        let first_word = before.trim_start();
        if first_word.chars().all(|c| c.is_ascii_alphabetic()) {
            return keywords(Span::new(word_start, offset), first_word);
        }
        return Vec::new();
    };
    if let Some(dollar) = word.rfind('$') {
        let after = &word[dollar + 1..];
        let braced = after.starts_with('{');
        let name = after.trim_start_matches('{');
        if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            let start = word_start + dollar + 1 + usize::from(braced);
            let close = braced && !text[offset..].starts_with('}');
            return variables(file, instruction, Span::new(start, offset), close);
        }
    }
    if instruction
        .heredocs
        .iter()
        .any(|h| h.body_span.start <= offset && offset <= h.terminator_span.end)
    {
        return Vec::new();
    }
    let earlier: Vec<&str> = text[instruction.keyword_span.end..word_start]
        .split_whitespace()
        .filter(|w| *w != "\\" && *w != "`")
        .collect();
    let in_flags = earlier.iter().all(|w| w.starts_with("--"));
    if in_flags && let Some(flag) = word.strip_prefix("--") {
        return match flag.split_once('=') {
            None => flags(instruction.keyword, Span::new(word_start, offset), flag),
            Some((name, value)) => {
                let value_start = offset - value.len();
                flag_values(file, instruction, name, value, value_start, offset)
            }
        };
    }
    if instruction.keyword == Keyword::From {
        let positional: Vec<&&str> = earlier.iter().filter(|w| !w.starts_with("--")).collect();
        let replace = Span::new(word_start, offset);
        match positional.len() {
            0 => {
                let mut out = stage_names(file, instruction, replace);
                out.push(plain(
                    "scratch",
                    lsp::CompletionItemKind::MODULE,
                    "an empty base",
                    replace,
                ));
                return out;
            }
            1 => {
                return vec![plain(
                    "AS",
                    lsp::CompletionItemKind::KEYWORD,
                    "name this stage",
                    replace,
                )];
            }
            _ => {}
        }
    }
    Vec::new()
}

/// Rule codes after `# plimsoll: ignore=` (or `# hadolint ignore=`), one per comma.
fn pragma_codes(before: &str, offset: usize) -> Vec<Candidate> {
    let comment = before.trim_start().trim_start_matches('#').trim_start();
    let is_pragma = comment.starts_with("plimsoll:") || comment.starts_with("hadolint");
    let Some((_, list)) = comment.split_once("ignore=").filter(|_| is_pragma) else {
        return Vec::new();
    };
    if list.contains(char::is_whitespace) {
        return Vec::new();
    }
    let typed = list.rsplit(',').next().unwrap_or("");
    let replace = Span::new(offset - typed.len(), offset);
    registry::all()
        .map(|rule| {
            let meta = rule.meta();
            Candidate {
                label: meta.code.into(),
                kind: lsp::CompletionItemKind::CONSTANT,
                detail: Some(match meta.alias {
                    Some(alias) => format!("{} ({alias})", meta.name),
                    None => meta.name.into(),
                }),
                documentation: Some(meta.summary.into()),
                // Typing the alias or the name finds the code too.
                filter: format!("{} {} {}", meta.code, meta.alias.unwrap_or(""), meta.name),
                insert: meta.code.into(),
                replace,
            }
        })
        .collect()
}

fn plain(label: &str, kind: lsp::CompletionItemKind, detail: &str, replace: Span) -> Candidate {
    Candidate {
        label: label.into(),
        kind,
        detail: Some(detail.into()),
        documentation: None,
        filter: label.into(),
        insert: label.into(),
        replace,
    }
}

fn keywords(replace: Span, typed: &str) -> Vec<Candidate> {
    // Keep the casing the user started with.
    let lower = typed.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    docs::INSTRUCTIONS
        .iter()
        .map(|doc| {
            let keyword = if lower {
                doc.keyword.as_str().to_ascii_lowercase()
            } else {
                doc.keyword.as_str().to_string()
            };
            Candidate {
                label: doc.keyword.as_str().into(),
                kind: lsp::CompletionItemKind::KEYWORD,
                detail: Some(doc.syntax.into()),
                documentation: Some(format!(
                    "{}\n\n[Dockerfile reference]({})",
                    doc.summary,
                    docs::reference_url(doc.keyword)
                )),
                filter: keyword.clone(),
                insert: format!("{keyword} "),
                replace,
            }
        })
        .collect()
}

fn flags(keyword: Keyword, replace: Span, typed: &str) -> Vec<Candidate> {
    docs::flags(keyword)
        .filter(|f| f.name.starts_with(&typed.to_ascii_lowercase()))
        .map(|f| {
            let label = format!("--{}", f.name);
            Candidate {
                insert: if f.value.is_empty() {
                    label.clone()
                } else {
                    format!("{label}=")
                },
                filter: label.clone(),
                label,
                kind: lsp::CompletionItemKind::PROPERTY,
                detail: Some(f.value.into()).filter(|v: &String| !v.is_empty()),
                documentation: Some(docs::flag_markdown(keyword, f)),
                replace,
            }
        })
        .collect()
}

fn flag_values(
    file: &Dockerfile,
    instruction: &Instruction,
    flag: &str,
    value: &str,
    value_start: usize,
    offset: usize,
) -> Vec<Candidate> {
    let keyword = instruction.keyword;
    let choices: &[&str] = match (keyword, flag.to_ascii_lowercase().as_str()) {
        (Keyword::Copy, "from") => {
            return stage_names(file, instruction, Span::new(value_start, offset));
        }
        (Keyword::Run, "mount") => {
            // Only the option being typed: `type=cache,from=bu|`.
            let part_start = value.rfind(',').map_or(0, |i| i + 1);
            let part = &value[part_start..];
            return match part.strip_prefix("from=") {
                Some(stage) => {
                    stage_names(file, instruction, Span::new(offset - stage.len(), offset))
                }
                None if part.starts_with("type=") => {
                    let typed = &part["type=".len()..];
                    ["bind", "cache", "tmpfs", "secret", "ssh"]
                        .iter()
                        .map(|t| {
                            plain(
                                t,
                                lsp::CompletionItemKind::ENUM_MEMBER,
                                "mount type",
                                Span::new(offset - typed.len(), offset),
                            )
                        })
                        .collect()
                }
                None => Vec::new(),
            };
        }
        (Keyword::Run, "network") => &["default", "none", "host"],
        (Keyword::Run, "security") => &["sandbox", "insecure"],
        (Keyword::From, "platform") => &[
            "$BUILDPLATFORM",
            "$TARGETPLATFORM",
            "linux/amd64",
            "linux/arm64",
        ],
        _ => &[],
    };
    choices
        .iter()
        .map(|c| {
            plain(
                c,
                lsp::CompletionItemKind::ENUM_MEMBER,
                &format!("--{flag}"),
                Span::new(value_start, offset),
            )
        })
        .collect()
}

/// Stages defined before the instruction's own stage, by name.
fn stage_names(file: &Dockerfile, instruction: &Instruction, replace: Span) -> Vec<Candidate> {
    let before = match instruction.keyword {
        Keyword::From => file
            .stages
            .iter()
            .find(|s| s.from == instruction.index)
            .map_or(file.stages.len(), |s| s.index),
        _ => instruction.stage.unwrap_or(0),
    };
    file.stages[..before.min(file.stages.len())]
        .iter()
        .filter_map(|s| {
            let name = s.name.as_ref()?;
            let base = file.instructions[s.from]
                .args
                .text
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string();
            Some(plain(
                &name.text,
                lsp::CompletionItemKind::MODULE,
                &format!("stage {} (FROM {base})", s.index),
                replace,
            ))
        })
        .collect()
}

/// Variables visible at the instruction.
fn variables(
    file: &Dockerfile,
    instruction: &Instruction,
    replace: Span,
    close_brace: bool,
) -> Vec<Candidate> {
    let mut names: BTreeSet<&str> = PREDEFINED_ARGS.iter().copied().collect();
    for i in &file.instructions {
        if matches!(i.keyword, Keyword::Arg | Keyword::Env) {
            names.extend(i.pairs.iter().map(|p| p.key.as_str()));
        }
    }
    names
        .into_iter()
        .filter_map(|name| {
            let def = file.lookup(instruction.index, name)?;
            let detail = match &def.value {
                Some(v) => format!("= {v}"),
                None => "no value".into(),
            };
            Some(Candidate {
                label: name.into(),
                kind: lsp::CompletionItemKind::VARIABLE,
                detail: Some(detail),
                documentation: None,
                filter: name.into(),
                insert: if close_brace {
                    format!("{name}}}")
                } else {
                    name.into()
                },
                replace,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Completions at the `|` in `text`.
    fn at(text: &str) -> Vec<(String, String)> {
        let offset = text.find('|').unwrap();
        let text = text.replacen('|', "", 1);
        let file = Dockerfile::parse(&text);
        completions(&file, offset)
            .into_iter()
            .map(|c| {
                let typed = c.replace.text(&text).to_string();
                (c.label, format!("{typed}->{}", c.insert))
            })
            .collect()
    }

    fn labels(text: &str) -> Vec<String> {
        at(text).into_iter().map(|(l, _)| l).collect()
    }

    #[test]
    fn instructions_at_line_start() {
        let got = at("FROM a\nRU|\n");
        assert!(got.contains(&("RUN".into(), "RU->RUN ".into())), "{got:?}");
        assert_eq!(got.len(), 18);
        let got = at("FROM a\nwo|");
        assert!(
            got.contains(&("WORKDIR".into(), "wo->workdir ".into())),
            "{got:?}"
        );
        assert!(
            labels("FROM a\nRUN echo \\\n  ec|\n").is_empty(),
            "continuation lines are arguments"
        );
        assert!(labels("# RU|\n").is_empty());
    }

    #[test]
    fn rule_codes_in_pragmas() {
        let got = at("FROM a\n# plimsoll: ignore=PL000,DL30|\nRUN x\n");
        assert!(
            got.contains(&("PL103".into(), "DL30->PL103".into())),
            "{got:?}"
        );
        assert!(labels("# plimsoll: ignore=PL1 because |\n").is_empty());
        assert!(labels("# just a comment |\n").is_empty());
    }

    #[test]
    fn flags_and_their_values() {
        let got = labels("FROM a\nCOPY --|\n");
        assert_eq!(
            got,
            vec![
                "--from",
                "--chown",
                "--chmod",
                "--link",
                "--parents",
                "--exclude"
            ]
        );
        let got = at("FROM a\nCOPY --ch|\n");
        assert!(
            got.contains(&("--chown".into(), "--ch->--chown=".into())),
            "{got:?}"
        );
        assert_eq!(
            labels("FROM a\nRUN --network=|\n"),
            vec!["default", "none", "host"]
        );
        assert!(
            labels("FROM a\nCOPY x --|\n").is_empty(),
            "flags come first"
        );
    }

    #[test]
    fn stage_names_from_earlier_stages() {
        let text = "FROM a AS build\nFROM b AS test\nCOPY --from=|\nFROM c AS later\n";
        assert_eq!(labels(text), vec!["build"]);
        let text = "FROM a AS build\nRUN --mount=type=cache,from=b|\n";
        assert!(labels(text).is_empty(), "only earlier stages");
        let text = "FROM a AS build\nFROM x\nRUN --mount=type=cache,from=b|\n";
        assert_eq!(at(text), vec![("build".into(), "b->build".into())]);
        let text = "FROM a AS build\nFROM |\n";
        assert_eq!(labels(text), vec!["build", "scratch"]);
        assert_eq!(labels("FROM a AS build\nFROM build |\n"), vec!["AS"]);
    }

    #[test]
    fn variables_in_scope() {
        let text = "ARG V=1\nFROM a\nARG V\nENV HOME_DIR=/h\nRUN echo ${HO|\nFROM b\n";
        let got = at(text);
        assert!(
            got.contains(&("HOME_DIR".into(), "HO->HOME_DIR}".into())),
            "{got:?}"
        );
        assert!(got.iter().any(|(l, _)| l == "V"), "{got:?}");
        assert!(
            !got.iter().any(|(l, _)| l == "HTTP_PROXY"),
            "predefined args need an ARG in a stage"
        );
        let got = labels("ARG V=1\nFROM a:$|\n");
        assert!(
            got.contains(&"V".to_string()) && got.contains(&"TARGETARCH".to_string()),
            "{got:?}"
        );
    }
}
