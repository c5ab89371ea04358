use super::support::{Prompting, check_prompts};
use crate::helpers::packages::Manager;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

const ZYPPER: Prompting = Prompting {
    managers: &[Manager::Zypper],
    subcommands: &[
        "install",
        "in",
        "remove",
        "rm",
        "update",
        "up",
        "dist-upgrade",
        "dup",
        "patch",
        "source-install",
        "si",
    ],
    yes_options: &[
        (Some('n'), &["non-interactive"]),
        (Some('y'), &["no-confirm"]),
    ],
    yes_settings: &[],
    config: &[],
    option: "-n",
    global: true,
};

declare_rule! {
    /// ## What it does
    /// Reports `zypper install` (and `remove`, `update`, `dist-upgrade`, `patch`,
    /// `source-install`) without `-n` / `--non-interactive` before the subcommand or
    /// `-y` / `--no-confirm` after it. Input piped from `yes` is accepted.
    ///
    /// A `$VARIABLE` among the arguments is looked up in the Dockerfile's ARG and ENV; an
    /// unknown one whose name says it holds options (`$APT_OPTS`, `$EXTRA_ARGS`) keeps the
    /// rule quiet.
    ///
    /// hadolint's DL3034 does not cover `update` and `dist-upgrade`.
    ///
    /// ## Why is this bad?
    /// zypper asks "Continue? [y/n/v/...? shows all options] (y)" before it changes
    /// anything. A build has no one to answer, so zypper reads end of input and the build
    /// fails.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install curl && zypper clean --all
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper -n install curl && zypper clean --all
    /// ```
    ///
    /// ## Fix safety
    /// The fix inserts the global option `-n` after `zypper`. It only answers the
    /// prompts a build can not answer, so it is safe.
    ///
    /// ## References
    /// - [hadolint DL3034](https://github.com/hadolint/hadolint/wiki/DL3034)
    /// - [zypper(8)](https://en.opensuse.org/SDB:Zypper_manual)
    pub struct ZypperMissingNonInteractive {
        code: "PL213",
        name: "zypper-missing-non-interactive",
        alias: Some("DL3034"),
        severity: Severity::Warning,
        fix: FixAvailability::Always,
        default_enabled: true,
        summary: "Use `zypper -n` (`--non-interactive`) to install",
    }
}

impl Rule for ZypperMissingNonInteractive {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        check_prompts(&Self::META, ctx.file, &ZYPPER, out);
    }
}
