//! Splits Dockerfile text into instructions the way BuildKit reads it: physical lines joined
//! at the escape character, comment and blank lines dropped inside continuations, heredoc
//! bodies read after the instruction line. Every byte of the joined "logical line" keeps its
//! offset in the original text, so anything found in it maps back to an exact span.

use crate::span::Span;
use serde::Serialize;

/// The instruction text after joining continuation lines, with an offset map back to the
/// original file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogicalLine {
    pub text: String,
    /// Original byte offset of every byte of `text`.
    map: Vec<usize>,
    /// Original offset just past the last byte (used for empty ranges at the end).
    end: usize,
}

impl LogicalLine {
    fn push(&mut self, source: &str, span: Span) {
        self.text.push_str(&source[span.start..span.end]);
        self.map.extend(span.start..span.end);
        self.end = span.end;
    }

    /// Original offset of a logical byte offset (`text.len()` maps to the end).
    pub fn original(&self, offset: usize) -> usize {
        self.map.get(offset).copied().unwrap_or(self.end)
    }

    /// Original span of a logical byte range.
    pub fn span(&self, start: usize, end: usize) -> Span {
        if start >= end {
            let at = self.original(start);
            return Span::empty(at);
        }
        Span::new(self.original(start), self.original(end - 1) + 1)
    }

    /// How far every byte of this line moved from where `earlier` had it, when the two are
    /// the same text joined from the same pieces (only moved by an edit before them).
    pub(crate) fn moved_from(&self, earlier: &LogicalLine) -> Option<isize> {
        if self.text != earlier.text || self.map.len() != earlier.map.len() {
            return None;
        }
        let delta = self.end as isize - earlier.end as isize;
        let same = self
            .map
            .iter()
            .zip(&earlier.map)
            .all(|(&now, &then)| now as isize - then as isize == delta);
        same.then_some(delta)
    }

    /// Appends an original span (used to give the shell the heredoc bodies).
    pub fn push_original(&mut self, source: &str, span: Span) {
        self.push(source, span);
    }

    /// A line made of one original span, offsets mapped 1:1.
    pub fn from_original(source: &str, span: Span) -> LogicalLine {
        let mut line = LogicalLine::default();
        line.push(source, span);
        line.end = span.end;
        line
    }

    /// A line that maps 1:1 onto `text` (offsets are its own).
    pub fn from_text(text: &str) -> LogicalLine {
        LogicalLine {
            text: text.to_string(),
            map: (0..text.len()).collect(),
            end: text.len(),
        }
    }

    /// The logical text of an original span that lies within this line.
    pub fn text_of(&self, span: Span) -> String {
        let start = self.map.partition_point(|&o| o < span.start);
        let end = self.map.partition_point(|&o| o < span.end);
        self.text[start..end].to_string()
    }

    /// Logical offset of an original offset inside this line.
    pub fn logical(&self, original: usize) -> usize {
        self.map.partition_point(|&o| o < original)
    }

