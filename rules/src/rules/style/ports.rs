//! EXPOSE arguments read the way BuildKit reads them: `[ip:][host-port:]port[/proto]`.

use super::variables::references;
use plimsoll_analyzer::{Dockerfile, Instruction, Span};

/// One port spec of an EXPOSE.
pub struct PortSpec {
    /// The spec after variable expansion.
    pub text: String,
    /// The word it comes from.
    pub span: Span,
    /// Whether `text` is exactly the word as written (no variables, no quotes), so offsets
    /// into it are offsets into the file.
    pub literal: bool,
    pub ip: String,
    pub host_port: String,
    /// Byte range of the protocol in `text` (empty when there is none).
    pub proto: std::ops::Range<usize>,
}

impl PortSpec {
    pub fn proto(&self) -> &str {
        &self.text[self.proto.clone()]
    }
}

/// The port specs of an EXPOSE that BuildKit would accept far enough to lint them (a port,
/// and a protocol that is `tcp`, `udp` or `sctp` in any case, or none). Words with variables
/// the file does not define are skipped.
pub fn specs(file: &Dockerfile, instruction: &Instruction) -> Vec<PortSpec> {
    let mut out = Vec::new();
    for word in &instruction.words {
        let has_vars = !references(&word.text, file.escape()).is_empty();
        let expanded = if has_vars {
            let e = file.expand(instruction.index, &word.text);
            if !e.unresolved.is_empty() {
                continue;
            }
            e.text
        } else {
            word.text.clone()
        };
        let literal = !has_vars && word.span.text(&file.text) == word.text;
        for part in expanded.split_whitespace() {
            if let Some(spec) = parse(part, word.span, literal && part == word.text) {
                out.push(spec);
            }
        }
    }
    out
}

fn parse(text: &str, span: Span, literal: bool) -> Option<PortSpec> {
    let parts: Vec<&str> = text.split(':').collect();
    let (ip, host_port, container) = match parts.as_slice() {
        [c] => (String::new(), String::new(), *c),
        [h, c] => (String::new(), (*h).to_string(), *c),
        [ip @ .., h, c] => (ip.join(":"), (*h).to_string(), *c),
        [] => return None,
    };
    let container_start = text.len() - container.len();
    let (port, proto) = match container.split_once('/') {
        Some((port, proto)) => (port, proto),
        None => (container, ""),
    };
    if port.is_empty()
        || !matches!(
            proto.to_ascii_lowercase().as_str(),
            "" | "tcp" | "udp" | "sctp"
        )
    {
        return None;
    }
    let proto_start = container_start + port.len() + usize::from(!proto.is_empty());
    Some(PortSpec {
        text: text.to_string(),
        span,
        literal,
        ip,
        host_port,
        proto: proto_start..proto_start + proto.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_buildkit() {
        let s = parse("127.0.0.1:8080:80/TCP", Span::empty(0), true).unwrap();
        assert_eq!(
            (s.ip.as_str(), s.host_port.as_str(), s.proto()),
            ("127.0.0.1", "8080", "TCP")
        );
        let s = parse("[::1]:53:53/udp", Span::empty(0), true).unwrap();
        assert_eq!(
            (s.ip.as_str(), s.host_port.as_str(), s.proto()),
            ("[::1]", "53", "udp")
        );
        let s = parse("8000", Span::empty(0), true).unwrap();
        assert_eq!(
            (s.ip.as_str(), s.host_port.as_str(), s.proto()),
            ("", "", "")
        );
        assert!(parse("80/http", Span::empty(0), true).is_none());
        assert!(parse("/tcp", Span::empty(0), true).is_none());
    }
}
