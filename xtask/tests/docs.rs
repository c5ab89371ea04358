//! The committed rules reference (`docs/rules/`) must be what the rule doc comments
//! generate. After adding or changing a rule, run `cargo xtask docs` and commit the result.

#[test]
fn rules_reference_is_current() {
    let stale = xtask::docs::stale(&xtask::root());
    assert!(
        stale.is_empty(),
        "the rules reference is stale, run `cargo xtask docs`:\n{}",
        stale.join("\n")
    );
}

#[test]
fn every_rule_has_a_page_the_docs_url_points_at() {
    for (name, content) in xtask::docs::generate() {
        if name == "README.md" {
            continue;
        }
        let code = name.trim_end_matches(".md");
        assert!(content.contains(&format!("# {code} ")), "{name}");
        assert!(plimsoll_rules::docs_url(code).ends_with(&format!("docs/rules/{code}.md")));
    }
}
