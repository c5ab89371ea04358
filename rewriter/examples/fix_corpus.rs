//! Checks the fix properties over every file in a directory of Dockerfiles and prints the
//! figures: `cargo run --release -p plimsoll-rewriter --example fix_corpus -- DIR`.

use plimsoll_rewriter::properties;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: fix_corpus DIR");
        return ExitCode::from(2);
    };
    let mut paths: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect(),
        Err(e) => {
            eprintln!("{dir}: {e}");
            return ExitCode::from(2);
        }
    };
    paths.sort();
    let (mut files, mut changed, mut applied, mut dropped, mut failures) = (0, 0, 0, 0, 0);
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        files += 1;
        match properties::check(&text) {
            Ok(facts) => {
                changed += usize::from(facts.changed);
                applied += facts.applied;
                dropped += facts.dropped;
            }
            Err(e) => {
                failures += 1;
                println!("FAIL {}: {e}", path.display());
            }
        }
    }
    println!(
        "files={files} changed={changed} fixes_applied={applied} fixes_dropped={dropped} property_failures={failures}"
    );
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
