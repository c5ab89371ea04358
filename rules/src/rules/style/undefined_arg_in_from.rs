use super::from_args;
use super::variables::{references_in_span, suggest};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Span;

declare_rule! {
    /// ## What it does
    /// Reports a variable in a `FROM` line (the image or `--platform`) that no `ARG` before
    /// the first `FROM` declares and that is not one of the platform arguments BuildKit
    /// predefines (`BUILDPLATFORM`, `TARGETARCH`, …). A reference with a default
    /// (`${TAG:-latest}`) is reported too: with no ARG, no `--build-arg` can reach it, so
    /// the default is all it ever is.
    ///
    /// This is BuildKit's `UndefinedArgInFrom` check, with its "did you mean" suggestion.
    ///
    /// ## Why is this bad?
    /// `FROM` only sees ARGs declared before the first `FROM`. An undeclared variable
    /// expands to an empty string, so `FROM node:${NODE_VERSION}` becomes `FROM node:`,
    /// which fails, or worse `FROM python${PY_SUFFIX}` quietly becomes `FROM python`, the
    /// `latest` tag. `--build-arg` does not help: it only sets declared ARGs. An ARG
    /// declared inside a stage is not visible to a later `FROM` either.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:${NODE_VERSION}-alpine
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ARG NODE_VERSION=22
    /// FROM node:${NODE_VERSION}-alpine
    /// ```
    ///
    /// ## References
    /// - [BuildKit check UndefinedArgInFrom](https://docs.docker.com/reference/build-checks/undefined-arg-in-from/)
    /// - [Dockerfile reference: how ARG and FROM interact](https://docs.docker.com/reference/dockerfile/#understand-how-arg-and-from-interact)
    pub struct UndefinedArgInFrom {
        code: "PL909",
        name: "undefined-arg-in-from",
        alias: Some("UndefinedArgInFrom"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "FROM uses a variable no global ARG declares",
    }
}

impl Rule for UndefinedArgInFrom {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let visible = from_args::visible_names(file);
        for stage in &file.stages {
            let from = &file.instructions[stage.from];
            let mut spans: Vec<Span> = Vec::new();
            if let Some(span) = from.flag("platform").and_then(|f| f.value_span) {
                spans.push(span);
            }
            if let Some(word) = from_args::image_word(stage) {
                spans.push(word.span);
            }
            let mut reported: Vec<String> = Vec::new();
            for span in spans {
                for (reference, at) in references_in_span(file, span) {
                    let name = &reference.name;
                    if visible.contains(&name.as_str()) || reported.contains(name) {
                        continue;
                    }
                    reported.push(name.clone());
                    let expands_to = if reference.has_default {
                        "so FROM only ever sees its default"
                    } else {
                        "so it expands to an empty string"
                    };
                    let message = match from_args::stage_arg_line(file, name) {
                        Some(line) => format!(
                            "`{name}` is declared by the ARG on line {line}, inside a stage, which FROM can not see, {expands_to}"
                        ),
                        None => format!(
                            "`{name}` is not declared: FROM only sees ARGs declared before the first FROM, {expands_to}"
                        ),
                    };
                    let help = match suggest(name, visible.iter().copied()) {
                        Some(close) => format!("did you mean `${close}`?"),
                        None => format!("declare it before the first FROM: `ARG {name}=…`"),
                    };
                    out.push(Diagnostic::new(&Self::META, at, message).with_help(help));
                }
            }
        }
    }
}