    /// A sub-line: bytes `start..` of this line, keeping the mapping.
    pub fn slice_from(&self, start: usize) -> LogicalLine {
        let start = start.min(self.text.len());
        LogicalLine {
            text: self.text[start..].to_string(),
            map: self.map[start..].to_vec(),
            end: self.end,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    /// The delimiter word, without quotes and `-`.
    pub delimiter: String,
    /// `<<-`: leading tabs are stripped from the body lines and the terminator.
    pub strip_tabs: bool,
    /// A quoted delimiter (`<<'EOF'`, `<<"EOF"`) disables expansion in the body.
    pub quoted: bool,
    /// The `<<EOF` marker in the instruction line.
    pub marker_span: Span,
    /// The body lines, from the line after the instruction (or the previous heredoc) up to
    /// and including the newline before the terminator.
    pub body_span: Span,
    /// The terminator line; empty at the end of file when the heredoc is unterminated.
    pub terminator_span: Span,
    pub terminated: bool,
}

impl Heredoc {
    /// The body as the builder sees it (tabs stripped for `<<-`, CRLF normalised).
    pub fn content(&self, source: &str) -> String {
        let raw = self.body_span.text(source);
        let mut out = String::with_capacity(raw.len());
        for line in raw.split_inclusive('\n') {
            let line = if self.strip_tabs {
                line.trim_start_matches('\t')
            } else {
                line
            };
            match line.strip_suffix("\r\n") {
                Some(l) => {
                    out.push_str(l);
                    out.push('\n');
                }
                None => out.push_str(line),
            }
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawInstruction {
    /// From the keyword to the end of the last line it uses (heredocs included), without the
    /// final line break.
    pub span: Span,
    pub keyword: Span,
    /// Everything after the keyword, continuation lines joined.
    pub rest: LogicalLine,
    pub heredocs: Vec<Heredoc>,
    /// Blank lines inside a continuation (BuildKit warns about them).
    pub empty_continuation_lines: Vec<Span>,
    /// The text ended inside a continuation or a heredoc body.
    pub truncated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// The whole comment line from `#`, without the line break.
    pub span: Span,
    /// Text after `#`, trimmed.
    pub text: String,
    /// True for a comment line inside a continued instruction (it is dropped from it).
    pub inside_instruction: bool,
}

/// Keywords that take heredocs.
fn takes_heredocs(keyword: &str) -> bool {
    keyword.eq_ignore_ascii_case("RUN")
        || keyword.eq_ignore_ascii_case("COPY")
        || keyword.eq_ignore_ascii_case("ADD")
}

struct Lines<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lines<'a> {
    /// The next physical line as (span without terminator, offset of the next line).
    fn peek(&self) -> Option<(Span, usize)> {
        if self.pos >= self.text.len() {
            return None;
        }
        let nl = self.text[self.pos..].find('\n').map(|i| self.pos + i);
        let next = nl.map_or(self.text.len(), |i| i + 1);
        let mut end = nl.unwrap_or(self.text.len());
        if end > self.pos && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        Some((Span::new(self.pos, end), next))
    }
}

fn comment_of(text: &str, line: Span, inside_instruction: bool) -> Option<Comment> {
    let content = line.text(text);
    let trimmed = content.trim_start();
    let rest = trimmed.strip_prefix('#')?;
    let start = line.start + (content.len() - trimmed.len());
    Some(Comment {
        span: Span::new(start, line.end),
        text: rest.trim().to_string(),
        inside_instruction,
    })
}

/// Splits `text[start..end]` into instructions and comments.
pub fn lex(
    text: &str,
    start: usize,
    end: usize,
    escape: char,
    instructions: &mut Vec<RawInstruction>,
    comments: &mut Vec<Comment>,
) {
    let mut lines = Lines {
        text: &text[..end],
        pos: start,
    };
    while let Some((line, next)) = lines.peek() {
        let content = line.text(text);
        if content.trim().is_empty() {
            lines.pos = next;
            continue;
        }
        if let Some(comment) = comment_of(text, line, false) {
            comments.push(comment);
            lines.pos = next;
            continue;
        }
        let instruction = lex_instruction(text, &mut lines, escape, comments);
        instructions.push(instruction);
    }
}

/// Does the physical line end with the escape character (trailing blanks allowed)? As in
/// BuildKit, an escape character preceded by another one does not continue the line
/// (`ENV DIR C:\\dir\\` ends there), however many precede it.
fn continues(content: &str, escape: char) -> Option<usize> {
    let trimmed = content.trim_end_matches([' ', '\t']);
    let without = trimmed.strip_suffix(escape)?;
    (!without.ends_with(escape)).then_some(without.len())
}

fn lex_instruction(
    text: &str,
    lines: &mut Lines<'_>,
    escape: char,
    comments: &mut Vec<Comment>,
) -> RawInstruction {
    let (first, _) = lines.peek().expect("caller checked a line exists");
    let indent = first.text(text).len() - first.text(text).trim_start().len();
    let mut logical = LogicalLine::default();
    let mut empty_continuation_lines = Vec::new();
    let mut segment = Span::new(first.start + indent, first.end);
    let mut last_end;
    let mut truncated = false;
    loop {
        let (line, next) = lines.peek().expect("segment comes from a line");
        lines.pos = next;
        last_end = line.end;
        let content = segment.text(text);
        match continues(content, escape) {
            Some(keep) => {
                logical.push(text, Span::new(segment.start, segment.start + keep));
                // Skip blank and comment lines that sit inside the continuation.
                let mut found = None;
                while let Some((candidate, after)) = lines.peek() {
                    let c = candidate.text(text);
                    if c.trim().is_empty() {
                        empty_continuation_lines.push(candidate);
                        lines.pos = after;
                    } else if let Some(comment) = comment_of(text, candidate, true) {
                        comments.push(comment);
                        lines.pos = after;
                    } else {
                        found = Some(candidate);
                        break;
                    }
                }
                match found {
                    Some(candidate) => segment = candidate,
                    None => {
                        truncated = true;
                        break;
                    }
                }
            }
            None => {
                logical.push(text, segment);
                break;
            }
        }
    }

    // Split off the keyword.
    let keyword_len = logical
        .text
        .find(|c: char| c.is_whitespace())
        .unwrap_or(logical.text.len());
    let keyword = logical.span(0, keyword_len);
    let args_start = keyword_len
        + (logical.text[keyword_len..].len() - logical.text[keyword_len..].trim_start().len());
    let rest = logical.slice_from(args_start);

    let mut heredocs = Vec::new();
    if takes_heredocs(keyword.text(text)) {
        for marker in heredoc_markers(&rest) {
            let body_start = lines.pos;
            let mut heredoc = Heredoc {
                delimiter: marker.delimiter,
                strip_tabs: marker.strip_tabs,
                quoted: marker.quoted,
                marker_span: marker.span,
                body_span: Span::empty(body_start),
                terminator_span: Span::empty(lines.text.len()),
                terminated: false,
            };
            while let Some((line, next)) = lines.peek() {
                lines.pos = next;
                let mut content = line.text(text);
                if heredoc.strip_tabs {
                    content = content.trim_start_matches('\t');
                }
                if content == heredoc.delimiter {
                    heredoc.body_span = Span::new(body_start, line.start);
                    heredoc.terminator_span = line;
                    heredoc.terminated = true;
                    last_end = line.end;
                    break;
                }
            }
            if !heredoc.terminated {
                truncated = true;
                heredoc.body_span = Span::new(body_start, lines.text.len());
                last_end = lines.text.len();
            }
            heredocs.push(heredoc);
        }
    }

    RawInstruction {
        span: Span::new(keyword.start, last_end.max(keyword.end)),
        keyword,
        rest,
        heredocs,
        empty_continuation_lines,
        truncated,
    }
}

pub(crate) struct HeredocMarker {
    pub delimiter: String,
    pub strip_tabs: bool,
    pub quoted: bool,
    pub span: Span,
}

/// Finds `<<EOF`, `<<-EOF`, `<<"EOF"` words as BuildKit does: a whitespace-separated word
/// that starts with `<<` (not `<<<`), outside quotes.
pub(crate) fn heredoc_markers(line: &LogicalLine) -> Vec<HeredocMarker> {
    let mut out = Vec::new();
    let bytes = line.text.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    let mut word_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == q {
                quote = None;
            } else if b == b'\\' && q == b'"' {
                i += 1;
            }
            i += 1;
            word_start = false;
            continue;
        }
        match b {
            b' ' | b'\t' | b';' | b'|' | b'&' | b'(' | b')' => {
                word_start = true;
                i += 1;
                continue;
            }
            b'\'' | b'"' => {
                quote = Some(b);
                word_start = false;
                i += 1;
                continue;
            }
            b'\\' => {
                i += 2;
                word_start = false;
                continue;
            }
            _ => {}
        }
        if word_start && line.text[i..].starts_with("<<") && !line.text[i..].starts_with("<<<") {
            let start = i;
            let mut j = i + 2;
            let strip_tabs = bytes.get(j) == Some(&b'-');
            if strip_tabs {
                j += 1;
            }
            let mut quoted = false;
            let delimiter_start;
            let delimiter_end;
            if let Some(&q @ (b'\'' | b'"')) = bytes.get(j) {
                quoted = true;
                delimiter_start = j + 1;
                let close = line.text[delimiter_start..]
                    .find(q as char)
                    .map_or(bytes.len(), |k| delimiter_start + k);
                delimiter_end = close;
                j = (close + 1).min(bytes.len());
            } else {
                delimiter_start = j;
                while j < bytes.len()
                    && (bytes[j].is_ascii_alphanumeric() || matches!(bytes[j], b'_' | b'.' | b'-'))
                {
                    j += 1;
                }
                delimiter_end = j;
            }
            let delimiter = &line.text[delimiter_start..delimiter_end];
            if !delimiter.is_empty() {
                out.push(HeredocMarker {
                    delimiter: delimiter.to_string(),
                    strip_tabs,
                    quoted,
                    span: line.span(start, j),
                });
            }
            i = j.max(i + 2);
            word_start = false;
            continue;
        }
        word_start = false;
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex_all(text: &str, escape: char) -> (Vec<RawInstruction>, Vec<Comment>) {
        let mut i = Vec::new();
        let mut c = Vec::new();
        lex(text, 0, text.len(), escape, &mut i, &mut c);
        (i, c)
    }

    #[test]
    fn joins_continuations_and_drops_comments() {
        let text = "RUN a \\\n    # note\n\n    [ -e x ] || exit 1; \\  \n    b\nCMD c\n";
        let (ins, comments) = lex_all(text, '\\');
        assert_eq!(ins.len(), 2);
        assert_eq!(ins[0].keyword.text(text), "RUN");
        assert_eq!(ins[0].rest.text, "a     [ -e x ] || exit 1;     b");
        assert_eq!(ins[0].empty_continuation_lines.len(), 1);
        assert_eq!(comments.len(), 1);
        assert!(comments[0].inside_instruction);
        let b = ins[0].rest.text.rfind('b').unwrap();
        assert_eq!(ins[0].rest.span(b, b + 1).text(text), "b");
        assert_eq!(ins[1].span.text(text), "CMD c");
    }

    #[test]
    fn heredocs_are_read_after_the_line() {
        let text = "COPY <<A <<-\"B\" /dst/\none\nA\n\ttwo\n\tB\nRUN x\n";
        let (ins, _) = lex_all(text, '\\');
        assert_eq!(ins.len(), 2);
        let h = &ins[0].heredocs;
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].content(text), "one\n");
        assert_eq!(h[1].delimiter, "B");
        assert!(h[1].quoted && h[1].strip_tabs);
        assert_eq!(h[1].content(text), "two\n");
        assert_eq!(ins[1].keyword.text(text), "RUN");
    }

    #[test]
    fn here_strings_and_arithmetic_are_not_heredocs() {
        let text = "RUN cat <<< hi && echo $((1<<2)) '<<X'\nRUN y\n";
        let (ins, _) = lex_all(text, '\\');
        assert_eq!(ins.len(), 2);
        assert!(ins[0].heredocs.is_empty());
    }

    #[test]
    fn backtick_escape_and_crlf() {
        let text = "RUN a `\r\n  b\r\nCMD c\r\n";
        let (ins, _) = lex_all(text, '`');
        assert_eq!(ins.len(), 2);
        assert_eq!(ins[0].rest.text, "a   b");
        assert_eq!(ins[1].span.text(text), "CMD c");
    }

    #[test]
    fn unterminated_heredoc_runs_to_the_end() {
        let text = "RUN <<EOF\necho hi\n";
        let (ins, _) = lex_all(text, '\\');
        assert!(!ins[0].heredocs[0].terminated);
        assert_eq!(ins[0].span.end, text.len());
    }

    #[test]
    fn an_escaped_escape_does_not_continue_the_line() {
        // BuildKit: a path ending in `\\` (Windows) ends the instruction.
        let text = "ENV C a\\\\\nENV D b\\\\\\\nENV E c\\\n\\\nd\n";
        let (ins, _) = lex_all(text, '\\');
        let spans: Vec<&str> = ins.iter().map(|i| i.span.text(text)).collect();
        assert_eq!(spans, ["ENV C a\\\\", "ENV D b\\\\\\", "ENV E c\\\n\\\nd"]);
        let text = "ENV C a``\nENV D b\n";
        assert_eq!(lex_all(text, '`').0.len(), 2);
    }
}
