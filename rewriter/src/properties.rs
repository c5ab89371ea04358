//! The properties every fix must keep, checked over whole corpora by the test suite and by
//! `cargo run -p plimsoll-rewriter --example fix_corpus -- DIR` on any directory.

use crate::{FixOptions, fix_text};
use plimsoll_analyzer::Dockerfile;
use plimsoll_rules::{Diagnostic, Selection};

/// What fixing one file did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileFacts {
    pub applied: usize,
    pub dropped: usize,
    pub changed: bool,
}

/// Lints with every rule, opt-in ones included.
pub fn lint_all(text: &str) -> Vec<Diagnostic> {
    let selection = Selection {
        select: plimsoll_rules::registry::all()
            .map(|r| r.meta().code.to_string())
            .collect(),
        ..Selection::default()
    };
    plimsoll_rules::check(&Dockerfile::parse(text), None, &selection)
}

/// Applies all fixes (safe and unsafe) and checks: the loop converges, the result parses
/// with no more errors than the original, fixing again changes nothing, and no rule reports
/// more findings than it did on the original.
pub fn check(text: &str) -> Result<FileFacts, String> {
    let options = FixOptions {
        unsafe_fixes: true,
        ..FixOptions::default()
    };
    let outcome = fix_text(text, options, &lint_all);
    if !outcome.converged {
        return Err("fixes did not converge".into());
    }
    let before = Dockerfile::parse(text).errors.len();
    let after = Dockerfile::parse(&outcome.text).errors;
    if after.len() > before {
        return Err(format!("fixed text has new parse errors: {:?}", after));
    }
    let again = fix_text(&outcome.text, options, &lint_all);
    if again.text != outcome.text {
        return Err("fixing twice differs from fixing once".into());
    }
    let count = |ds: &[Diagnostic], code: &str| ds.iter().filter(|d| d.code == code).count();
    let original = lint_all(text);
    for d in &outcome.remaining {
        if count(&outcome.remaining, d.code) > count(&original, d.code) {
            return Err(format!(
                "a fix introduced a {} finding: {}",
                d.code, d.message
            ));
        }
    }
    Ok(FileFacts {
        applied: outcome.applied.len(),
        dropped: outcome.dropped.len(),
        changed: outcome.text != text,
    })
}
