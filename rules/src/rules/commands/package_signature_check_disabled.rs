use super::support::{base_name, runs};
use crate::helpers::packages::{Manager, PackageCommand};
use crate::helpers::text::contains_ignore_ascii_case;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Word;
use plimsoll_analyzer::shell::Command;

declare_rule! {
    /// ## What it does
    /// Reports ways of installing packages without checking their signatures:
    /// - apt: `--allow-unauthenticated`, `--allow-insecure-repositories`, `--force-yes`,
    ///   `-o APT::Get::AllowUnauthenticated=true`,
    ///   `-o Acquire::AllowInsecureRepositories=true`, and a repository line with
    ///   `[trusted=yes]` or `[allow-insecure=yes]` (written with `echo`, `printf`,
    ///   `add-apt-repository`…);
    /// - yum, dnf, microdnf, tdnf: `--nogpgcheck`, `--no-gpgchecks`,
    ///   `--setopt=gpgcheck=0`; zypper: `--no-gpg-checks`; rpm: `--nosignature`;
    /// - `gpgcheck=0` written into a repository file (`echo`, `sed -i …`);
    /// - apk: `--allow-untrusted`.
    ///
    /// Packages the build made itself are not reported: a `[trusted=yes]` repository at a
    /// `file:` or `copy:` URI, and `apk add --allow-untrusted`, `rpm --nosignature` or
    /// `dnf --nogpgcheck` of local package files (`/tmp/packages/*.apk`), unless the same
    /// RUN downloads them with `curl` or `wget`.
    ///
    /// ## Why is this bad?
    /// Package signatures are what proves a package comes from the distribution or vendor
    /// and was not changed on a mirror, a proxy or in transit (repositories are often
    /// served over plain HTTP, relying on signatures alone). With the check off, whoever
    /// controls any of those can put their own code into the image, and it runs as root at
    /// install time.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN echo "deb [trusted=yes] http://repo.example.com/debian stable main" \
    ///         > /etc/apt/sources.list.d/example.list \
    ///     && apt-get update && apt-get install -y --no-install-recommends example-tool
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// COPY example-archive-keyring.gpg /usr/share/keyrings/
    /// RUN echo "deb [signed-by=/usr/share/keyrings/example-archive-keyring.gpg] http://repo.example.com/debian stable main" \
    ///         > /etc/apt/sources.list.d/example.list \
    ///     && apt-get update && apt-get install -y --no-install-recommends example-tool
    /// ```
    ///
    /// ## References
    /// - [sources.list(5): trusted](https://manpages.debian.org/stable/apt/sources.list.5.en.html)
    /// - [dnf --nogpgcheck](https://dnf.readthedocs.io/en/latest/command_ref.html)
    /// - [apk --allow-untrusted](https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper)
    pub struct PackageSignatureCheckDisabled {
        code: "PL813",
        name: "package-signature-check-disabled",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A package install turns off the signature check",
    }
}

const APT_KEY_HELP: &str = "add the repository's key (`signed-by=/usr/share/keyrings/KEY.gpg` \
                            in its sources line) instead";
const RPM_KEY_HELP: &str = "import the repository's key (`rpm --import KEY`, or `gpgkey=` in \
                            the .repo file) and keep `gpgcheck=1`";

impl Rule for PackageSignatureCheckDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in runs(ctx.file) {
            // A package file the same RUN downloads is as unchecked as a remote one.
            let downloads = instruction.commands().any(|c| {
                matches!(
                    c.program_word().map(|w| base_name(&w.text)),
                    Some("curl" | "wget")
                )
            });
            for command in instruction.commands() {
                let local = !downloads && installs_local_files(command);
                for (word, what, why, help) in find(command, local) {
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            word.span,
                            format!(
                                "`{what}` {why}: a tampered mirror or proxy can put its own \
                                 code into the image"
                            ),
                        )
                        .with_help(help),
                    );
                }
            }
        }
    }
}

type Finding<'a> = (&'a Word, String, &'static str, &'static str);

