//! `textDocument/hover`: the rule's page on a finding, the reference on an instruction
//! keyword or flag, the resolved value of a variable, and a base image split into its parts.

use super::{Result, document};
use crate::docs;
use crate::session::Session;
use crate::symbols::{self, Target};
use lsp_types as lsp;
use plimsoll_analyzer::{Base, Dockerfile, ImageRef, Instruction, Keyword, Span, VarDef, VarKind};
use plimsoll_rules::suppression::pragma_codes;
use plimsoll_rules::{Diagnostic, registry};
use std::fmt::Write;

pub fn run(session: &Session, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
    let at = &params.text_document_position_params;
    let document = document(session, &at.text_document.uri)?;
    let analysis = session.analysis(document);
    let positions = session.positions(document);
    let offset = positions.offset(at.position);
    let Some((markdown, span)) = hover_at(&analysis.file, &analysis.diagnostics, offset) else {
        return Ok(None);
    };
    let contents = if session.client.markdown_hover {
        lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: markdown,
        }
    } else {
        lsp::MarkupContent {
            kind: lsp::MarkupKind::PlainText,
            value: markdown,
        }
    };
    Ok(Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(contents),
        range: Some(positions.range(span)),
    }))
}

/// The hover text (Markdown) at a byte offset and the span it describes.
pub(crate) fn hover_at(
    file: &Dockerfile,
    diagnostics: &[Diagnostic],
    offset: usize,
) -> Option<(String, Span)> {
    let mut sections = Vec::new();
    let mut span: Option<Span> = None;
    let mut cover = |s: Span| {
        span = Some(span.map_or(s, |old| if s.len() < old.len() { s } else { old }));
    };

    // Findings under the cursor, each rule's page once.
    let mut shown_codes = Vec::new();
    for d in diagnostics.iter().filter(|d| touches(d.span, offset)) {
        cover(d.span);
        let mut section = format!("**{}**: {}", d.code, d.message);
        if let Some(help) = &d.help {
            let _ = write!(section, "\n\n*help*: {help}");
        }
        if !shown_codes.contains(&d.code)
            && let Some(meta) = registry::meta(d.code)
        {
            shown_codes.push(d.code);
            let alias = meta
                .alias
                .map(|a| format!(" (alias `{a}`)"))
                .unwrap_or_default();
            let _ = write!(
                section,
                "\n\n---\n\n### {} `{}`{alias}\n\nSeverity: {} · Fix: {}\n\n{}",
                meta.code,
                meta.name,
                meta.severity.as_str(),
                meta.fix.as_str(),
                meta.docs().trim()
            );
        }
        sections.push(section);
    }

    let occurrences = symbols::occurrences(file);
    if let Some(occurrence) = symbols::at(&occurrences, offset) {
        cover(occurrence.span);
        sections.push(match &occurrence.target {
            Target::Stage(index) => stage_markdown(file, *index),
            Target::Variable { name, .. } => {
                variable_markdown(file, occurrence.instruction, name, occurrence.definition)
            }
        });
    } else if let Some((markdown, s)) = instruction_hover(file, offset) {
        cover(s);
        sections.push(markdown);
    } else if let Some((markdown, s)) = pragma_hover(file, offset) {
        cover(s);
        sections.push(markdown);
    }

    Some((sections.join("\n\n---\n\n"), span?)).filter(|(text, _)| !text.is_empty())
}

fn touches(span: Span, offset: usize) -> bool {
    span.contains(offset) || (span.is_empty() && span.start == offset)
}

/// Keyword, flag or base image under the cursor.
fn instruction_hover(file: &Dockerfile, offset: usize) -> Option<(String, Span)> {
    let instruction = file
        .instructions
        .iter()
        .find(|i| i.span.start <= offset && offset <= i.span.end)?;
    let inner = instruction.onbuild.as_deref();
    for candidate in std::iter::once(instruction).chain(inner) {
        if touches(candidate.keyword_span, offset) || candidate.keyword_span.end == offset {
            return Some((
                docs::instruction_markdown(candidate.keyword)?,
                candidate.keyword_span,
            ));
        }
        for flag in &candidate.flags {
            if touches(flag.span, offset) {
                let doc = docs::flag(candidate.keyword, &flag.name)?;
                return Some((docs::flag_markdown(candidate.keyword, doc), flag.span));
            }
        }
    }
    let stage = file.stages.iter().find(|s| s.from == instruction.index)?;
    let word = stage
        .image_word
        .as_ref()
        .filter(|w| touches(w.span, offset))?;
    match &stage.base {
        Base::Image(image) => Some((
            image_markdown(file, instruction, &word.text, image),
            word.span,
        )),
        Base::Scratch => Some((
            "`scratch`: an empty base, no files at all (the image holds only what you copy \
             into it)."
                .into(),
            word.span,
        )),
        Base::Stage(_) => None,
    }
}

