//! `textDocument/documentSymbol`: the global ARGs, then each stage with its instructions.

use super::{Result, document};
use crate::convert::Positions;
use crate::session::Session;
use lsp_types as lsp;
use plimsoll_analyzer::{Base, Dockerfile, Instruction, Keyword, Span, Stage};

pub fn run(
    session: &Session,
    params: lsp::DocumentSymbolParams,
) -> Result<Option<lsp::DocumentSymbolResponse>> {
    let document = document(session, &params.text_document.uri)?;
    let file = &session.analysis(document).file;
    let positions = session.positions(document);
    let tree = symbols(file, &positions);
    if session.client.hierarchical_symbols {
        return Ok(Some(lsp::DocumentSymbolResponse::Nested(tree)));
    }
    let mut flat = Vec::new();
    flatten(&document.uri, tree, None, &mut flat);
    Ok(Some(lsp::DocumentSymbolResponse::Flat(flat)))
}

pub(crate) fn symbols(file: &Dockerfile, positions: &Positions<'_>) -> Vec<lsp::DocumentSymbol> {
    let mut out: Vec<lsp::DocumentSymbol> = file
        .instructions
        .iter()
        .filter(|i| i.stage.is_none() && i.keyword != Keyword::From)
        .map(|i| instruction_symbol(file, i, positions))
        .collect();
    for stage in &file.stages {
        out.push(stage_symbol(file, stage, positions));
    }
    out
}

#[allow(deprecated)]
fn symbol(
    name: String,
    detail: Option<String>,
    kind: lsp::SymbolKind,
    range: Span,
    selection: Span,
    children: Option<Vec<lsp::DocumentSymbol>>,
    positions: &Positions<'_>,
) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: positions.range(range),
        selection_range: positions.range(selection),
        children,
    }
}

fn stage_symbol(
    file: &Dockerfile,
    stage: &Stage,
    positions: &Positions<'_>,
) -> lsp::DocumentSymbol {
    let from = &file.instructions[stage.from];
    let end = stage
        .instructions
        .clone()
        .last()
        .map_or(from.span.end, |i| file.instructions[i].span.end);
    let name = stage
        .name
        .as_ref()
        .map_or_else(|| format!("stage {}", stage.index), |n| n.text.clone());
    let base = match &stage.base {
        Base::Scratch => "scratch".to_string(),
        Base::Image(image) => image.text.clone(),
        Base::Stage(parent) => file.stages[*parent]
            .name
            .as_ref()
            .map_or_else(|| format!("stage {parent}"), |n| n.text.clone()),
    };
    let selection = stage.name.as_ref().map_or(from.keyword_span, |n| n.span);
    let children = stage
        .instructions
        .clone()
        .skip(1)
        .map(|i| instruction_symbol(file, &file.instructions[i], positions))
        .collect();
    symbol(
        name,
        Some(format!("FROM {base}")),
        lsp::SymbolKind::CLASS,
        Span::new(from.span.start, end),
        selection,
        Some(children),
        positions,
    )
}

fn instruction_symbol(
    file: &Dockerfile,
    instruction: &Instruction,
    positions: &Positions<'_>,
) -> lsp::DocumentSymbol {
    let keyword = match instruction.keyword {
        Keyword::Unknown => instruction.keyword_text(&file.text).to_ascii_uppercase(),
        Keyword::Onbuild => match &instruction.onbuild {
            Some(inner) => format!(
                "ONBUILD {}",
                inner.keyword_text(&file.text).to_ascii_uppercase()
            ),
            None => "ONBUILD".into(),
        },
        k => k.as_str().to_string(),
    };
    let kind = match instruction.keyword {
        Keyword::Arg | Keyword::Env => lsp::SymbolKind::VARIABLE,
        Keyword::Label | Keyword::Maintainer => lsp::SymbolKind::PROPERTY,
        Keyword::Run | Keyword::Onbuild => lsp::SymbolKind::FUNCTION,
        Keyword::Cmd | Keyword::Entrypoint | Keyword::Healthcheck => lsp::SymbolKind::EVENT,
        Keyword::Copy | Keyword::Add => lsp::SymbolKind::FILE,
        Keyword::Expose => lsp::SymbolKind::INTERFACE,
        Keyword::User | Keyword::Workdir | Keyword::Volume => lsp::SymbolKind::KEY,
        _ => lsp::SymbolKind::OPERATOR,
    };
    let named = matches!(
        instruction.keyword,
        Keyword::Arg | Keyword::Env | Keyword::Label
    ) && !instruction.pairs.is_empty();
    let (name, selection) = if named {
        let keys: Vec<&str> = instruction.pairs.iter().map(|p| p.key.as_str()).collect();
        (
            format!("{keyword} {}", keys.join(", ")),
            instruction.pairs[0].key_span,
        )
    } else {
        (keyword, instruction.keyword_span)
    };
    symbol(
        name,
        summary(&instruction.args.text),
        kind,
        instruction.span,
        selection,
        None,
        positions,
    )
}

/// The arguments on one line, shortened for the outline.
fn summary(args: &str) -> Option<String> {
    const MAX: usize = 60;
    let line: String = args.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        return None;
    }
    Some(match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    })
}

#[allow(deprecated)]
fn flatten(
    uri: &lsp::Url,
    symbols: Vec<lsp::DocumentSymbol>,
    container: Option<&str>,
    out: &mut Vec<lsp::SymbolInformation>,
) {
    for symbol in symbols {
        out.push(lsp::SymbolInformation {
            name: symbol.name.clone(),
            kind: symbol.kind,
            tags: None,
            deprecated: None,
            location: lsp::Location::new(uri.clone(), symbol.range),
            container_name: container.map(str::to_string),
        });
        if let Some(children) = symbol.children {
            flatten(uri, children, Some(&symbol.name), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::Encoding;

    #[test]
    fn stages_hold_their_instructions() {
        let text = "ARG BASE=debian\nFROM $BASE AS build\nENV A=1 B=2\nRUN make \\\n  all\nFROM build\nCOPY --from=build /a /a\n";
        let file = Dockerfile::parse(text);
        let positions = Positions::new(text, &file.lines, Encoding::Utf16);
        let tree = symbols(&file, &positions);
        let names: Vec<_> = tree.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec!["ARG BASE", "build", "stage 1"]);
        let build = &tree[1];
        assert_eq!(build.detail.as_deref(), Some("FROM debian"));
        let children: Vec<_> = build
            .children
            .as_ref()
            .unwrap()
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(children, vec!["ENV A, B", "RUN"]);
        assert_eq!(
            build.range.end,
            lsp::Position::new(4, 5),
            "the stage ends with its last line"
        );
        assert_eq!(
            build.children.as_ref().unwrap()[1].detail.as_deref(),
            Some("make all")
        );
        assert_eq!(tree[2].detail.as_deref(), Some("FROM build"));
    }
}
