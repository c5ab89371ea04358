//! Just enough JSON to tell "not JSON at all" from "a JSON array of something else than
//! strings" (which BuildKit refuses instead of falling back to shell form).

/// What `text` is as JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArrayKind {
    /// A JSON array whose elements are all strings.
    Strings,
    /// A JSON array with at least one element that is not a string.
    Mixed,
    /// Not valid JSON, or not an array.
    NotJson,
}

pub fn array_kind(text: &str) -> ArrayKind {
    let mut p = Parser {
        bytes: text.as_bytes(),
        at: 0,
    };
    p.skip_ws();
    if p.peek() != Some(b'[') {
        return ArrayKind::NotJson;
    }
    let Some(all_strings) = p.array() else {
        return ArrayKind::NotJson;
    };
    p.skip_ws();
    match (p.at == p.bytes.len(), all_strings) {
        (false, _) => ArrayKind::NotJson,
        (true, true) => ArrayKind::Strings,
        (true, false) => ArrayKind::Mixed,
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// An array; `Some(true)` when every element is a string.
    fn array(&mut self) -> Option<bool> {
        if !self.eat(b'[') {
            return None;
        }
        self.skip_ws();
        if self.eat(b']') {
            return Some(true);
        }
        let mut all_strings = true;
        loop {
            self.skip_ws();
            all_strings &= self.value()?;
            self.skip_ws();
            if self.eat(b']') {
                return Some(all_strings);
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    /// Any value; `Some(true)` when it is a string.
    fn value(&mut self) -> Option<bool> {
        match self.peek()? {
            b'"' => self.string().map(|()| true),
            b'[' => self.array().map(|_| false),
            b'{' => self.object().map(|()| false),
            b't' => self.literal(b"true").map(|()| false),
            b'f' => self.literal(b"false").map(|()| false),
            b'n' => self.literal(b"null").map(|()| false),
            b'-' | b'0'..=b'9' => self.number().map(|()| false),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Some(())
        } else {
            None
        }
    }

    fn number(&mut self) -> Option<()> {
        let start = self.at;
        self.eat(b'-');
        let digits = |p: &mut Self| {
            let from = p.at;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.at += 1;
            }
            p.at > from
        };
        if !digits(self) {
            return None;
        }
        if self.eat(b'.') && !digits(self) {
            return None;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if !digits(self) {
                return None;
            }
        }
        (self.at > start).then_some(())
    }

    fn string(&mut self) -> Option<()> {
        if !self.eat(b'"') {
            return None;
        }
        loop {
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                b'\\' => {
                    self.at += 1;
                    match self.peek()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                        b'u' => {
                            let hex = self.bytes.get(self.at + 1..self.at + 5)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.at += 5;
                        }
                        _ => return None,
                    }
                }
                b if b < 0x20 => return None,
                _ => self.at += 1,
            }
        }
    }

    fn object(&mut self) -> Option<()> {
        if !self.eat(b'{') {
            return None;
        }
        self.skip_ws();
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            self.skip_ws();
            self.string()?;
            self.skip_ws();
            if !self.eat(b':') {
                return None;
            }
            self.skip_ws();
            self.value()?;
            self.skip_ws();
            if self.eat(b'}') {
                return Some(());
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(array_kind(r#"["a", "b\"c"]"#), ArrayKind::Strings);
        assert_eq!(array_kind(" [ ] "), ArrayKind::Strings);
        assert_eq!(array_kind(r#"["a", 1]"#), ArrayKind::Mixed);
        assert_eq!(
            array_kind(r#"["a", {"b": [true, null, -1.5e3]}]"#),
            ArrayKind::Mixed
        );
        assert_eq!(array_kind("['a']"), ArrayKind::NotJson);
        assert_eq!(array_kind(r#"["a",]"#), ArrayKind::NotJson);
        assert_eq!(array_kind(r#"["a\d"]"#), ArrayKind::NotJson);
        assert_eq!(array_kind(r#"["a"] x"#), ArrayKind::NotJson);
        assert_eq!(array_kind(r#""a""#), ArrayKind::NotJson);
    }
}