/// A rule code in a `# plimsoll: ignore=…` or `# hadolint ignore=…` pragma.
fn pragma_hover(file: &Dockerfile, offset: usize) -> Option<(String, Span)> {
    let comment = file
        .comments
        .iter()
        .find(|c| c.span.start <= offset && offset <= c.span.end)?;
    pragma_codes(&comment.text)?;
    let text = comment.span.text(&file.text);
    let list_start = text.find('=')? + 1;
    let mut start = comment.span.start + list_start;
    for code in text[list_start..].split(|c: char| c == ',' || c.is_whitespace()) {
        let span = Span::new(start, start + code.len());
        start = span.end + 1;
        if !(span.start <= offset && offset <= span.end) || code.is_empty() {
            continue;
        }
        let meta = registry::find(code)?.meta();
        return Some((
            format!(
                "### {} `{}`\n\n{}\n\nSeverity: {} · Fix: {}",
                meta.code,
                meta.name,
                meta.summary,
                meta.severity.as_str(),
                meta.fix.as_str()
            ),
            span,
        ));
    }
    None
}

fn image_markdown(
    file: &Dockerfile,
    from: &Instruction,
    written: &str,
    image: &ImageRef,
) -> String {
    let mut out = String::from("**Base image**");
    if written != image.text {
        let _ = write!(out, "\n\n`{written}` → `{}`", image.text);
    } else {
        let _ = write!(out, " `{}`", image.text);
    }
    let _ = write!(
        out,
        "\n\n| part | value |\n|---|---|\n| registry | `{}`{} |\n| repository | `{}` |\n| tag | {} |\n| digest | {} |",
        image.registry_or_default(),
        if image.registry.is_none() {
            " (Docker Hub)"
        } else {
            ""
        },
        if image.registry.is_none() {
            image.full_repository()
        } else {
            image.repository.clone()
        },
        image
            .tag
            .as_ref()
            .map_or("none (means `latest`)".into(), |t| format!("`{t}`")),
        image
            .digest
            .as_ref()
            .map_or("none (not pinned)".into(), |d| format!("`{d}`")),
    );
    if let Some(stage) = file.stages.iter().find(|s| s.from == from.index)
        && !stage.unresolved_vars.is_empty()
    {
        let _ = write!(
            out,
            "\n\nNo value for {}: they expand to nothing unless passed with `--build-arg`.",
            stage
                .unresolved_vars
                .iter()
                .map(|v| format!("`${v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(platform) = file
        .stages
        .iter()
        .find(|s| s.from == from.index)
        .and_then(|s| s.platform.as_ref())
    {
        let _ = write!(out, "\n\nPlatform: `{platform}`");
    }
    out
}

fn line_of(file: &Dockerfile, offset: usize) -> usize {
    file.line_col(offset).line
}

fn stage_markdown(file: &Dockerfile, index: usize) -> String {
    let Some(stage) = file.stages.get(index) else {
        return String::new();
    };
    let name = stage
        .name
        .as_ref()
        .map_or(format!("stage {index}"), |n| format!("stage `{}`", n.text));
    let base = match &stage.base {
        Base::Scratch => "`scratch`".to_string(),
        Base::Image(image) => format!("`{}`", image.text),
        Base::Stage(parent) => match file.stages.get(*parent).and_then(|p| p.name.as_ref()) {
            Some(n) => format!("stage `{}`", n.text),
            None => format!("stage {parent}"),
        },
    };
    let first = &file.instructions[stage.from];
    let last = stage
        .instructions
        .clone()
        .last()
        .map_or(first, |i| &file.instructions[i]);
    let final_note = if index + 1 == file.stages.len() {
        " It is the final stage: what `docker build` produces without `--target`."
    } else {
        ""
    };
    format!(
        "**{name}** (#{index}), built on {base}, lines {}–{}, {} instructions.{final_note}",
        line_of(file, first.span.start),
        line_of(file, last.span.end),
        stage.instructions.len()
    )
}

fn variable_markdown(file: &Dockerfile, at: usize, name: &str, definition: bool) -> String {
    let def = if definition {
        defined_here(file, at, name)
    } else {
        file.lookup(at, name)
    };
    let Some(def) = def else {
        return format!(
            "`${name}` is not set by any ARG or ENV here: BuildKit expands it to nothing \
             (in RUN, the shell may set it)."
        );
    };
    let value = match &def.value {
        Some(v) => format!("`{}`", v.replace('`', "'")),
        None => "no value".into(),
    };
    let origin = match (def.kind, def.instruction) {
        (VarKind::Predefined, _) => {
            "a build argument BuildKit predefines (set by the builder or `--build-arg`)".to_string()
        }
        (kind, Some(i)) => {
            let instruction = &file.instructions[i];
            let written = instruction
                .span
                .text(&file.text)
                .lines()
                .next()
                .unwrap_or("");
            let what = match kind {
                VarKind::Env => "environment variable, also set in the running container",
                _ => "build argument, `--build-arg` overrides it",
            };
            format!(
                "{what}; defined on line {}: `{written}`",
                line_of(file, instruction.span.start)
            )
        }
        (_, None) => String::new(),
    };
    format!("**`{name}`** = {value}\n\n{origin}")
}

/// The value the ARG or ENV at instruction `at` gives `name`.
fn defined_here(file: &Dockerfile, at: usize, name: &str) -> Option<VarDef> {
    let instruction = file.instructions.get(at)?;
    let pair = instruction.pairs.iter().rev().find(|p| p.key == name)?;
    let written = pair.value.as_ref().map(|v| file.expand(at, &v.text).text);
    let (kind, value) = match instruction.keyword {
        Keyword::Env => (VarKind::Env, written),
        _ => {
            // `ARG NAME` in a stage takes the global default; `--build-arg` beats both.
            let inherited = || {
                let stage = &file.stages[instruction.stage?];
                file.lookup(stage.from, name)?.value
            };
            let value = file
                .options
                .build_args
                .get(name)
                .cloned()
                .or(written)
                .or_else(inherited);
            (VarKind::Arg, value)
        }
    };
    Some(VarDef {
        value,
        instruction: Some(at),
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hover(text: &str, needle: &str, nth: usize) -> String {
        let file = Dockerfile::parse(text);
        let diagnostics = plimsoll_rules::check(&file, None, &Default::default());
        let offset = text.match_indices(needle).nth(nth).unwrap().0 + 1;
        hover_at(&file, &diagnostics, offset)
            .map(|h| h.0)
            .unwrap_or_default()
    }

    #[test]
    fn rule_page_on_a_finding() {
        let h = hover("FROM debian:12\nRUN apt-get install -y curl\n", "curl", 0);
        assert!(h.contains("PL103"), "{h}");
        assert!(h.contains("## What it does"), "{h}");
        assert!(h.contains("DL3008"), "{h}");
    }

    #[test]
    fn instruction_and_flag_pages() {
        let text = "FROM debian:12 AS b\nCOPY --from=b /a /a\nWORKDIR /app\n";
        assert!(hover(text, "WORKDIR", 0).contains("working directory"));
        assert!(hover(text, "--from", 0).contains("COPY --from="));
    }

    #[test]
    fn resolved_variables() {
        let text = "ARG VERSION=1.2\nFROM debian:12\nARG VERSION\nENV APP=/opt/app-$VERSION\nRUN echo $APP $nope\n";
        let h = hover(text, "$APP", 0);
        assert!(h.contains("`/opt/app-1.2`"), "{h}");
        assert!(h.contains("line 4"), "{h}");
        let h = hover(text, "VERSION", 2);
        assert!(h.contains("`1.2`"), "{h}");
        assert!(hover(text, "$nope", 0).contains("not set"));
    }

    #[test]
    fn codes_in_pragmas() {
        let text = "FROM debian:12\n# hadolint ignore=DL3009,DL3008 reason\nRUN apt-get install -y curl=1\n";
        let h = hover(text, "DL3008", 0);
        assert!(h.contains("PL103") && h.contains("apt-get-unpinned"), "{h}");
        assert_eq!(hover(text, "reason", 0), "");
    }

    #[test]
    fn base_image_parts() {
        let text = "ARG TAG=3.19\nFROM ghcr.io/acme/tool:${TAG}@sha256:abc AS t\nFROM t\n";
        let h = hover(text, "ghcr", 0);
        assert!(h.contains("| registry | `ghcr.io`"), "{h}");
        assert!(h.contains("| repository | `acme/tool`"), "{h}");
        assert!(h.contains("| tag | `3.19`"), "{h}");
        assert!(h.contains("| digest | `sha256:abc`"), "{h}");
        let h = hover("FROM nginx\n", "nginx", 0);
        assert!(
            h.contains("library/nginx") && h.contains("none (means `latest`)"),
            "{h}"
        );
        let h = hover(text, "t\n", 1);
        assert!(h.contains("stage `t`"), "{h}");
    }
}
