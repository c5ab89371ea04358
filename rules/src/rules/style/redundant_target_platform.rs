use super::variables::references;
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::{Keyword, Span};

declare_rule! {
    /// ## What it does
    /// Reports `FROM --platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`).
    ///
    /// This is BuildKit's `RedundantTargetPlatform` check. BuildKit reports it as a
    /// warning; Plimsoll classes it as info, since the flag changes nothing.
    ///
    /// ## Why is this bad?
    /// A stage is built for the target platform unless `--platform` says otherwise, so the
    /// flag repeats the default. It also suggests the stage is special (the way
    /// `--platform=$BUILDPLATFORM` makes a cross-compiling stage), which it is not.
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
    /// The fix deletes the flag. It is safe: the stage is then built for the target
    /// platform, as before. There is no fix when an `ARG TARGETPLATFORM=…` before the first
    /// `FROM` gives the variable a value of its own.
    ///
    /// ## References
    /// - [BuildKit check RedundantTargetPlatform](https://docs.docker.com/reference/build-checks/redundant-target-platform/)
    pub struct RedundantTargetPlatform {
        code: "PL914",
        name: "redundant-target-platform",
        alias: Some("RedundantTargetPlatform"),
        severity: Severity::Info,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "`FROM --platform=$TARGETPLATFORM` repeats the default",
    }
}

impl Rule for RedundantTargetPlatform {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let text = ctx.text();
        let overridden = file.global_args().any(|i| {
            i.pairs
                .iter()
                .any(|p| p.key == "TARGETPLATFORM" && p.value.is_some())
        });
        for instruction in file
            .instructions
            .iter()
            .filter(|i| i.keyword == Keyword::From)
        {
            let Some(flag) = instruction.flag("platform") else {
                continue;
            };
            let Some(value) = &flag.value else {
                continue;
            };
            let refs = references(value, file.escape());
            let [only] = refs.as_slice() else {
                continue;
            };
            if only.name != "TARGETPLATFORM" || only.start != 0 || only.end != value.len() {
                continue;
            }
            let mut diagnostic = Diagnostic::new(
                &Self::META,
                flag.span,
                format!("`--platform={value}` is the default: every stage is built for the target platform unless told otherwise"),
            )
            .with_help("remove the flag");
            if !overridden {
                // The flag and the blanks after it, so the line stays tidy.
                let rest = &text[flag.span.end..];
                let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
                diagnostic = diagnostic.with_fix(Fix::safe(
                    "Remove `--platform`",
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
