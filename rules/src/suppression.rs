//! In-file suppressions.
//!
//! - `# plimsoll: ignore=CODE[,CODE]` and `# hadolint ignore=DL3008,…` on the comment
//!   lines directly above an instruction silence those rules for that instruction;
//! - `# plimsoll: global ignore=…` / `# hadolint global ignore=…` anywhere silence them
//!   for the whole file;
//! - `# plimsoll: stage ignore=…` / `# hadolint stage ignore=…` silence them from the
//!   pragma to the next FROM (hadolint's stage pragma);
//! - `# check=skip=Name,…` (BuildKit's directive, `skip=all` for every check) silences
//!   the rules that carry a BuildKit name.
//!
//! Codes may be Plimsoll codes, aliases or rule names. Spaces around `=` and `,` are
//! allowed, and anything after the list (`# because …`) is a comment on the pragma.
//! Suppressions also record which codes silenced something, for `unused-pragma` (PL001).
//! `# hadolint shell=…` is read by the analyzer (it decides how RUN is parsed).

use crate::diagnostic::Diagnostic;
use crate::rule::RuleMeta;
use plimsoll_analyzer::{Dockerfile, Keyword, Span};

/// What part of the file a pragma covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PragmaScope {
    /// The instruction directly below.
    Instruction,
    /// From the pragma to the next FROM.
    Stage,
    /// The whole file.
    Global,
}

/// One code in a pragma's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PragmaCode {
    pub code: String,
    pub span: Span,
}

/// An ignore pragma found in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pragma {
    pub scope: PragmaScope,
    /// The comment, from `#` to the end of its line.
    pub comment: Span,
    /// The code list, from the first code to the end of the last.
    pub list: Span,
    pub codes: Vec<PragmaCode>,
    /// Where diagnostics are silenced; `None` for an instruction pragma that is not
    /// directly above an instruction.
    pub covers: Option<Span>,
}

/// An ignore pragma in a comment's text (starting at `#` or just after it), with the
/// spans of its codes relative to the start of `comment`.
pub fn parse_pragma(comment: &str) -> Option<(PragmaScope, Vec<PragmaCode>)> {
    let mut p = Cursor {
        text: comment,
        at: 0,
    };
    p.eat("#");
    p.spaces();
    if p.eat("hadolint") {
        if p.spaces() == 0 {
            return None;
        }
    } else if p.eat("plimsoll") {
        let colon = p.eat(":");
        if p.spaces() == 0 && !colon {
            return None;
        }
    } else {
        return None;
    }
    let scope = if p.eat("global") {
        PragmaScope::Global
    } else if p.eat("stage") {
        PragmaScope::Stage
    } else {
        PragmaScope::Instruction
    };
    if scope != PragmaScope::Instruction && p.spaces() == 0 {
        return None;
    }
    if !p.eat("ignore") {
        return None;
    }
    p.spaces();
    if !p.eat("=") {
        return None;
    }
    p.spaces();
    let mut codes = Vec::new();
    loop {
        let start = p.at;
        let len = p
            .rest()
            .find(|c: char| c.is_whitespace() || c == ',' || c == '#');
        let len = len.unwrap_or(p.rest().len());
        if len == 0 {
            break;
        }
        p.at += len;
        codes.push(PragmaCode {
            code: comment[start..p.at].to_string(),
            span: Span::new(start, p.at),
        });
        p.spaces();
        if !p.eat(",") {
            break;
        }
        p.spaces();
    }
    Some((scope, codes))
}

/// Codes named by an instruction pragma (`# hadolint ignore=…`), if the comment is one.
pub fn pragma_codes(comment: &str) -> Option<Vec<String>> {
    match parse_pragma(comment)? {
        (PragmaScope::Instruction, codes) => Some(codes.into_iter().map(|c| c.code).collect()),
        _ => None,
    }
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn eat(&mut self, word: &str) -> bool {
        let found = self.rest().starts_with(word);
        if found {
            self.at += word.len();
        }
        found
    }

    fn spaces(&mut self) -> usize {
        let n = self.rest().len() - self.rest().trim_start_matches([' ', '\t']).len();
        self.at += n;
        n
    }
}

/// Whether the file's `# check=` directive says `error=true`: BuildKit then fails the
/// build on any check, so rules with a BuildKit name report as errors.
pub fn check_error(file: &Dockerfile) -> bool {
    file.directives.get("check").is_some_and(|check| {
        check.value.split(';').any(|part| {
            part.trim()
                .strip_prefix("error=")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        })
    })
}

#[derive(Debug, Default)]
pub struct Suppressions {
    pub pragmas: Vec<Pragma>,
    /// For each pragma, for each of its codes: did it silence a diagnostic?
    used: Vec<Vec<bool>>,
    /// BuildKit check names skipped for the whole file (`all` skips every one).
    check_skips: Vec<String>,
}

