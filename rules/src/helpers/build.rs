//! What a stage's build steps make, as far as their commands say: the files `go build -o`,
//! `cp`, `install` and `mv` name, the directories `make install` and `go install` fill, and
//! where builds run. Shared by the multi-stage rules (PL501 splits a build, PL502 looks at
//! what a runtime stage copies from one).

use crate::helpers::path::normalize;
use plimsoll_analyzer::shell::Command;
use plimsoll_analyzer::{Instruction, Keyword};

/// Directories a shell finds programs in without a PATH of the image's own (the default
/// `PATH` of Docker and BuildKit).
pub const STANDARD_PATH: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

/// A package manager of an interpreted language installing the application's
/// dependencies into its directory (`npm ci`, `yarn install`).
pub fn installs_dependencies(command: &Command) -> bool {
    let sub = command.subcommand().map(|w| w.text.as_str());
    match command.program() {
        Some("npm") => matches!(sub, Some("ci" | "install" | "i")),
        Some("yarn") => matches!(sub, None | Some("install")),
        Some("pnpm") => matches!(sub, Some("install" | "i")),
        _ => false,
    }
}

/// A command that builds the application.
pub fn builds(command: &Command) -> bool {
    let sub = command.subcommand().map(|w| w.text.as_str());
    match command.program() {
        Some("go" | "cargo") => sub == Some("build"),
        Some("make") => true,
        Some("mvn" | "mvnw") => matches!(sub, Some("package" | "install" | "verify")),
        Some("gradle" | "gradlew") => matches!(sub, Some("build" | "assemble" | "installDist")),
        Some("npm" | "yarn" | "pnpm") => {
            let args = command.program_args();
            args.iter().any(|w| w.text == "build")
        }
        _ => false,
    }
}

/// What the build RUNs produce, as far as their commands say.
#[derive(Debug, Default)]
pub struct Outputs {
    /// Files named by `go build -o`, `cp`, `install`, `mv`.
    pub files: Vec<Output>,
    /// Directories a program is installed into whose names the Dockerfile does not say
    /// (`make install` → `PREFIX/bin`, `go install` → `GOPATH/bin`).
    pub install_dirs: Vec<String>,
    /// Directories builds run in (`cd DIR && make`, `make -C DIR`, WORKDIR): what they
    /// make stays there.
    pub build_dirs: Vec<String>,
    /// An install step put files where the Dockerfile does not say (`make install`).
    pub unnamed_installs: bool,
    /// Directories `npm ci` and the like installed an application's dependencies into.
    pub dependency_dirs: Vec<String>,
}

#[derive(Debug)]
pub struct Output {
    pub path: String,
    /// Made by `go build` (static when cgo is off).
    pub go: bool,
}

pub fn join(dir: &str, path: &str) -> String {
    if path.starts_with('/') {
        return normalize(path);
    }
    normalize(&format!("{}/{path}", dir.trim_end_matches('/')))
}

pub fn basename(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

/// Walks the RUNs before the split, following `cd`.
pub fn outputs(instructions: &[&Instruction], go_env: &dyn Fn(&str) -> Option<String>) -> Outputs {
    let mut out = Outputs::default();
    let mut workdir = "/".to_string();
    for instruction in instructions {
        match instruction.keyword {
            Keyword::Workdir => {
                if let Some(dir) = instruction.words.first() {
                    workdir = join(&workdir, &dir.text);
                }
                continue;
            }
            Keyword::Run => {}
            _ => continue,
        }
        // `None`: the directory is unknown (`cd "$X"`, `cd -`).
        let mut cwd = Some(workdir.clone());
        for command in instruction.commands() {
            let Some(program) = command.program() else {
                continue;
            };
            let args = command.program_args();
            let plain: Vec<&str> = args
                .iter()
                .map(|w| w.text.as_str())
                .filter(|t| !t.contains('$'))
                .collect();
            match program {
                "cd" => {
                    cwd = match args.first().map(|w| w.text.as_str()) {
                        None => Some("/root".to_string()),
                        Some(dir) if dir.contains('$') || dir == "-" => None,
                        Some(dir) => cwd.as_deref().map(|c| join(c, dir)),
                    };
                }
                "make" | "gmake" => {
                    let dir = args
                        .iter()
                        .position(|w| w.text == "-C")
                        .and_then(|i| args.get(i + 1))
                        .map(|w| w.text.clone());
                    let dir = match (dir, &cwd) {
                        (Some(d), Some(c)) if !d.contains('$') => Some(join(c, &d)),
                        (None, Some(c)) => Some(c.clone()),
                        _ => None,
                    };
                    out.build_dirs.extend(dir);
                    if plain.iter().any(|t| t.starts_with("install")) {
                        out.unnamed_installs = true;
                        let var = |name: &str| {
                            plain
                                .iter()
                                .find_map(|t| t.strip_prefix(name)?.strip_prefix('='))
                        };
                        if var("DESTDIR").is_none() {
                            let prefix = var("PREFIX").or(var("prefix")).unwrap_or("/usr/local");
                            out.install_dirs.push(join(prefix, "bin"));
                        }
                    }
                }
                "ninja" | "cmake" | "meson" if plain.contains(&"install") => {
                    out.unnamed_installs = true;
                    out.install_dirs.push("/usr/local/bin".into());
                }
                "go" if command.subcommand().is_some_and(|s| s.text == "install") => {
                    out.unnamed_installs = true;
                    let dir = go_env("GOBIN").or_else(|| {
                        Some(format!(
                            "{}/bin",
                            go_env("GOPATH").unwrap_or_else(|| "/root/go".into())
                        ))
                    });
                    out.install_dirs.extend(dir);
                }
                "go" | "cargo" if builds(command) => {
                    out.build_dirs.extend(cwd.clone());
                    if program == "go" {
                        let output = args
                            .iter()
                            .position(|w| w.text == "-o")
                            .and_then(|i| args.get(i + 1))
                            .map(|w| w.text.clone())
                            .or_else(|| {
                                args.iter()
                                    .find_map(|w| w.text.strip_prefix("-o=").map(str::to_string))
                            });
                        if let (Some(output), Some(c)) = (output, &cwd)
                            && !output.contains('$')
                            && !output.ends_with('/')
                        {
                            out.files.push(Output {
                                path: join(c, &output),
                                go: true,
                            });
                        }
                    }
                }
                "cp" | "install" | "mv" => {
                    let mut operands = Vec::new();
                    let mut skip = false;
                    for word in args {
                        let t = word.text.as_str();
                        if skip {
                            skip = false;
                        } else if program == "install" && matches!(t, "-m" | "-o" | "-g") {
                            skip = true;
                        } else if !t.starts_with('-') {
                            operands.push(t);
                        }
                    }
                    let (Some(dest), Some(c)) = (operands.pop(), &cwd) else {
                        continue;
                    };
                    if dest.contains('$') {
                        continue;
                    }
                    let dest_path = join(c, dest);
                    for source in operands.iter().filter(|s| !s.contains(['$', '*'])) {
                        out.files.push(Output {
                            path: join(&dest_path, basename(source)),
                            go: false,
                        });
                    }
                    if operands.len() == 1 && !dest.ends_with('/') {
                        out.files.push(Output {
                            path: dest_path,
                            go: false,
                        });
                    }
                }
                _ if builds(command) => out.build_dirs.extend(cwd.clone()),
                _ if installs_dependencies(command) => out.dependency_dirs.extend(cwd.clone()),
                _ => {}
            }
        }
    }
    out
}
