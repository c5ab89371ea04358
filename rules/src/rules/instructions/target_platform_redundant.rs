use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::{Keyword, Span};

declare_rule! {
    /// ## What it does
    /// Reports `FROM --platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`).
    ///
    /// BuildKit's `RedundantTargetPlatform` check reports the same thing.
    ///
    /// ## Why is this bad?
    /// A stage is built for the target platform unless told otherwise, so the flag says
    /// nothing. It also reads like the intended `--platform=$BUILDPLATFORM` (build tools
    /// on the builder's own platform) and hides that the stage runs under emulation when
    /// cross-building.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=$TARGETPLATFORM alpine:3.20
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ```
    ///
    /// ## Fix safety
    /// The fix deletes the flag. It is safe: without it the stage is built for the target
    /// platform, as before. It is not offered when a global `ARG TARGETPLATFORM=…` gives
    /// the variable a default of its own.
    ///
    /// ## References
    /// - [Dockerfile reference: automatic platform ARGs](https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope)
    /// - [BuildKit check RedundantTargetPlatform](https://docs.docker.com/reference/build-checks/redundant-target-platform/)
    /// - [hadolint DL3065](https://github.com/hadolint/hadolint/wiki/DL3065)
    pub struct TargetPlatformRedundant {
        code: "PL718",
        name: "target-platform-redundant",
        alias: Some("DL3065"),
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "FROM --platform=$TARGETPLATFORM repeats the default",
    }
}

impl Rule for TargetPlatformRedundant {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let redefined = file.global_args().any(|arg| {
            arg.pairs
                .iter()
                .any(|p| p.key == "TARGETPLATFORM" && p.value.is_some())
        });
        for instruction in &file.instructions {
            if instruction.keyword != Keyword::From {
                continue;
            }
            let Some(flag) = instruction.flag("platform") else {
                continue;
            };
            let Some(value) = flag.value.as_deref() else {
                continue;
            };
            if value != "$TARGETPLATFORM" && value != "${TARGETPLATFORM}" {
                continue;
            }
            let mut diagnostic = Diagnostic::new(
                &Self::META,
                flag.span,
                format!("`--platform={value}` is the default: every stage is built for the target platform"),
            )
            .with_help("delete the flag (or use `$BUILDPLATFORM` if the stage should run on the builder's platform)");
            if !redefined {
                // Take the blanks after the flag with it.
                let rest = &file.text[flag.span.end..];
                let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
                diagnostic = diagnostic.with_fix(Fix::safe(
                    "Delete the `--platform` flag",
                    vec![Edit::delete(Span::new(
                        flag.span.start,
                        flag.span.end + blanks,
                    ))],
                ));
            }
            out.push(diagnostic);
        }
    }
}
