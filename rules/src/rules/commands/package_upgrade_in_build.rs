use super::support::runs;
use crate::helpers::packages::{Manager, PackageCommand};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an upgrade of every installed package in a RUN: `apt-get upgrade`,
    /// `apt-get dist-upgrade` and `full-upgrade` (also with `apt`), `apk upgrade`,
    /// `yum`/`dnf`/`microdnf` `update`, `upgrade` and `distro-sync`, and `zypper update`.
    /// An upgrade of named packages (`apk upgrade openssl`, `dnf update openssl`) is not
    /// reported, and neither is `zypper patch`. `zypper dist-upgrade` is
    /// `zypper-dist-upgrade` (PL804).
    ///
    /// Off by default: upgrading in the Dockerfile is a common way to pick up security
    /// fixes the base image does not have yet, and hadolint 2 removed its rules against it
    /// (DL3005, DL3017, DL3031, DL3039). Turn it on where builds must be reproducible.
    ///
    /// ## Why is this bad?
    /// What the upgrade installs depends on what the mirrors hold on the day you build,
    /// so two builds of the same Dockerfile differ, the base image tag no longer says
    /// what the image contains, and every rebuild can change the system under the
    /// application. It also makes the layer bigger by a second copy of every upgraded
    /// file. A newer base image brings the same fixes, tested together.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12.5
    /// RUN apt-get update && apt-get upgrade -y
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12.7
    /// ```
    ///
    /// ## References
    /// - [hadolint: removal of DL3017, DL3031, DL3039](https://github.com/hadolint/hadolint/pull/677)
    /// - [hadolint: removal of DL3005](https://github.com/hadolint/hadolint/pull/964)
    /// - [Dockerfile best practices: rebuild your images often](https://docs.docker.com/build/building/best-practices/#rebuild-your-images-often)
    pub struct PackageUpgradeInBuild {
        code: "PL815",
        name: "package-upgrade-in-build",
        alias: None,
        severity: Severity::Info,
        fix: FixAvailability::None,
        default_enabled: false,
        summary: "A RUN upgrades every installed package",
    }
}

impl Rule for PackageUpgradeInBuild {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in runs(ctx.file) {
            for command in instruction.commands() {
                let Some(p) = PackageCommand::from_command(command) else {
                    continue;
                };
                let upgrades_all = p.operands.is_empty()
                    && match p.manager {
                        Manager::AptGet | Manager::Apt => {
                            p.subcommand_is(&["upgrade", "dist-upgrade", "full-upgrade"])
                        }
                        Manager::Apk => p.subcommand_is(&["upgrade"]),
                        Manager::Yum | Manager::Dnf | Manager::Microdnf => p.subcommand_is(&[
                            "update",
                            "upgrade",
                            "distro-sync",
                            "update-minimal",
                            "upgrade-minimal",
                        ]),
                        Manager::Zypper => p.subcommand_is(&["update", "up"]),
                        _ => false,
                    };
                if !upgrades_all {
                    continue;
                }
                let (Some(program), Some(sub)) = (command.program_word(), p.subcommand) else {
                    continue;
                };
                let shown = format!("{} {}", command.program().unwrap_or_default(), sub.text);
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        program.span.cover(sub.span),
                        format!(
                            "`{shown}` upgrades every package to what the mirrors hold on the \
                             day you build: two builds of this Dockerfile can differ"
                        ),
                    )
                    .with_help(
                        "build on a newer base image (pin it and bump the pin) instead; upgrade \
                         single packages by name where you must",
                    ),
                );
            }
        }
    }
}
