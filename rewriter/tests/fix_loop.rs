//! The fix loop's guarantees, with hand-made findings so each case is exact.

use plimsoll_analyzer::Span;
use plimsoll_rewriter::{FixOptions, fix_text};
use plimsoll_rules::{Diagnostic, Edit, Fix, Severity};

fn finding(code: &'static str, span: Span, fix: Fix) -> Diagnostic {
    Diagnostic {
        code,
        severity: Severity::Warning,
        message: format!("{code} finding"),
        span,
        help: None,
        fix: Some(fix),
    }
}

/// A lint that wants `-y` after every `install` that lacks one (safe), and wants every
/// `curl` replaced by `wget` (unsafe).
fn lint(text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("install") {
        let after = at + "install".len();
        if !text[after..].starts_with(" -y") {
            out.push(finding(
                "T001",
                Span::new(at, after),
                Fix::safe("Add -y", vec![Edit::insert(after, " -y")]),
            ));
        }
    }
    for (at, _) in text.match_indices("curl") {
        out.push(finding(
            "T002",
            Span::new(at, at + 4),
            Fix::unsafe_edit(
                "Use wget",
                vec![Edit::replace(Span::new(at, at + 4), "wget")],
            ),
        ));
    }
    out
}

const TEXT: &str = "FROM debian:12\n# keep me\nRUN apt-get install curl && apt-get install git\n";

#[test]
fn safe_fixes_only_by_default() {
    let outcome = fix_text(TEXT, FixOptions::default(), &lint);
    assert_eq!(
        outcome.text,
        "FROM debian:12\n# keep me\nRUN apt-get install -y curl && apt-get install -y git\n"
    );
    assert_eq!(outcome.applied.len(), 2);
    assert!(outcome.converged);
    assert_eq!(outcome.remaining.len(), 1);
    assert_eq!(outcome.unsafe_fixable(), 1);
}

#[test]
fn unsafe_fixes_when_asked() {
    let options = FixOptions {
        unsafe_fixes: true,
        ..FixOptions::default()
    };
    let outcome = fix_text(TEXT, options, &lint);
    assert_eq!(
        outcome.text,
        "FROM debian:12\n# keep me\nRUN apt-get install -y wget && apt-get install -y git\n"
    );
    assert!(outcome.remaining.is_empty());
}

#[test]
fn fixing_twice_equals_fixing_once() {
    let once = fix_text(TEXT, FixOptions::default(), &lint).text;
    let twice = fix_text(&once, FixOptions::default(), &lint);
    assert_eq!(twice.text, once);
    assert!(twice.applied.is_empty());
}

#[test]
fn overlapping_fixes_land_over_several_passes() {
    // Two fixes on the same span: only one per pass, the other re-evaluated afterwards.
    let lint = |text: &str| {
        let mut out = Vec::new();
        if let Some(at) = text.find("RUN  x") {
            let span = Span::new(at + 3, at + 5);
            out.push(finding(
                "T010",
                span,
                Fix::safe("one space", vec![Edit::replace(span, " ")]),
            ));
            out.push(finding(
                "T011",
                span,
                Fix::safe("tab", vec![Edit::replace(span, "\t")]),
            ));
        }
        out
    };
    let outcome = fix_text("FROM a\nRUN  x\n", FixOptions::default(), &lint);
    assert_eq!(outcome.text, "FROM a\nRUN x\n");
    assert_eq!(outcome.applied.len(), 1);
    assert!(outcome.converged);
}

#[test]
fn a_fix_that_breaks_the_file_is_dropped_and_reported() {
    let lint = |text: &str| {
        let mut out = Vec::new();
        if let Some(at) = text.find("RUN") {
            // Misspelling the keyword would make the file unparseable.
            let span = Span::new(at, at + 3);
            out.push(finding(
                "T020",
                span,
                Fix::safe("break it", vec![Edit::replace(span, "RNU")]),
            ));
        }
        if let Some(at) = text.find("echo hi") {
            let span = Span::new(at, at + 7);
            out.push(finding(
                "T021",
                span,
                Fix::safe("quieter", vec![Edit::replace(span, "true")]),
            ));
        }
        out
    };
    let outcome = fix_text("FROM a\nRUN echo hi\n", FixOptions::default(), &lint);
    assert_eq!(outcome.text, "FROM a\nRUN true\n");
    assert_eq!(outcome.dropped.len(), 1);
    assert_eq!(outcome.dropped[0].code, "T020");
    assert!(
        outcome.dropped[0].reason.contains("would not parse"),
        "{}",
        outcome.dropped[0].reason
    );
    assert_eq!(outcome.applied.len(), 1);
}

#[test]
fn a_fix_that_causes_a_new_finding_is_dropped() {
    let lint = |text: &str| {
        let mut out = Vec::new();
        if let Some(at) = text.find("make") {
            let span = Span::new(at, at + 4);
            out.push(finding(
                "T030",
                span,
                Fix::safe("use sudo", vec![Edit::replace(span, "sudo make")]),
            ));
        }
        for (at, _) in text.match_indices("sudo") {
            out.push(Diagnostic {
                fix: None,
                ..finding("T031", Span::new(at, at + 4), Fix::safe("", vec![]))
            });
        }
        out
    };
    let outcome = fix_text("FROM a\nRUN make\n", FixOptions::default(), &lint);
    assert_eq!(outcome.text, "FROM a\nRUN make\n");
    assert_eq!(outcome.dropped.len(), 1);
    assert!(outcome.dropped[0].reason.contains("new T031"));
}

#[test]
fn passes_are_bounded() {
    // A fix that always finds more to do never converges; the loop stops anyway.
    let lint = |text: &str| {
        let at = text.len() - 1;
        vec![finding(
            "T040",
            Span::new(at, at),
            Fix::safe("grow", vec![Edit::insert(at, "x")]),
        )]
    };
    let outcome = fix_text(
        "FROM a\nRUN y\n",
        FixOptions {
            max_passes: 4,
            ..FixOptions::default()
        },
        &lint,
    );
    assert!(!outcome.converged);
    assert_eq!(outcome.applied.len(), 4);
}

/// A fix whose result has a new finding that is itself fixable: refused by default (the
/// `check` promise), taken with `allow_new_fixable`, and the new finding fixed next pass.
#[test]
fn new_fixable_findings_only_when_allowed() {
    let lint = |text: &str| {
        let mut out = Vec::new();
        // T010: two RUNs are merged into one (which then installs without `-y`).
        if let Some(at) = text.find("\nRUN b") {
            out.push(finding(
                "T010",
                Span::new(at, at + 6),
                Fix::safe(
                    "merge",
                    vec![Edit::replace(Span::new(at, at + 6), " && install b")],
                ),
            ));
        }
        for (at, _) in text.match_indices("install b") {
            let after = at + "install b".len();
            if !text[after..].starts_with(" -y") {
                out.push(finding(
                    "T011",
                    Span::new(at, after),
                    Fix::safe("Add -y", vec![Edit::insert(after, " -y")]),
                ));
            }
        }
        out
    };
    let text = "FROM a\nRUN a\nRUN b\n";
    let strict = fix_text(text, FixOptions::default(), &lint);
    assert_eq!(strict.text, text);
    assert_eq!(strict.dropped.len(), 1);
    let lenient = fix_text(
        text,
        FixOptions {
            allow_new_fixable: true,
            ..FixOptions::default()
        },
        &lint,
    );
    assert_eq!(lenient.text, "FROM a\nRUN a && install b -y\n");
    assert!(lenient.converged);
}
