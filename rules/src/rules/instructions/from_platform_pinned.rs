use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports `FROM --platform=` with a constant value (`--platform=linux/amd64`).
    ///
    /// hadolint reports every `--platform` except those naming `$BUILDPLATFORM` or
    /// `$TARGETPLATFORM`. Plimsoll accepts any value built from variables
    /// (`--platform=$TARGETOS/$TARGETARCH`, `--platform=$PLATFORM` with the value passed
    /// as a build argument), as BuildKit's `FromPlatformFlagConstDisallowed` check does:
    /// such a value follows the build instead of fixing one platform in the file. Like
    /// BuildKit, it also accepts a constant platform on a stage whose name contains the
    /// platform's OS or architecture (`FROM --platform=linux/arm64 alpine AS tools-arm64`):
    /// the name says the stage is meant for that platform.
    ///
    /// ## Why is this bad?
    /// A constant platform pins the stage to one architecture whatever the build asks
    /// for: `docker build --platform linux/arm64` and multi-platform builds still get an
    /// amd64 stage, which runs under emulation or produces an image for the wrong
    /// machine.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 python:3.12-slim
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ```
    /// and `docker build --platform linux/amd64 .` when one platform is really needed;
    /// or `FROM --platform=$BUILDPLATFORM golang:1.23 AS build` for a stage that only
    /// runs build tools and cross-compiles.
    ///
    /// ## References
    /// - [Dockerfile reference: FROM](https://docs.docker.com/reference/dockerfile/#from)
    /// - [Multi-platform builds](https://docs.docker.com/build/building/multi-platform/)
    /// - [hadolint DL3029](https://github.com/hadolint/hadolint/wiki/DL3029)
    pub struct FromPlatformPinned {
        code: "PL710",
        name: "from-platform-pinned",
        alias: Some("DL3029"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "FROM --platform with a constant value pins the stage to one platform",
    }
}

impl Rule for FromPlatformPinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in &ctx.file.instructions {
            if instruction.keyword != Keyword::From {
                continue;
            }
            let Some(flag) = instruction.flag("platform") else {
                continue;
            };
            let Some(value) = flag.value.as_deref().filter(|v| !v.is_empty()) else {
                continue;
            };
            if value.contains('$') {
                continue;
            }
            // `os/arch[/variant]`: a stage named for its platform is pinned on purpose.
            let name = instruction
                .words
                .get(2)
                .filter(|_| {
                    instruction
                        .words
                        .get(1)
                        .is_some_and(|w| w.text.eq_ignore_ascii_case("as"))
                })
                .map(|w| w.text.to_ascii_lowercase());
            let lower = value.to_ascii_lowercase();
            let mut parts = lower.split('/');
            let (os, arch) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            if let Some(name) = name
                && ((!os.is_empty() && name.contains(os))
                    || (!arch.is_empty() && name.contains(arch)))
            {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::META,
                    flag.span,
                    format!(
                        "`--platform={value}` pins this stage to {value}, whatever platform \
                         the build is for"
                    ),
                )
                .with_help(
                    "drop the flag and choose the platform with `docker build --platform`, or \
                     use `--platform=$BUILDPLATFORM` for a stage that only runs build tools",
                ),
            );
        }
    }
}
