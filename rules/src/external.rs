//! Codes reported by an external tool rather than by a rule of ours: ShellCheck's `SCxxxx`
//! findings on RUN bodies (the binary runs ShellCheck; rules do no I/O). They are not in the
//! registry, but they are selected, ignored and silenced by pragmas like rule codes.

use crate::diagnostic::Severity;
use crate::rule::{FixAvailability, RuleMeta};

/// Whether `code` is a ShellCheck code: `SC` and four digits (`SC2086`), any case.
pub fn is_shellcheck_code(code: &str) -> bool {
    code.len() == 6 && is_shellcheck_selector(code)
}

/// Whether `selector` names ShellCheck codes: `SC` (all of them), a code prefix (`SC2`,
/// `SC20`) or a whole code (`SC2086`).
pub fn is_shellcheck_selector(selector: &str) -> bool {
    let s = selector.trim();
    s.len() <= 6
        && s.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("SC"))
        && s[2..].bytes().all(|b| b.is_ascii_digit())
}

/// Whether `selector` picks the external code `code`: `ALL`, the code, or a prefix of it.
pub fn matches_external(selector: &str, code: &str) -> bool {
    let s = selector.trim();
    s.eq_ignore_ascii_case("ALL")
        || (is_shellcheck_selector(s)
            && code
                .get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s)))
}

/// Metadata standing in for a rule, so suppressions and printers treat an external code
/// like any other: it answers to its code only.
pub fn external_meta(code: &'static str, severity: Severity) -> RuleMeta {
    RuleMeta {
        code,
        name: code,
        alias: None,
        severity,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "",
        doc: "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_shellcheck_codes_and_prefixes() {
        assert!(is_shellcheck_code("SC2086"));
        assert!(is_shellcheck_code("sc1090"));
        assert!(!is_shellcheck_code("SC20"));
        assert!(!is_shellcheck_code("SC20867"));
        assert!(is_shellcheck_selector("SC"));
        assert!(is_shellcheck_selector("SC2"));
        assert!(!is_shellcheck_selector("SCX"));
        assert!(!is_shellcheck_selector("PL1"));
        assert!(matches_external("SC2", "SC2086"));
        assert!(matches_external("sc2086", "SC2086"));
        assert!(matches_external("ALL", "SC2086"));
        assert!(!matches_external("SC3", "SC2086"));
        assert!(!matches_external("PL", "SC2086"));
    }
}
