use super::support::{RunsAs, base_name, runs, runs_as};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `sudo` in a RUN, also in front of a wrapped command (`env X=1 sudo make`)
    /// and written with its path (`/usr/bin/sudo`).
    ///
    /// The message says what to do instead for the user the RUN runs as: after
    /// `USER root`, `sudo` is redundant; after another USER, switch to `USER root` for the
    /// commands that need it; to run a command as another user (`sudo -u app …`), use
    /// USER, `setpriv` or `gosu`. Without any USER in the Dockerfile the base image decides
    /// (usually root, but development images often set another user), and the message
    /// covers both.
    ///
    /// hadolint's DL3004 reports `sudo` only when it is the command name as written, so it
    /// misses `/usr/bin/sudo` and `env … sudo`.
    ///
    /// ## Why is this bad?
    /// A RUN already runs as root unless a USER says otherwise. `sudo` then only adds a
    /// package to the image and changes the command's environment behind your back (it
    /// resets `PATH`, drops proxy and other variables, may demand a terminal). When the
    /// RUN runs as an unprivileged user, `sudo` working at all means that user can become
    /// root without a password in every container of the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// USER app
    /// RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// USER root
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// USER app
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3004](https://github.com/hadolint/hadolint/wiki/DL3004)
    /// - [Dockerfile best practices: USER](https://docs.docker.com/build/building/best-practices/#user)
    pub struct SudoInRun {
        code: "PL802",
        name: "sudo-in-run",
        alias: Some("DL3004"),
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A RUN uses `sudo`",
    }
}

impl Rule for SudoInRun {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in runs(ctx.file) {
            let user = runs_as(ctx.file, instruction);
            for command in instruction.commands() {
                let wrappers = &command.argv[..command.effective_start().min(command.argv.len())];
                for (at, word) in wrappers
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| base_name(&w.text) == "sudo")
                {
                    let other_user = wrappers[at + 1..].iter().any(|w| {
                        w.text == "-u" || w.text.starts_with("--user") || w.text.starts_with("-u")
                    });
                    let (message, help) = match user {
                        _ if other_user => (
                            "`sudo -u` in a RUN: switching users this way needs sudo \
                             installed and configured in the image",
                            "set `USER name` before the commands, or run them with \
                             `setpriv` or `gosu`, which need no configuration",
                        ),
                        RunsAs::Root => (
                            "`sudo` in a RUN that already runs as root: it only adds a \
                             dependency and resets the command's environment",
                            "drop `sudo`",
                        ),
                        RunsAs::NonRoot => (
                            "`sudo` in a RUN: if it works, the image's user can become root \
                             without a password in every container",
                            "put `USER root` before the commands that need root and switch \
                             back to the unprivileged USER after them; do not install sudo",
                        ),
                        RunsAs::Unknown | RunsAs::BaseImageUser => (
                            "`sudo` in a RUN: as root it is redundant, and as another user it \
                             means that user can become root without a password",
                            "run the commands that need root under `USER root` and switch \
                             back afterwards; do not install sudo",
                        ),
                    };
                    out.push(Diagnostic::new(&Self::META, word.span, message).with_help(help));
                }
            }
        }
    }
}
