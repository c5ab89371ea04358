//! Runs the enabled rules over one file, then applies what the user configured around
//! them: pragmas, severity overrides, `# check=error=true`, and reports unused pragmas.

use crate::context::{BuildContext, Context};
use crate::diagnostic::{Diagnostic, Severity};
use crate::options::Settings;
use crate::registry;
use crate::rules::syntax::UnusedPragma;
use crate::selection::Selection;
use crate::suppression::{self, Suppressions};
use plimsoll_analyzer::Dockerfile;

/// Lints a parsed file with the default settings and `selection`. Diagnostics come back
/// sorted by position, then code.
pub fn check(
    file: &Dockerfile,
    build_context: Option<&BuildContext>,
    selection: &Selection,
) -> Vec<Diagnostic> {
    check_with(
        file,
        build_context,
        &Settings::with_selection(selection.clone()),
    )
}

/// Lints a parsed file with the user's settings. Diagnostics come back sorted by position,
/// then code.
///
/// Order of application: the rules run; pragmas silence what they name (unless
/// `settings.honour_pragmas` is off); severity overrides apply; then `# check=error=true`
/// raises every rule with a BuildKit name to error, as BuildKit fails the build on them.
pub fn check_with(
    file: &Dockerfile,
    build_context: Option<&BuildContext>,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let ctx = Context {
        file,
        build_context,
        options: &settings.options,
    };
    let mut suppressions = if settings.honour_pragmas {
        Suppressions::collect(file)
    } else {
        Suppressions::default()
    };
    let check_error = suppression::check_error(file);
    let mut all = Vec::new();
    let mut found = Vec::new();
    for (index, rule) in registry::all().enumerate() {
        let meta = rule.meta();
        let (enabled, severity) = settings.resolved(index);
        if !enabled {
            continue;
        }
        found.clear();
        rule.check(&ctx, &mut found);
        let error = check_error && meta.buildkit_alias().is_some();
        all.extend(
            found
                .drain(..)
                .filter(|d| !suppressions.is_suppressed(d, meta))
                .map(|mut d| {
                    if let Some(severity) = severity {
                        d.severity = severity;
                    }
                    if error {
                        d.severity = Severity::Error;
                    }
                    d
                }),
        );
    }
    // Unused pragmas are known only once every other rule has run.
    let meta = &UnusedPragma::META;
    if settings.honour_pragmas && settings.is_enabled(meta) {
        UnusedPragma::report(file, &suppressions, settings, &mut found);
        let severity = settings.severity_override(meta);
        all.extend(
            found
                .drain(..)
                .filter(|d| !suppressions.is_suppressed(d, meta))
                .map(|mut d| {
                    if let Some(severity) = severity {
                        d.severity = severity;
                    }
                    d
                }),
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
