use super::install::{Advice, commands, is_url, option_value, report_unpinned, unpinned_operands};
use crate::helpers::packages::Manager;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports each package of a `zypper install` (`zypper in`) that has no version constraint:
    /// `curl` instead of `curl=8.6.0` (or `>=`, `<=`, `>`, `<`). One finding per package word.
    ///
    /// Not reported: local or remote `.rpm` files and paths, installs of patterns, patches or
    /// products (`-t pattern`), and option values (`--from repo`). A `$VARIABLE` is expanded
    /// when the same RUN assigns it (`PKGS="a b"; … $PKGS`) or an ARG or ENV gives its value,
    /// and one finding on the variable names every unpinned package it holds; when the file
    /// does not say what it holds (a loop variable, `$(…)`, an ARG without a default), nothing
    /// is reported for it. Packages of `ONBUILD RUN` are checked too.
    ///
    /// ## Why is this bad?
    /// zypper installs the newest version the repositories carry on the day of the build,
    /// so rebuilds of the same Dockerfile can differ and an update can break the image
    /// without any change in your repository.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper --non-interactive install curl && zypper clean --all
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper --non-interactive install 'curl=8.6.0' && zypper clean --all
    /// ```
    ///
    /// ## References
    /// - [`zypper(8)`: package selection](https://en.opensuse.org/SDB:Zypper_manual)
    pub struct ZypperUnpinned {
        code: "PL110",
        name: "zypper-unpinned",
        alias: Some("DL3037"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "zypper install without a version constraint",
    }
}

impl Rule for ZypperUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (instruction, command) in commands(ctx, &[Manager::Zypper]) {
            if !command.is_install() {
                continue;
            }
            // Patterns, patches and products have no version to pin.
            if option_value(&command, "-t", "--type").is_some_and(|t| t != "package") {
                continue;
            }
            let unpinned = unpinned_operands(ctx, instruction, &command, is_unpinned);
            let advice = Advice {
                because: "zypper installs the newest version in the repositories that day",
                example: &|name| format!("`{name}=<version>`"),
                hint: &|name| format!("`zypper search -s {name}` lists the versions"),
            };
            report_unpinned(out, &Self::META, &unpinned, &advice);
        }
    }
}

fn is_unpinned(package: &str) -> bool {
    !(package.is_empty()
        || package.contains(['=', '<', '>', '/'])
        || is_url(package)
        || package.ends_with(".rpm"))
}