/// `local`: the command installs package files already in the image (built in another
/// stage), which have nothing to check a signature against.
fn find(command: &Command, local: bool) -> Vec<Finding<'_>> {
    let mut found: Vec<Finding<'_>> = Vec::new();
    let args = command.program_args();
    let program = command.program_word().map_or("", |w| base_name(&w.text));
    // Repository settings written anywhere in a command: sources lines, .repo files.
    for word in args {
        // Most words hold neither a `[options]` block nor gpgcheck: skip the lower-casing.
        if !word.text.contains('[') && !contains_ignore_ascii_case(&word.text, "gpgcheck") {
            continue;
        }
        let lower = word.text.to_ascii_lowercase();
        if let Some(option) = trusted_sources_option(&lower) {
            found.push((
                word,
                format!("[{option}]"),
                "makes apt use this repository without checking its signature",
                APT_KEY_HELP,
            ));
        } else if !matches!(program, "dnf" | "yum" | "microdnf" | "zypper")
            && has_gpgcheck_off(&lower)
        {
            found.push((
                word,
                "gpgcheck=0".to_string(),
                "turns off the signature check of the repository's packages",
                RPM_KEY_HELP,
            ));
        }
    }
    if program == "apk" && !local {
        for word in args.iter().filter(|w| w.text == "--allow-untrusted") {
            found.push((
                word,
                "apk --allow-untrusted".to_string(),
                "installs packages no trusted key signed",
                "put the signing key in /etc/apk/keys/ and drop `--allow-untrusted`",
            ));
        }
    }
    if program == "rpm" && !local {
        for word in args.iter().filter(|w| w.text == "--nosignature") {
            found.push((
                word,
                format!("rpm {}", word.text),
                "installs the package without checking its signature",
                RPM_KEY_HELP,
            ));
        }
    }
    let Some(p) = PackageCommand::from_command(command) else {
        return found;
    };
    let shown = p.command.program().unwrap_or_default();
    match p.manager {
        Manager::AptGet | Manager::Apt => {
            for word in args {
                let t = word.text.as_str();
                let lower: String = t.to_ascii_lowercase().replace([' ', '"'], "");
                let why = match t {
                    "--allow-unauthenticated" => {
                        "installs packages whose signatures do not check out"
                    }
                    "--allow-insecure-repositories" => {
                        "lets apt use repositories that are not signed"
                    }
                    "--force-yes" => {
                        "also accepts unsigned packages (apt deprecated it for that; `-y` answers \
                         the prompt)"
                    }
                    _ if (lower.contains("allowunauthenticated=")
                        || lower.contains("allowinsecurerepositories="))
                        && lower.rsplit('=').next().is_some_and(is_true) =>
                    {
                        "turns off apt's signature check"
                    }
                    _ => continue,
                };
                found.push((word, format!("{shown} {t}"), why, APT_KEY_HELP));
            }
        }
        Manager::Yum | Manager::Dnf | Manager::Microdnf | Manager::Zypper if !local => {
            for word in args {
                let t = word.text.as_str();
                let off = match t {
                    "--nogpgcheck" | "--no-gpgchecks" | "--no-gpg-checks" | "--no-gpg-check" => {
                        true
                    }
                    // `--setopt gpgcheck=0`: the value word is reported on its own.
                    "--setopt" => false,
                    _ => has_gpgcheck_off(&t.to_ascii_lowercase()),
                };
                if off {
                    found.push((
                        word,
                        format!("{shown} {t}"),
                        "installs packages without checking their signatures",
                        RPM_KEY_HELP,
                    ));
                }
            }
        }
        _ => {}
    }
    // `tdnf` is not a package manager the helpers know.
    if program == "tdnf" && !local {
        for word in args.iter().filter(|w| w.text == "--nogpgcheck") {
            found.push((
                word,
                "tdnf --nogpgcheck".to_string(),
                "installs packages without checking their signatures",
                RPM_KEY_HELP,
            ));
        }
    }
    found
}

/// Subcommands of package managers that take package files.
const INSTALL_WORDS: &[&str] = &[
    "add",
    "install",
    "localinstall",
    "reinstall",
    "in",
    "upgrade",
];

/// Whether every package the command names is a local file (`/tmp/pkgs/x.apk`,
/// `./dist/*.rpm`), not a name looked up in a repository or a URL.
fn installs_local_files(command: &Command) -> bool {
    let mut operands = command
        .program_args()
        .iter()
        .map(|w| w.text.as_str())
        .filter(|t| !t.starts_with('-') && !INSTALL_WORDS.contains(t))
        .peekable();
    operands.peek().is_some()
        && operands.all(|t| {
            !t.contains("://")
                && (t.starts_with('/') || t.starts_with("./") || t.starts_with("../"))
        })
}

fn is_true(value: &str) -> bool {
    matches!(value, "true" | "1" | "yes" | "on")
}

/// `trusted=yes` or `allow-insecure=yes` inside the `[…]` options of a sources line.
fn trusted_sources_option(text: &str) -> Option<&'static str> {
    let open = text.find('[')?;
    let close = open + text[open..].find(']')?;
    let options = &text[open + 1..close];
    // A repository in a local directory holds packages the build made itself.
    let uri = text[close + 1..].trim_start();
    if uri.starts_with("file:") || uri.starts_with("copy:") {
        return None;
    }
    options.split([' ', ',']).find_map(|o| match o.trim() {
        "trusted=yes" => Some("trusted=yes"),
        "allow-insecure=yes" => Some("allow-insecure=yes"),
        _ => None,
    })
}

/// `gpgcheck=0` (also `false`, `no`, `*.gpgcheck=0`), but not `repo_gpgcheck` or
/// `localpkg_gpgcheck`, which are off by default anyway.
fn has_gpgcheck_off(lower: &str) -> bool {
    // `printf '…\ngpgcheck=0\n'`: escapes separate lines too.
    let lower = lower.replace("\\n", "\n").replace("\\t", "\t");
    lower.match_indices("gpgcheck").any(|(at, _)| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + "gpgcheck".len()..].trim_start();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && after.strip_prefix('=').is_some_and(|v| {
                let v = v.trim_start();
                ["0", "false", "no", "off"].iter().any(|off| {
                    v.strip_prefix(off)
                        .is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_alphanumeric()))
                })
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpgcheck_spellings() {
        assert!(has_gpgcheck_off("gpgcheck=0"));
        assert!(has_gpgcheck_off("--setopt=*.gpgcheck=false"));
        assert!(has_gpgcheck_off("s/gpgcheck=1/gpgcheck=0/"));
        assert!(has_gpgcheck_off("gpgcheck = 0\n"));
        assert!(!has_gpgcheck_off("gpgcheck=1"));
        assert!(!has_gpgcheck_off("repo_gpgcheck=0"));
        assert!(!has_gpgcheck_off("gpgcheck=01"));
        assert!(has_gpgcheck_off("[x]\\nbaseurl=http://x\\ngpgcheck=0\\n"));
    }

    #[test]
    fn sources_options() {
        assert_eq!(
            trusted_sources_option("deb [arch=amd64 trusted=yes] http://x stable main"),
            Some("trusted=yes")
        );
        assert_eq!(
            trusted_sources_option("deb [signed-by=/k.gpg] http://x"),
            None
        );
        assert_eq!(trusted_sources_option("trusted=yes"), None);
        assert_eq!(
            trusted_sources_option("deb [ trusted=yes ] file:///tmp/repo ./"),
            None
        );
    }
}
