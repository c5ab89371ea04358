//! The one table that maps codes to rules. Codes are stable: never renumber or reuse one.
//!
//! | range | family |
//! |---|---|
//! | PL0xx | syntax: what BuildKit rejects |
//! | PL1xx | unpinned images and packages |
//! | PL2xx | split or unhygienic package RUNs |
//! | PL3xx | secrets in layers |
//! | PL4xx | shell vs exec form |
//! | PL5xx | cache-busting COPY order |
//! | PL6xx | missing USER |
//! | PL7xx | instruction and stage usage |
//! | PL8xx | what RUN commands do: practices and security |
//! | PL9xx | style and consistency |

use crate::rule::{Rule, RuleMeta};
use crate::rules;

const FAMILIES: &[&[&dyn Rule]] = &[
    rules::syntax::RULES,
    rules::pinning::RULES,
    rules::packages::RULES,
    rules::secrets::RULES,
    rules::exec_form::RULES,
    rules::cache::RULES,
    rules::user::RULES,
    rules::instructions::RULES,
    rules::commands::RULES,
    rules::style::RULES,
];

/// Every rule, in code order.
pub fn all() -> impl Iterator<Item = &'static dyn Rule> {
    FAMILIES.iter().flat_map(|family| family.iter().copied())
}

/// The rule with this code, alias or name.
pub fn find(code: &str) -> Option<&'static dyn Rule> {
    all().find(|r| r.meta().answers_to(code))
}

/// Metadata for a code (used by printers to show aliases).
pub fn meta(code: &str) -> Option<&'static RuleMeta> {
    find(code).map(|r| r.meta())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_names_and_aliases_are_unique() {
        let mut seen = HashSet::new();
        for rule in all() {
            let m = rule.meta();
            assert!(
                seen.insert(m.code.to_ascii_lowercase()),
                "duplicate code {}",
                m.code
            );
            assert!(
                seen.insert(m.name.to_ascii_lowercase()),
                "duplicate name {}",
                m.name
            );
            if let Some(alias) = m.alias {
                assert!(
                    seen.insert(alias.to_ascii_lowercase()),
                    "duplicate alias {alias}"
                );
            }
        }
    }

    #[test]
    fn codes_are_sorted_within_the_table() {
        let codes: Vec<_> = all().map(|r| r.meta().code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn every_rule_has_its_user_page() {
        for rule in all() {
            let m = rule.meta();
            let docs = m.docs();
            for section in ["## What it does", "## Why is this bad?", "## Example"] {
                assert!(docs.contains(section), "{} lacks `{section}`", m.code);
            }
            assert!(!m.summary.is_empty(), "{} lacks a summary", m.code);
            assert!(
                m.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} name is not kebab-case",
                m.code
            );
        }
    }
}
