//! Word-level reading of instruction arguments: flags, whitespace-separated words with
//! quotes, JSON arrays (exec form) and key=value pairs — each with its exact span.

use crate::lexer::LogicalLine;
use crate::span::Span;
use serde::Serialize;

/// One argument word. `text` has quotes removed and escapes processed, variables are kept
/// as written (`$VAR`); `span` covers the word as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

/// A `--name=value` (or `--name`) flag before an instruction's arguments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// Name without the leading dashes, as written.
    pub name: String,
    pub value: Option<String>,
    pub span: Span,
    pub value_span: Option<Span>,
}

/// A `key=value` pair (or the legacy `key value` form of ENV/LABEL).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    pub key: String,
    pub key_span: Span,
    /// None for `ARG NAME` without a default.
    pub value: Option<Word>,
    pub span: Span,
    /// Written as `ENV key value` instead of `ENV key=value`.
    pub legacy: bool,
}

/// Splits a logical line into words on unquoted whitespace. Quotes are removed from
/// `text`; `escape` escapes the next character outside single quotes.
pub fn split_words(line: &LogicalLine, escape: char) -> Vec<Word> {
    split_words_in(line, 0, line.text.len(), escape)
}

pub(crate) fn split_words_in(
    line: &LogicalLine,
    from: usize,
    to: usize,
    escape: char,
) -> Vec<Word> {
    let text = &line.text[..to];
    let mut words = Vec::new();
    let mut chars = text[from..]
        .char_indices()
        .map(|(i, c)| (i + from, c))
        .peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let start = i;
        let mut end = i;
        let mut value = String::new();
        let mut quote: Option<char> = None;
        while let Some(&(j, c)) = chars.peek() {
            if quote.is_none() && c.is_whitespace() {
                break;
            }
            chars.next();
            end = j + c.len_utf8();
            match (quote, c) {
                (None, '\'' | '"') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (q, c) if c == escape && q != Some('\'') => {
                    if let Some(&(k, next)) = chars.peek() {
                        chars.next();
                        end = k + next.len_utf8();
                        // Inside double quotes only a few characters are escapable.
                        if q == Some('"') && !matches!(next, '"' | '\\' | '$' | '`') {
                            value.push(c);
                        }
                        value.push(next);
                    } else {
                        value.push(c);
                    }
                }
                _ => value.push(c),
            }
        }
        words.push(Word {
            text: value,
            span: line.span(start, end),
        });
    }
    words
}

/// Reads leading `--flag[=value]` words. Returns the flags and the logical offset where the
/// arguments start.
pub fn split_flags(line: &LogicalLine, escape: char) -> (Vec<Flag>, usize) {
    let mut flags = Vec::new();
    let mut offset = 0;
    let text = &line.text;
    loop {
        let rest = &text[offset..];
        let trimmed = rest.trim_start();
        let start = offset + (rest.len() - trimmed.len());
        if !trimmed.starts_with("--") {
            return (flags, start);
        }
        let end = start + word_end(trimmed, escape);
        let word = &text[start + 2..end];
        if word.is_empty() {
            // A lone `--` ends the flags.
            let after = &text[end..];
            return (flags, end + (after.len() - after.trim_start().len()));
        }
        let (name, value, value_span) = match word.find('=') {
            Some(eq) => {
                let raw_start = start + 2 + eq + 1;
                let value = unquote(&text[raw_start..end], escape);
                (
                    word[..eq].to_string(),
                    Some(value),
                    Some(line.span(raw_start, end)),
                )
            }
            None => (word.to_string(), None, None),
        };
        flags.push(Flag {
            name,
            value,
            span: line.span(start, end),
            value_span,
        });
        offset = end;
    }
}

/// Length of the word at the start of `text` (quotes keep whitespace inside a word).
fn word_end(text: &str, escape: char) -> usize {
    let mut quote = None;
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => return i,
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (q, c) if c == escape && q != Some('\'') => {
                chars.next();
            }
            _ => {}
        }
    }
    text.len()
}

