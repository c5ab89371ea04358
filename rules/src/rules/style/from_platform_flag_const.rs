use super::variables::references;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports `FROM --platform=` with a constant value (`linux/amd64`) — unless the stage
    /// name mentions the platform's OS or architecture (`AS build-amd64`), which marks the
    /// stage as platform-specific on purpose.
    ///
    /// This is BuildKit's `FromPlatformFlagConstDisallowed` check. It is off by default
    /// because the rule for hadolint's DL3029 reports constant platforms too; select
    /// `FromPlatformFlagConstDisallowed` (or PL916) to get them under BuildKit's name.
    ///
    /// ## Why is this bad?
    /// A constant platform pins the stage: in a multi-platform build (`--platform
    /// linux/amd64,linux/arm64`) the arm64 image gets amd64 binaries, and on an arm64
    /// machine every build runs under emulation. Use `$BUILDPLATFORM` for stages that
    /// compile (and cross-compile to `$TARGETPLATFORM`), or leave the flag out.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 golang:1.23 AS build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM --platform=$BUILDPLATFORM golang:1.23 AS build
    /// ```
    ///
    /// ## References
    /// - [BuildKit check FromPlatformFlagConstDisallowed](https://docs.docker.com/reference/build-checks/from-platform-flag-const-disallowed/)
    /// - [hadolint DL3029](https://github.com/hadolint/hadolint/wiki/DL3029)
    pub struct FromPlatformFlagConst {
        code: "PL916",
        name: "from-platform-flag-const",
        alias: Some("FromPlatformFlagConstDisallowed"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: false,
        summary: "FROM --platform has a constant value",
    }
}

impl Rule for FromPlatformFlagConst {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for stage in &file.stages {
            let from = &file.instructions[stage.from];
            if from.keyword != Keyword::From {
                continue;
            }
            let Some(flag) = from.flag("platform") else {
                continue;
            };
            let Some(value) = &flag.value else {
                continue;
            };
            if value.contains('$') && !references(value, file.escape()).is_empty() {
                continue;
            }
            let Some((os, arch)) = parse_platform(value) else {
                continue;
            };
            let name = stage.key().unwrap_or_default();
            if name.contains(&os) || name.contains(&arch) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::META,
                    flag.value_span.unwrap_or(flag.span),
                    format!(
                        "`--platform={value}` pins this stage to one platform: a multi-platform build gets {arch} content in every image"
                    ),
                )
                .with_help("use `--platform=$BUILDPLATFORM` for a stage that cross-compiles, or remove the flag; name the stage after the platform (`AS build-amd64`) if it is meant to be platform-specific"),
            );
        }
    }
}

/// OS and normalised architecture of a platform string, as containerd reads it; `None`
/// when BuildKit would reject it (the build fails there, with its own error).
fn parse_platform(value: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = value.split('/').collect();
    let valid = |p: &&str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    };
    if parts.is_empty() || parts.len() > 3 || !parts.iter().all(valid) {
        return None;
    }
    let first = parts[0].to_ascii_lowercase();
    const OSES: &[&str] = &[
        "linux",
        "windows",
        "darwin",
        "freebsd",
        "netbsd",
        "openbsd",
        "solaris",
        "illumos",
        "android",
        "ios",
        "aix",
        "plan9",
        "js",
        "wasip1",
        "dragonfly",
    ];
    let (os, arch) = match parts.as_slice() {
        [_] if OSES.contains(&first.as_str()) => (first, "amd64".to_string()),
        [arch] => ("linux".to_string(), normalize_arch(arch)),
        [_, arch, ..] => (first, normalize_arch(arch)),
        [] => return None,
    };
    Some((os, arch))
}

fn normalize_arch(arch: &str) -> String {
    let lower = arch.to_ascii_lowercase();
    match lower.as_str() {
        "i386" => "386",
        "x86_64" | "x86-64" | "amd64" => "amd64",
        "aarch64" | "arm64" => "arm64",
        "armhf" | "armel" | "arm" => "arm",
        _ => return lower,
    }
    .to_string()
}
