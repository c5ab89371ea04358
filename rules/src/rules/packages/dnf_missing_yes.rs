use super::support::{Prompting, check_prompts};
use crate::helpers::packages::Manager;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

const DNF: Prompting = Prompting {
    managers: &[Manager::Dnf, Manager::Microdnf],
    subcommands: &[
        "install",
        "in",
        "groupinstall",
        "localinstall",
        "reinstall",
        "rei",
        "update",
        "upgrade",
        "up",
        "upgrade-minimal",
        "up-min",
        "downgrade",
        "remove",
        "rm",
        "erase",
        "autoremove",
        "distro-sync",
    ],
    yes_options: &[(Some('y'), &["assumeyes"])],
    yes_settings: &["assumeyes=1", "assumeyes=true", "assumeyes=yes"],
    config: &[&["assumeyes", "dnf.conf"], &["assumeyes", "yum.conf"]],
    option: "-y",
    global: false,
};

declare_rule! {
    /// ## What it does
    /// Reports `dnf install` and `microdnf install` (and the other subcommands that ask
    /// before changing packages: `upgrade`, `remove`, `reinstall`, `downgrade`, …) without
    /// `-y` / `--assumeyes`. It stays quiet with `--setopt=assumeyes=1`, input piped from
    /// `yes`, or an earlier RUN that writes `assumeyes` into `dnf.conf`.
    ///
    /// A `$VARIABLE` among the arguments is looked up in the Dockerfile's ARG and ENV; an
    /// unknown one whose name says it holds options (`$APT_OPTS`, `$EXTRA_ARGS`) keeps the
    /// rule quiet.
    ///
    /// hadolint's DL3038 covers only `install`, `groupinstall` and `localinstall`.
    ///
    /// ## Why is this bad?
    /// dnf asks "Is this ok [y/N]" before it changes anything, and so does the microdnf of
    /// RHEL 9 and its minimal images (older releases assumed yes). A build has no one to
    /// answer, so the command reads end of input, answers no, and the build fails.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install httpd && dnf clean all
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd && dnf clean all
    /// ```
    ///
    /// ## Fix safety
    /// The fix inserts `-y` after the subcommand. It only answers the prompt a build can
    /// not answer, so it is safe.
    ///
    /// ## References
    /// - [hadolint DL3038](https://github.com/hadolint/hadolint/wiki/DL3038)
    pub struct DnfMissingYes {
        code: "PL212",
        name: "dnf-missing-yes",
        alias: Some("DL3038"),
        severity: Severity::Warning,
        fix: FixAvailability::Always,
        default_enabled: true,
        summary: "Use `-y` with `dnf install` and `microdnf install`",
    }
}

impl Rule for DnfMissingYes {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        check_prompts(&Self::META, ctx.file, &DNF, out);
    }
}
