use super::install::{Advice, commands, report_unpinned, unpinned_operands};
use crate::helpers::packages::Manager;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports each package of an `apt-get install` (or `apt install`) that has no version,
    /// such as `curl` instead of `curl=7.88.1-10+deb12u8`. One finding per package word.
    ///
    /// Not reported: local `.deb` files and other paths, `name/release` (a deliberate choice of
    /// release, which hadolint accepts too), `name-` (which removes a package), and option
    /// values (`-t bookworm-backports`, `-o Key=value`). A `$VARIABLE` is expanded when the
    /// same RUN assigns it (`PKGS="a b"; … $PKGS`) or an ARG or ENV gives its value, and one
    /// finding on the variable names every unpinned package it holds; when the file does not
    /// say what it holds (a loop variable, `$(…)`, an ARG without a default), nothing is
    /// reported for it. Packages of `ONBUILD RUN` are checked too.
    ///
    /// ## Why is this bad?
    /// apt installs whatever version the mirror carries on the day of the build. Two builds
    /// of the same Dockerfile can then differ, a new upstream release can break the image
    /// without any change in your repository, and nothing records which version was tested.
    /// A pinned version also makes the layer cache honest: changing the version changes the
    /// instruction, so the layer is rebuilt.
    ///
    /// Pinning has a cost: Debian and Ubuntu mirrors drop superseded versions, so a pin
    /// must be kept up to date or the build fails. Whether that trade is worth it depends
    /// on the image; where it is not, disable the rule.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends curl ca-certificates \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends \
    ///       curl=7.88.1-10+deb12u8 ca-certificates=20230311 \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## References
    /// - [`apt-get(8)`: install](https://manpages.debian.org/bookworm/apt/apt-get.8.en.html)
    /// - [Docker build best practices: apt-get](https://docs.docker.com/build/building/best-practices/#apt-get)
    pub struct AptGetUnpinned {
        code: "PL103",
        name: "apt-get-unpinned",
        alias: Some("DL3008"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "apt-get install without `package=version`",
    }
}

impl Rule for AptGetUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (instruction, command) in commands(ctx, &[Manager::AptGet, Manager::Apt]) {
            if !command.is_install() {
                continue;
            }
            let program = command.command.program().unwrap_or("apt-get");
            let unpinned = unpinned_operands(ctx, instruction, &command, is_unpinned);
            let because = format!("{program} installs whatever version the mirror has that day");
            let advice = Advice {
                because: &because,
                example: &|name| format!("`{name}=<version>`"),
                hint: &|name| format!("`apt-cache policy {name}` lists the versions"),
            };
            report_unpinned(out, &Self::META, &unpinned, &advice);
        }
    }
}

fn is_unpinned(package: &str) -> bool {
    !(package.is_empty()
        || package.contains('=')
        // A path (`./app.deb`) or a release (`curl/bookworm-backports`).
        || package.contains('/')
        || package.ends_with(".deb")
        // `name-` asks apt to remove the package.
        || package.ends_with('-'))
}
