//! Every fixture and example: fixes converge, re-parse, are idempotent, add no finding.

use plimsoll_rewriter::properties;
use std::path::{Path, PathBuf};

fn files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    for dir in [
        "rules/tests/fixtures",
        "examples/python-web",
        "examples/node-app",
        "examples/go-service",
        "examples/c-tool",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.ends_with(".Dockerfile") || name.starts_with("Dockerfile") {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn fixes_keep_their_promises_on_every_fixture_and_example() {
    let files = files();
    assert!(
        files.len() > 50,
        "expected the rule fixtures, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    let mut applied = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        match properties::check(&text) {
            Ok(facts) => applied += facts.applied,
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        applied > 20,
        "only {applied} fixes applied over the fixtures"
    );
}
