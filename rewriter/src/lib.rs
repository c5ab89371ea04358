//! The fix loop. Fixes are text edits on exact spans, so everything outside an edit —
//! comments, blank lines, indentation, casing, the escape character — survives untouched.
//!
//! Each pass lints the current text, applies every non-overlapping fix that is allowed,
//! then validates the result: it must parse with no more errors than before, and no rule
//! may report more findings than before. A batch that fails validation is retried one fix
//! at a time, and the fix that breaks things is dropped and reported. Passes repeat until
//! nothing changes (bounded), so a Dockerfile is never left half-fixed or broken.

pub mod properties;

use plimsoll_analyzer::Dockerfile;
use plimsoll_rules::{Applicability, Diagnostic, Fix, fix};
use std::collections::{HashMap, HashSet};

/// Which fixes may be applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixOptions {
    /// Also apply fixes marked unsafe.
    pub unsafe_fixes: bool,
    /// Upper bound on lint-and-fix passes.
    pub max_passes: usize,
    /// Accept a fix that makes a rule report more, when each new finding carries a fix
    /// that is allowed too (it is applied in a later pass). Merging `RUN apt-get update`
    /// into the install RUN, for instance, gives that RUN a PL202 finding whose fix
    /// removes the lists. Off for `check`, which promises no new finding; on for
    /// `optimize`, which builds and verifies the result.
    pub allow_new_fixable: bool,
}

impl Default for FixOptions {
    fn default() -> Self {
        FixOptions {
            unsafe_fixes: false,
            max_passes: 8,
            allow_new_fixable: false,
        }
    }
}

impl FixOptions {
    fn allows(&self, fix: &Fix) -> bool {
        match fix.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => self.unsafe_fixes,
            Applicability::DisplayOnly => false,
        }
    }
}

/// A fix that was applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedFix {
    pub code: &'static str,
    pub message: String,
    /// 1-based line of the finding in the text the pass started from.
    pub line: usize,
}

/// A fix that was not applied because it would have broken the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DroppedFix {
    pub code: &'static str,
    pub message: String,
    pub line: usize,
    pub reason: String,
}

#[derive(Clone, Debug)]
pub struct FixOutcome {
    pub text: String,
    pub applied: Vec<AppliedFix>,
    pub dropped: Vec<DroppedFix>,
    /// The findings left in the final text.
    pub remaining: Vec<Diagnostic>,
    /// False when the pass limit was reached while fixes still applied.
    pub converged: bool,
}

impl FixOutcome {
    pub fn changed(&self, original: &str) -> bool {
        self.text != original
    }

    /// Remaining findings that `--unsafe-fixes` would fix.
    pub fn unsafe_fixable(&self) -> usize {
        self.remaining
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == Applicability::Unsafe)
            })
            .count()
    }
}

/// Identifies a fix across passes (spans move as earlier edits land).
fn fix_key(text: &str, diagnostic: &Diagnostic, fix: &Fix) -> String {
    let mut key = format!("{}|{}", diagnostic.code, fix.message);
    for edit in &fix.edits {
        let before = text[..edit.span.start]
            .char_indices()
            .rev()
            .nth(24)
            .map_or(0, |(i, _)| i);
        key.push('|');
        key.push_str(&text[before..edit.span.end]);
        key.push('→');
        key.push_str(&edit.content);
    }
    key
}

fn counts<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
) -> HashMap<&'static str, usize> {
    let mut out = HashMap::new();
    for d in diagnostics {
        *out.entry(d.code).or_default() += 1;
    }
    out
}

/// Why `after` is not an acceptable result of fixing `before`, if it is not.
fn validate(
    options: &FixOptions,
    before_errors: usize,
    before_counts: &HashMap<&'static str, usize>,
    after_text: &str,
    after: &[Diagnostic],
) -> Result<(), String> {
    let errors = Dockerfile::parse(after_text).errors;
    if errors.len() > before_errors {
        return Err(format!(
            "the result would not parse: {}",
            errors.first().map_or("", |e| e.message.as_str())
        ));
    }
    let counted = after.iter().filter(|d| {
        !(options.allow_new_fixable && d.fix.as_ref().is_some_and(|f| options.allows(f)))
    });
    for (code, n) in counts(counted) {
        let was = before_counts.get(code).copied().unwrap_or(0);
        if n > was {
            return Err(format!("the result would have a new {code} finding"));
        }
    }
    Ok(())
}

