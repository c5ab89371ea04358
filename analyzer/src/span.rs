//! Byte spans into the original text and their line/column positions.

use serde::Serialize;

/// A half-open byte range `start..end` into the original file text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    pub const fn empty(at: usize) -> Self {
        Self { start: at, end: at }
    }

    pub const fn len(self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// Shifts a span that was measured relative to `base`.
    pub const fn offset(self, base: usize) -> Span {
        Span::new(self.start + base, self.end + base)
    }

    pub fn text(self, source: &str) -> &str {
        &source[self.start..self.end]
    }
}

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Maps byte offsets to lines and columns. Built once per file.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    /// Byte offset at which each line starts; always starts with 0.
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self { line_starts }
    }

    /// 0-based line containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line]
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of a 0-based line, without its line terminator.
    pub fn line_span(&self, line: usize, text: &str) -> Span {
        let start = self.line_starts[line];
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(text.len(), |&next| next - 1);
        if end > start && text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        Span::new(start, end.max(start))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize, text: &str) -> LineCol {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let column = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        LineCol {
            line: line + 1,
            column: column + 1,
        }
    }

    /// The byte offset of a 0-based line and a column counted in UTF-16 code units or bytes.
    /// Used by the language server; clamps to the line's end.
    pub fn offset_of(&self, line: usize, column: usize, text: &str, utf16: bool) -> usize {
        let Some(&start) = self.line_starts.get(line) else {
            return text.len();
        };
        let end = self.line_starts.get(line + 1).map_or(text.len(), |&n| n);
        let line_text = &text[start..end];
        if !utf16 {
            let mut col = column.min(line_text.len());
            while !line_text.is_char_boundary(col) {
                col -= 1;
            }
            return start + col;
        }
        let mut units = 0;
        for (i, ch) in line_text.char_indices() {
            if units >= column {
                return start + i;
            }
            units += ch.len_utf16();
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\nçé x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(0, text), LineCol { line: 1, column: 1 });
        let x = text.find('x').unwrap();
        assert_eq!(index.line_col(x, text), LineCol { line: 2, column: 4 });
        assert_eq!(index.line_col(text.len(), text).line, 3);
    }

    #[test]
    fn line_span_strips_crlf() {
        let text = "FROM a\r\nRUN b\r\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_span(0, text).text(text), "FROM a");
        assert_eq!(index.line_span(1, text).text(text), "RUN b");
    }

    #[test]
    fn utf16_offsets() {
        let text = "a😀b\n";
        let index = LineIndex::new(text);
        assert_eq!(index.offset_of(0, 3, text, true), text.find('b').unwrap());
        assert_eq!(index.offset_of(0, 1, text, false), 1);
    }
}
