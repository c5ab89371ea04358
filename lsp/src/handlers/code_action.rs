//! `textDocument/codeAction`: each fix of a finding in range as a quick fix, an "ignore this
//! rule here" quick fix that writes the pragma, "fix all safe" as `source.fixAll`, and a
//! restructuring proposal (PL501's multi-stage split) as a `refactor.rewrite`.

use super::{Result, document};
use crate::analysis::fix_all_safe;
use crate::convert::{self, Positions};
use crate::document::Document;
use crate::server::FIX_ALL_KIND;
use crate::session::Session;
use lsp_types as lsp;
use plimsoll_analyzer::lexer::Comment;
use plimsoll_analyzer::{Dockerfile, Span};
use plimsoll_rules::suppression::pragma_codes;
use plimsoll_rules::{Applicability, Diagnostic, Edit};

pub fn run(
    session: &Session,
    params: lsp::CodeActionParams,
) -> Result<Option<lsp::CodeActionResponse>> {
    let document = document(session, &params.text_document.uri)?;
    let analysis = session.analysis(document);
    let range = session.positions(document).span(params.range);
    Ok(Some(actions(
        session,
        document,
        &analysis.file,
        &analysis.diagnostics,
        range,
        params.context.only.as_deref(),
    )))
}

/// The actions for the findings touching `range`, of the kinds asked for.
pub(crate) fn actions(
    session: &Session,
    document: &Document,
    file: &Dockerfile,
    diagnostics: &[Diagnostic],
    range: Span,
    only: Option<&[lsp::CodeActionKind]>,
) -> Vec<lsp::CodeActionOrCommand> {
    let positions = session.positions(document);
    let wants = |kind: &str| {
        only.is_none_or(|only| {
            only.iter().any(|k| {
                kind == k.as_str()
                    || kind
                        .strip_prefix(k.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            })
        })
    };

    let mut actions = Vec::new();
    if wants(lsp::CodeActionKind::QUICKFIX.as_str()) {
        let in_range = diagnostics
            .iter()
            .filter(|d| d.span.start <= range.end && range.start <= d.span.end);
        let mut ignores = Vec::new();
        for d in in_range {
            let proposal = d.fix.as_ref().is_some_and(|f| f.proposal);
            if !proposal && let Some(action) = fix_action(session, document, &positions, d) {
                actions.push(action);
            }
            if d.code != "PL000" {
                ignores.push(d);
            }
        }
        // Ignore actions after the fixes: a fix is the better answer.
        for d in ignores {
            if let Some(edit) = ignore_edit(file, d) {
                actions.push(action(
                    session,
                    document,
                    format!("Plimsoll ({}): ignore for this instruction", d.code),
                    lsp::CodeActionKind::QUICKFIX,
                    Some(d),
                    vec![positions.text_edit(&edit)],
                    false,
                ));
            }
        }
    }
    if wants(lsp::CodeActionKind::REFACTOR_REWRITE.as_str()) {
        // A proposal rewrites a whole region (the stage it splits): offered wherever the
        // range touches the finding or what the proposal would rewrite.
        let proposals = diagnostics.iter().filter(|d| {
            d.fix.as_ref().is_some_and(|f| {
                f.proposal
                    && !f.edits.is_empty()
                    && [Some(d.span), f.span()]
                        .into_iter()
                        .flatten()
                        .any(|s| s.start <= range.end && range.start <= s.end)
            })
        });
        for d in proposals {
            let fix = d.fix.as_ref().expect("filtered on the fix");
            actions.push(action(
                session,
                document,
                convert::fix_title(d).unwrap_or_default(),
                lsp::CodeActionKind::REFACTOR_REWRITE,
                Some(d),
                fix.edits.iter().map(|e| positions.text_edit(e)).collect(),
                false,
            ));
        }
    }
    let has_safe_fix = diagnostics.iter().any(|d| {
        d.fix
            .as_ref()
            .is_some_and(|f| f.applicability == Applicability::Safe)
    });
    if has_safe_fix && wants(FIX_ALL_KIND) {
        let fixed = fix_all_safe(
            &document.text,
            &document.config.settings,
            &session.settings.build_args,
            diagnostics,
        );
        if let Some(edit) = convert::minimal_edit(&document.text, &fixed) {
            actions.push(action(
                session,
                document,
                "Plimsoll: apply all safe fixes".into(),
                lsp::CodeActionKind::new(FIX_ALL_KIND),
                None,
                vec![positions.text_edit(&edit)],
                false,
            ));
        }
    }
    actions
}

fn fix_action(
    session: &Session,
    document: &Document,
    positions: &Positions<'_>,
    d: &Diagnostic,
) -> Option<lsp::CodeActionOrCommand> {
    let fix = d.fix.as_ref()?;
    if fix.edits.is_empty() {
        return None;
    }
    Some(action(
        session,
        document,
        convert::fix_title(d)?,
        lsp::CodeActionKind::QUICKFIX,
        Some(d),
        fix.edits.iter().map(|e| positions.text_edit(e)).collect(),
        fix.applicability == Applicability::Safe,
    ))
}

fn action(
    session: &Session,
    document: &Document,
    title: String,
    kind: lsp::CodeActionKind,
    diagnostic: Option<&Diagnostic>,
    edits: Vec<lsp::TextEdit>,
    preferred: bool,
) -> lsp::CodeActionOrCommand {
    let positions = session.positions(document);
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title,
        kind: Some(kind),
        diagnostics: diagnostic.map(|d| {
            vec![convert::diagnostic(
                d,
                &positions,
                &session.settings,
                document.fail_threshold(),
            )]
        }),
        edit: Some(convert::workspace_edit(
            &document.uri,
            document.version,
            edits,
            session.client.document_changes,
        )),
        command: None,
        is_preferred: preferred.then_some(true),
        disabled: None,
        data: None,
    })
}

