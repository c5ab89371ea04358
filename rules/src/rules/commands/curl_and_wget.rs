use super::support::base_name;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports, in a stage that downloads with both `curl` and `wget`, each use of the one
    /// that came second.
    ///
    /// hadolint's DL4001 reports every RUN that uses either tool once both have been seen
    /// in the stage; this rule points at the uses of the second tool only, since those are
    /// what to change.
    ///
    /// ## Why is this bad?
    /// Both tools do the same job here. Using both means both (and their libraries) have
    /// to be installed, which makes the image bigger and gives it one more program to
    /// patch, for no gain.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz
    /// RUN wget -q -O /tmp/b.tgz https://example.com/b.tgz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz
    /// RUN curl -fsSLo /tmp/b.tgz https://example.com/b.tgz
    /// ```
    ///
    /// ## References
    /// - [hadolint DL4001](https://github.com/hadolint/hadolint/wiki/DL4001)
    pub struct CurlAndWget {
        code: "PL809",
        name: "curl-and-wget",
        alias: Some("DL4001"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A stage downloads with both `curl` and `wget`",
    }
}

impl Rule for CurlAndWget {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for stage in &file.stages {
            // The first download tool of the stage and the line it is used on.
            let mut first: Option<(&str, usize)> = None;
            for instruction in file.stage_instructions(stage) {
                if instruction.keyword != Keyword::Run {
                    continue;
                }
                for command in instruction.commands() {
                    let Some(word) = command.program_word() else {
                        continue;
                    };
                    let tool = match base_name(&word.text) {
                        "curl" => "curl",
                        "wget" => "wget",
                        _ => continue,
                    };
                    match first {
                        None => first = Some((tool, file.line_col(word.span.start).line)),
                        Some((seen, line)) if seen != tool => {
                            out.push(
                                Diagnostic::new(
                                    &Self::META,
                                    word.span,
                                    format!(
                                        "`{tool}` in a stage that already downloads with \
                                         `{seen}` (line {line}): two tools for one job"
                                    ),
                                )
                                .with_help(format!(
                                    "download with `{seen}` here too, and install only one of \
                                     them"
                                )),
                            );
                        }
                        Some(_) => {}
                    }
                }
            }
        }
    }
}
