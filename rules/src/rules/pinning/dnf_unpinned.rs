use super::rpm::check_unpinned;
use crate::helpers::packages::Manager;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports each package of a `dnf install` or `microdnf install` that has no version:
    /// `httpd` instead of `httpd-2.4.57` or `httpd-2.4.57-5.el9`. A spec counts as versioned
    /// when its last dash-separated part starts with a digit, so `java-17-openjdk-devel` (a
    /// name with dashes) is reported while `java-17-openjdk-devel-17.0.9.0.9-2.el9` is not.
    /// A `dnf module install` of a module without a stream (`nodejs` rather than
    /// `nodejs:20`) is reported too.
    ///
    /// Not reported: local or remote `.rpm` files, paths and file provides, groups (`@name`),
    /// capabilities (`perl(JSON)`, `dnf-command(config-manager)`, `name >= 1.2`), option values
    /// (`--setopt=…`). A `$VARIABLE` is expanded when the same RUN assigns it (`PKGS="a b"; …
    /// $PKGS`) or an ARG or ENV gives its value, and one finding on the variable names every
    /// unpinned package it holds; when the file does not say what it holds (a loop variable,
    /// `$(…)`, an ARG without a default), nothing is reported for it. Packages of `ONBUILD RUN`
    /// are checked too.
    ///
    /// hadolint accepts any dash-part that starts with a digit anywhere after the name, so
    /// it takes `java-17-openjdk` as versioned; Plimsoll looks at the last part only.
    ///
    /// ## Why is this bad?
    /// dnf installs the newest version the enabled repositories carry on the day of the
    /// build, so rebuilds of the same Dockerfile can differ and an update can break the
    /// image without any change in your repository.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd && dnf clean all
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd-2.4.62-1.fc40 && dnf clean all
    /// ```
    ///
    /// ## References
    /// - [dnf: specifying packages](https://dnf.readthedocs.io/en/latest/command_ref.html#specifying-packages-label)
    /// - [dnf: module command](https://dnf.readthedocs.io/en/latest/command_ref.html#module-command-label)
    pub struct DnfUnpinned {
        code: "PL109",
        name: "dnf-unpinned",
        alias: Some("DL3041"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "dnf or microdnf install without `package-version`",
    }
}

impl Rule for DnfUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        check_unpinned(
            ctx,
            out,
            &Self::META,
            &[Manager::Dnf, Manager::Microdnf],
            "dnf",
        );
    }
}
