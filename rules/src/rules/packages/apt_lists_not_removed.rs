use super::support::{
    APT_LISTS, append_command, append_help, head_span, later_in_image, lone_apt_update,
    mount_holds, refreshes_apt_index, removes_apt_lists, runs, ships,
};
use crate::helpers::packages::{Manager, PackageCommand};
use crate::{Context, Diagnostic, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::{Dockerfile, Instruction};

declare_rule! {
    /// ## What it does
    /// Reports a RUN that runs `apt-get update` (or `apt update`, or apt 3's
    /// `apt-get install --update`) without deleting `/var/lib/apt/lists` after it in the
    /// same RUN (`rm -rf /var/lib/apt/lists/*`, `rm -r /var/lib/apt/lists`,
    /// `find /var/lib/apt/lists … -delete`, apt 3's `apt-get dist-clean`). `apt-get clean`
    /// does not count: it empties `/var/cache/apt`, not the lists.
    ///
    /// Only stages whose files end up in the final image are checked: the last stage and
    /// the stages it is built on. A builder stage that is only copied from keeps its
    /// lists out of the image anyway. A RUN with a cache or tmpfs mount on the lists
    /// (`--mount=type=cache,target=/var/lib/apt/lists`) is not reported.
    ///
    /// Unlike hadolint's DL3009, a RUN that does nothing but the update is left to PL200
    /// (`apt-get-update-alone`): deleting its lists would break the install that follows;
    /// the update belongs in that RUN instead. A removal that comes before the update does
    /// not count.
    ///
    /// ## Why is this bad?
    /// The package lists are tens of megabytes that nothing in the running container
    /// uses. Deleting them in a later RUN does not help: the layer that downloaded them
    /// keeps them.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix safety
    /// The fix appends `&& rm -rf /var/lib/apt/lists/*` to the RUN. It is safe when no
    /// later RUN of the image installs with apt without updating first; when one does, it
    /// relied on these lists and would fail, so the fix is unsafe. No fix is offered for
    /// exec-form and heredoc RUNs, or when the RUN ends in a compound command.
    ///
    /// ## References
    /// - [hadolint DL3009](https://github.com/hadolint/hadolint/wiki/DL3009)
    /// - [Dockerfile best practices: apt-get](https://docs.docker.com/build/building/best-practices/#apt-get)
    pub struct AptListsNotRemoved {
        code: "PL202",
        name: "apt-lists-not-removed",
        alias: Some("DL3009"),
        severity: Severity::Info,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "Delete /var/lib/apt/lists in the RUN that runs `apt-get update`",
    }
}

impl Rule for AptListsNotRemoved {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for instruction in runs(file) {
            if !ships(file, instruction)
                || mount_holds(instruction, APT_LISTS)
                || lone_apt_update(instruction).is_some()
            {
                continue;
            }
            let commands: Vec<_> = instruction.commands().collect();
            let updates: Vec<(usize, PackageCommand<'_>)> = commands
                .iter()
                .enumerate()
                .filter_map(|(i, c)| PackageCommand::from_command(c).map(|p| (i, p)))
                .filter(|(_, p)| refreshes_apt_index(p))
                .collect();
            let (Some((_, update)), Some(&(last, _))) = (updates.first(), updates.last()) else {
                continue;
            };
            if commands[last + 1..].iter().any(|c| removes_apt_lists(c)) {
                continue;
            }
            let program = update.command.program().unwrap_or("apt-get");
            let what = match update.subcommand {
                Some(sub) if sub.text != "update" => format!("{program} {} --update", sub.text),
                _ => format!("{program} update"),
            };
            let mut diagnostic = Diagnostic::new(
                &Self::META,
                head_span(update),
                format!(
                    "the package lists that `{what}` downloads stay in this layer: nothing \
                     after it in the RUN deletes {APT_LISTS}"
                ),
            )
            .with_help(append_help(instruction, "rm -rf /var/lib/apt/lists/*"));
            if let Some(edit) = append_command(instruction, "rm -rf /var/lib/apt/lists/*") {
                let message = "Delete the apt lists at the end of the RUN";
                let fix = if later_run_needs_lists(file, instruction) {
                    Fix::unsafe_edit(message, vec![edit])
                } else {
                    Fix::safe(message, vec![edit])
                };
                diagnostic = diagnostic.with_fix(fix);
            }
            out.push(diagnostic);
        }
    }
}

/// Whether a later RUN on top of this one uses the apt index without updating it first.
fn later_run_needs_lists(file: &Dockerfile, instruction: &Instruction) -> bool {
    later_in_image(file, instruction).iter().any(|later| {
        for command in later.commands() {
            if command.program() == Some("apt-cache") {
                return true;
            }
            let Some(p) = PackageCommand::from_command(command) else {
                continue;
            };
            if !matches!(p.manager, Manager::AptGet | Manager::Apt) {
                continue;
            }
            if refreshes_apt_index(&p) {
                return false;
            }
            if p.is_install() || p.subcommand_is(USES_INDEX) {
                return true;
            }
        }
        false
    })
}

/// Apt subcommands besides install that read the package lists.
const USES_INDEX: &[&str] = &[
    "upgrade",
    "dist-upgrade",
    "full-upgrade",
    "build-dep",
    "source",
    "download",
    "satisfy",
];
