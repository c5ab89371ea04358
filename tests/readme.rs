//! The README's rule table is generated from the registry; this test keeps it in sync.
//! Run with `UPDATE_README=1` to rewrite it after adding or changing a rule.

use plimsoll_rules::registry;
use std::fmt::Write;
use std::path::Path;

fn rule_table() -> String {
    let mut out = String::from(
        "| Code | Alias | Name | Severity | Fix | Default | What it checks |\n|---|---|---|---|---|---|---|\n",
    );
    for rule in registry::all() {
        let m = rule.meta();
        let _ = writeln!(
            out,
            "| {} | {} | `{}` | {} | {} | {} | {} |",
            m.code,
            m.alias.unwrap_or(""),
            m.name,
            m.severity.as_str(),
            m.fix.as_str(),
            if m.default_enabled { "on" } else { "off" },
            m.summary.replace('|', "\\|")
        );
    }
    out
}

#[test]
fn readme_rule_table_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- rules:start -->\n", "<!-- rules:end -->");
    let from = readme.find(start).expect("rules:start marker") + start.len();
    let to = readme.find(end).expect("rules:end marker");
    let expected = rule_table();
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{}{}", &readme[..from], expected, &readme[to..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert_eq!(
        &readme[from..to],
        expected,
        "README rule table is stale: run `UPDATE_README=1 cargo test --test readme`"
    );
}
