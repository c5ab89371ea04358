//! Which rules run: `--select` / `--ignore` by code, alias, name or code prefix.

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
    let upper = s.to_ascii_uppercase();
    upper.len() >= 2 && upper.len() < meta.code.len() && meta.code.starts_with(&upper)
}

/// Whether a selector names at least one rule (used to reject typos).
pub fn is_known(selector: &str) -> bool {
    crate::registry::all().any(|r| matches(selector, r.meta()))
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
