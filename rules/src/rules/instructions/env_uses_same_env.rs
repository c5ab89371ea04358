use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::vars::references;
use plimsoll_analyzer::{Keyword, Span};

declare_rule! {
    /// ## What it does
    /// Reports a variable reference in an `ENV` value to a variable that the same `ENV`
    /// instruction defines in another pair (`ENV A=1 B=$A`), unless an earlier `ARG` or
    /// `ENV` of the stage (or `ENV` of a stage it is built on) already defines it.
    /// A pair that refers to its own name (`ENV PATH=/opt/bin:$PATH`) is fine, and so is
    /// `$NAME` in single quotes or escaped as `\$NAME`, which ENV keeps as literal text
    /// (hadolint reports those). Each reference is reported, `${NAME:-default}` forms
    /// included.
    ///
    /// ## Why is this bad?
    /// All values of one `ENV` are expanded with the variables as they were *before* the
    /// instruction. `ENV A=1 B=$A` sets `B` to the old `A` (empty here), not to `1`, which
    /// is never what the line looks like it does.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// ENV APP_HOME=/opt/app APP_BIN=$APP_HOME/bin
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// ENV APP_HOME=/opt/app
    /// ENV APP_BIN=$APP_HOME/bin
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: environment replacement](https://docs.docker.com/reference/dockerfile/#environment-replacement)
    /// - [hadolint DL3044](https://github.com/hadolint/hadolint/wiki/DL3044)
    pub struct EnvUsesSameEnv {
        code: "PL712",
        name: "env-uses-same-env",
        alias: Some("DL3044"),
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "An ENV value refers to a variable the same ENV defines",
    }
}

impl Rule for EnvUsesSameEnv {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for instruction in &file.instructions {
            if instruction.keyword != Keyword::Env || instruction.pairs.len() < 2 {
                continue;
            }
            for (i, pair) in instruction.pairs.iter().enumerate() {
                let Some(value) = &pair.value else {
                    continue;
                };
                let raw = value.span.text(&file.text);
                for reference in references(raw, file.escape()) {
                    let name = reference.name.as_str();
                    let Some(definer) = instruction
                        .pairs
                        .iter()
                        .enumerate()
                        .find(|(j, p)| *j != i && p.key == name)
                        .map(|(_, p)| p)
                    else {
                        continue;
                    };
                    if file.lookup(instruction.index, name).is_some() {
                        continue;
                    }
                    let span = Span::new(
                        value.span.start + reference.start,
                        value.span.start + reference.end,
                    );
                    let value_text = definer.value.as_ref().map_or("", |v| v.text.as_str());
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            span,
                            format!(
                                "`{name}` is set by this same ENV, so `{}` gets the value `{name}` \
                                 had before it, not `{value_text}`",
                                pair.key
                            ),
                        )
                        .with_help(format!("set `{name}` in an ENV of its own above this one")),
                    );
                }
            }
        }
    }
}
