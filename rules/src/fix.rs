//! Applying fix edits to text. The rewriter builds the fix loop on this; tests use it to
//! check that fixes converge and keep the file parseable.

use crate::diagnostic::{Applicability, Diagnostic, Edit};

/// The diagnostics whose fixes are at or above `min` and do not overlap an earlier chosen
/// one, in position order. Display-only fixes are never chosen.
pub fn applied(diagnostics: &[Diagnostic], min: Applicability) -> Vec<&Diagnostic> {
    let mut candidates: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| {
            d.fix.as_ref().is_some_and(|f| {
                f.applicability != Applicability::DisplayOnly
                    && f.applicability >= min
                    && !f.edits.is_empty()
            })
        })
        .collect();
    candidates.sort_by_key(|d| {
        let first = &d.fix.as_ref().expect("filtered above").edits[0];
        (first.span.start, first.span.end)
    });
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut chosen = Vec::new();
    for d in candidates {
        let edits = &d.fix.as_ref().expect("filtered above").edits;
        let overlaps = edits.iter().any(|e| {
            taken.iter().any(|&(s, t)| {
                // Two edits starting at the same point conflict too (their order is unclear).
                (e.span.start < t && s < e.span.end) || e.span.start == s
            })
        });
        if overlaps {
            continue;
        }
        taken.extend(edits.iter().map(|e| (e.span.start, e.span.end)));
        chosen.push(d);
    }
    chosen
}

/// Applies the fixes [`applied`] chooses. Returns the new text and how many fixes went in.
pub fn apply(text: &str, diagnostics: &[Diagnostic], min: Applicability) -> (String, usize) {
    let chosen = applied(diagnostics, min);
    let mut edits: Vec<&Edit> = chosen
        .iter()
        .flat_map(|d| d.fix.as_ref().expect("chosen fixes exist").edits.iter())
        .collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for e in edits {
        out.push_str(&text[last..e.span.start]);
        out.push_str(&e.content);
        last = e.span.end;
    }
    out.push_str(&text[last..]);
    (out, chosen.len())
}
