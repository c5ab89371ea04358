use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports `FROM image AS name` where the `AS` keyword is not in the casing of `FROM`:
    /// `FROM … as …` or `from … AS …`. A `FROM` that is itself in mixed case (`From`) is
    /// left to PL902.
    ///
    /// This is BuildKit's `FromAsCasing` check. BuildKit reports it as a warning; Plimsoll
    /// classes it as style.
    ///
    /// ## Why is this bad?
    /// Both spellings work, but a file that mixes them reads as if `as` were an argument
    /// rather than a keyword. Keeping keywords in one casing keeps the file easy to scan.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22 as build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22 AS build
    /// ```
    ///
    /// ## Fix safety
    /// The fix rewrites `as` in the casing of `FROM`. Keywords are case-insensitive, so it
    /// is safe.
    ///
    /// ## References
    /// - [BuildKit check FromAsCasing](https://docs.docker.com/reference/build-checks/from-as-casing/)
    pub struct FromAsCasing {
        code: "PL901",
        name: "from-as-casing",
        alias: Some("FromAsCasing"),
        severity: Severity::Style,
        fix: FixAvailability::Always,
        default_enabled: true,
        summary: "`AS` in FROM is not in the casing of `FROM`",
    }
}

impl Rule for FromAsCasing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let text = ctx.text();
        for instruction in ctx
            .file
            .instructions
            .iter()
            .filter(|i| i.keyword == Keyword::From)
        {
            let Some(as_word) = instruction.words.get(1) else {
                continue;
            };
            if instruction.words.len() != 3 || !as_word.span.text(text).eq_ignore_ascii_case("as") {
                continue;
            }
            let from = instruction.keyword_text(text);
            let wanted = if from == from.to_ascii_lowercase() {
                "as"
            } else if from == from.to_ascii_uppercase() {
                "AS"
            } else {
                continue;
            };
            let written = as_word.span.text(text);
            if written == wanted {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::META,
                    as_word.span,
                    format!("`{written}` does not match the casing of `{from}`"),
                )
                .with_help(format!("write `{from} … {wanted} …`"))
                .with_fix(Fix::safe(
                    format!("Write `{wanted}`"),
                    vec![Edit::replace(as_word.span, wanted)],
                )),
            );
        }
    }
}
