use super::support::{Prompting, check_prompts};
use crate::helpers::packages::Manager;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

const YUM: Prompting = Prompting {
    managers: &[Manager::Yum],
    subcommands: &[
        "install",
        "groupinstall",
        "localinstall",
        "reinstall",
        "update",
        "upgrade",
        "downgrade",
        "remove",
        "erase",
        "autoremove",
        "distro-sync",
    ],
    yes_options: &[(Some('y'), &["assumeyes"])],
    yes_settings: &["assumeyes=1", "assumeyes=true", "assumeyes=yes"],
    config: &[&["assumeyes", "yum.conf"], &["assumeyes", "dnf.conf"]],
    option: "-y",
    global: false,
};

declare_rule! {
    /// ## What it does
    /// Reports `yum install` (and the other subcommands that ask before changing
    /// packages: `update`, `upgrade`, `remove`, `reinstall`, `groupinstall`,
    /// `localinstall`, `downgrade`, …) without `-y` / `--assumeyes`. It stays quiet with
    /// `--setopt=assumeyes=1`, input piped from `yes`, or an earlier RUN that writes
    /// `assumeyes` into `yum.conf`.
    ///
    /// A `$VARIABLE` among the arguments is looked up in the Dockerfile's ARG and ENV; an
    /// unknown one whose name says it holds options (`$APT_OPTS`, `$EXTRA_ARGS`) keeps the
    /// rule quiet.
    ///
    /// hadolint's DL3030 covers only `install`, `groupinstall` and `localinstall`.
    ///
    /// ## Why is this bad?
    /// yum asks "Is this ok [y/d/N]" before it changes anything. A build has no one to
    /// answer, so yum reads end of input, answers no, and the build fails.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install httpd && yum clean all
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install -y httpd && yum clean all
    /// ```
    ///
    /// ## Fix safety
    /// The fix inserts `-y` after the subcommand. It only answers the prompt a build can
    /// not answer, so it is safe.
    ///
    /// ## References
    /// - [hadolint DL3030](https://github.com/hadolint/hadolint/wiki/DL3030)
    pub struct YumMissingYes {
        code: "PL211",
        name: "yum-missing-yes",
        alias: Some("DL3030"),
        severity: Severity::Warning,
        fix: FixAvailability::Always,
        default_enabled: true,
        summary: "Use `-y` with `yum install`",
    }
}

impl Rule for YumMissingYes {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        check_prompts(&Self::META, ctx.file, &YUM, out);
    }
}
