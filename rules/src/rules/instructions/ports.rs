//! EXPOSE arguments read into ports, with the span of each number.

use plimsoll_analyzer::{Dockerfile, Instruction, Keyword, Span, Word};

/// One port number of an EXPOSE word (`80`, either end of `8000-8010`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port<'a> {
    pub word: &'a Word,
    /// The number, after variable expansion.
    pub number: u64,
    /// The digits as written, or the whole word when a variable or quote is involved.
    pub span: Span,
    /// `tcp` or `udp`, lower-cased; `tcp` when not written.
    pub protocol: String,
    /// The port is one end of a range (`8000-8010`).
    pub in_range: bool,
}

/// The ports an EXPOSE opens. Words whose variables have no value, or that are not
/// `port[-port][/protocol]`, are skipped.
pub fn exposed<'a>(file: &Dockerfile, instruction: &'a Instruction) -> Vec<Port<'a>> {
    let mut out = Vec::new();
    if instruction.keyword != Keyword::Expose {
        return out;
    }
    for word in &instruction.words {
        let raw = word.span.text(&file.text);
        let plain = raw == word.text && !raw.contains('$');
        let text = if word.text.contains('$') {
            let expanded = file.expand(instruction.index, &word.text);
            if !expanded.unresolved.is_empty() {
                continue;
            }
            expanded.text
        } else {
            word.text.clone()
        };
        let (ports, protocol) = match text.split_once('/') {
            Some((p, proto)) => (p, proto.to_ascii_lowercase()),
            None => (text.as_str(), "tcp".to_string()),
        };
        let parts: Vec<&str> = match ports.split_once('-') {
            Some((a, b)) => vec![a, b],
            None => vec![ports],
        };
        if parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        let mut offset = 0;
        for part in &parts {
            let span = if plain {
                Span::new(
                    word.span.start + offset,
                    word.span.start + offset + part.len(),
                )
            } else {
                word.span
            };
            offset += part.len() + 1;
            out.push(Port {
                word,
                number: part.parse().unwrap_or(u64::MAX),
                span,
                protocol: protocol.clone(),
                in_range: parts.len() == 2,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ports_ranges_protocols_and_variables() {
        let text = "FROM a\nARG P=8080\nEXPOSE 80 70000/UDP 1000-2000 $P \"443\" $NOPE x:1\n";
        let file = Dockerfile::parse(text);
        let ports = exposed(&file, &file.instructions[2]);
        let got: Vec<_> = ports
            .iter()
            .map(|p| (p.number, p.span.text(text), p.protocol.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (80, "80", "tcp"),
                (70000, "70000", "udp"),
                (1000, "1000", "tcp"),
                (2000, "2000", "tcp"),
                (8080, "$P", "tcp"),
                (443, "\"443\"", "tcp"),
            ]
        );
    }
}
