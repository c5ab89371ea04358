use super::ports::exposed;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` port above 65535, on its own or at either end of a range
    /// (`EXPOSE 8000-80000`). Ports written as variables are checked with the value the
    /// `ARG` or `ENV` gives them.
    ///
    /// ## Why is this bad?
    /// TCP and UDP ports are 16-bit numbers: 0 to 65535. A larger number is a typo (an
    /// extra digit, a host and container port run together) and the image documents a
    /// port nothing can listen on.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 80800
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 8080
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: EXPOSE](https://docs.docker.com/reference/dockerfile/#expose)
    /// - [hadolint DL3011](https://github.com/hadolint/hadolint/wiki/DL3011)
    pub struct ExposePortOutOfRange {
        code: "PL702",
        name: "expose-port-out-of-range",
        alias: Some("DL3011"),
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "EXPOSE of a port above 65535",
    }
}

impl Rule for ExposePortOutOfRange {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for instruction in &file.instructions {
            for port in exposed(file, instruction) {
                if port.number <= 65535 {
                    continue;
                }
                let written = port.span.text(&file.text);
                let shown = if written.contains('$') {
                    format!("`{written}` is {}, which", port.number)
                } else {
                    format!("port {}", port.number)
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        port.span,
                        format!("{shown} is out of range: ports go from 0 to 65535"),
                    )
                    .with_help("check the number for an extra digit"),
                );
            }
        }
    }
}
