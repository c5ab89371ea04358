use super::support::runs;
use crate::helpers::packages::{Manager, PackageCommand};
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};

declare_rule! {
    /// ## What it does
    /// Reports `apt` (the interactive front end) in a RUN, also behind `sudo` or `env`.
    ///
    /// hadolint's DL3027 reports `apt` only when it is the command name as written, so it
    /// misses `sudo apt install`.
    ///
    /// ## Why is this bad?
    /// `apt` is made for people at a terminal. Its command line is not promised to stay
    /// the same between releases (it prints "apt does not have a stable CLI interface.
    /// Use with caution in scripts." when its output is not a terminal), its output is
    /// formatted for reading, not parsing, and its defaults may change. `apt-get` and
    /// `apt-cache` are the stable interfaces for scripts such as a Dockerfile.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt update && apt install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces `apt` with `apt-get` for the subcommands `apt-get` has (`update`,
    /// `install`, `remove`, `purge`, `upgrade`, `dist-upgrade`, `autoremove`, `clean`…),
    /// and with `apt-cache` for `show`, `search`, `policy`, `depends`, `rdepends` and
    /// `showsrc`. It is unsafe: the two differ in details, for example `apt` deletes the
    /// downloaded `.deb` files after installing them and `apt-get` keeps them (unless the
    /// image configures otherwise, as the official Debian and Ubuntu images do), and the
    /// output of `show` and `search` is formatted differently.
    ///
    /// ## References
    /// - [hadolint DL3027](https://github.com/hadolint/hadolint/wiki/DL3027)
    /// - [apt(8)](https://manpages.debian.org/stable/apt/apt.8.en.html)
    pub struct AptInsteadOfAptGet {
        code: "PL803",
        name: "apt-instead-of-apt-get",
        alias: Some("DL3027"),
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "A RUN uses `apt` instead of `apt-get` or `apt-cache`",
    }
}

/// Subcommands `apt` and `apt-get` share.
const APT_GET: &[&str] = &[
    "update",
    "upgrade",
    "dist-upgrade",
    "install",
    "remove",
    "purge",
    "autoremove",
    "clean",
    "autoclean",
    "source",
    "build-dep",
    "download",
];

/// Subcommands of `apt` that `apt-cache` has.
const APT_CACHE: &[&str] = &["show", "search", "policy", "depends", "rdepends", "showsrc"];

impl Rule for AptInsteadOfAptGet {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in runs(ctx.file) {
            for command in instruction.commands() {
                let Some(p) = PackageCommand::from_command(command) else {
                    continue;
                };
                if p.manager != Manager::Apt {
                    continue;
                }
                let Some(word) = command.program_word() else {
                    continue;
                };
                let subcommand = p.subcommand.map(|w| w.text.as_str());
                let replacement = match subcommand {
                    Some(s) if APT_GET.contains(&s) => Some("apt-get"),
                    Some(s) if APT_CACHE.contains(&s) => Some("apt-cache"),
                    _ => None,
                };
                let shown = subcommand.map_or("apt".to_string(), |s| format!("apt {s}"));
                let mut diagnostic = Diagnostic::new(
                    &Self::META,
                    word.span,
                    format!(
                        "`{shown}`: `apt` is the interactive front end, and its command line \
                         and output are not stable for scripts"
                    ),
                )
                .with_help(match (replacement, subcommand) {
                    (Some(r), _) => format!("use `{r}` instead"),
                    (None, Some("full-upgrade")) => "use `apt-get dist-upgrade` instead".into(),
                    (None, Some("list")) => {
                        "use `dpkg-query -W` for installed packages, `apt-cache policy` for \
                         available versions"
                            .into()
                    }
                    _ => "use `apt-get` or `apt-cache` instead".into(),
                });
                // Only a plain `apt` word is replaced, quotes kept as written.
                let raw = word.span.text(ctx.text());
                if let Some(replacement) = replacement
                    && (raw == "apt" || raw == "\"apt\"")
                {
                    diagnostic = diagnostic.with_fix(Fix::unsafe_edit(
                        format!("Use `{replacement}`"),
                        vec![Edit::replace(word.span, raw.replace("apt", replacement))],
                    ));
                }
                out.push(diagnostic);
            }
        }
    }
}
