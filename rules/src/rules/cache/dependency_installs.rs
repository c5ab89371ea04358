//! Dependency installs whose inputs are the manifests of an ecosystem (`npm ci`,
//! `pip install -r requirements.txt`, `go mod download`, …), and broad copies of the
//! build context that invalidate them.

use crate::helpers::copy::{CopyArgs, normalize_context_path};
use crate::helpers::packages::{Manager, PackageCommand};
use plimsoll_analyzer::shell::Command;
use plimsoll_analyzer::{Dockerfile, Instruction, Word};

/// A package ecosystem and the files its install reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ecosystem {
    Npm,
    Yarn,
    Pnpm,
    Bun,
    Pip,
    Uv,
    Poetry,
    Pipenv,
    Go,
    Cargo,
    Bundler,
    Composer,
    Maven,
    Gradle,
}

impl Ecosystem {
    /// The manifests to copy before the install, as shown without a build context.
    pub fn manifests(self) -> &'static [&'static str] {
        match self {
            Ecosystem::Npm => &["package.json", "package-lock.json"],
            Ecosystem::Yarn => &["package.json", "yarn.lock"],
            Ecosystem::Pnpm => &["package.json", "pnpm-lock.yaml"],
            Ecosystem::Bun => &["package.json", "bun.lock"],
            Ecosystem::Pip => &["requirements.txt"],
            Ecosystem::Uv => &["pyproject.toml", "uv.lock"],
            Ecosystem::Poetry => &["pyproject.toml", "poetry.lock"],
            Ecosystem::Pipenv => &["Pipfile", "Pipfile.lock"],
            Ecosystem::Go => &["go.mod", "go.sum"],
            Ecosystem::Cargo => &["Cargo.toml", "Cargo.lock"],
            Ecosystem::Bundler => &["Gemfile", "Gemfile.lock"],
            Ecosystem::Composer => &["composer.json", "composer.lock"],
            Ecosystem::Maven => &["pom.xml"],
            Ecosystem::Gradle => &["build.gradle", "settings.gradle"],
        }
    }

    /// Every file the install may read; with a build context, those present are named.
    pub fn inputs(self) -> &'static [&'static str] {
        match self {
            Ecosystem::Npm => &["package.json", "package-lock.json", "npm-shrinkwrap.json"],
            Ecosystem::Yarn => &["package.json", "yarn.lock", ".yarnrc.yml", ".yarnrc"],
            Ecosystem::Pnpm => &["package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml"],
            Ecosystem::Bun => &["package.json", "bun.lock", "bun.lockb"],
            // The install reads its manifests and nothing else.
            Ecosystem::Pip
            | Ecosystem::Uv
            | Ecosystem::Poetry
            | Ecosystem::Pipenv
            | Ecosystem::Go
            | Ecosystem::Cargo
            | Ecosystem::Bundler
            | Ecosystem::Composer
            | Ecosystem::Maven => self.manifests(),
            Ecosystem::Gradle => &[
                "build.gradle",
                "build.gradle.kts",
                "settings.gradle",
                "settings.gradle.kts",
                "gradle.properties",
            ],
        }
    }

    /// A step that installs only the dependencies, to run before the broad copy, for tools
    /// whose usual install also builds the sources; `program` is the tool as written
    /// (`./gradlew`).
    pub fn dependency_step(self, program: &str) -> Option<String> {
        match self {
            Ecosystem::Cargo => {
                Some("`cargo fetch` (or build only the dependencies, e.g. with cargo-chef)".into())
            }
            Ecosystem::Maven => Some(format!("`{program} dependency:go-offline`")),
            Ecosystem::Gradle => Some(format!("`{program} dependencies`")),
            _ => None,
        }
    }
}

/// A dependency install found in a RUN.
#[derive(Clone, Debug)]
pub struct Install<'a> {
    pub ecosystem: Ecosystem,
    pub command: &'a Command,
    /// Manifests named on the command line (`pip install -r requirements/prod.txt`).
    pub named: Vec<String>,
}

impl Install<'_> {
    /// The program as written (`./mvnw`).
    pub fn program(&self) -> &str {
        self.command
            .argv
            .get(self.command.effective_start())
            .map_or("", |w| w.text.as_str())
    }

    /// The command as written, shortened (`npm ci --omit=dev`).
    pub fn shown(&self) -> String {
        let argv = &self.command.argv[self.command.effective_start()..];
        let mut words: Vec<&str> = argv.iter().take(5).map(|w| w.text.as_str()).collect();
        if argv.len() > 5 {
            words.push("…");
        }
        words.join(" ")
    }
}

