//! One harness for every rule: `tests/fixtures/<CODE>.Dockerfile` must make the rule fire,
//! `tests/fixtures/<CODE>_ok.Dockerfile` must keep it quiet. The diagnostics and the text
//! after applying the rule's fixes are snapshotted; fixes must converge within a few passes
//! and leave a file that still parses.
//!
//! A fixture may come with `<CODE>.context` (one build-context path a line) and
//! `<CODE>.dockerignore`, handed to the rule as its build context, and with
//! `<CODE>.options` (lines `trusted-registry NAME`, `allowed-image PATTERN`,
//! `required-label KEY TYPE`, `strict-labels`, `image-digest REFERENCE DIGEST` for what a
//! registry answered), handed to it as its configuration.

use plimsoll_analyzer::Dockerfile;
use plimsoll_analyzer::dockerignore::DockerIgnore;
use plimsoll_rules::options::{LabelSchema, RuleOptions, Settings};
use plimsoll_rules::{
    Applicability, BuildContext, Diagnostic, Selection, check_with, fix, registry,
};
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn context_for(stem: &str) -> Option<BuildContext> {
    let dir = fixtures_dir();
    let code = stem.trim_end_matches("_ok");
    let files = std::fs::read_to_string(dir.join(format!("{stem}.context")))
        .or_else(|_| std::fs::read_to_string(dir.join(format!("{code}.context"))))
        .ok()?;
    let ignore = std::fs::read_to_string(dir.join(format!("{stem}.dockerignore")))
        .or_else(|_| std::fs::read_to_string(dir.join(format!("{code}.dockerignore"))))
        .unwrap_or_default();
    Some(BuildContext::new(
        files
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect(),
        DockerIgnore::parse(&ignore),
    ))
}

fn options_for(stem: &str) -> RuleOptions {
    let code = stem.trim_end_matches("_ok");
    let dir = fixtures_dir();
    let text = std::fs::read_to_string(dir.join(format!("{stem}.options")))
        .or_else(|_| std::fs::read_to_string(dir.join(format!("{code}.options"))))
        .unwrap_or_default();
    let mut options = RuleOptions::default();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let mut words = line.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some("trusted-registry"), Some(name), None) => {
                options.trusted_registries.push(name.into())
            }
            (Some("allowed-image"), Some(pattern), None) => {
                options.allowed_images.push(pattern.into())
            }
            (Some("required-label"), Some(key), Some(kind)) => {
                let schema = LabelSchema::parse(kind)
                    .unwrap_or_else(|| panic!("{stem}.options: bad label type {kind}"));
                options.required_labels.insert(key.into(), schema);
            }
            (Some("strict-labels"), None, None) => options.strict_labels = true,
            (Some("image-digest"), Some(reference), Some(digest)) => {
                options
                    .image_digests
                    .insert(reference.into(), digest.into());
            }
            _ => panic!("{stem}.options: cannot read `{line}`"),
        }
    }
    options
}

fn run(
    text: &str,
    code: &str,
    context: Option<&BuildContext>,
    options: &RuleOptions,
) -> Vec<Diagnostic> {
    let file = Dockerfile::parse(text);
    let selection = Selection {
        select: vec![code.to_string()],
        ..Selection::default()
    };
    let settings = Settings {
        options: options.clone(),
        ..Settings::with_selection(selection)
    };
    check_with(&file, context, &settings)
}

fn render(text: &str, diagnostics: &[Diagnostic]) -> String {
    let file = Dockerfile::parse(text);
    let mut out = String::new();
    for d in diagnostics {
        let start = file.line_col(d.span.start);
        let end = file.line_col(d.span.end);
        let _ = writeln!(
            out,
            "{}:{}-{}:{} {} [{}] {}",
            start.line,
            start.column,
            end.line,
            end.column,
            d.code,
            d.severity.as_str(),
            d.message
        );
        let _ = writeln!(out, "  | {}", d.span.text(text).replace('\n', "\n  | "));
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  help: {help}");
        }
        if let Some(fix) = &d.fix {
            let applicability = match fix.applicability {
                Applicability::Safe => "safe",
                Applicability::Unsafe => "unsafe",
                Applicability::DisplayOnly => "display-only",
            };
            let _ = writeln!(out, "  fix ({applicability}): {}", fix.message);
        }
    }
    out
}

/// Applies every (safe and unsafe) fix of the rule until nothing changes.
fn fix_all(
    text: &str,
    code: &str,
    context: Option<&BuildContext>,
    options: &RuleOptions,
) -> String {
    let mut current = text.to_string();
    for _ in 0..5 {
        let diagnostics = run(&current, code, context, options);
        let (next, applied) = fix::apply(&current, &diagnostics, Applicability::Unsafe);
        if applied == 0 {
            return current;
        }
        let before = Dockerfile::parse(&current).errors.len();
        let after = Dockerfile::parse(&next).errors.len();
        assert!(
            after <= before,
            "{code}: a fix broke the file:\n{next}\n{:?}",
            Dockerfile::parse(&next).errors
        );
        current = next;
    }
    panic!("{code}: fixes did not converge in 5 passes:\n{current}");
}

#[test]
fn every_rule_has_fixtures_that_fire_and_stay_quiet() {
    let dir = fixtures_dir();
    let mut missing = Vec::new();
    for rule in registry::all() {
        let code = rule.meta().code;
        for name in [
            format!("{code}.Dockerfile"),
            format!("{code}_ok.Dockerfile"),
        ] {
            if !dir.join(&name).exists() {
                missing.push(name);
            }
        }
    }
    assert!(missing.is_empty(), "missing fixtures: {missing:?}");
}

#[test]
fn fixtures() {
    let mut entries: Vec<_> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    entries.sort();
    let mut failures = Vec::new();
    for path in entries {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let code = stem.trim_end_matches("_ok").to_string();
        let Some(rule) = registry::find(&code) else {
            failures.push(format!("{stem}: no rule with code {code}"));
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let context = context_for(&stem);
        let options = options_for(&stem);
        let diagnostics = run(&text, &code, context.as_ref(), &options);
        let own: Vec<_> = diagnostics
            .iter()
            .filter(|d| d.code == rule.meta().code)
            .collect();
        if stem.ends_with("_ok") {
            if !own.is_empty() {
                failures.push(format!(
                    "{stem}: must stay quiet but reported:\n{}",
                    render(&text, &diagnostics)
                ));
            }
            continue;
        }
        if own.is_empty() {
            failures.push(format!("{stem}: the rule did not fire"));
            continue;
        }
        let fixed = fix_all(&text, &code, context.as_ref(), &options);
        let fixed_again = fix_all(&fixed, &code, context.as_ref(), &options);
        assert_eq!(
            fixed, fixed_again,
            "{code}: fixing twice differs from fixing once"
        );
        let mut snapshot = render(&text, &diagnostics);
        if fixed != text {
            snapshot.push_str("\n--- fixed ---\n");
            snapshot.push_str(&fixed);
        }
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(stem, snapshot);
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
