//! Every conversion between Plimsoll's model (byte spans, rule diagnostics and fixes) and
//! `lsp_types` lives here, so the handlers never count columns themselves.

use crate::settings::Settings;
use lsp_types as lsp;
use plimsoll_analyzer::{LineIndex, Span};
use plimsoll_rules::{Applicability, Diagnostic, Edit, Severity, registry};

/// How the client counts the `character` of a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    /// UTF-8 when the client offers it (no conversion cost), then UTF-32, else UTF-16, the
    /// encoding every client must support.
    pub fn negotiate(offered: Option<&[lsp::PositionEncodingKind]>) -> Encoding {
        let offered = offered.unwrap_or_default();
        if offered.contains(&lsp::PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else if offered.contains(&lsp::PositionEncodingKind::UTF32) {
            Encoding::Utf32
        } else {
            Encoding::Utf16
        }
    }

    pub fn kind(self) -> lsp::PositionEncodingKind {
        match self {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
            Encoding::Utf32 => lsp::PositionEncodingKind::UTF32,
        }
    }

    fn units(self, ch: char) -> u32 {
        match self {
            Encoding::Utf8 => ch.len_utf8() as u32,
            Encoding::Utf16 => ch.len_utf16() as u32,
            Encoding::Utf32 => 1,
        }
    }
}

/// Converts between byte offsets of one text and LSP positions.
#[derive(Clone, Copy)]
pub struct Positions<'a> {
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub encoding: Encoding,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str, lines: &'a LineIndex, encoding: Encoding) -> Self {
        Positions {
            text,
            lines,
            encoding,
        }
    }

    /// The LSP position of a byte offset (clamped to the text; rounded down to a character
    /// boundary).
    pub fn position(&self, offset: usize) -> lsp::Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.lines.line_of(offset);
        let start = self.lines.line_start(line);
        let character = match self.encoding {
            Encoding::Utf8 => (offset - start) as u32,
            encoding => self.text[start..offset]
                .chars()
                .map(|c| encoding.units(c))
                .sum(),
        };
        lsp::Position::new(line as u32, character)
    }

    /// The byte offset of an LSP position. A line past the end means the end of the text; a
    /// character past the end of its line means the end of the line (before its line
    /// break), as the protocol asks; a character inside a multi-unit character means its
    /// start.
    pub fn offset(&self, position: lsp::Position) -> usize {
        let line = position.line as usize;
        if line >= self.lines.line_count() {
            return self.text.len();
        }
        let span = self.lines.line_span(line, self.text);
        let wanted = position.character;
        let mut units = 0u32;
        for (i, ch) in self.text[span.start..span.end].char_indices() {
            let next = units + self.encoding.units(ch);
            if next > wanted {
                return span.start + i;
            }
            units = next;
        }
        span.end
    }

    pub fn range(&self, span: Span) -> lsp::Range {
        lsp::Range::new(self.position(span.start), self.position(span.end))
    }

    pub fn span(&self, range: lsp::Range) -> Span {
        let start = self.offset(range.start);
        let end = self.offset(range.end);
        Span::new(start.min(end), start.max(end))
    }

    pub fn text_edit(&self, edit: &Edit) -> lsp::TextEdit {
        lsp::TextEdit::new(self.range(edit.span), edit.content.clone())
    }
}

/// The LSP severity of a finding. Findings below the fail level (the ones that would not
/// fail `plimsoll check --fail-level …`; `None`: never fails) are shown as hints.
pub fn severity(severity: Severity, fail_level: Option<Severity>) -> lsp::DiagnosticSeverity {
    if fail_level.is_none_or(|level| severity < level) {
        return lsp::DiagnosticSeverity::HINT;
    }
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Style => lsp::DiagnosticSeverity::HINT,
    }
}

/// Where a rule's page lives: the settings' template with `{code}` and `{name}` filled in.
pub fn rule_docs_url(code: &str, settings: &Settings) -> Option<lsp::Url> {
    let name = registry::meta(code).map_or("", |m| m.name);
    let url = settings
        .rule_docs_url
        .replace("{code}", code)
        .replace("{name}", name);
    lsp::Url::parse(&url).ok()
}

pub const SOURCE: &str = "plimsoll";

pub fn diagnostic(
    d: &Diagnostic,
    positions: &Positions<'_>,
    settings: &Settings,
    fail_level: Option<Severity>,
) -> lsp::Diagnostic {
    diagnostic_with_link(d, positions, fail_level, rule_docs_url(d.code, settings))
}

/// A document's findings, each rule's link built once.
pub fn diagnostics(
    list: &[Diagnostic],
    positions: &Positions<'_>,
    settings: &Settings,
    fail_level: Option<Severity>,
) -> Vec<lsp::Diagnostic> {
    let mut links: Vec<(&str, Option<lsp::Url>)> = Vec::new();
    list.iter()
        .map(|d| {
            let link = match links.iter().find(|(code, _)| *code == d.code) {
                Some((_, link)) => link.clone(),
                None => {
                    let link = rule_docs_url(d.code, settings);
                    links.push((d.code, link.clone()));
                    link
                }
            };
            diagnostic_with_link(d, positions, fail_level, link)
        })
        .collect()
}

