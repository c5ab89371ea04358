//! Runs the enabled rules over one file and applies suppressions.

use crate::context::{BuildContext, Context};
use crate::diagnostic::Diagnostic;
use crate::registry;
use crate::selection::Selection;
use crate::suppression::Suppressions;
use plimsoll_analyzer::Dockerfile;

/// Lints a parsed file. Diagnostics come back sorted by position, then code.
pub fn check(
    file: &Dockerfile,
    build_context: Option<&BuildContext>,
    selection: &Selection,
) -> Vec<Diagnostic> {
    let ctx = Context {
        file,
        build_context,
    };
    let suppressions = Suppressions::collect(file);
    let mut all = Vec::new();
    let mut found = Vec::new();
    for rule in registry::all() {
        let meta = rule.meta();
        if !selection.is_enabled(meta) {
            continue;
        }
        found.clear();
        rule.check(&ctx, &mut found);
        all.extend(
            found
                .drain(..)
                .filter(|d| !suppressions.is_suppressed(d, meta)),
        );
    }
    all.sort_by(|a, b| {
        (a.span.start, a.span.end, a.code, &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.code,
            &b.message,
        ))
    });
    all.dedup();
    all
}