/// The dependency installs a RUN performs.
pub fn installs(instruction: &Instruction) -> Vec<Install<'_>> {
    instruction
        .commands()
        .filter_map(|command| {
            let (ecosystem, named) = classify(command)?;
            Some(Install {
                ecosystem,
                command,
                named,
            })
        })
        .collect()
}

/// Ecosystems whose build tool a RUN invokes at all. Maven and Gradle builds often fetch
/// their dependencies with a task of their own (`./gradlew downloadRepos`); any run of the
/// tool before the broad copy is taken as that step.
pub fn build_tools(instruction: &Instruction) -> impl Iterator<Item = Ecosystem> + '_ {
    instruction.commands().filter_map(|c| {
        let asks_version = c
            .program_args()
            .iter()
            .any(|w| matches!(w.text.as_str(), "--version" | "-v" | "-version"));
        match c.program()? {
            "mvn" | "mvnw" if !asks_version => Some(Ecosystem::Maven),
            "gradle" | "gradlew" if !asks_version => Some(Ecosystem::Gradle),
            _ => None,
        }
    })
}

/// Whether a RUN mounts something with a bind mount (the default mount type): an install
/// that reads its manifests through one does not depend on earlier COPY layers.
pub fn has_bind_mount(instruction: &Instruction) -> bool {
    instruction
        .flags
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("mount"))
        .filter_map(|f| f.value.as_deref())
        .any(|value| {
            let kind = value
                .split(',')
                .find_map(|kv| kv.strip_prefix("type="))
                .unwrap_or("bind");
            kind == "bind"
        })
}

fn first_operand(args: &[Word]) -> Option<&str> {
    args.iter()
        .map(|w| w.text.as_str())
        .find(|t| !t.starts_with('-'))
}

/// Whether words after the subcommand name packages (`pnpm install lodash`). A word right
/// after an option without `=` is taken as that option's value.
fn names_packages(args: &[Word]) -> bool {
    let Some(sub) = args.iter().position(|w| !w.text.starts_with('-')) else {
        return false;
    };
    let mut after_option = false;
    for word in &args[sub + 1..] {
        let t = word.text.as_str();
        if t.starts_with('-') {
            after_option = !t.contains('=');
        } else if after_option {
            after_option = false;
        } else {
            return true;
        }
    }
    false
}

fn classify(command: &Command) -> Option<(Ecosystem, Vec<String>)> {
    let program = command.program()?;
    let args = command.program_args();
    let sub = first_operand(args);
    let none = Vec::new;
    match program {
        "npm" => {
            let p = PackageCommand::from_command(command)?;
            (p.manager == Manager::Npm
                && (p.subcommand_is(&["ci", "clean-install"])
                    || (p.subcommand_is(&["install", "i"]) && p.operands.is_empty())))
            .then(|| (Ecosystem::Npm, none()))
        }
        "yarn" => (sub.is_none() || sub == Some("install")).then(|| (Ecosystem::Yarn, none())),
        "pnpm" => (matches!(sub, Some("install" | "i" | "fetch")) && !names_packages(args))
            .then(|| (Ecosystem::Pnpm, none())),
        "bun" => {
            (sub == Some("install") && !names_packages(args)).then(|| (Ecosystem::Bun, none()))
        }
        "poetry" => (sub == Some("install")).then(|| (Ecosystem::Poetry, none())),
        "pipenv" => (matches!(sub, Some("install" | "sync")) && !names_packages(args))
            .then(|| (Ecosystem::Pipenv, none())),
        "uv" => match sub {
            Some("sync") => Some((Ecosystem::Uv, none())),
            Some("pip") => {
                let rest = &args[args.iter().position(|w| w.text == "pip")? + 1..];
                match first_operand(rest) {
                    Some("install") => {
                        let files = requirement_files(rest);
                        (!files.is_empty()).then_some((Ecosystem::Pip, files))
                    }
                    Some("sync") => {
                        let files: Vec<String> = rest
                            .iter()
                            .filter(|w| !w.text.starts_with('-') && w.text != "sync")
                            .map(|w| w.text.clone())
                            .collect();
                        (!files.is_empty()).then_some((Ecosystem::Pip, files))
                    }
                    _ => None,
                }
            }
            _ => None,
        },
        "go" => {
            let words: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
            words
                .windows(2)
                .any(|w| w == ["mod", "download"])
                .then(|| (Ecosystem::Go, none()))
        }
        "cargo" => matches!(sub, Some("fetch" | "build" | "vendor" | "b" | "chef"))
            .then(|| (Ecosystem::Cargo, none())),
        "bundle" | "bundler" => {
            matches!(sub, Some("install")).then(|| (Ecosystem::Bundler, none()))
        }
        "composer" | "composer.phar" => {
            matches!(sub, Some("install")).then(|| (Ecosystem::Composer, none()))
        }
        "mvn" | "mvnw" => args
            .iter()
            .any(|w| {
                matches!(
                    w.text.as_str(),
                    "dependency:go-offline"
                        | "dependency:resolve"
                        | "dependency:resolve-plugins"
                        | "package"
                        | "install"
                        | "verify"
                        | "compile"
                )
            })
            .then(|| (Ecosystem::Maven, none())),
        "gradle" | "gradlew" => args
            .iter()
            .any(|w| {
                matches!(
                    w.text.as_str(),
                    "build"
                        | "assemble"
                        | "dependencies"
                        | "bootJar"
                        | "jar"
                        | "shadowJar"
                        | "installDist"
                )
            })
            .then(|| (Ecosystem::Gradle, none())),
        _ => {
            let p = PackageCommand::from_command(command)?;
            if p.manager != Manager::Pip || !p.is_install() {
                return None;
            }
            let files = requirement_files(command.program_args());
            (!files.is_empty()).then_some((Ecosystem::Pip, files))
        }
    }
}

