use super::support::{
    has_option_or_unknown, head_span, insert_option, last_removal, mount_holds, runs, ships,
};
use crate::helpers::packages::{Manager, PackageCommand};
use crate::{Context, Diagnostic, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

/// Where apk keeps its index and packages; `/etc/apk/cache` links there when set up.
const APK_CACHE: &[&str] = &["/var/cache/apk", "/etc/apk/cache"];

declare_rule! {
    /// ## What it does
    /// Reports `apk add` without `--no-cache`. It stays quiet when the add can not
    /// download anything (`--no-network`), when the same RUN deletes `/var/cache/apk/*`
    /// after the add, or mounts a cache or tmpfs on `/var/cache/apk`.
    ///
    /// A `$VARIABLE` among the arguments is looked up in the Dockerfile's ARG and ENV; an
    /// unknown one whose name says it holds options (`$APT_OPTS`, `$EXTRA_ARGS`) keeps the
    /// rule quiet.
    ///
    /// Only stages whose files end up in the final image are checked: the last stage and
    /// the stages it is built on. hadolint's DL3019 checks every stage and does not accept
    /// the deletion.
    ///
    /// ## Why is this bad?
    /// Without `--no-cache`, apk keeps the package index it downloaded in
    /// `/var/cache/apk`: a few megabytes in every image, on a distribution chosen for
    /// being small, and never used at run time.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// ## Fix safety
    /// The fix inserts `--no-cache` after `add`. apk then reads a fresh index instead of a
    /// cached one and installs the same packages, so the fix is safe.
    ///
    /// ## References
    /// - [hadolint DL3019](https://github.com/hadolint/hadolint/wiki/DL3019)
    /// - [Alpine: apk](https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper)
    pub struct ApkAddMissingNoCache {
        code: "PL205",
        name: "apk-add-missing-no-cache",
        alias: Some("DL3019"),
        severity: Severity::Info,
        fix: FixAvailability::Always,
        default_enabled: true,
        summary: "Use `apk add --no-cache`",
    }
}

impl Rule for ApkAddMissingNoCache {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for instruction in runs(file) {
            if !ships(file, instruction) || APK_CACHE.iter().any(|d| mount_holds(instruction, d)) {
                continue;
            }
            let removal = last_removal(instruction, APK_CACHE);
            for (position, command) in instruction.commands().enumerate() {
                let Some(add) = PackageCommand::from_command(command) else {
                    continue;
                };
                if add.manager != Manager::Apk || !add.is_install() {
                    continue;
                }
                if removal.is_some_and(|r| r > position)
                    || has_option_or_unknown(
                        file,
                        instruction,
                        command,
                        None,
                        &["no-cache", "no-network"],
                    )
                {
                    continue;
                }
                let Some(word) = add.subcommand else {
                    continue;
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        head_span(&add),
                        "`apk add` without `--no-cache` leaves the package index in \
                         /var/cache/apk",
                    )
                    .with_help("add `--no-cache`: `apk add --no-cache …`")
                    .with_fix(Fix::safe(
                        "Add `--no-cache`",
                        vec![insert_option(instruction, word, "--no-cache")],
                    )),
                );
            }
        }
    }
}
