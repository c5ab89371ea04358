use super::support::runs;
use crate::helpers::packages::{Manager, PackageCommand};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `zypper dist-upgrade` (`zypper dup`) in a RUN.
    ///
    /// `zypper update` and `zypper patch` are not reported (hadolint 2 stopped reporting
    /// upgrades in general; the opt-in `package-upgrade-in-build` rule, PL815, covers
    /// them). Unlike hadolint's DL3035, the rule also sees `sudo zypper dup`.
    ///
    /// ## Why is this bad?
    /// `dist-upgrade` is a distribution upgrade: it may replace packages with those of
    /// another vendor or repository, downgrade or remove packages to resolve conflicts,
    /// and move the image to whatever release the configured repositories point at that
    /// day. The base image tag then no longer says what the image contains, and two
    /// builds of the same Dockerfile can differ in their whole system.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.5
    /// RUN zypper --non-interactive dist-upgrade
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper --non-interactive patch
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3035](https://github.com/hadolint/hadolint/wiki/DL3035)
    /// - [zypper(8)](https://manpages.opensuse.org/zypper)
    pub struct ZypperDistUpgrade {
        code: "PL804",
        name: "zypper-dist-upgrade",
        alias: Some("DL3035"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A RUN runs `zypper dist-upgrade`",
    }
}

impl Rule for ZypperDistUpgrade {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in runs(ctx.file) {
            for command in instruction.commands() {
                let Some(p) = PackageCommand::from_command(command) else {
                    continue;
                };
                if p.manager != Manager::Zypper || !p.subcommand_is(&["dist-upgrade", "dup"]) {
                    continue;
                }
                let (Some(program), Some(sub)) = (command.program_word(), p.subcommand) else {
                    continue;
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        program.span.cover(sub.span),
                        format!(
                            "`zypper {}` upgrades the whole distribution to whatever the \
                             repositories hold on the day you build, and may switch vendors \
                             or remove packages",
                            sub.text
                        ),
                    )
                    .with_help(
                        "start from a newer base image instead; for security fixes use \
                         `zypper patch` or `zypper update`",
                    ),
                );
            }
        }
    }
}
