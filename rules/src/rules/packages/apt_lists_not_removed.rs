use super::support::{
    append_command, append_help, is_apt_update, last_removal, later_in_image, lone_apt_update,
    mount_holds, runs, ships,
};
use crate::helpers::packages::{Manager, PackageCommand};
use crate::{Context, Diagnostic, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::{Dockerfile, Instruction};

const LISTS: &str = "/var/lib/apt/lists";

declare_rule! {
    /// ## What it does
    /// Reports a RUN that runs `apt-get update` (or `apt update`) without deleting
    /// `/var/lib/apt/lists` after it in the same RUN (`rm -rf /var/lib/apt/lists/*`,
    /// `rm -r /var/lib/apt/lists`, `find /var/lib/apt/lists … -delete`). `apt-get clean`
    /// does not count: it empties `/var/cache/apt`, not the lists.
    ///
    /// Only stages whose files end up in the final image are checked: the last stage and
    /// the stages it is built on. A builder stage that is only copied from keeps its
    /// lists out of the image anyway. A RUN with a cache or tmpfs mount on the lists
    /// (`--mount=type=cache,target=/var/lib/apt/lists`) is not reported.
    ///
    /// Unlike hadolint's DL3009, a RUN that does nothing but the update is left to
    /// [PL200](apt-get-update-alone): deleting its lists would break the install that
    /// follows, the update belongs in that RUN instead. A removal that comes before the
    /// update does not count.
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
                || mount_holds(instruction, LISTS)
                || lone_apt_update(instruction).is_some()
            {
                continue;
            }
            let commands: Vec<_> = instruction.commands().collect();
            let updates: Vec<usize> = commands
                .iter()
                .enumerate()
                .filter(|(_, c)| PackageCommand::from_command(c).is_some_and(|p| is_apt_update(&p)))
                .map(|(i, _)| i)
                .collect();
            let (Some(&first), Some(&last)) = (updates.first(), updates.last()) else {
                continue;
            };
            if last_removal(instruction, &[LISTS]).is_some_and(|r| r > last) {
                continue;
            }
            let update = commands[first];
            let program = update.program().unwrap_or("apt-get");
            let mut diagnostic = Diagnostic::new(
                &Self::META,
                update.span,
                format!(
                    "the package lists `{program} update` downloads stay in this layer: \
                     nothing after it in the RUN deletes {LISTS}"
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
            if is_apt_update(&p) {
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
