use super::support::{CacheCleanup, check_cache_cleanup};
use crate::helpers::packages::Manager;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

const DNF_CACHE: CacheCleanup = CacheCleanup {
    managers: &[Manager::Dnf, Manager::Microdnf],
    fills: &[
        "install",
        "in",
        "reinstall",
        "rei",
        "update",
        "upgrade",
        "up",
        "upgrade-minimal",
        "up-min",
        "groupinstall",
        "localinstall",
        "downgrade",
        "distro-sync",
    ],
    cleaners: &[Manager::Dnf, Manager::Microdnf, Manager::Yum],
    clean: &["clean"],
    clean_needs_all: true,
    dirs: &["/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/yum"],
};

declare_rule! {
    /// ## What it does
    /// Reports a RUN that installs or upgrades packages with `dnf` or `microdnf` but does
    /// not run `dnf clean all` / `microdnf clean all` (or delete `/var/cache/dnf`,
    /// `/var/cache/libdnf5` or `/var/cache/yum`) after the last of them. A cache or tmpfs
    /// mount on one of those directories also keeps it quiet.
    ///
    /// Only stages whose files end up in the final image are checked: the last stage and
    /// the stages it is built on (hadolint's DL3040 checks every stage).
    ///
    /// ## Why is this bad?
    /// dnf keeps repository metadata (and, with `keepcache`, the downloaded packages) in
    /// its cache directory: tens to hundreds of megabytes in the layer that a later RUN
    /// can not take back out.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd && dnf clean all
    /// ```
    ///
    /// ## Fix safety
    /// The fix appends `&& dnf clean all` (`microdnf clean all` for microdnf) to the RUN;
    /// it only deletes caches, so it is safe. No fix is offered for exec-form and heredoc
    /// RUNs, or when the RUN ends in a compound command.
    ///
    /// ## References
    /// - [hadolint DL3040](https://github.com/hadolint/hadolint/wiki/DL3040)
    pub struct DnfCacheNotCleaned {
        code: "PL207",
        name: "dnf-cache-not-cleaned",
        alias: Some("DL3040"),
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "Run `dnf clean all` in the RUN that installs with dnf or microdnf",
    }
}

impl Rule for DnfCacheNotCleaned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        check_cache_cleanup(&Self::META, ctx.file, &DNF_CACHE, "clean all", out);
    }
}
