//! `textDocument/formatting`: only what can not change the build. Instruction keywords in
//! upper case (BuildKit reads them case-insensitively), and trailing whitespace removed
//! from blank and comment lines (BuildKit drops those lines). Trailing whitespace after an
//! instruction's text is left alone (it can belong to a value), and heredoc bodies are
//! never touched. Continuation-line indentation is not changed: inside quotes it is part
//! of the string.

use super::{Result, document};
use crate::session::Session;
use lsp_types as lsp;
use plimsoll_analyzer::{Dockerfile, Keyword, Span};
use plimsoll_rules::Edit;

pub fn run(
    session: &Session,
    params: lsp::DocumentFormattingParams,
) -> Result<Option<Vec<lsp::TextEdit>>> {
    let document = document(session, &params.text_document.uri)?;
    let file = &session.analysis(document).file;
    let positions = session.positions(document);
    Ok(Some(
        format_edits(file)
            .iter()
            .map(|e| positions.text_edit(e))
            .collect(),
    ))
}

pub(crate) fn format_edits(file: &Dockerfile) -> Vec<Edit> {
    let text = file.text.as_str();
    let mut edits = Vec::new();
    let mut heredocs = Vec::new();
    for instruction in &file.instructions {
        let inner = instruction.onbuild.as_deref();
        for i in std::iter::once(instruction).chain(inner) {
            if i.keyword != Keyword::Unknown && i.keyword_text(text) != i.keyword.as_str() {
                edits.push(Edit::replace(i.keyword_span, i.keyword.as_str()));
            }
        }
        heredocs.extend(
            instruction
                .heredocs
                .iter()
                .map(|h| Span::new(h.body_span.start, h.terminator_span.end)),
        );
    }
    for line in 0..file.lines.line_count() {
        let span = file.lines.line_span(line, text);
        if heredocs
            .iter()
            .any(|h| h.start <= span.start && span.start <= h.end)
        {
            continue;
        }
        let content = span.text(text);
        let kept = content.trim_end_matches([' ', '\t']);
        let body = kept.trim_start();
        if kept.len() < content.len() && (body.is_empty() || body.starts_with('#')) {
            edits.push(Edit::delete(Span::new(span.start + kept.len(), span.end)));
        }
    }
    edits.sort_by_key(|e| e.span.start);
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(text: &str) -> String {
        let edits = format_edits(&Dockerfile::parse(text));
        let mut out = text.to_string();
        for e in edits.iter().rev() {
            out.replace_range(e.span.start..e.span.end, &e.content);
        }
        out
    }

    /// What the build sees: each instruction's keyword, flags, arguments and heredocs.
    fn meaning(text: &str) -> Vec<String> {
        let file = Dockerfile::parse(text);
        file.instructions
            .iter()
            .map(|i| {
                let heredocs: Vec<String> = i.heredocs.iter().map(|h| h.content(text)).collect();
                // ONBUILD's own argument text holds the inner keyword; the inner
                // instruction below is what counts.
                let args = if i.keyword == Keyword::Onbuild {
                    ""
                } else {
                    &i.args.text
                };
                format!(
                    "{:?} {:?} {:?} {:?} {:?}",
                    i.keyword,
                    i.flags
                        .iter()
                        .map(|f| (&f.name, &f.value))
                        .collect::<Vec<_>>(),
                    args,
                    heredocs,
                    i.onbuild.as_ref().map(|o| (o.keyword, o.args.text.clone()))
                )
            })
            .collect()
    }

    #[test]
    fn upper_cases_keywords_and_trims_only_where_safe() {
        let text = "# syntax=docker/dockerfile:1  \nfrom debian:12 as build   \n  \nrun echo \"a   \\\n   b\"  \\\n  # note  \n  && true\ncopy <<EOF /x  \nkeep   \n  \nEOF\nonbuild run make\nFROMM x\nenv A=1   \n";
        let formatted = format(text);
        assert_eq!(
            formatted,
            "# syntax=docker/dockerfile:1\nFROM debian:12 as build   \n\nRUN echo \"a   \\\n   b\"  \\\n  # note\n  && true\nCOPY <<EOF /x  \nkeep   \n  \nEOF\nONBUILD RUN make\nFROMM x\nENV A=1   \n"
        );
        assert_eq!(meaning(text), meaning(&formatted));
        assert_eq!(format(&formatted), formatted, "formatting is idempotent");
    }

    #[test]
    fn keeps_the_meaning_of_awkward_files() {
        for text in [
            "# escape=`\nfrom a\nrun echo `\n   \n  hi\n",
            "FROM a\r\nrun <<-EOT  \r\n\techo hi  \r\n\tEOT\r\n#c \r\n",
            "from a\nhealthcheck --interval=5s cmd [\"true\"]   \n",
            "",
        ] {
            let formatted = format(text);
            assert_eq!(
                meaning(text),
                meaning(&formatted),
                "{text:?} → {formatted:?}"
            );
        }
    }

    #[test]
    fn keeps_the_meaning_of_the_fixtures_and_examples() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in ["rules/tests/fixtures", "examples"] {
            let walker = ignore::WalkBuilder::new(root.join(dir)).build();
            for entry in walker.flatten() {
                let name = entry.file_name().to_string_lossy().to_lowercase();
                if entry.file_type().is_some_and(|t| t.is_file()) && name.contains("dockerfile") {
                    files.push(entry.into_path());
                }
            }
        }
        assert!(files.len() > 10, "found {files:?}");
        for path in files {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let formatted = format(&text);
            assert_eq!(meaning(&text), meaning(&formatted), "{}", path.display());
        }
    }
}
