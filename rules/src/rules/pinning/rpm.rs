//! What yum and dnf have in common: which install words name a package, when a package
//! spec carries a version (`name-version[-release]`), and how an unpinned one is reported.

use super::install::{
    Advice, Package, commands, is_url, packages, report_unpinned, unpinned_operands,
};
use crate::helpers::packages::{Manager, PackageCommand};
use crate::{Context, Diagnostic, RuleMeta};
use plimsoll_analyzer::Instruction;

/// Reports the unpinned packages of `install` and the stream-less modules of
/// `module install` run by `managers`. `tool` is the command the help sends users to for
/// the versions and streams (`dnf list`, `dnf module list`).
pub(super) fn check_unpinned(
    ctx: &Context<'_>,
    out: &mut Vec<Diagnostic>,
    meta: &'static RuleMeta,
    managers: &'static [Manager],
    tool: &str,
) {
    for (instruction, command) in commands(ctx, managers) {
        let program = command.command.program().unwrap_or(tool);
        let found = unpinned(ctx, instruction, &command);
        let because = format!("{program} installs the newest version in the repositories that day");
        let advice = Advice {
            because: &because,
            example: &|name| format!("`{name}-<version>` or `{name}-<version>-<release>`"),
            hint: &|name| format!("`{tool} list --showduplicates {name}` lists them"),
        };
        report_unpinned(out, meta, &found.packages, &advice);
        for module in found.modules {
            out.push(
                Diagnostic::new(
                    meta,
                    module.word.span,
                    format!(
                        "module {} names no stream: {program} installs the default stream, which can change",
                        module.describe()
                    ),
                )
                .with_help(format!(
                    "Name the stream: `{}:<stream>`; `{tool} module list {}` lists them",
                    module.name, module.name
                )),
            );
        }
    }
}

/// What an install names without a version.
#[derive(Default)]
struct Unpinned<'a> {
    packages: Vec<Package<'a>>,
    /// Modules of `module install` without a stream.
    modules: Vec<Package<'a>>,
}

/// The unpinned packages of `install` and the stream-less modules of `module install`.
fn unpinned<'a>(
    ctx: &Context<'_>,
    instruction: &Instruction,
    command: &PackageCommand<'a>,
) -> Unpinned<'a> {
    let mut found = Unpinned::default();
    if command.subcommand_is(&["install"]) {
        found.packages = unpinned_operands(ctx, instruction, command, is_unpinned_package);
    } else if command.subcommand_is(&["module"])
        && command
            .operands
            .first()
            .is_some_and(|w| w.text == "install")
    {
        found.modules = packages(
            ctx,
            instruction,
            command,
            command.operands[1..].iter().copied(),
        )
        .into_iter()
        .filter(|p| !p.name.is_empty() && !p.name.contains([':', '/']))
        .collect();
    }
    found
}

/// `httpd` is unpinned; `httpd-2.4.57`, `httpd-2.4.57-5.el9` and `openssl-1:3.0.7-27.el9`
/// are pinned: the last dash-separated part of a versioned spec (the version, or the
/// release after it) starts with a digit. Names that merely contain a dash
/// (`java-17-openjdk-devel`, `gcc-c++`) end in a word.
fn is_unpinned_package(spec: &str) -> bool {
    if spec.is_empty()
        // A group or an environment (`@development`).
        || spec.starts_with('@')
        // Files, URLs and file provides (`/usr/bin/python3`).
        || spec.contains('/')
        || is_url(spec)
        || spec.ends_with(".rpm")
        // Capabilities (`perl(JSON)`, `dnf-command(config-manager)`) and `name >= 1.2`.
        || spec.contains(['(', '=', '<', '>'])
    {
        return false;
    }
    match spec.rsplit_once('-') {
        Some((name, last)) if !name.is_empty() => !last.starts_with(|c: char| c.is_ascii_digit()),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::is_unpinned_package;

    #[test]
    fn versions_are_the_trailing_digit_parts() {
        for unpinned in [
            "httpd",
            "python3-devel",
            "gcc-c++",
            "java-17-openjdk-devel",
            "php-*",
        ] {
            assert!(is_unpinned_package(unpinned), "{unpinned}");
        }
        for pinned in [
            "httpd-2.4.57",
            "httpd-2.4.57-5.el9",
            "openssl-libs-1:3.0.7-27.el9",
            "nodejs-18*",
            "@development",
            "/tmp/x.rpm",
            "perl(JSON)",
        ] {
            assert!(!is_unpinned_package(pinned), "{pinned}");
        }
    }
}
