use super::ports;
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::{Keyword, Span};

declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` protocol that is not in lower case (`80/TCP`).
    ///
    /// This is BuildKit's `ExposeProtoCasing` check. BuildKit reports it as a warning;
    /// Plimsoll classes it as style, since the builder lower-cases the protocol anyway.
    ///
    /// ## Why is this bad?
    /// The builder stores `80/tcp` either way, so the upper-case spelling only makes the
    /// file disagree with `docker inspect`, compose files and orchestrator manifests, which
    /// all write protocols in lower case.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM coredns/coredns:1.11.3
    /// EXPOSE 53/UDP 53/TCP
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM coredns/coredns:1.11.3
    /// EXPOSE 53/udp 53/tcp
    /// ```
    ///
    /// ## Fix safety
    /// The fix lower-cases the protocol, which the builder does too: it is safe. There is
    /// no fix when the protocol comes from a variable.
    ///
    /// ## References
    /// - [BuildKit check ExposeProtoCasing](https://docs.docker.com/reference/build-checks/expose-proto-casing/)
    pub struct ExposeProtoCasing {
        code: "PL918",
        name: "expose-proto-casing",
        alias: Some("ExposeProtoCasing"),
        severity: Severity::Style,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "EXPOSE protocol is not in lower case",
    }
}

impl Rule for ExposeProtoCasing {
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
                let proto = spec.proto();
                let lower = proto.to_ascii_lowercase();
                if proto == lower {
                    continue;
                }
                let span = if spec.literal {
                    Span::new(
                        spec.span.start + spec.proto.start,
                        spec.span.start + spec.proto.end,
                    )
                } else {
                    spec.span
                };
                let mut diagnostic = Diagnostic::new(
                    &Self::META,
                    span,
                    format!("protocol `{proto}` in `{}` is not in lower case", spec.text),
                )
                .with_help(format!("write `{lower}`"));
                if spec.literal {
                    diagnostic = diagnostic.with_fix(Fix::safe(
                        format!("Write `{lower}`"),
                        vec![Edit::replace(span, lower)],
                    ));
                }
                out.push(diagnostic);
            }
        }
    }
}
