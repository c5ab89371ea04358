use super::support::{
    apt_installs_without, apt_setting_in, fed_by_yes, head_span, insert_option, option_in,
};
use crate::{Context, Diagnostic, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Instruction;
use plimsoll_analyzer::shell::Command;

declare_rule! {
    /// ## What it does
    /// Reports `apt-get install` (and `apt install`) without `-y`, `--yes` or
    /// `--assume-yes`. Quiet level 2 (`-qq`, `-q -q`, `-q=2`) implies `-y` and is
    /// accepted, as are `-o APT::Get::Assume-Yes=true`, input piped from `yes`, and an
    /// earlier RUN that writes `APT::Get::Assume-Yes` into an apt.conf file.
    ///
    /// A `$VARIABLE` among the arguments is looked up in the Dockerfile's ARG and ENV; an
    /// unknown one whose name says it holds options (`$APT_OPTS`, `$EXTRA_ARGS`) keeps the
    /// rule quiet.
    ///
    /// hadolint's DL3014 covers only `apt-get`; this rule also covers `apt install`, which
    /// prompts the same way.
    ///
    /// ## Why is this bad?
    /// Without `-y`, apt asks "Do you want to continue? [Y/n]" whenever it installs more
    /// than the packages named. A build has no one to answer, so apt reads end of input,
    /// aborts, and the build fails — often only later, when a dependency changes.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// ## Fix safety
    /// The fix inserts `-y` after `install`. It only answers the prompt a build can not
    /// answer, so it is safe.
    ///
    /// ## References
    /// - [hadolint DL3014](https://github.com/hadolint/hadolint/wiki/DL3014)
    /// - [apt-get(8)](https://manpages.debian.org/stable/apt/apt-get.8.en.html)
    pub struct AptGetMissingYes {
        code: "PL203",
        name: "apt-get-missing-yes",
        alias: Some("DL3014"),
        severity: Severity::Warning,
        fix: FixAvailability::Always,
        default_enabled: true,
        summary: "Use `-y` with `apt-get install`",
    }
}

impl Rule for AptGetMissingYes {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let config = ["APT::Get::Assume-Yes", "apt.conf"];
        let given = |instruction: &Instruction, command: &Command, args: &[String]| {
            assumes_yes(args) || fed_by_yes(instruction, command)
        };
        for (instruction, install, word) in apt_installs_without(ctx.file, &config, given) {
            let program = install.command.program().unwrap_or("apt-get");
            out.push(
                Diagnostic::new(
                    &Self::META,
                    head_span(&install),
                    format!(
                        "`{program} install` without `-y` stops at its confirmation \
                         prompt, which a build can not answer"
                    ),
                )
                .with_help(format!("add `-y`: `{program} install -y …`"))
                .with_fix(Fix::safe(
                    "Add `-y`",
                    vec![insert_option(instruction, word, "-y")],
                )),
            );
        }
    }
}

/// `-y`, `--yes`, `--assume-yes`, quiet level 2 (which implies `-y`), or the option set
/// with `-o`.
fn assumes_yes(args: &[String]) -> bool {
    let words = || args.iter().map(String::as_str);
    if option_in(words(), Some('y'), &["yes", "assume-yes"]) {
        return true;
    }
    let mut quiet = 0;
    for arg in words() {
        if arg == "--" {
            break;
        }
        if arg == "-q=2" || arg == "--quiet=2" {
            return true;
        }
        if arg == "--quiet" {
            quiet += 1;
        } else if let Some(letters) = arg.strip_prefix('-')
            && !letters.starts_with('-')
            && letters.chars().all(|c| c.is_ascii_alphanumeric())
        {
            quiet += letters.matches('q').count();
        }
    }
    quiet >= 2 || apt_setting_in(args, "assume-yes", &["true", "1", "yes", "on"])
}