/// Applies fixes until nothing changes. `lint` turns text into findings (the caller binds
/// the rule selection and build context).
pub fn fix_text(
    text: &str,
    options: FixOptions,
    lint: &dyn Fn(&str) -> Vec<Diagnostic>,
) -> FixOutcome {
    let mut current = text.to_string();
    let mut applied = Vec::new();
    let mut dropped = Vec::new();
    let mut blocked: HashSet<String> = HashSet::new();
    let mut diagnostics = lint(&current);
    let mut converged = false;
    for _ in 0..options.max_passes {
        let file = Dockerfile::parse(&current);
        let before_errors = file.errors.len();
        let before_counts = counts(&diagnostics);
        let candidates: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| {
                d.fix.as_ref().is_some_and(|f| {
                    options.allows(f) && !blocked.contains(&fix_key(&current, d, f))
                })
            })
            .collect();
        if candidates.is_empty() {
            converged = true;
            break;
        }
        let line = |d: &Diagnostic| file.line_col(d.span.start).line;
        // Try the whole batch first; it is the common case and costs one re-lint.
        let batch: Vec<Diagnostic> = candidates.iter().map(|d| (*d).clone()).collect();
        let min = if options.unsafe_fixes {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        let (next, count, used) = apply_tracked(&current, &batch, min);
        if count == 0 {
            converged = true;
            break;
        }
        let next_diagnostics = lint(&next);
        if validate(
            &options,
            before_errors,
            &before_counts,
            &next,
            &next_diagnostics,
        )
        .is_ok()
        {
            applied.extend(used.iter().map(|d| AppliedFix {
                code: d.code,
                message: fix_message(d),
                line: line(d),
            }));
            current = next;
            diagnostics = next_diagnostics;
            continue;
        }
        // Something in the batch breaks the file: find the culprits by trying one fix at a
        // time, block them, and retry the rest as a batch in the next pass (so one bad fix
        // does not slow every other fix down to one a pass). Only when no fix fails alone
        // (they break the file together) is the first good one applied by itself.
        let mut progressed = false;
        let mut first_good = None;
        let mut blocked_now = false;
        for candidate in candidates {
            let single = vec![candidate.clone()];
            let (next, count, _) = apply_tracked(&current, &single, min);
            if count == 0 {
                continue;
            }
            let next_diagnostics = lint(&next);
            match validate(
                &options,
                before_errors,
                &before_counts,
                &next,
                &next_diagnostics,
            ) {
                Ok(()) => {
                    if first_good.is_none() {
                        first_good = Some((candidate, next, next_diagnostics));
                    }
                }
                Err(reason) => {
                    if let Some(f) = &candidate.fix {
                        blocked.insert(fix_key(&current, candidate, f));
                    }
                    blocked_now = true;
                    dropped.push(DroppedFix {
                        code: candidate.code,
                        message: fix_message(candidate),
                        line: line(candidate),
                        reason,
                    });
                }
            }
        }
        if blocked_now {
            continue;
        }
        if let Some((candidate, next, next_diagnostics)) = first_good {
            applied.push(AppliedFix {
                code: candidate.code,
                message: fix_message(candidate),
                line: line(candidate),
            });
            current = next;
            diagnostics = next_diagnostics;
            progressed = true;
        }
        if !progressed && dropped.is_empty() {
            converged = true;
            break;
        }
    }
    FixOutcome {
        text: current,
        applied,
        dropped,
        remaining: diagnostics,
        converged,
    }
}

fn fix_message(d: &Diagnostic) -> String {
    d.fix
        .as_ref()
        .map_or_else(String::new, |f| f.message.clone())
}

/// Applies a batch and reports which diagnostics' fixes went in.
fn apply_tracked(
    text: &str,
    batch: &[Diagnostic],
    min: Applicability,
) -> (String, usize, Vec<Diagnostic>) {
    let (out, count) = fix::apply(text, batch, min);
    let used = fix::applied(batch, min);
    (out, count, used.into_iter().cloned().collect())
}
