use super::install::{Advice, commands, report_unpinned, unpinned_operands};
use crate::helpers::packages::Manager;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports each package of an `apk add` that has no version constraint: `curl` instead of
    /// `curl=8.5.0-r0`, `curl~=8.5` or `curl>=8.5`. One finding per package word. A repository
    /// tag (`curl@edge`) selects a repository, not a version, so it is reported too.
    ///
    /// Not reported: the name given to `--virtual`/`-t`, other option values, local `.apk`
    /// files and paths. A `$VARIABLE` is expanded when the same RUN assigns it (`PKGS="a b"; …
    /// $PKGS`) or an ARG or ENV gives its value, and one finding on the variable names every
    /// unpinned package it holds; when the file does not say what it holds (a loop variable,
    /// `$(…)`, an ARG without a default), nothing is reported for it. Packages of `ONBUILD RUN`
    /// are checked too.
    ///
    /// ## Why is this bad?
    /// apk installs whatever version the repository index lists on the day of the build, so
    /// rebuilds of the same Dockerfile can differ and a new release can break the image
    /// without any change in your repository.
    ///
    /// Alpine's repositories keep only the newest build of each package in a branch, so an
    /// exact `=1.2.3-r0` pin breaks as soon as a fixed `-r1` is published. `~=` accepts any
    /// release of the named version (`curl~=8.5` takes `8.5.x`), which keeps the major and
    /// minor version fixed while still getting security fixes; on a versioned base image
    /// (`alpine:3.20`, not `alpine:latest`) that is usually the practical choice.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl ca-certificates
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl~=8.9 ca-certificates~=20240705
    /// ```
    ///
    /// ## References
    /// - [Alpine wiki: apk, package pinning](https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper#Advanced_APK_Usage)
    pub struct ApkUnpinned {
        code: "PL104",
        name: "apk-unpinned",
        alias: Some("DL3018"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "apk add without a version constraint",
    }
}

impl Rule for ApkUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (instruction, command) in commands(ctx, &[Manager::Apk]) {
            if !command.is_install() {
                continue;
            }
            let (tagged, unpinned): (Vec<_>, Vec<_>) =
                unpinned_operands(ctx, instruction, &command, is_unpinned)
                    .into_iter()
                    .partition(|p| p.name.contains('@'));
            let advice = Advice {
                because: "apk installs whatever version the repository has that day",
                example: &|name| {
                    format!("`{name}=<version>`, or `{name}~=<major.minor>` to accept fixes")
                },
                hint: &|name| format!("`apk policy {name}` lists the versions"),
            };
            report_unpinned(out, &Self::META, &unpinned, &advice);
            for package in tagged {
                let (name, tag) = package.name.split_once('@').unwrap_or((&package.name, ""));
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        package.word.span,
                        format!(
                            "{} is not pinned: `@{tag}` picks a repository, not a version",
                            package.describe()
                        ),
                    )
                    .with_help(format!(
                        "Add a version constraint (`=<version>`, or `~=<major.minor>` to accept fixes); `apk policy {name}` lists the versions"
                    )),
                );
            }
        }
    }
}

fn is_unpinned(package: &str) -> bool {
    !(package.is_empty()
        || package.contains(['=', '~', '<', '>'])
        || package.contains('/')
        || package.ends_with(".apk"))
}
