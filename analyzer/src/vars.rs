//! `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}` expansion as Docker does it for
//! instruction arguments.

/// The result of expanding a word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expanded {
    pub text: String,
    /// Variables referenced that had no value (and no default applied).
    pub unresolved: Vec<String>,
}

/// A variable reference found in text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarRef {
    pub name: String,
    /// Byte range of the whole reference (`${NAME:-x}`) in the text.
    pub start: usize,
    pub end: usize,
    /// Has a `:-`/`-` default or `:+`/`+` alternative, so an undefined value is expected.
    pub has_modifier: bool,
}

/// Lists variable references in `text` (escaped `\$` skipped).
pub fn references(text: &str, escape: char) -> Vec<VarRef> {
    let mut out = Vec::new();
    scan(text, escape, &mut |r| out.push(r.clone()), &mut |_| None);
    out
}

/// Expands variables using `lookup`; unknown variables expand to the empty string, as in
/// Docker, and are listed in `unresolved`.
pub fn expand(text: &str, escape: char, lookup: &dyn Fn(&str) -> Option<String>) -> Expanded {
    let mut unresolved = Vec::new();
    let mut lookup_mut = |name: &str| lookup(name);
    let text = scan(text, escape, &mut |_| {}, &mut |r: &Ref<'_>| {
        resolve(r, &mut lookup_mut, &mut unresolved)
    });
    Expanded { text, unresolved }
}

struct Ref<'a> {
    name: &'a str,
    modifier: Option<&'a str>,
    word: &'a str,
}

fn resolve(
    r: &Ref<'_>,
    lookup: &mut dyn FnMut(&str) -> Option<String>,
    unresolved: &mut Vec<String>,
) -> Option<String> {
    let value = lookup(r.name);
    Some(match (r.modifier, value) {
        (Some(":-"), Some(v)) if !v.is_empty() => v,
        (Some(":-"), _) => r.word.to_string(),
        (Some("-"), Some(v)) => v,
        (Some("-"), None) => r.word.to_string(),
        (Some(":+"), Some(v)) if !v.is_empty() => r.word.to_string(),
        (Some(":+"), _) => String::new(),
        (Some("+"), Some(_)) => r.word.to_string(),
        (Some("+"), None) => String::new(),
        (_, Some(v)) => v,
        (_, None) => {
            unresolved.push(r.name.to_string());
            String::new()
        }
    })
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_name(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Walks `text`, reporting references and building the expanded text.
fn scan(
    text: &str,
    escape: char,
    found: &mut dyn FnMut(&VarRef),
    replace: &mut dyn FnMut(&Ref<'_>) -> Option<String>,
) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut in_single = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\'' {
            in_single = !in_single;
        }
        if !in_single && escape.is_ascii() && c == escape as u8 && bytes.get(i + 1) == Some(&b'$') {
            out.push('$');
            i += 2;
            continue;
        }
        if c != b'$' || in_single {
            let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let start = i;
        if bytes.get(i + 1) == Some(&b'{') {
            let Some(close) = text[i + 2..].find('}').map(|k| i + 2 + k) else {
                out.push_str(&text[i..]);
                break;
            };
            let inner = &text[i + 2..close];
            let name_len = inner.bytes().take_while(|&b| is_name(b)).count();
            let name = &inner[..name_len];
            let rest = &inner[name_len..];
            let (modifier, word) = [":-", ":+", "-", "+"]
                .iter()
                .find_map(|m| rest.strip_prefix(m).map(|w| (Some(*m), w)))
                .unwrap_or((None, rest));
            if name.is_empty() || (modifier.is_none() && !rest.is_empty()) {
                // Unsupported form (`${#x}`, `${x%y}`): keep it verbatim.
                out.push_str(&text[start..=close]);
                i = close + 1;
                continue;
            }
            found(&VarRef {
                name: name.to_string(),
                start,
                end: close + 1,
                has_modifier: modifier.is_some(),
            });
            let r = Ref {
                name,
                modifier,
                word,
            };
            match replace(&r) {
                Some(v) => out.push_str(&v),
                None => out.push_str(&text[start..=close]),
            }
            i = close + 1;
        } else if bytes.get(i + 1).is_some_and(|&b| is_name_start(b)) {
            let len = bytes[i + 1..].iter().take_while(|&&b| is_name(b)).count();
            let name = &text[i + 1..i + 1 + len];
            found(&VarRef {
                name: name.to_string(),
                start,
                end: i + 1 + len,
                has_modifier: false,
            });
            let r = Ref {
                name,
                modifier: None,
                word: "",
            };
            match replace(&r) {
                Some(v) => out.push_str(&v),
                None => out.push_str(&text[start..i + 1 + len]),
            }
            i += 1 + len;
        } else {
            out.push('$');
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "BASE" => Some("debian".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn expands_forms() {
        let e = expand(
            "${BASE}:${TAG:-12} $EMPTY${EMPTY:-x}${BASE:+y}${NOPE+z}",
            '\\',
            &env,
        );
        assert_eq!(e.text, "debian:12 xy");
        assert!(e.unresolved.is_empty());
        let e = expand("$MISSING-\\$HOME", '\\', &env);
        assert_eq!(e.text, "-$HOME");
        assert_eq!(e.unresolved, vec!["MISSING"]);
    }

    #[test]
    fn lists_references() {
        let refs = references("a $X ${Y:-1} '$Z'", '\\');
        let names: Vec<_> = refs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, vec!["X", "Y"]);
        assert!(refs[1].has_modifier);
    }
}
