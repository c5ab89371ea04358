//! Where a code's documentation lives. Rule pages are generated from the rule doc comments
//! into `docs/rules/<CODE>.md` (`cargo xtask docs`); SARIF `helpUri` and the language
//! server's `codeDescription` link there. ShellCheck codes link to ShellCheck's wiki.

use crate::external::is_shellcheck_code;

/// The project's home page.
pub const PROJECT_URL: &str = "https://github.com/plimsoll/plimsoll";

/// The published `docs/rules/` folder of the repository; a rule's page is `<CODE>.md` in it.
pub const DOCS_BASE_URL: &str = "https://github.com/plimsoll/plimsoll/blob/main/docs/rules/";

/// ShellCheck's page for each of its codes.
pub const SHELLCHECK_WIKI_URL: &str = "https://www.shellcheck.net/wiki/";

/// The page that explains `code` (a Plimsoll code such as `PL103`, or `SC2086`).
pub fn docs_url(code: &str) -> String {
    if is_shellcheck_code(code) {
        format!("{SHELLCHECK_WIKI_URL}{}", code.to_ascii_uppercase())
    } else {
        format!("{DOCS_BASE_URL}{code}.md")
    }
}

/// The page's path inside the repository (`docs/rules/PL103.md`).
pub fn docs_path(code: &str) -> String {
    format!("docs/rules/{code}.md")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_rules_to_the_generated_pages_and_shellcheck_to_its_wiki() {
        assert!(
            DOCS_BASE_URL.ends_with(&format!("/{}", docs_path("PL103")).replace("PL103.md", ""))
        );
        assert_eq!(docs_url("PL103"), format!("{DOCS_BASE_URL}PL103.md"));
        assert_eq!(docs_url("SC2086"), "https://www.shellcheck.net/wiki/SC2086");
    }
}