impl Suppressions {
    /// Every pragma in the file and the `# check=skip=` list.
    pub fn collect(file: &Dockerfile) -> Suppressions {
        // Which instruction each comment directly above an instruction belongs to.
        let mut above: Vec<(usize, Span)> = Vec::new();
        for instruction in &file.instructions {
            above.extend(
                file.comments_above(instruction)
                    .map(|c| (c.span.start, instruction.span)),
            );
        }
        above.sort_by_key(|(start, _)| *start);
        let froms: Vec<usize> = file
            .instructions
            .iter()
            .filter(|i| i.keyword == Keyword::From)
            .map(|i| i.span.start)
            .collect();

        let mut pragmas = Vec::new();
        for comment in file.comments.iter().filter(|c| !c.inside_instruction) {
            let Some((scope, codes)) = parse_pragma(comment.span.text(&file.text)) else {
                continue;
            };
            let base = comment.span.start;
            let codes: Vec<PragmaCode> = codes
                .into_iter()
                .map(|c| PragmaCode {
                    code: c.code,
                    span: c.span.offset(base),
                })
                .collect();
            let (Some(first), Some(last)) = (codes.first(), codes.last()) else {
                continue;
            };
            let list = first.span.cover(last.span);
            let covers = match scope {
                PragmaScope::Instruction => above
                    .binary_search_by_key(&base, |(start, _)| *start)
                    .ok()
                    .map(|i| above[i].1),
                PragmaScope::Stage => {
                    let next_from = froms
                        .iter()
                        .find(|&&f| f > base)
                        .copied()
                        .unwrap_or(file.text.len());
                    Some(Span::new(comment.span.end, next_from))
                }
                PragmaScope::Global => Some(Span::new(0, file.text.len())),
            };
            pragmas.push(Pragma {
                scope,
                comment: comment.span,
                list,
                codes,
                covers,
            });
        }
        Suppressions {
            used: pragmas.iter().map(|p| vec![false; p.codes.len()]).collect(),
            pragmas,
            check_skips: file.directives.check_skips(),
        }
    }

    /// Whether a diagnostic of `meta`'s rule is silenced; records which pragma codes did it.
    pub fn is_suppressed(&mut self, diagnostic: &Diagnostic, meta: &RuleMeta) -> bool {
        let mut suppressed = meta.buildkit_alias().is_some_and(|name| {
            self.check_skips
                .iter()
                .any(|s| s.eq_ignore_ascii_case("all") || s.eq_ignore_ascii_case(name))
        });
        let at = diagnostic.span.start;
        for (pragma, used) in self.pragmas.iter().zip(&mut self.used) {
            let Some(covers) = pragma.covers else {
                continue;
            };
            // An instruction pragma also covers a diagnostic at the instruction's very end
            // (an empty span where something is missing).
            if !(covers.start <= at && at <= covers.end) {
                continue;
            }
            for (code, used) in pragma.codes.iter().zip(used.iter_mut()) {
                if meta.answers_to(&code.code) {
                    *used = true;
                    suppressed = true;
                }
            }
        }
        suppressed
    }

    /// Whether code `index` of pragma `pragma` silenced something.
    pub fn is_used(&self, pragma: usize, index: usize) -> bool {
        self.used
            .get(pragma)
            .and_then(|u| u.get(index))
            .copied()
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(comment: &str) -> Option<(PragmaScope, Vec<&str>)> {
        parse_pragma(comment).map(|(scope, codes)| {
            (
                scope,
                codes
                    .iter()
                    .map(|c| &comment[c.span.start..c.span.end])
                    .collect(),
            )
        })
    }

    #[test]
    fn reads_pragmas() {
        assert_eq!(
            pragma_codes("hadolint ignore=DL3008,DL3009"),
            Some(vec!["DL3008".into(), "DL3009".into()])
        );
        assert_eq!(
            pragma_codes("plimsoll: ignore=PL103 because reasons"),
            Some(vec!["PL103".into()])
        );
        assert_eq!(pragma_codes("just a comment"), None);
        assert_eq!(pragma_codes("hadolint global ignore=DL3008"), None);
    }

    #[test]
    fn reads_every_form_with_spans() {
        use PragmaScope::*;
        assert_eq!(
            codes("# hadolint ignore=DL3003, SC1035 # we accept these"),
            Some((Instruction, vec!["DL3003", "SC1035"]))
        );
        assert_eq!(
            codes("# hadolint global ignore = DL3003 ,DL3006"),
            Some((Global, vec!["DL3003", "DL3006"]))
        );
        assert_eq!(
            codes("#plimsoll: global ignore=PL103"),
            Some((Global, vec!["PL103"]))
        );
        assert_eq!(
            codes("# hadolint stage ignore=DL3008"),
            Some((Stage, vec!["DL3008"]))
        );
        assert_eq!(
            codes("# plimsoll: ignore=apt-get-unpinned,SecretsUsedInArgOrEnv"),
            Some((
                Instruction,
                vec!["apt-get-unpinned", "SecretsUsedInArgOrEnv"]
            ))
        );
        assert_eq!(codes("# hadolint ignore="), Some((Instruction, vec![])));
        assert_eq!(codes("# hadolintignore=DL3008"), None);
        assert_eq!(codes("# hadolint globalignore=DL3008"), None);
        assert_eq!(codes("# hadolint shell=powershell"), None);
        assert_eq!(codes("# Hadolint ignore=DL3008"), None);
        assert_eq!(codes("# ignore=DL3008"), None);
    }

    #[test]
    fn reads_check_error() {
        assert!(check_error(&Dockerfile::parse(
            "# check=skip=A;error=true\nFROM x\n"
        )));
        assert!(!check_error(&Dockerfile::parse("# check=skip=A\nFROM x\n")));
        assert!(!check_error(&Dockerfile::parse(
            "FROM x\n# check=error=true\n"
        )));
    }

    #[test]
    fn scopes_cover_what_they_say() {
        let text = "# hadolint global ignore=DL3006\nFROM a AS one\n# hadolint stage ignore=DL3008\nRUN x\n\n# hadolint ignore=DL3009\n\nRUN y\nFROM b\nRUN z\n";
        let file = Dockerfile::parse(text);
        let s = Suppressions::collect(&file);
        assert_eq!(s.pragmas.len(), 3);
        assert_eq!(s.pragmas[0].covers, Some(Span::new(0, text.len())));
        let stage = s.pragmas[1].covers.unwrap();
        assert_eq!(&text[stage.end..stage.end + 6], "FROM b");
        // A blank line between the pragma and the instruction: it covers nothing.
        assert_eq!(s.pragmas[2].covers, None);
    }
}