/// The files given with `-r`/`--requirement` (`-rfile`, `--requirement=file` too).
fn requirement_files(args: &[Word]) -> Vec<String> {
    let mut files = Vec::new();
    let mut iter = args.iter();
    while let Some(word) = iter.next() {
        let t = word.text.as_str();
        if t == "-r" || t == "--requirement" {
            if let Some(next) = iter.next() {
                files.push(next.text.clone());
            }
        } else if let Some(file) = t
            .strip_prefix("--requirement=")
            .or_else(|| t.strip_prefix("-r").filter(|f| !f.is_empty()))
        {
            files.push(file.to_string());
        }
    }
    files
}

/// The context directory a broad COPY/ADD takes whole (`""` for the root): `.`, `./`,
/// `*`, or an application source directory (`src/`, `app`, `lib`, …). `None` for any other
/// source.
pub fn broad_source(file: &Dockerfile, copy: &CopyArgs<'_>, source: &Word) -> Option<String> {
    /// Directories that hold an application's sources rather than its manifests.
    const SOURCE_DIRS: &[&str] = &[
        "src", "app", "lib", "source", "sources", "cmd", "pkg", "internal",
    ];
    let expanded = file.expand(copy.instruction.index, &source.text);
    if !expanded.unresolved.is_empty() {
        return None;
    }
    let text = expanded.text.trim_end_matches('*');
    if text.len() != expanded.text.len() && !matches!(text, "" | "./" | "/") {
        return None;
    }
    let dir = normalize_context_path(text)?;
    (dir.is_empty() || SOURCE_DIRS.contains(&dir.as_str())).then_some(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_analyzer::Dockerfile;

    fn found(run: &str) -> Vec<(Ecosystem, Vec<String>)> {
        let file = Dockerfile::parse(&format!("FROM a\nRUN {run}\n"));
        installs(&file.instructions[1])
            .into_iter()
            .map(|i| (i.ecosystem, i.named))
            .collect()
    }

    #[test]
    fn recognises_installs() {
        assert_eq!(found("npm ci").len(), 1);
        assert_eq!(found("npm install --production").len(), 1);
        assert!(found("npm install -g pm2").is_empty());
        assert!(found("npm run build").is_empty());
        assert_eq!(found("yarn --frozen-lockfile")[0].0, Ecosystem::Yarn);
        assert!(found("yarn build").is_empty());
        assert_eq!(
            found("pip install --no-cache-dir -r requirements/prod.txt")[0].1,
            vec!["requirements/prod.txt"]
        );
        assert!(found("pip install .").is_empty());
        assert_eq!(found("uv pip install -r req.txt")[0].1, vec!["req.txt"]);
        assert_eq!(found("uv sync --frozen")[0].0, Ecosystem::Uv);
        assert_eq!(found("go mod download")[0].0, Ecosystem::Go);
        assert!(found("go build ./...").is_empty());
        assert_eq!(found("./mvnw -B package")[0].0, Ecosystem::Maven);
        assert_eq!(found("./gradlew build -x test")[0].0, Ecosystem::Gradle);
        assert!(found("gradle --version").is_empty());
        assert_eq!(
            found("pnpm install --frozen-lockfile --filter web")[0].0,
            Ecosystem::Pnpm
        );
        assert!(found("pnpm install lodash").is_empty());
        assert_eq!(
            found("pipenv install --system --deploy")[0].0,
            Ecosystem::Pipenv
        );
    }
}
