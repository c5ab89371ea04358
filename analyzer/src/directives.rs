//! Parser directives: `# syntax=`, `# escape=`, `# check=` at the very top of the file.

use crate::span::Span;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// Lower-cased directive name.
    pub name: String,
    pub value: String,
    pub span: Span,
    pub value_span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Directives {
    pub list: Vec<Directive>,
    /// The escape character: `\` unless `# escape=` chose a backtick.
    pub escape: char,
    /// Byte offset where the body (everything after the directives) starts.
    pub body_start: usize,
}

impl Default for Directives {
    fn default() -> Self {
        Self {
            list: Vec::new(),
            escape: '\\',
            body_start: 0,
        }
    }
}

impl Directives {
    pub fn get(&self, name: &str) -> Option<&Directive> {
        self.list.iter().find(|d| d.name == name)
    }

    /// Rule names listed in `# check=skip=A,B` (or `skip=all`).
    pub fn check_skips(&self) -> Vec<String> {
        let Some(check) = self.get("check") else {
            return Vec::new();
        };
        check
            .value
            .split(';')
            .filter_map(|part| part.trim().strip_prefix("skip="))
            .flat_map(|list| list.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// Reads directives the way BuildKit does: only consecutive `# name=value` lines at the
/// very top; the first line that is not one (a blank line, another comment, an
/// instruction) ends them, and each name counts once.
pub fn parse(text: &str) -> Directives {
    let mut directives = Directives::default();
    let mut offset = 0;
    // A UTF-8 byte order mark is allowed before the first directive.
    if text.starts_with('\u{feff}') {
        offset = 3;
    }
    directives.body_start = offset;
    while offset < text.len() {
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let line = text[offset..line_end].trim_end_matches('\r');
        let Some(directive) = parse_line(line, offset) else {
            break;
        };
        if directives.get(&directive.name).is_some() {
            break;
        }
        if directive.name == "escape" {
            match directive.value.as_str() {
                "`" => directives.escape = '`',
                "\\" => directives.escape = '\\',
                _ => {}
            }
        }
        directives.list.push(directive);
        offset = (line_end + 1).min(text.len());
        directives.body_start = offset;
    }
    directives
}

fn parse_line(line: &str, base: usize) -> Option<Directive> {
    let rest = line.trim_start().strip_prefix('#')?;
    let name_start = line.len() - rest.len() + (rest.len() - rest.trim_start().len());
    let rest = rest.trim_start();
    let name_len = rest
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-')
        .unwrap_or(rest.len());
    if name_len == 0 || !rest.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    let name = &rest[..name_len];
    let after = rest[name_len..].trim_start().strip_prefix('=')?;
    let value = after.trim();
    let value_start = if value.is_empty() {
        line.len()
    } else {
        line.len() - after.trim_start().len()
    };
    let _ = name_start;
    Some(Directive {
        name: name.to_ascii_lowercase(),
        value: value.to_string(),
        span: Span::new(base, base + line.len()),
        value_span: Span::new(base + value_start, base + value_start + value.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_top_directives_only() {
        let d = parse(
            "# syntax=docker/dockerfile:1\n#escape=`\n# check=skip=A,B;error=true\nFROM x\n# escape=\\\n",
        );
        assert_eq!(d.list.len(), 3);
        assert_eq!(d.escape, '`');
        assert_eq!(d.get("syntax").unwrap().value, "docker/dockerfile:1");
        assert_eq!(d.check_skips(), vec!["A", "B"]);
        assert_eq!(
            &"# syntax=docker/dockerfile:1\n"[d.list[0].value_span.start..d.list[0].value_span.end],
            "docker/dockerfile:1"
        );
    }

    #[test]
    fn blank_line_or_comment_ends_directives() {
        assert!(parse("\n# escape=`\n").list.is_empty());
        assert!(parse("# hello\n# escape=`\n").list.is_empty());
        assert_eq!(parse("# escape=`\r\nFROM x").escape, '`');
    }
}
