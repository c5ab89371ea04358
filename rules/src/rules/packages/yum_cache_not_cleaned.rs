use super::support::{CacheCleanup, check_cache_cleanup};
use crate::helpers::packages::Manager;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

const YUM_CACHE: CacheCleanup = CacheCleanup {
    managers: &[Manager::Yum],
    fills: &[
        "install",
        "groupinstall",
        "localinstall",
        "reinstall",
        "update",
        "upgrade",
        "downgrade",
    ],
    // On RHEL 8 and later `yum` is dnf, so dnf's clean-up cleans the same cache.
    cleaners: &[Manager::Yum, Manager::Dnf],
    clean: &["clean"],
    clean_needs_all: true,
    dirs: &["/var/cache/yum", "/var/cache/dnf"],
};

declare_rule! {
    /// ## What it does
    /// Reports a RUN that installs or updates packages with `yum` but does not run
    /// `yum clean all` (or delete `/var/cache/yum`) after the last of them. A cache or
    /// tmpfs mount on `/var/cache/yum` also keeps it quiet.
    ///
    /// Only stages whose files end up in the final image are checked: the last stage and
    /// the stages it is built on. hadolint's DL3032 checks every stage and only
    /// `yum install`; this rule also covers `update`, `upgrade`, `reinstall`,
    /// `groupinstall`, `localinstall` and `downgrade`.
    ///
    /// ## Why is this bad?
    /// yum keeps repository metadata (and, depending on `keepcache`, the downloaded
    /// packages) in `/var/cache/yum`: tens to hundreds of megabytes in the layer that a
    /// later RUN can not take back out.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install -y httpd
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install -y httpd && yum clean all
    /// ```
    ///
    /// ## Fix safety
    /// The fix appends `&& yum clean all` to the RUN; it only deletes caches, so it is
    /// safe. No fix is offered for exec-form and heredoc RUNs, or when the RUN ends in a
    /// compound command.
    ///
    /// ## References
    /// - [hadolint DL3032](https://github.com/hadolint/hadolint/wiki/DL3032)
    pub struct YumCacheNotCleaned {
        code: "PL206",
        name: "yum-cache-not-cleaned",
        alias: Some("DL3032"),
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "Run `yum clean all` in the RUN that installs with yum",
    }
}

impl Rule for YumCacheNotCleaned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        check_cache_cleanup(&Self::META, ctx.file, &YUM_CACHE, "clean all", out);
    }
}
