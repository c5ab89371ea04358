//! `textDocument/foldingRange`: stages, instructions over several lines (continuations,
//! heredocs) and blocks of comment lines.

use super::{Result, document};
use crate::session::Session;
use lsp_types as lsp;
use plimsoll_analyzer::{Dockerfile, Span};

pub fn run(
    session: &Session,
    params: lsp::FoldingRangeParams,
) -> Result<Option<Vec<lsp::FoldingRange>>> {
    let document = document(session, &params.text_document.uri)?;
    let file = &session.analysis(document).file;
    Ok(Some(ranges(file)))
}

pub(crate) fn ranges(file: &Dockerfile) -> Vec<lsp::FoldingRange> {
    let line = |offset: usize| file.lines.line_of(offset) as u32;
    let mut out = Vec::new();
    let mut fold = |span: Span, kind: Option<lsp::FoldingRangeKind>| {
        let (start, end) = (line(span.start), line(span.end));
        if end > start {
            out.push(lsp::FoldingRange {
                start_line: start,
                start_character: None,
                end_line: end,
                end_character: None,
                kind,
                collapsed_text: None,
            });
        }
    };
    for stage in &file.stages {
        let from = &file.instructions[stage.from];
        let end = stage
            .instructions
            .clone()
            .last()
            .map_or(from.span.end, |i| file.instructions[i].span.end);
        fold(
            Span::new(from.span.start, end),
            Some(lsp::FoldingRangeKind::Region),
        );
    }
    for instruction in &file.instructions {
        fold(instruction.span, None);
    }
    let mut block: Option<Span> = None;
    for comment in file.comments.iter().filter(|c| !c.inside_instruction) {
        block = match block {
            Some(b) if line(comment.span.start) == line(b.end) + 1 => Some(b.cover(comment.span)),
            Some(b) => {
                fold(b, Some(lsp::FoldingRangeKind::Comment));
                Some(comment.span)
            }
            None => Some(comment.span),
        };
    }
    if let Some(b) = block {
        fold(b, Some(lsp::FoldingRangeKind::Comment));
    }
    out.sort_by_key(|r| (r.start_line, std::cmp::Reverse(r.end_line)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_stages_long_instructions_and_comment_blocks() {
        let text = "# one\n# two\nFROM a\nRUN a \\\n  b\nCOPY <<EOF /x\nhi\nEOF\n# alone\nFROM b\n";
        let file = Dockerfile::parse(text);
        let got: Vec<_> = ranges(&file)
            .iter()
            .map(|r| (r.start_line, r.end_line, r.kind.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, 1, Some(lsp::FoldingRangeKind::Comment)),
                (2, 7, Some(lsp::FoldingRangeKind::Region)),
                (3, 4, None),
                (5, 7, None),
            ]
        );
    }
}
