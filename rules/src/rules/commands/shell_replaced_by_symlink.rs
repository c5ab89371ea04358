use super::support::{base_name, runs};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Word;
use plimsoll_analyzer::shell::Command;

declare_rule! {
    /// ## What it does
    /// Reports `ln` that makes `/bin/sh` (or `/usr/bin/sh`) a link to another shell, such
    /// as `ln -sf /bin/bash /bin/sh`.
    ///
    /// hadolint's DL4005 reports any `ln` with `/bin/sh` among its arguments, also when
    /// `/bin/sh` is the link's target (`ln -s /bin/sh /usr/local/bin/sh`), which leaves
    /// `/bin/sh` as it is; this rule reports only a `/bin/sh` being replaced.
    ///
    /// ## Why is this bad?
    /// Replacing `/bin/sh` changes the shell of every script and program in the image that
    /// runs `sh` — package maintainer scripts, init scripts, `system()` calls — not only of
    /// the Dockerfile's RUN lines, and nothing in the Dockerfile says so. The `SHELL`
    /// instruction changes the shell of RUN, CMD and ENTRYPOINT in shell form, and nothing
    /// else.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN ln -sf /bin/bash /bin/sh
    /// RUN source /etc/profile && make
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// SHELL ["/bin/bash", "-c"]
    /// RUN source /etc/profile && make
    /// ```
    ///
    /// ## References
    /// - [hadolint DL4005](https://github.com/hadolint/hadolint/wiki/DL4005)
    /// - [Dockerfile reference: SHELL](https://docs.docker.com/reference/dockerfile/#shell)
    pub struct ShellReplacedBySymlink {
        code: "PL810",
        name: "shell-replaced-by-symlink",
        alias: Some("DL4005"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "`ln … /bin/sh` replaces the system shell instead of using SHELL",
    }
}

/// Options of `ln` that take the next word as their value.
const VALUE_OPTIONS: &[&str] = &["-S", "--suffix", "-t", "--target-directory"];

impl Rule for ShellReplacedBySymlink {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in runs(ctx.file) {
            for command in instruction.commands() {
                if command.program_word().map(|w| base_name(&w.text)) != Some("ln") {
                    continue;
                }
                let operands = operands(command);
                let [.., target, link] = operands.as_slice() else {
                    continue;
                };
                if !matches!(link.text.as_str(), "/bin/sh" | "/usr/bin/sh") {
                    continue;
                }
                let shell = target.text.as_str();
                let shell_path = if shell.starts_with('/') {
                    shell.to_string()
                } else {
                    format!("/bin/{shell}")
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        command.span,
                        format!(
                            "`{}` becomes `{shell}` for every program and script in the image, \
                             not only for the RUN lines of this Dockerfile",
                            link.text
                        ),
                    )
                    .with_help(format!(
                        "drop the link and set the shell of RUN with `SHELL [\"{shell_path}\", \
                         \"-c\"]`"
                    )),
                );
            }
        }
    }
}

/// The non-option arguments of `ln`.
fn operands(command: &Command) -> Vec<&Word> {
    let mut out = Vec::new();
    let mut args = command.program_args().iter();
    let mut options_done = false;
    while let Some(word) = args.next() {
        let t = word.text.as_str();
        if !options_done && t == "--" {
            options_done = true;
        } else if !options_done && t.starts_with('-') && t.len() > 1 {
            if VALUE_OPTIONS.contains(&t) {
                args.next();
            }
        } else {
            out.push(word);
        }
    }
    out
}