/// Removes quotes and escapes from a single word.
pub fn unquote(raw: &str, escape: char) -> String {
    let line = LogicalLine::from_text(raw);
    let words = split_words(&line, escape);
    match words.len() {
        0 => String::new(),
        1 => words.into_iter().next().map(|w| w.text).unwrap_or_default(),
        // Whitespace inside quotes is kept; whitespace outside is unusual in one word.
        _ => words
            .into_iter()
            .map(|w| w.text)
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// The result of reading arguments that may be a JSON array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonArray {
    /// A valid JSON array of strings (exec form).
    Valid(Vec<Word>),
    /// Starts with `[` and ends with `]` but is not a valid JSON array of strings; Docker
    /// then runs it in shell form.
    Invalid { reason: String },
    /// Not an array at all: plain shell form.
    NotJson,
}

/// Parses `[ "a", "b" ]` with spans for each string.
pub fn parse_json_array(line: &LogicalLine, from: usize) -> JsonArray {
    let text = line.text[from..].trim_end();
    let start = from + (text.len() - text.trim_start().len());
    let body = &line.text[start..from + text.len()];
    if !body.starts_with('[') {
        return JsonArray::NotJson;
    }
    let looks_like_json = body.ends_with(']');
    match parse_array(line, start) {
        Ok(words) => JsonArray::Valid(words),
        Err(reason) if looks_like_json => JsonArray::Invalid { reason },
        Err(_) => JsonArray::NotJson,
    }
}

fn parse_array(line: &LogicalLine, start: usize) -> Result<Vec<Word>, String> {
    let bytes = line.text.as_bytes();
    let end = line.text.trim_end().len();
    let mut i = start + 1;
    let mut words = Vec::new();
    let skip_ws = |i: &mut usize| {
        while *i < end && (bytes[*i] as char).is_whitespace() {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    if i < end && bytes[i] == b']' {
        i += 1;
        skip_ws(&mut i);
        return if i == end {
            Ok(words)
        } else {
            Err("text after the closing `]`".into())
        };
    }
    loop {
        skip_ws(&mut i);
        if i >= end {
            return Err("missing `]`".into());
        }
        match bytes[i] {
            b'"' => {}
            b'\'' => return Err("JSON strings need double quotes, not single quotes".into()),
            _ => return Err("every element must be a double-quoted string".into()),
        }
        let word_start = i;
        i += 1;
        let mut value = String::new();
        loop {
            if i >= end {
                return Err("unterminated string".into());
            }
            match bytes[i] {
                b'"' => {
                    i += 1;
                    break;
                }
                b'\\' => {
                    let Some(&esc) = bytes.get(i + 1) else {
                        return Err("unterminated string".into());
                    };
                    i += 2;
                    match esc {
                        b'"' => value.push('"'),
                        b'\\' => value.push('\\'),
                        b'/' => value.push('/'),
                        b'b' => value.push('\u{8}'),
                        b'f' => value.push('\u{c}'),
                        b'n' => value.push('\n'),
                        b'r' => value.push('\r'),
                        b't' => value.push('\t'),
                        b'u' => {
                            let hex = line.text.get(i..i + 4).ok_or("bad \\u escape")?;
                            let code =
                                u32::from_str_radix(hex, 16).map_err(|_| "bad \\u escape")?;
                            value.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                            i += 4;
                        }
                        _ => return Err("invalid escape in string".into()),
                    }
                }
                b if b < 0x20 => return Err("control character in string".into()),
                _ => {
                    let ch = line.text[i..].chars().next().unwrap_or('\u{fffd}');
                    value.push(ch);
                    i += ch.len_utf8();
                }
            }
        }
        words.push(Word {
            text: value,
            span: line.span(word_start, i),
        });
        skip_ws(&mut i);
        match bytes.get(i) {
            Some(b',') => i += 1,
            Some(b']') => {
                i += 1;
                skip_ws(&mut i);
                return if i == end {
                    Ok(words)
                } else {
                    Err("text after the closing `]`".into())
                };
            }
            _ => return Err("expected `,` or `]`".into()),
        }
    }
}

/// Reads `key=value` pairs; with `legacy_allowed`, a first word without `=` makes the whole
/// rest the value (`ENV key value`).
pub fn parse_key_values(
    line: &LogicalLine,
    from: usize,
    escape: char,
    legacy_allowed: bool,
) -> Vec<KeyValue> {
    let words = split_words_in(line, from, line.text.len(), escape);
    let Some(first) = words.first() else {
        return Vec::new();
    };
    let first_raw = first.span;
    let first_has_eq = raw_of(line, first_raw).contains('=');
    if legacy_allowed && !first_has_eq {
        // ENV key value with spaces
        let key = first.text.clone();
        let rest_words = &words[1..];
        let value = match (rest_words.first(), rest_words.last()) {
            (Some(a), Some(b)) => {
                let span = a.span.cover(b.span);
                // The value is the raw rest of the line, quotes processed per word.
                let text = rest_words
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                Some(Word { text, span })
            }
            _ => None,
        };
        let span = value
            .as_ref()
            .map_or(first.span, |v| first.span.cover(v.span));
        return vec![KeyValue {
            key,
            key_span: first.span,
            value,
            span,
            legacy: true,
        }];
    }
    words
        .into_iter()
        .map(|word| {
            let raw = raw_of(line, word.span);
            match word.text.find('=') {
                Some(eq) => {
                    let key = word.text[..eq].to_string();
                    let raw_eq = raw.find('=').unwrap_or(eq);
                    let key_span = Span::new(word.span.start, word.span.start + raw_eq);
                    let value_span = Span::new(word.span.start + raw_eq + 1, word.span.end);
                    KeyValue {
                        key,
                        key_span,
                        value: Some(Word {
                            text: word.text[eq + 1..].to_string(),
                            span: value_span,
                        }),
                        span: word.span,
                        legacy: false,
                    }
                }
                None => KeyValue {
                    key: word.text.clone(),
                    key_span: word.span,
                    value: None,
                    span: word.span,
                    legacy: false,
                },
            }
        })
        .collect()
}

/// The original text of a span of a logical line (continuations removed).
fn raw_of(line: &LogicalLine, span: Span) -> String {
    line.text_of(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_respect_quotes() {
        let line = LogicalLine::from_text(r#"a "b c" 'd e'f g\ h"#);
        let words: Vec<_> = split_words(&line, '\\')
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(words, vec!["a", "b c", "d ef", "g h"]);
    }

    #[test]
    fn flags_then_args() {
        let line = LogicalLine::from_text("--from=build --chown=a:b src/ /dst");
        let (flags, start) = split_flags(&line, '\\');
        assert_eq!(flags.len(), 2);
        assert_eq!(flags[0].name, "from");
        assert_eq!(flags[0].value.as_deref(), Some("build"));
        assert_eq!(&line.text[start..], "src/ /dst");
    }

    #[test]
    fn json_arrays() {
        let line = LogicalLine::from_text(r#"["a", "b\"c"]"#);
        match parse_json_array(&line, 0) {
            JsonArray::Valid(words) => {
                assert_eq!(words[1].text, "b\"c");
                assert_eq!(words[1].span, Span::new(6, 12));
            }
            other => panic!("{other:?}"),
        }
        let line = LogicalLine::from_text("['a', 'b']");
        assert!(matches!(
            parse_json_array(&line, 0),
            JsonArray::Invalid { .. }
        ));
        let line = LogicalLine::from_text("[ -e x ] && y");
        assert_eq!(parse_json_array(&line, 0), JsonArray::NotJson);
    }

    #[test]
    fn key_values_both_forms() {
        let line = LogicalLine::from_text(r#"A=1 B="two words""#);
        let kv = parse_key_values(&line, 0, '\\', true);
        assert_eq!(kv.len(), 2);
        assert_eq!(kv[1].value.as_ref().unwrap().text, "two words");
        assert_eq!(kv[1].key_span, Span::new(4, 5));
        let line = LogicalLine::from_text("PATH /usr/bin:/bin  extra");
        let kv = parse_key_values(&line, 0, '\\', true);
        assert!(kv[0].legacy);
        assert_eq!(kv[0].value.as_ref().unwrap().text, "/usr/bin:/bin extra");
    }
}
