use super::support::{base_name, has_mount, runs};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Instruction;
use plimsoll_analyzer::shell::Command;

declare_rule! {
    /// ## What it does
    /// Reports commands in a `RUN` that act on a live machine, which a build container is
    /// not:
    /// - `ssh` (unless the RUN forwards an agent with `--mount=type=ssh`);
    /// - `vim` in interactive mode (scripted runs such as `vim -es -c …` or
    ///   `vim +PlugInstall +qall` are fine);
    /// - `shutdown`, `ifconfig`, `mount`;
    /// - `ps`, `top`, `free`;
    /// - `service NAME start` (or `restart`, `reload`) as the last thing the RUN does;
    /// - `kill` of a process by a literal number (`kill -9 1`).
    ///
    /// hadolint's DL3001 reports every use of `ssh`, `vim`, `shutdown`, `service`, `ps`,
    /// `free`, `top`, `kill` and `mount` (its message names `ifconfig` too, but it does
    /// not check it). This rule also reports `ifconfig`, sees through `sudo` and paths
    /// (`/usr/sbin/service`), and stays quiet where the command does make sense in a
    /// build: a daemon started for later commands of the same RUN
    /// (`service mysql start && mysql < schema.sql`), `kill "$pid"` of a process the RUN
    /// started, scripted Vim, and `ssh` with a forwarded agent.
    ///
    /// ## Why is this bad?
    /// Each RUN is a throw-away sandbox: its processes die when it ends and only files
    /// reach the image. A daemon started last is killed at once, process and memory
    /// listings describe the builder rather than the container that will run, an
    /// interactive editor waits for a terminal the build does not have, and `mount`
    /// needs privileges a build is not given.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends nginx \
    ///     && service nginx start
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends nginx
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3001](https://github.com/hadolint/hadolint/wiki/DL3001)
    /// - [Dockerfile best practices: decouple applications](https://docs.docker.com/build/building/best-practices/#decouple-applications)
    pub struct PointlessCommandInRun {
        code: "PL800",
        name: "pointless-command-in-run",
        alias: Some("DL3001"),
        severity: Severity::Info,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A RUN uses a command that makes no sense in a build container",
    }
}

impl Rule for PointlessCommandInRun {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in runs(ctx.file) {
            for command in instruction.commands() {
                let Some(word) = command.program_word() else {
                    continue;
                };
                let Some((message, help)) = pointless(instruction, command) else {
                    continue;
                };
                out.push(Diagnostic::new(&Self::META, word.span, message).with_help(help));
            }
        }
    }
}

/// Why the command is pointless in a build, and what to do instead.
fn pointless(instruction: &Instruction, command: &Command) -> Option<(String, &'static str)> {
    let name = base_name(&command.program_word()?.text);
    let args = command.program_args();
    let found = match name {
        "ssh" if !has_mount(instruction, "ssh") => (
            "`ssh` opens a remote session: a build has no terminal to drive it and no keys \
             to log in with"
                .to_string(),
            "fetch files with `git`, `curl` or `COPY`; if a command really needs your SSH \
             agent, forward it with `RUN --mount=type=ssh`",
        ),
        "vim" if !scripted_vim(command) => (
            "`vim` waits for someone to type: a build has no terminal, so the RUN hangs or \
             does nothing"
                .to_string(),
            "edit files with `sed` or `COPY` the edited file in; to script Vim, run it \
             in Ex mode (`vim -es -c '…' -c 'wq' FILE`)",
        ),
        "shutdown" => (
            "`shutdown` has no machine to shut down: a build container has no init system"
                .to_string(),
            "remove it: a container stops when its main process exits",
        ),
        "ifconfig" => (
            "`ifconfig` shows or changes the network of the build sandbox, not of the \
             container that will run"
                .to_string(),
            "remove it; set networking with `docker run` or Compose options",
        ),
        "mount" => (
            "`mount` needs privileges a build does not have, and a mount made in a RUN is \
             gone when the RUN ends"
                .to_string(),
            "give the RUN what it needs with `RUN --mount=type=bind|cache|tmpfs|secret`",
        ),
        "ps" | "top" | "free" => (
            format!(
                "`{name}` describes the build sandbox, not the container that will run: its \
                 output only reaches the build log"
            ),
            "remove it; inspect a running container with `docker exec`, `docker top` or \
             `docker stats`",
        ),
        "service" if starts_daemon(command) && nothing_after(instruction, command) => {
            let service = args.first().map_or("", |w| w.text.as_str());
            (
                format!(
                    "`service {service} …` starts a daemon that is killed when this RUN \
                     ends: nothing after it in the RUN uses it"
                ),
                "start the service from CMD or ENTRYPOINT when the container runs; to \
                 initialise data, run the commands that need the daemon in the same RUN",
            )
        }
        "kill" if kills_literal_pid(command) => (
            "`kill` of a process by number signals a process of the build sandbox; every \
             process of a RUN ends with it anyway"
                .to_string(),
            "remove it; to stop a daemon the RUN started, kill it by `$!` or its pid file",
        ),
        _ => return None,
    };
    Some(found)
}

/// `vim -es …`, `vim -c …`, `vim +cmd`, `vim --version`: nothing waits for a terminal.
fn scripted_vim(command: &Command) -> bool {
    command.program_args().iter().any(|w| {
        let t = w.text.as_str();
        t.starts_with('+')
            || matches!(t, "--version" | "--help" | "-h" | "-c" | "--cmd" | "-S")
            || (t.starts_with('-')
                && !t.starts_with("--")
                && t[1..].chars().any(|c| matches!(c, 'e' | 'E' | 's')))
    })
}

/// `service NAME start|restart|reload|force-reload`.
fn starts_daemon(command: &Command) -> bool {
    command.program_args().get(1).is_some_and(|w| {
        matches!(
            w.text.as_str(),
            "start" | "restart" | "reload" | "force-reload"
        )
    })
}

/// Whether no command of the RUN runs after this one.
fn nothing_after(instruction: &Instruction, command: &Command) -> bool {
    !instruction
        .commands()
        .any(|c| !c.argv.is_empty() && c.span.start >= command.span.end)
}

/// `kill 123`, `kill -9 1`, `kill -s TERM 42`: every target is a literal number.
fn kills_literal_pid(command: &Command) -> bool {
    let mut targets = Vec::new();
    let mut args = command.program_args().iter();
    while let Some(word) = args.next() {
        let t = word.text.as_str();
        if matches!(t, "-s" | "-n") {
            args.next();
        } else if !t.starts_with('-') {
            targets.push(t);
        }
    }
    !targets.is_empty()
        && targets
            .iter()
            .all(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()))
}
