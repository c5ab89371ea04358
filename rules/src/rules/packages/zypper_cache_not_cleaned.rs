use super::support::{CacheCleanup, check_cache_cleanup};
use crate::helpers::packages::Manager;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

const ZYPPER_CACHE: CacheCleanup = CacheCleanup {
    managers: &[Manager::Zypper],
    fills: &[
        "install",
        "in",
        "update",
        "up",
        "dist-upgrade",
        "dup",
        "patch",
        "source-install",
        "si",
    ],
    cleaners: &[Manager::Zypper],
    clean: &["clean", "cc"],
    clean_needs_all: false,
    dirs: &["/var/cache/zypp"],
};

declare_rule! {
    /// ## What it does
    /// Reports a RUN that installs or updates packages with `zypper` but does not run
    /// `zypper clean` (`zypper cc`) or delete `/var/cache/zypp` after the last of them. A
    /// cache or tmpfs mount on `/var/cache/zypp` also keeps it quiet.
    ///
    /// Only stages whose files end up in the final image are checked: the last stage and
    /// the stages it is built on. hadolint's DL3036 checks every stage and only
    /// `install`; this rule also covers `update`, `dist-upgrade`, `patch` and
    /// `source-install`.
    ///
    /// ## Why is this bad?
    /// zypper keeps repository metadata and solver data (and, with `keeppackages`, the
    /// downloaded packages) in `/var/cache/zypp`: megabytes in the layer that a later RUN
    /// can not take back out.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper --non-interactive install curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper --non-interactive install curl && zypper clean --all
    /// ```
    ///
    /// ## Fix safety
    /// The fix appends `&& zypper clean --all` to the RUN; it only deletes caches, so it
    /// is safe. No fix is offered for exec-form and heredoc RUNs, or when the RUN ends in
    /// a compound command.
    ///
    /// ## References
    /// - [hadolint DL3036](https://github.com/hadolint/hadolint/wiki/DL3036)
    pub struct ZypperCacheNotCleaned {
        code: "PL208",
        name: "zypper-cache-not-cleaned",
        alias: Some("DL3036"),
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "Run `zypper clean` in the RUN that installs with zypper",
    }
}

impl Rule for ZypperCacheNotCleaned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        check_cache_cleanup(&Self::META, ctx.file, &ZYPPER_CACHE, "clean --all", out);
    }
}
