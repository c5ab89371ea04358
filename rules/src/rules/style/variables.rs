//! Variable references as BuildKit's word expansion sees them, and the "did you mean"
//! suggestion it offers for an undefined one.

use plimsoll_analyzer::lexer::LogicalLine;
use plimsoll_analyzer::{Dockerfile, Span};

/// One `$NAME` or `${NAME…}` that BuildKit would expand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    /// Byte range of the whole reference in the scanned text.
    pub start: usize,
    pub end: usize,
    /// `${NAME-word}`, `${NAME:-word}`, `${NAME+word}` or `${NAME:+word}`: the text says what
    /// happens when the variable is unset.
    pub has_default: bool,
}

/// Finds the variable references in `text`: outside single quotes, not escaped, names
/// only (`$1`, `$@` and other special parameters are not variables). References nested in
/// a `${A:-$B}` default are listed too, after the outer one.
pub fn references(text: &str, escape: char) -> Vec<Reference> {
    let mut out = Vec::new();
    scan(text, 0, text.len(), escape, &mut out);
    out
}

fn scan(text: &str, from: usize, to: usize, escape: char, out: &mut Vec<Reference>) {
    let bytes = text.as_bytes();
    let mut i = from;
    let mut in_double = false;
    while i < to {
        let c = bytes[i];
        if c == b'\'' && !in_double {
            // Single quotes stop expansion up to the closing quote.
            i = text[i + 1..to].find('\'').map_or(to, |k| i + 1 + k + 1);
            continue;
        }
        if escape.is_ascii() && c == escape as u8 {
            i += 1;
            if let Some(next) = text[i..to].chars().next() {
                i += next.len_utf8();
            }
            continue;
        }
        if c == b'"' {
            in_double = !in_double;
            i += 1;
            continue;
        }
        if c == b'$'
            && let Some(next) = reference_at(text, i, to, escape, out)
        {
            i = next;
            continue;
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Reads the reference starting at the `$` at `at`; returns where scanning goes on.
fn reference_at(
    text: &str,
    at: usize,
    to: usize,
    escape: char,
    out: &mut Vec<Reference>,
) -> Option<usize> {
    let bytes = &text.as_bytes()[..to];
    match bytes.get(at + 1)? {
        b'{' => {
            let name_start = at + 2;
            let name_len = bytes[name_start..]
                .iter()
                .take_while(|&&b| is_name_byte(b))
                .count();
            let name = &text[name_start..name_start + name_len];
            let close = matching_brace(bytes, at + 1)?;
            let rest = &text[name_start + name_len..close];
            let modifier = ["-", ":-", "+", ":+", "?", ":?", "#", "%", "/"]
                .iter()
                .filter(|m| rest.starts_with(*m))
                .max_by_key(|m| m.len());
            if name.is_empty() || name.as_bytes()[0].is_ascii_digit() {
                return Some(close + 1);
            }
            if modifier.is_none() && !rest.is_empty() {
                return Some(close + 1);
            }
            out.push(Reference {
                name: name.to_string(),
                start: at,
                end: close + 1,
                has_default: modifier.is_some_and(|m| m.contains(['-', '+'])),
            });
            if let Some(m) = modifier {
                scan(text, name_start + name_len + m.len(), close, escape, out);
            }
            Some(close + 1)
        }
        b if b.is_ascii_alphabetic() || *b == b'_' => {
            let len = bytes[at + 1..]
                .iter()
                .take_while(|&&b| is_name_byte(b))
                .count();
            out.push(Reference {
                name: text[at + 1..at + 1 + len].to_string(),
                start: at,
                end: at + 1 + len,
                has_default: false,
            });
            Some(at + 1 + len)
        }
        _ => None,
    }
}

/// The `}` closing the `{` at `open`, with nested `${…}` skipped.
fn matching_brace(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// References in part of an instruction's logical line, with spans in the original text.
pub fn references_in_line(
    line: &LogicalLine,
    from: usize,
    to: usize,
    escape: char,
) -> Vec<(Reference, Span)> {
    let to = to.min(line.text.len());
    let from = from.min(to);
    let mut out = Vec::new();
    scan(&line.text, from, to, escape, &mut out);
    out.into_iter()
        .map(|r| {
            let span = line.span(r.start, r.end);
            (r, span)
        })
        .collect()
}

/// References in an original span of the file that holds no line break (a flag value, a
/// FROM word), with spans in the original text.
pub fn references_in_span(file: &Dockerfile, span: Span) -> Vec<(Reference, Span)> {
    let text = span.text(&file.text);
    references(text, file.escape())
        .into_iter()
        .map(|r| {
            let at = Span::new(span.start + r.start, span.start + r.end);
            (r, at)
        })
        .collect()
}

/// BuildKit's "did you mean" for an unknown name: the closest candidate fewer than three
/// edits away. An exact match means the name is not unknown after all: no suggestion.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(&str, usize)> = None;
    for candidate in candidates {
        if candidate == name {
            return None;
        }
        let distance = levenshtein(name, candidate);
        if distance < 3 && best.is_none_or(|(_, d)| distance < d) {
            best = Some((candidate, distance));
        }
    }
    best.map(|(c, _)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        references(text, '\\').into_iter().map(|r| r.name).collect()
    }

    #[test]
    fn finds_expanded_references_only() {
        assert_eq!(
            names("$A ${B} ${C:-x} '$D' \"$E\" \\$F $1 $@ ${2}"),
            ["A", "B", "C", "E"]
        );
        assert_eq!(names("\"it's $X\" 'y'"), ["X"]);
        assert_eq!(names("${A:-${B}}/$C"), ["A", "B", "C"]);
        assert_eq!(names("${A%%.*} ${#A}"), ["A"]);
        let r = &references("x${NAME:+y}z", '\\')[0];
        assert_eq!((r.start, r.end, r.has_default), (1, 11, true));
        assert_eq!(names("`$A ``$B"), ["A", "B"]);
        assert_eq!(references("`$A", '`').len(), 0);
    }

    #[test]
    fn suggests_close_names() {
        let options = ["DIR_ASSETS", "DIR_CONFIG", "PATH"];
        assert_eq!(suggest("DIR_ASSET", options), Some("DIR_ASSETS"));
        assert_eq!(suggest("PAHT", options), Some("PATH"));
        assert_eq!(suggest("HOME", options), None);
        assert_eq!(suggest("PATH", options), None);
    }
}
