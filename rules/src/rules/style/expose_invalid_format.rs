use super::ports;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` port with an IP address or a host port: `EXPOSE 8080:80`,
    /// `EXPOSE 127.0.0.1:5432:5432`.
    ///
    /// This is BuildKit's `ExposeInvalidFormat` check.
    ///
    /// ## Why is this bad?
    /// `EXPOSE` only documents which ports the container listens on; publishing a port
    /// on the host, and on which address, is decided by `docker run -p` or the
    /// orchestrator. The builder drops the host part, so the file promises a mapping
    /// that never happens, and BuildKit says this form will become an error in a future
    /// release.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM postgres:16
    /// EXPOSE 127.0.0.1:5432:5432
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM postgres:16
    /// EXPOSE 5432
    /// ```
    /// and publish it with `docker run -p 127.0.0.1:5432:5432`.
    ///
    /// ## References
    /// - [BuildKit check ExposeInvalidFormat](https://docs.docker.com/reference/build-checks/expose-invalid-format/)
    pub struct ExposeInvalidFormat {
        code: "PL919",
        name: "expose-invalid-format",
        alias: Some("ExposeInvalidFormat"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "EXPOSE names an IP address or a host port",
    }
}

impl Rule for ExposeInvalidFormat {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in ctx
            .file
            .instructions
            .iter()
            .filter(|i| i.keyword == Keyword::Expose)
        {
            for spec in ports::specs(ctx.file, instruction) {
                let what = match (spec.ip.is_empty(), spec.host_port.is_empty()) {
                    (true, true) => continue,
                    (false, true) => format!("the IP address `{}`", spec.ip),
                    (true, false) => format!("the host port `{}`", spec.host_port),
                    (false, false) => format!(
                        "the IP address `{}` and the host port `{}`",
                        spec.ip, spec.host_port
                    ),
                };
                let container = &spec.text[spec.text.rfind(':').map_or(0, |i| i + 1)..];
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        spec.span,
                        format!(
                            "`EXPOSE {}` names {what}: EXPOSE only declares the container's port, the builder drops the rest",
                            spec.text
                        ),
                    )
                    .with_help(format!(
                        "write `EXPOSE {container}` and publish the port with `docker run -p {}`",
                        spec.text
                    )),
                );
            }
        }
    }
}
