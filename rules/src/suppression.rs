//! Inline pragmas: `# plimsoll: ignore=CODE[,CODE]` and `# hadolint ignore=DL3008,…` on
//! the comment lines directly above an instruction, and `# check=skip=Name,…` (BuildKit's
//! directive) for rules with a BuildKit name.

use crate::diagnostic::Diagnostic;
use crate::rule::RuleMeta;
use plimsoll_analyzer::Dockerfile;

#[derive(Debug, Default)]
pub struct Suppressions {
    /// (instruction span start, instruction span end, codes) for each pragma'd instruction.
    scoped: Vec<(usize, usize, Vec<String>)>,
    /// BuildKit check names skipped for the whole file (`all` skips every one).
    check_skips: Vec<String>,
}

/// Codes named by a pragma comment, if it is one.
pub fn pragma_codes(comment: &str) -> Option<Vec<String>> {
    let text = comment.trim();
    let rest = text
        .strip_prefix("plimsoll:")
        .or_else(|| text.strip_prefix("hadolint"))?
        .trim_start();
    let list = rest
        .strip_prefix("ignore")?
        .trim_start()
        .strip_prefix('=')?;
    // Anything after the list (a space and free text) is a comment on the pragma.
    let list = list.split_whitespace().next().unwrap_or("");
    Some(
        list.split(',')
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect(),
    )
}

impl Suppressions {
    pub fn collect(file: &Dockerfile) -> Suppressions {
        let mut scoped = Vec::new();
        for instruction in &file.instructions {
            let codes: Vec<String> = file
                .comments_above(instruction)
                .filter_map(|c| pragma_codes(&c.text))
                .flatten()
                .collect();
            if !codes.is_empty() {
                scoped.push((instruction.span.start, instruction.span.end, codes));
            }
        }
        Suppressions {
            scoped,
            check_skips: file.directives.check_skips(),
        }
    }

    pub fn is_suppressed(&self, diagnostic: &Diagnostic, meta: &RuleMeta) -> bool {
        if let Some(name) = meta.buildkit_alias()
            && self
                .check_skips
                .iter()
                .any(|s| s.eq_ignore_ascii_case("all") || s.eq_ignore_ascii_case(name))
        {
            return true;
        }
        let at = diagnostic.span.start;
        self.scoped.iter().any(|(start, end, codes)| {
            (*start <= at && at <= *end) && codes.iter().any(|c| meta.answers_to(c))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pragmas() {
        assert_eq!(
            pragma_codes("hadolint ignore=DL3008,DL3009"),
            Some(vec!["DL3008".into(), "DL3009".into()])
        );
        assert_eq!(
            pragma_codes("plimsoll: ignore=PL103 because reasons"),
            Some(vec!["PL103".into()])
        );
        assert_eq!(pragma_codes("just a comment"), None);
    }
}
