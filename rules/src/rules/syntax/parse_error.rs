use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports text that is not a valid Dockerfile: an unknown instruction, a missing
    /// argument, an unknown flag, an unterminated heredoc, an instruction other than ARG
    /// before the first FROM, or a file without any FROM.
    ///
    /// ## Why is this bad?
    /// `docker build` refuses the whole file. Plimsoll keeps reading after the error, so
    /// the other rules still report on the rest of the file, but the image cannot be built
    /// until this is fixed.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUNN apt-get update
    /// COPY app.py
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update
    /// COPY app.py /app/
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
    pub struct ParseError {
        code: "PL000",
        name: "syntax-error",
        alias: None,
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "The Dockerfile does not parse",
    }
}

impl Rule for ParseError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        out.extend(
            ctx.file
                .errors
                .iter()
                .map(|e| Diagnostic::new(&Self::META, e.span, e.message.clone())),
        );
    }
}
