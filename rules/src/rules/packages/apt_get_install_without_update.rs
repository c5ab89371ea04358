use super::support::{apt_commands, earlier_in_image, head_span, refreshes_apt_index, runs};
use crate::helpers::packages::{Manager, PackageCommand};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::shell::Command;
use plimsoll_analyzer::{Dockerfile, Instruction};

declare_rule! {
    /// ## What it does
    /// Reports `apt-get install` (or `apt install`) in a RUN that does not run
    /// `apt-get update` before it. apt 3's `apt-get install --update` updates first, and
    /// `add-apt-repository` without `-n` refreshes the index itself: both count as an
    /// update. Installing only local `.deb` files is not reported.
    ///
    /// ## Why is this bad?
    /// Debian and Ubuntu base images ship without package lists, so the install fails with
    /// "Unable to locate package". When an earlier RUN did the update, the install uses
    /// the index from that layer, which Docker keeps reusing from its cache: the install
    /// asks for versions the mirror may no longer have, and fails or installs old ones.
    ///
    /// A cache mount on `/var/lib/apt/lists` does not make the update unnecessary: the
    /// cache starts empty on a new builder and is never refreshed without an update.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update \
    ///     && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## References
    /// - [Dockerfile best practices: apt-get](https://docs.docker.com/build/building/best-practices/#apt-get)
    pub struct AptGetInstallWithoutUpdate {
        code: "PL201",
        name: "apt-get-install-without-update",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "`apt-get install` without `apt-get update` in the same RUN",
    }
}

impl Rule for AptGetInstallWithoutUpdate {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for instruction in runs(file) {
            let Some(install) = install_before_update(instruction) else {
                continue;
            };
            let program = install.command.program().unwrap_or("apt-get");
            let message = match earlier_update_line(file, instruction) {
                Some(line) => format!(
                    "`{program} install` uses the package index of the update on line {line}, \
                     a layer Docker reuses from its cache: the index can be stale"
                ),
                None => format!(
                    "`{program} install` runs without `{program} update` before it: base \
                     images ship without package lists, so the packages can not be found"
                ),
            };
            out.push(
                Diagnostic::new(&Self::META, head_span(&install), message).with_help(format!(
                    "run `{program} update && ` before the install, in the same RUN"
                )),
            );
        }
    }
}

/// The first apt install of the RUN that no update (or `add-apt-repository`) precedes.
fn install_before_update(instruction: &Instruction) -> Option<PackageCommand<'_>> {
    for command in instruction.commands() {
        if refreshes_index(command) {
            return None;
        }
        let Some(p) = PackageCommand::from_command(command) else {
            continue;
        };
        if refreshes_apt_index(&p) {
            return None;
        }
        if matches!(p.manager, Manager::AptGet | Manager::Apt)
            && p.is_install()
            && !only_local_debs(&p)
        {
            return Some(p);
        }
    }
    None
}

/// `add-apt-repository` updates the index unless told not to (`-n`, `--no-update`).
fn refreshes_index(command: &Command) -> bool {
    command.program() == Some("add-apt-repository")
        && !command.has_option(Some('n'), &["no-update"])
}

/// `apt-get install ./app.deb`: local packages (their dependencies aside) need no index.
fn only_local_debs(p: &PackageCommand<'_>) -> bool {
    !p.operands.is_empty() && p.operands.iter().all(|w| w.text.ends_with(".deb"))
}

/// The line of an `apt-get update` that ran earlier in the same image.
fn earlier_update_line(file: &Dockerfile, instruction: &Instruction) -> Option<usize> {
    earlier_in_image(file, instruction)
        .into_iter()
        .flat_map(|i| {
            apt_commands(i)
                .filter(refreshes_apt_index)
                .collect::<Vec<_>>()
        })
        .next()
        .map(|p| file.line_col(p.command.span.start).line)
}
