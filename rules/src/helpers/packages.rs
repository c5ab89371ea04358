//! Package-manager commands found in RUN instructions.

use plimsoll_analyzer::shell::Command;
use plimsoll_analyzer::{Instruction, Word};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Manager {
    AptGet,
    /// `apt` (the interactive front end).
    Apt,
    Apk,
    Pip,
    Npm,
    Gem,
    Yum,
    Dnf,
    Microdnf,
    Zypper,
}

impl Manager {
    pub fn of(command: &Command) -> Option<Manager> {
        let program = command.program()?;
        Some(match program {
            "apt-get" => Manager::AptGet,
            "apt" => Manager::Apt,
            "apk" => Manager::Apk,
            "npm" => Manager::Npm,
            "gem" => Manager::Gem,
            "yum" => Manager::Yum,
            "dnf" => Manager::Dnf,
            "microdnf" => Manager::Microdnf,
            "zypper" => Manager::Zypper,
            p if is_pip(p) => Manager::Pip,
            p if is_python(p) && python_module(command) == Some("pip") => Manager::Pip,
            _ => return None,
        })
    }

    /// Options that take a separate value word, so that word is not a package.
    fn options_with_value(self) -> &'static [&'static str] {
        match self {
            Manager::AptGet | Manager::Apt => &[
                "-o",
                "--option",
                "-c",
                "--config-file",
                "-t",
                "--target-release",
                "-a",
                "--host-architecture",
            ],
            Manager::Apk => &[
                "-X",
                "--repository",
                "-p",
                "--root",
                "-t",
                "--virtual",
                "--arch",
                "--cache-dir",
                "--keys-dir",
            ],
            Manager::Pip => &[
                "-r",
                "--requirement",
                "-c",
                "--constraint",
                "-e",
                "--editable",
                "-i",
                "--index-url",
                "--extra-index-url",
                "-f",
                "--find-links",
                "-t",
                "--target",
                "--prefix",
                "--root",
                "--trusted-host",
                "--src",
                "--platform",
                "--python-version",
                "--implementation",
                "--abi",
                "--progress-bar",
                "--cache-dir",
                "--log",
                "--proxy",
                "--retries",
                "--timeout",
                "--cert",
                "--client-cert",
                "--upgrade-strategy",
                "--no-binary",
                "--only-binary",
                "--config-settings",
                "-C",
                "--global-option",
                "--install-option",
                "--root-user-action",
                "--report",
                "--python",
                "--keyring-provider",
                "--use-feature",
                "--use-deprecated",
                "--exists-action",
                "--log-file",
            ],
            Manager::Npm => &[
                "--prefix",
                "-C",
                "--registry",
                "--cache",
                "--userconfig",
                "--loglevel",
                "-w",
                "--workspace",
                "--omit",
                "--include",
            ],
            Manager::Gem => &[
                "-v",
                "--version",
                "-i",
                "--install-dir",
                "-n",
                "--bindir",
                "-s",
                "--source",
                "--platform",
                "-P",
                "--trust-policy",
            ],
            Manager::Yum | Manager::Dnf | Manager::Microdnf => &[
                "--enablerepo",
                "--disablerepo",
                "--releasever",
                "--setopt",
                "--installroot",
                "-c",
                "--config",
                "--exclude",
                "-x",
                "--repo",
                "--repofrompath",
                "--nodocs-x",
                "--disableplugin",
                "--enableplugin",
                "--forcearch",
                "--downloaddir",
                "--destdir",
                "--excludepkgs",
                "-d",
                "--debuglevel",
                "-e",
                "--errorlevel",
            ],
            Manager::Zypper => &["-r", "--repo", "--from", "-t", "--type", "--root"],
        }
    }

    /// Subcommands that install packages.
    fn install_subcommands(self) -> &'static [&'static str] {
        match self {
            Manager::AptGet | Manager::Apt => &["install"],
            Manager::Apk => &["add"],
            Manager::Pip => &["install"],
            Manager::Npm => &[
                "install", "i", "add", "isntall", "in", "ins", "inst", "insta", "instal", "isnt",
                "isnta", "isntal",
            ],
            Manager::Gem => &["install", "i"],
            Manager::Yum | Manager::Dnf | Manager::Microdnf => {
                &["install", "groupinstall", "localinstall", "reinstall"]
            }
            Manager::Zypper => &["install", "in"],
        }
    }
}

