//! Which rules run: `--select` / `--ignore` by code, alias, name or code prefix.

use crate::external::{is_shellcheck_selector, matches_external};
use crate::rule::RuleMeta;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// When non-empty, only these rules run (default-disabled ones included if named).
    pub select: Vec<String>,
    /// Added to the default set (or to `select`).
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
}

/// Whether `selector` picks the rule: `ALL`, its code, alias or name, or a code prefix
/// (`PL1` for the PL1xx family).
pub fn matches(selector: &str, meta: &RuleMeta) -> bool {
    let s = selector.trim();
    if s.eq_ignore_ascii_case("ALL") {
        return true;
    }
    if meta.answers_to(s) {
        return true;
    }
    s.len() >= 2
        && s.len() < meta.code.len()
        && meta.code.as_bytes()[..s.len()].eq_ignore_ascii_case(s.as_bytes())
}

/// Whether a selector names at least one rule or ShellCheck code (used to reject typos).
pub fn is_known(selector: &str) -> bool {
    is_shellcheck_selector(selector) || crate::registry::all().any(|r| matches(selector, r.meta()))
}

impl Selection {
    pub fn is_enabled(&self, meta: &RuleMeta) -> bool {
        let explicit = |list: &[String]| {
            list.iter().any(|s| {
                // Prefix or ALL selects only default-enabled rules; naming a rule exactly
                // enables an opt-in one.
                meta.answers_to(s) || (matches(s, meta) && meta.default_enabled)
            })
        };
        let selected = if self.select.is_empty() {
            meta.default_enabled
        } else {
            explicit(&self.select)
        } || explicit(&self.extend_select);
        selected && !self.ignore.iter().any(|s| matches(s, meta))
    }

    /// Whether findings with an external code (ShellCheck's `SC2086`) are reported: on by
    /// default, off when `--select` names neither it, a prefix of it nor `ALL`, or when
    /// `--ignore` matches it.
    pub fn is_external_enabled(&self, code: &str) -> bool {
        let picks = |list: &[String]| list.iter().any(|s| matches_external(s, code));
        let selected =
            (self.select.is_empty() || picks(&self.select)) || picks(&self.extend_select);
        selected && !picks(&self.ignore)
    }

    /// Whether some ShellCheck code can be enabled at all; when not, ShellCheck need not run.
    pub fn may_enable_shellcheck(&self) -> bool {
        let names_shellcheck =
            |s: &String| s.trim().eq_ignore_ascii_case("ALL") || is_shellcheck_selector(s);
        let selected = self.select.is_empty()
            || self
                .select
                .iter()
                .chain(&self.extend_select)
                .any(names_shellcheck);
        let all_ignored = self
            .ignore
            .iter()
            .any(|s| s.trim().eq_ignore_ascii_case("ALL") || s.trim().eq_ignore_ascii_case("SC"));
        selected && !all_ignored
    }

    /// Selectors that match no rule.
    pub fn unknown(&self) -> Vec<&str> {
        self.select
            .iter()
            .chain(&self.extend_select)
            .chain(&self.ignore)
            .map(String::as_str)
            .filter(|s| !is_known(s))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selection(select: &[&str], extend: &[&str], ignore: &[&str]) -> Selection {
        let own = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        Selection {
            select: own(select),
            extend_select: own(extend),
            ignore: own(ignore),
        }
    }

    #[test]
    fn shellcheck_codes_are_selected_like_rules() {
        assert!(selection(&[], &[], &[]).is_external_enabled("SC2086"));
        assert!(!selection(&[], &[], &["SC2086"]).is_external_enabled("SC2086"));
        assert!(!selection(&[], &[], &["sc2"]).is_external_enabled("SC2086"));
        assert!(selection(&[], &[], &["SC2"]).is_external_enabled("SC1090"));
        assert!(!selection(&["PL1"], &[], &[]).is_external_enabled("SC2086"));
        assert!(selection(&["PL1"], &["SC2086"], &[]).is_external_enabled("SC2086"));
        assert!(selection(&["ALL"], &[], &[]).is_external_enabled("SC2086"));

        assert!(selection(&[], &[], &["SC2086"]).may_enable_shellcheck());
        assert!(!selection(&[], &[], &["SC"]).may_enable_shellcheck());
        assert!(!selection(&["PL103"], &[], &[]).may_enable_shellcheck());
        assert!(selection(&["PL103", "SC2"], &[], &[]).may_enable_shellcheck());
        assert!(selection(&[], &[], &["SC9999"]).unknown().is_empty());
        assert_eq!(selection(&["SCX"], &[], &[]).unknown(), vec!["SCX"]);
    }
}