fn diagnostic_with_link(
    d: &Diagnostic,
    positions: &Positions<'_>,
    fail_level: Option<Severity>,
    link: Option<lsp::Url>,
) -> lsp::Diagnostic {
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    lsp::Diagnostic {
        range: positions.range(d.span),
        severity: Some(severity(d.severity, fail_level)),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        code_description: link.map(|href| lsp::CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message,
        related_information: None,
        tags: None,
        data: None,
    }
}

/// How a fix is labelled in the editor.
pub fn fix_title(d: &Diagnostic) -> Option<String> {
    let fix = d.fix.as_ref()?;
    let note = match fix.applicability {
        // A proposal says in its message that it is one, to review before use.
        _ if fix.proposal => "",
        Applicability::Safe => "",
        Applicability::Unsafe => " (unsafe: may change the image)",
        Applicability::DisplayOnly => " (suggestion: review before keeping)",
    };
    Some(format!("Plimsoll ({}): {}{note}", d.code, fix.message))
}

/// A workspace edit changing one document, versioned when the client understands it.
pub fn workspace_edit(
    uri: &lsp::Url,
    version: i32,
    edits: Vec<lsp::TextEdit>,
    document_changes: bool,
) -> lsp::WorkspaceEdit {
    if document_changes {
        lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Edits(vec![lsp::TextDocumentEdit {
                text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(version),
                },
                edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    } else {
        lsp::WorkspaceEdit {
            changes: Some([(uri.clone(), edits)].into_iter().collect()),
            ..Default::default()
        }
    }
}

/// The smallest single edit turning `old` into `new` (common prefix and suffix kept), or
/// `None` when they are equal.
pub fn minimal_edit(old: &str, new: &str) -> Option<Edit> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = (old.len() - prefix).min(new.len() - prefix);
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Some(Edit::replace(
        Span::new(prefix, old.len() - suffix),
        &new[prefix..new.len() - suffix],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positions(text: &str, encoding: Encoding) -> (String, LineIndex, Encoding) {
        (text.to_string(), LineIndex::new(text), encoding)
    }

    #[test]
    fn negotiates_utf8_when_offered() {
        use lsp::PositionEncodingKind as K;
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(
            Encoding::negotiate(Some(&[K::UTF16, K::UTF8])),
            Encoding::Utf8
        );
        assert_eq!(
            Encoding::negotiate(Some(&[K::UTF16, K::UTF32])),
            Encoding::Utf32
        );
        assert_eq!(Encoding::negotiate(Some(&[K::UTF16])), Encoding::Utf16);
    }

    #[test]
    fn converts_non_ascii_columns_exactly() {
        // `é` is 2 bytes and 1 UTF-16 unit, `😀` 4 bytes and 2 UTF-16 units.
        let text = "LABEL a=\"é😀\" b=x\nRUN echo\n";
        let b = text.find("b=").unwrap();
        for (encoding, column) in [
            (Encoding::Utf8, 17),
            (Encoding::Utf16, 14),
            (Encoding::Utf32, 13),
        ] {
            let (text, lines, encoding) = positions(text, encoding);
            let p = Positions::new(&text, &lines, encoding);
            assert_eq!(p.position(b), lsp::Position::new(0, column), "{encoding:?}");
            assert_eq!(p.offset(lsp::Position::new(0, column)), b, "{encoding:?}");
            assert_eq!(
                p.offset(lsp::Position::new(1, 3)),
                text.find(" echo").unwrap()
            );
        }
    }

    #[test]
    fn positions_inside_a_character_round_down() {
        let text = "a😀b";
        let lines = LineIndex::new(text);
        let p16 = Positions::new(text, &lines, Encoding::Utf16);
        // Between the two surrogates of 😀.
        assert_eq!(p16.offset(lsp::Position::new(0, 2)), 1);
        let p8 = Positions::new(text, &lines, Encoding::Utf8);
        assert_eq!(p8.offset(lsp::Position::new(0, 3)), 1);
        assert_eq!(p8.position(3), lsp::Position::new(0, 1));
    }

    #[test]
    fn clamps_past_the_line_end_before_the_line_break() {
        let text = "FROM a\r\nRUN b\n";
        let lines = LineIndex::new(text);
        let p = Positions::new(text, &lines, Encoding::Utf16);
        assert_eq!(p.offset(lsp::Position::new(0, 99)), 6);
        assert_eq!(p.offset(lsp::Position::new(1, 99)), text.len() - 1);
        assert_eq!(p.offset(lsp::Position::new(7, 0)), text.len());
        assert_eq!(p.position(text.len()), lsp::Position::new(2, 0));
    }

    #[test]
    fn minimal_edit_keeps_common_ends() {
        let e = minimal_edit("RUN apt-get install x\n", "RUN apt-get install -y x\n").unwrap();
        assert_eq!(e.span, Span::new(20, 20));
        assert_eq!(e.content, "-y ");
        let e = minimal_edit("aéb", "aèb").unwrap();
        assert_eq!((e.span, e.content.as_str()), (Span::new(1, 3), "è"));
        assert_eq!(minimal_edit("same", "same"), None);
        let e = minimal_edit("aaa", "aa").unwrap();
        assert_eq!((e.span, e.content.as_str()), (Span::new(2, 3), ""));
    }
}