fn is_pip(program: &str) -> bool {
    program == "pip"
        || program
            .strip_prefix("pip")
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_python(program: &str) -> bool {
    program == "python"
        || program
            .strip_prefix("python")
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// `python -m MODULE …` → MODULE.
fn python_module(command: &Command) -> Option<&str> {
    let args = command.program_args();
    let m = args.iter().position(|w| w.text == "-m")?;
    args.get(m + 1).map(|w| w.text.as_str())
}

/// A package-manager command with its subcommand and operands.
#[derive(Clone, Debug)]
pub struct PackageCommand<'a> {
    pub manager: Manager,
    pub command: &'a Command,
    /// The subcommand word (`install`, `add`, `update`…), if any.
    pub subcommand: Option<&'a Word>,
    /// Arguments after the subcommand that are neither options nor option values.
    pub operands: Vec<&'a Word>,
}

impl<'a> PackageCommand<'a> {
    pub fn from_command(command: &'a Command) -> Option<PackageCommand<'a>> {
        let manager = Manager::of(command)?;
        let mut args = command.program_args();
        if manager == Manager::Pip
            && let Some(m) = args.iter().position(|w| w.text == "-m")
        {
            args = &args[m + 2..];
        }
        let takes_value = manager.options_with_value();
        let mut subcommand = None;
        let mut operands = Vec::new();
        let mut skip_next = false;
        for word in args {
            if skip_next {
                skip_next = false;
                continue;
            }
            let t = word.text.as_str();
            if t.starts_with('-') && t.len() > 1 {
                skip_next = !t.contains('=') && takes_value.contains(&t);
                continue;
            }
            if subcommand.is_none() {
                subcommand = Some(word);
            } else {
                operands.push(word);
            }
        }
        Some(PackageCommand {
            manager,
            command,
            subcommand,
            operands,
        })
    }

    pub fn subcommand_is(&self, names: &[&str]) -> bool {
        self.subcommand
            .is_some_and(|s| names.contains(&s.text.as_str()))
    }

    pub fn is_install(&self) -> bool {
        self.subcommand_is(self.manager.install_subcommands())
    }

    /// Options given as a flag (for example `-y`, also inside `-qy`, or `--yes`).
    pub fn has_option(&self, short: Option<char>, long: &[&str]) -> bool {
        self.command.has_option(short, long)
    }
}

/// All package-manager commands an instruction runs, in order.
pub fn package_commands(instruction: &Instruction) -> impl Iterator<Item = PackageCommand<'_>> {
    instruction
        .commands()
        .filter_map(PackageCommand::from_command)
}

/// Install commands of one manager family.
pub fn installs<'a>(
    instruction: &'a Instruction,
    managers: &'a [Manager],
) -> impl Iterator<Item = PackageCommand<'a>> + 'a {
    package_commands(instruction).filter(move |p| managers.contains(&p.manager) && p.is_install())
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_analyzer::Dockerfile;

    #[test]
    fn finds_installs_and_operands() {
        let file = Dockerfile::parse(
            "FROM a\nRUN apt-get -o Acquire::Retries=3 install -y --no-install-recommends curl=7 git && python3 -m pip install -r req.txt flask\n",
        );
        let run = &file.instructions[1];
        let found: Vec<_> = package_commands(run).collect();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].manager, Manager::AptGet);
        assert!(found[0].is_install());
        let ops: Vec<_> = found[0].operands.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(ops, vec!["curl=7", "git"]);
        assert_eq!(found[1].manager, Manager::Pip);
        let ops: Vec<_> = found[1].operands.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(ops, vec!["flask"]);
    }

    #[test]
    fn option_values_are_not_operands() {
        let file = Dockerfile::parse(
            "FROM a\nRUN pip install --root-user-action ignore --python /usr/bin/python3 flask && dnf install -y --disableplugin subscription-manager httpd\n",
        );
        let found: Vec<_> = package_commands(&file.instructions[1]).collect();
        let ops = |p: &PackageCommand<'_>| -> Vec<String> {
            p.operands.iter().map(|w| w.text.clone()).collect()
        };
        assert_eq!(ops(&found[0]), vec!["flask"]);
        assert_eq!(ops(&found[1]), vec!["httpd"]);
    }
}
