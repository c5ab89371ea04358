//! `cargo xtask <task>`:
//!
//! - `docs`: regenerate the rules reference in `docs/rules/` from the rule doc comments.
//! - `docs --check`: exit 1 when the committed reference is stale (what the test checks).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = xtask::root();
    match args.as_slice() {
        ["docs"] => match xtask::docs::write(&root) {
            Ok(changed) => {
                for path in &changed {
                    let shown = path.strip_prefix(&root).unwrap_or(path);
                    println!("wrote {}", shown.display());
                }
                if changed.is_empty() {
                    println!("{} is up to date", xtask::docs::DIR);
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: writing {}: {e}", xtask::docs::DIR);
                ExitCode::from(2)
            }
        },
        ["docs", "--check"] => {
            let stale = xtask::docs::stale(&root);
            for problem in &stale {
                eprintln!("{problem}");
            }
            if stale.is_empty() {
                ExitCode::SUCCESS
            } else {
                eprintln!("run `cargo xtask docs` to regenerate");
                ExitCode::from(1)
            }
        }
        _ => {
            eprintln!("usage: cargo xtask docs [--check]");
            ExitCode::from(2)
        }
    }
}
