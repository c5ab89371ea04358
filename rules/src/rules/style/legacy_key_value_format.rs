use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::{Instruction, KeyValue, Keyword, Span, words};

declare_rule! {
    /// ## What it does
    /// Reports `ENV` and `LABEL` written in the legacy `key value` form (`ENV JAVA_HOME
    /// /opt/java`) instead of `key=value`.
    ///
    /// This is BuildKit's `LegacyKeyValueFormat` check.
    ///
    /// ## Why is this bad?
    /// The legacy form sets one variable with everything after the first space as its
    /// value, so `ENV A 1 B 2` sets `A` to `1 B 2`, not two variables. It reads like the
    /// `key=value` form and behaves differently, and Docker documents it as deprecated:
    /// it may be removed in a future release.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM eclipse-temurin:21
    /// ENV APP_HOME /opt/app
    /// LABEL description Billing service
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM eclipse-temurin:21
    /// ENV APP_HOME=/opt/app
    /// LABEL description="Billing service"
    /// ```
    ///
    /// ## Fix safety
    /// The fix joins key and value with `=`, and puts a value of several words in double
    /// quotes. The builder then reads the same value (inside double quotes, variables are
    /// still expanded and spaces kept), so it is safe. There is no fix when the key or a
    /// multi-word value holds quotes or the escape character, whose meaning the rewrite
    /// could change.
    ///
    /// ## References
    /// - [BuildKit check LegacyKeyValueFormat](https://docs.docker.com/reference/build-checks/legacy-key-value-format/)
    pub struct LegacyKeyValueFormat {
        code: "PL913",
        name: "legacy-key-value-format",
        alias: Some("LegacyKeyValueFormat"),
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "ENV or LABEL in the legacy `key value` form",
    }
}

impl Rule for LegacyKeyValueFormat {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let text = ctx.text();
        let escape = ctx.file.escape();
        for instruction in ctx
            .file
            .instructions
            .iter()
            .filter(|i| matches!(i.keyword, Keyword::Env | Keyword::Label))
        {
            for pair in instruction.pairs.iter().filter(|p| p.legacy) {
                let Some(value) = &pair.value else {
                    continue;
                };
                let keyword = instruction.keyword_text(text);
                let value_text = logical_text(instruction, value.span);
                let key = &pair.key;
                let shown_value = if value_text.chars().count() > 40 {
                    format!("{}…", value_text.chars().take(40).collect::<String>())
                } else {
                    value_text.clone()
                };
                // `key value` when it sits on one line, else the key.
                let span = if pair.span.text(text).contains('\n') {
                    pair.key_span
                } else {
                    pair.span
                };
                let mut diagnostic = Diagnostic::new(
                    &Self::META,
                    span,
                    format!(
                        "`{keyword} {key} {shown_value}` uses the legacy `key value` form: everything after `{key}` is one value"
                    ),
                )
                .with_help(format!("write `{keyword} {key}=…`"));
                if let Some(edits) = rewrite(pair, value.span, &value_text, text, escape) {
                    diagnostic = diagnostic.with_fix(Fix::safe("Use `key=value`", edits));
                }
                out.push(diagnostic);
            }
        }
    }
}

/// The text of an original span inside the instruction's arguments, continuations joined.
fn logical_text(instruction: &Instruction, span: Span) -> String {
    let args = &instruction.args;
    let from = args.logical(span.start);
    let to = args.logical(span.end);
    args.text[from..to].to_string()
}

/// `key=value` (or `key="several words"`) as edits of the original text.
fn rewrite(
    pair: &KeyValue,
    value_span: Span,
    value_text: &str,
    text: &str,
    escape: char,
) -> Option<Vec<Edit>> {
    if pair.key_span.text(text) != pair.key || pair.key.is_empty() {
        return None;
    }
    let gap = Span::new(pair.key_span.end, value_span.start);
    let line = plimsoll_analyzer::lexer::LogicalLine::from_text(value_text);
    let one_word = words::split_words(&line, escape).len() == 1;
    if one_word {
        return Some(vec![Edit::replace(gap, "=")]);
    }
    if value_text.contains(['"', '\'', escape]) {
        return None;
    }
    Some(vec![
        Edit::replace(gap, "=\""),
        Edit::insert(value_span.end, "\""),
    ])
}