/// The edit that silences `d` for its instruction: the code added to a `# plimsoll:
/// ignore=` pragma right above it, or a new pragma line with the instruction's indentation.
pub(crate) fn ignore_edit(file: &Dockerfile, d: &Diagnostic) -> Option<Edit> {
    let text = file.text.as_str();
    let instruction = file
        .instructions
        .iter()
        .find(|i| i.span.start <= d.span.start && d.span.start <= i.span.end)?;
    for comment in file.comments_above(instruction) {
        if let Some(at) = pragma_list_end(comment, text) {
            let list_empty = pragma_codes(&comment.text).is_some_and(|c| c.is_empty());
            let separator = if list_empty { "" } else { "," };
            return Some(Edit::insert(at, format!("{separator}{}", d.code)));
        }
    }
    let line = file.lines.line_of(instruction.span.start);
    let line_start = file.lines.line_start(line);
    let indent = &text[line_start..instruction.span.start];
    let indent = if indent.chars().all(char::is_whitespace) {
        indent
    } else {
        ""
    };
    let line_end = file.lines.line_span(line, text).end;
    let newline = if text[line_end..].starts_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    Some(Edit::insert(
        line_start,
        format!("{indent}# plimsoll: ignore={}{newline}", d.code),
    ))
}

/// Where the code list of a `# plimsoll: ignore=…` comment ends (not hadolint's pragma: it
/// would reject Plimsoll's codes).
fn pragma_list_end(comment: &Comment, text: &str) -> Option<usize> {
    pragma_codes(&comment.text)?;
    let raw = comment.span.text(text);
    let body = raw.trim_start_matches('#').trim_start();
    if !body.starts_with("plimsoll:") {
        return None;
    }
    let eq = raw.find("ignore")? + raw[raw.find("ignore")?..].find('=')?;
    let after = &raw[eq + 1..];
    let lead = after.len() - after.trim_start().len();
    let list = &after[lead..];
    let len = list.find(char::is_whitespace).unwrap_or(list.len());
    Some(comment.span.start + eq + 1 + lead + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(code: &'static str, span: Span) -> Diagnostic {
        Diagnostic {
            code,
            severity: plimsoll_rules::Severity::Warning,
            message: "m".into(),
            span,
            help: None,
            fix: None,
        }
    }

    fn apply(text: &str, edit: &Edit) -> String {
        let mut out = text.to_string();
        out.replace_range(edit.span.start..edit.span.end, &edit.content);
        out
    }

    #[test]
    fn writes_a_pragma_above_the_instruction() {
        let text = "FROM a\n  RUN apt-get install curl\r\n";
        let file = Dockerfile::parse(text);
        let at = text.find("curl").unwrap();
        let edit = ignore_edit(&file, &diagnostic("PL103", Span::new(at, at + 4))).unwrap();
        assert_eq!(
            apply(text, &edit),
            "FROM a\n  # plimsoll: ignore=PL103\r\n  RUN apt-get install curl\r\n"
        );
    }

    #[test]
    fn extends_an_existing_pragma() {
        let text = "FROM a\n# plimsoll: ignore=PL104 apk is pinned elsewhere\n# hadolint ignore=DL3009\nRUN apt-get install curl\n";
        let file = Dockerfile::parse(text);
        let at = text.find("curl").unwrap();
        let edit = ignore_edit(&file, &diagnostic("PL103", Span::new(at, at + 4))).unwrap();
        assert_eq!(
            apply(text, &edit),
            "FROM a\n# plimsoll: ignore=PL104,PL103 apk is pinned elsewhere\n# hadolint ignore=DL3009\nRUN apt-get install curl\n"
        );
        let text = "FROM a\n# plimsoll: ignore=\nRUN x\n";
        let file = Dockerfile::parse(text);
        let at = text.find("RUN").unwrap();
        let edit = ignore_edit(&file, &diagnostic("PL103", Span::new(at, at))).unwrap();
        assert_eq!(
            apply(text, &edit),
            "FROM a\n# plimsoll: ignore=PL103\nRUN x\n"
        );
    }

    #[test]
    fn the_written_pragma_silences_the_rule() {
        let text = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n";
        let selection = plimsoll_rules::Selection::default();
        let before = plimsoll_rules::check(&Dockerfile::parse(text), None, &selection);
        let d = before
            .iter()
            .find(|d| d.code == "PL103")
            .expect("PL103 fires");
        let edit = ignore_edit(&Dockerfile::parse(text), d).unwrap();
        let fixed = apply(text, &edit);
        let after = plimsoll_rules::check(&Dockerfile::parse(&fixed), None, &selection);
        assert!(after.iter().all(|d| d.code != "PL103"), "{after:?}");
        assert_eq!(after.len(), before.len() - 1);
    }

    #[test]
    fn nothing_to_ignore_outside_instructions() {
        let file = Dockerfile::parse("# just a comment\n");
        assert!(ignore_edit(&file, &diagnostic("PL000", Span::empty(0))).is_none());
    }

    fn fixed(applicability: Applicability, at: Span, content: &str) -> Diagnostic {
        Diagnostic {
            fix: Some(plimsoll_rules::Fix::new(
                applicability,
                format!("write {content}"),
                vec![Edit::replace(at, content)],
            )),
            ..diagnostic("PL103", at)
        }
    }

    /// (title, kind, preferred, [(line, start, end, new text)]) of each action.
    type Summary = (String, String, Option<bool>, Vec<(u32, u32, u32, String)>);

    fn titles_and_edits(actions: &[lsp::CodeActionOrCommand]) -> Vec<Summary> {
        actions
            .iter()
            .map(|a| {
                let lsp::CodeActionOrCommand::CodeAction(a) = a else {
                    panic!("a command")
                };
                let changes = a.edit.as_ref().unwrap().changes.as_ref().unwrap();
                let edits = changes
                    .values()
                    .flatten()
                    .map(|e| {
                        (
                            e.range.start.line,
                            e.range.start.character,
                            e.range.end.character,
                            e.new_text.clone(),
                        )
                    })
                    .collect();
                (
                    a.title.clone(),
                    a.kind.as_ref().unwrap().as_str().to_string(),
                    a.is_preferred,
                    edits,
                )
            })
            .collect()
    }

    #[test]
    fn every_fix_is_a_quick_fix_and_safe_ones_fix_all() {
        use crate::convert::Encoding;
        use crate::session::ClientFlags;
        let text = "FROM é\nRUN a b c\n";
        let uri = lsp::Url::parse("file:///w/Dockerfile").unwrap();
        let mut session = Session::new(
            Encoding::Utf16,
            ClientFlags::default(),
            Default::default(),
            "/w".into(),
        );
        session.documents.insert(
            uri.clone(),
            Document::new(uri.clone(), text.into(), 4, Default::default()),
        );
        let document = session.document(&uri).unwrap();
        let file = Dockerfile::parse(text);
        let span = |needle: &str| {
            let at = text.find(needle).unwrap();
            Span::new(at, at + needle.len())
        };
        let diagnostics = vec![
            fixed(Applicability::Safe, span("a"), "A"),
            fixed(Applicability::Unsafe, span("b"), "B"),
            fixed(Applicability::DisplayOnly, span("c"), "C"),
            fixed(Applicability::Safe, span("é"), "e"),
        ];
        let all = actions(
            &session,
            document,
            &file,
            &diagnostics,
            span("RUN a b c"),
            None,
        );
        let got = titles_and_edits(&all);
        let expected_fixes = [
            ("Plimsoll (PL103): write A", Some(true), (1, 4, 5, "A")),
            (
                "Plimsoll (PL103): write B (unsafe: may change the image)",
                None,
                (1, 6, 7, "B"),
            ),
            (
                "Plimsoll (PL103): write C (suggestion: review before keeping)",
                None,
                (1, 8, 9, "C"),
            ),
        ];
        for (i, (title, preferred, (line, start, end, text))) in
            expected_fixes.into_iter().enumerate()
        {
            assert_eq!(got[i].0, title);
            assert_eq!(got[i].1, "quickfix");
            assert_eq!(got[i].2, preferred);
            assert_eq!(got[i].3, vec![(line, start, end, text.to_string())]);
        }
        // Three ignore actions, then fix-all with the two safe fixes only (one edit from
        // `é` to `A`, in UTF-16 columns).
        assert!(
            got[3..6]
                .iter()
                .all(|a| a.0.ends_with("ignore for this instruction"))
        );
        assert_eq!(got[6].0, "Plimsoll: apply all safe fixes");
        assert_eq!(got[6].1, "source.fixAll.plimsoll");
        assert_eq!(got[6].3, vec![(0, 5, 5, "e\nRUN A".to_string())]);
        // Asking for fix-all only.
        let only = [lsp::CodeActionKind::SOURCE_FIX_ALL];
        let fix_all = actions(
            &session,
            document,
            &file,
            &diagnostics,
            span("RUN"),
            Some(&only),
        );
        assert_eq!(titles_and_edits(&fix_all).len(), 1);
        let only = [lsp::CodeActionKind::REFACTOR];
        assert!(
            actions(
                &session,
                document,
                &file,
                &diagnostics,
                span("RUN"),
                Some(&only)
            )
            .is_empty()
        );
    }
}
