use super::rpm::check_unpinned;
use crate::helpers::packages::Manager;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports each package of a `yum install` that has no version: `httpd` instead of
    /// `httpd-2.4.6` or `httpd-2.4.6-99.el7`. A spec counts as versioned when its last
    /// dash-separated part starts with a digit, so `java-11-openjdk-devel` (a name with
    /// dashes) is reported while `java-11-openjdk-devel-11.0.23.0.9-2.el7` is not. A
    /// `yum module install` of a module without a stream (`nodejs` rather than
    /// `nodejs:18`) is reported too.
    ///
    /// Not reported: local or remote `.rpm` files, paths and file provides, groups (`@name`),
    /// capabilities (`perl(JSON)`, `name >= 1.2`), option values (`--enablerepo=…`). A
    /// `$VARIABLE` is expanded when the same RUN assigns it (`PKGS="a b"; … $PKGS`) or an ARG
    /// or ENV gives its value, and one finding on the variable names every unpinned package it
    /// holds; when the file does not say what it holds (a loop variable, `$(…)`, an ARG without
    /// a default), nothing is reported for it. Packages of `ONBUILD RUN` are checked too.
    ///
    /// hadolint accepts any dash-part that starts with a digit anywhere after the name, so
    /// it takes `java-11-openjdk` as versioned; Plimsoll looks at the last part only.
    ///
    /// ## Why is this bad?
    /// yum installs the newest version the enabled repositories carry on the day of the
    /// build, so rebuilds of the same Dockerfile can differ and an update can break the
    /// image without any change in your repository.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install -y httpd && yum clean all
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install -y httpd-2.4.6-99.el7.centos.1 && yum clean all
    /// ```
    ///
    /// ## References
    /// - [`yum(8)`: specifying package names](https://man7.org/linux/man-pages/man8/yum.8.html)
    pub struct YumUnpinned {
        code: "PL108",
        name: "yum-unpinned",
        alias: Some("DL3033"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "yum install without `package-version`",
    }
}

impl Rule for YumUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        check_unpinned(ctx, out, &Self::META, &[Manager::Yum], "yum");
    }
}
