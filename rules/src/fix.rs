//! Applying fix edits to text. The rewriter builds the fix loop on this; tests use it to
//! check that fixes converge and keep the file parseable.

use crate::diagnostic::{Applicability, Diagnostic, Edit};

/// Applies the fixes at or above `min` that do not overlap an earlier applied one.
/// Returns the new text and how many fixes were applied.
pub fn apply(text: &str, diagnostics: &[Diagnostic], min: Applicability) -> (String, usize) {
    let mut fixes: Vec<&[Edit]> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| f.applicability != Applicability::DisplayOnly && f.applicability >= min)
        .map(|f| f.edits.as_slice())
        .filter(|edits| !edits.is_empty())
        .collect();
    fixes.sort_by_key(|edits| (edits[0].span.start, edits[0].span.end));
    let mut chosen: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for edits in fixes {
        let overlaps = edits.iter().any(|e| {
            taken.iter().any(|&(s, t)| {
                // Two edits starting at the same point conflict too (their order is unclear).
                (e.span.start < t && s < e.span.end) || e.span.start == s
            })
        });
        if overlaps {
            continue;
        }
        for e in edits {
            taken.push((e.span.start, e.span.end));
            chosen.push(e);
        }
        applied += 1;
    }
    chosen.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for e in chosen {
        out.push_str(&text[last..e.span.start]);
        out.push_str(&e.content);
        last = e.span.end;
    }
    out.push_str(&text[last..]);
    (out, applied)
}
