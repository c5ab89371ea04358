use crate::helpers::build::{Outputs, STANDARD_PATH, builds, installs_dependencies, join, outputs};
use crate::helpers::edits::{keyword_as, line_break};
use crate::helpers::path::normalize;
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::shell::Command;
use plimsoll_analyzer::{Base, Dockerfile, Instruction, Keyword, Span};

declare_rule! {
    /// ## What it does
    /// Reports a Dockerfile with a single stage that brings in a build toolchain — a
    /// compiler package (`build-essential`, `gcc`, `g++`, `make`, `golang`, `cargo`,
    /// `rustc`, `maven`, `gradle`, `nodejs`/`npm`) installed by apt, apk, dnf, yum or
    /// microdnf in a RUN that does not remove packages again (installing build
    /// dependencies and purging them in the same RUN ships none), or a toolchain base
    /// image (`golang`, `rust`, `maven`, `gradle`, `node`) — and then builds with it (`go build`, `cargo build`, `make`, `mvn package`,
    /// `gradle build`, `npm run build`, `yarn build`, or with a C compiler or `make`
    /// installed, `npm ci`/`yarn install`, which compile native modules): the toolchain
    /// ships in the image although the container only runs what it built.
    ///
    /// ## Why is this bad?
    /// Compilers, headers, package caches and the sources make the image several times
    /// larger than the program it runs, slow every pull, and give an attacker who gets in
    /// a full build environment. A builder stage keeps them out of the final image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23
    /// WORKDIR /src
    /// COPY . .
    /// RUN CGO_ENABLED=0 go build -o /usr/local/bin/app ./cmd/app
    /// ENTRYPOINT ["/usr/local/bin/app"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS builder
    /// WORKDIR /src
    /// COPY . .
    /// RUN CGO_ENABLED=0 go build -o /usr/local/bin/app ./cmd/app
    ///
    /// FROM scratch
    /// COPY --from=builder /usr/local/bin/app /usr/local/bin/app
    /// ENTRYPOINT ["/usr/local/bin/app"]
    /// ```
    ///
    /// ## Fix safety
    /// The fix is a proposal, and unsafe: it is never applied by `--fix`, only by
    /// `--unsafe-fixes` (and by `optimize`), and its message says so. (The issue asked for
    /// display-only in `check` and applied with `--unsafe-fixes`; Plimsoll's applicability
    /// has no such level, since `--unsafe-fixes` never applies display-only fixes, so the
    /// proposal is an unsafe fix.) It names the FROM `builder` (or keeps its `AS` name) and
    /// starts a runtime stage after the last RUN, which copies only the program the
    /// CMD/ENTRYPOINT starts and repeats the configuration before it (ENV, ARG, LABEL,
    /// EXPOSE…, so the image's configuration stays the same) and the WORKDIR. The program
    /// is found as a path, or by name where the build installs it: `go build -o`, `cp` or
    /// `install` into a directory of `PATH`, `make install` (`PREFIX/bin`, `/usr/local/bin`
    /// by default), `go install`; `cd DIR && …` in a RUN is followed, and a path inside a
    /// directory a build ran in (`cd DIR && make`, `make -C DIR`) counts as built there.
    /// `plimsoll optimize` also tells the rule where the built image's `PATH` finds the
    /// program (a Makefile's own prefix). The runtime base:
    /// - `go build` with `CGO_ENABLED=0` and an exec-form command → `FROM scratch`; without
    ///   it on a `golang` image → `gcr.io/distroless/base-debian12` (the binary needs glibc);
    /// - `npm run build` on a `node:TAG` base, started with `node dist/…` → `node:TAG-slim`
    ///   (TAG itself when already slim or alpine) with `package.json`, `node_modules` and
    ///   `dist/`;
    /// - otherwise the file's own base (same distribution, same libc), where the runtime
    ///   stage installs again, after the same upgrade, every package the install RUNs named
    ///   except the build-only ones (compilers, `make`, `build-essential`, Go, `*-dev`,
    ///   `git`, `curl`, `wget`, …); a package whose program the CMD, ENTRYPOINT or
    ///   HEALTHCHECK runs (`npm start`, `curl` in a HEALTHCHECK) stays;
    /// - for an interpreted application (`node`, `npm`, `yarn`… started, dependencies
    ///   installed in the WORKDIR), the same base with its runtime packages again and the
    ///   whole WORKDIR, `node_modules` included.
    ///
    /// A runtime stage on the file's own base that only runs a self-contained program is
    /// PL502's next step: `scratch`, with the program's libraries when it needs any.
    ///
    /// There is no fix when the program cannot be traced to the build (an interpreter from
    /// a package, a name nothing installs, a `cd` into a variable), when it is started
    /// through `sh -c`, when a USER or SHELL comes before the split, when anything but
    /// runtime configuration follows the last RUN, or when the only base left is a
    /// toolchain image. The runtime image lacks what the builder had — files the program
    /// reads from the sources, CA certificates on scratch, a shell, users — so review and
    /// build the result (`optimize` does, and runs it).
    ///
    /// ## References
    /// - [Multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    /// - [Distroless images](https://github.com/GoogleContainerTools/distroless)
    pub struct SingleStageBuildToolchain {
        code: "PL501",
        name: "single-stage-build-toolchain",
        alias: None,
        severity: Severity::Info,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "A single-stage build ships its build toolchain in the image",
    }
}

const TOOLCHAIN_PACKAGES: &[&str] = &[
    "build-essential",
    "build-base",
    "gcc",
    "g++",
    "make",
    "golang",
    "golang-go",
    "go",
    "cargo",
    "rustc",
    "maven",
    "gradle",
    "nodejs",
    "npm",
];

const TOOLCHAIN_IMAGES: &[&str] = &["golang", "rust", "maven", "gradle", "node"];

/// Instructions that may follow the build and belong to the runtime stage.
const RUNTIME_CONFIG: &[Keyword] = &[
    Keyword::Cmd,
    Keyword::Entrypoint,
    Keyword::Expose,
    Keyword::Label,
    Keyword::Healthcheck,
    Keyword::Stopsignal,
    Keyword::Volume,
];

impl Rule for SingleStageBuildToolchain {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let [stage] = file.stages.as_slice() else {
            return;
        };
        let Base::Image(image) = &stage.base else {
            return;
        };
        let instructions = file.stage_instructions(stage);
        let repository = image.repository.rsplit('/').next().unwrap_or_default();
        let toolchain = if TOOLCHAIN_IMAGES.contains(&repository) {
            Some(repository.to_string())
        } else {
            instructions
                .iter()
                .filter(|i| !i.commands().any(removes_packages))
                .flat_map(Instruction::commands)
                .find_map(installed_toolchain)
        };
        let Some(toolchain) = toolchain else {
            return;
        };
        // With a C toolchain installed, `npm ci` or `pip install` compiles native modules:
        // a build too.
        let native = instructions
            .iter()
            .filter(|i| !i.commands().any(removes_packages))
            .flat_map(Instruction::commands)
            .any(installs_native_toolchain);
        let Some(build) = instructions.iter().rev().find(|i| {
            i.keyword == Keyword::Run
                && i.commands()
                    .any(|c| builds(c) || (native && installs_dependencies(c)))
        }) else {
            return;
        };
        let Some(from) = file.instructions.get(stage.from) else {
            return;
        };
        let mut diagnostic = Diagnostic::new(
            &Self::META,
            Span::new(from.keyword_span.start, from.span.end),
            format!(
                "this single-stage build ships its toolchain (`{toolchain}`) in the image, \
                 though the container only runs what line {} builds",
                file.line_col(build.span.start).line
            ),
        )
        .with_help(
            "build in a builder stage and copy only the artifacts into a slim runtime stage",
        );
        if let Some(fix) = split(file, stage, from, build, &ctx.options.resolved_programs) {
            diagnostic = diagnostic.with_fix(fix);
        }
        out.push(diagnostic);
    }
}

fn installed_toolchain(command: &Command) -> Option<String> {
    let program = command.program()?;
    if !matches!(
        program,
        "apt-get" | "apt" | "apk" | "dnf" | "yum" | "microdnf"
    ) {
        return None;
    }
    let sub = command.subcommand()?;
    if !matches!(sub.text.as_str(), "install" | "add") {
        return None;
    }
    command
        .program_args()
        .iter()
        .filter(|w| !w.text.starts_with('-'))
        .map(|w| {
            w.text
                .split(['=', '>', '<', '~'])
                .next()
                .unwrap_or_default()
        })
        .find(|name| TOOLCHAIN_PACKAGES.contains(name))
        .map(str::to_string)
}

/// An install of a C compiler or `make`.
fn installs_native_toolchain(command: &Command) -> bool {
    matches!(
        command.program(),
        Some("apt-get" | "apt" | "apk" | "dnf" | "yum" | "microdnf")
    ) && command
        .subcommand()
        .is_some_and(|s| matches!(s.text.as_str(), "install" | "add"))
        && command.operands_after_subcommand().any(|w| {
            matches!(
                w.text.as_str(),
                "build-essential" | "build-base" | "gcc" | "g++" | "make" | "clang"
            )
        })
}

/// `apk del`, `apt-get purge`/`remove`/`autoremove`, `dnf remove`…: a RUN that installs
/// build dependencies and removes them again (the official images' habit) ships none.
fn removes_packages(command: &Command) -> bool {
    matches!(
        command.program(),
        Some("apt-get" | "apt" | "apk" | "dnf" | "yum" | "microdnf")
    ) && command.subcommand().is_some_and(|s| {
        matches!(
            s.text.as_str(),
            "del" | "purge" | "remove" | "autoremove" | "erase"
        )
    })
}

/// Packages only a build needs: they stay in the builder stage. Everything else an install
/// named (an interpreter, CA certificates, an editor) is installed again in a runtime
/// stage on the file's own base.
fn build_only_package(name: &str, used_at_run_time: &[&str]) -> bool {
    const BUILD_ONLY: &[&str] = &[
        "git",
        "curl",
        "wget",
        "pkg-config",
        "pkgconf",
        "cmake",
        "ninja-build",
        "autoconf",
        "automake",
        "libtool",
        "clang",
        "llvm",
        "musl-tools",
        "musl-dev",
    ];
    // `npm start` needs npm, a HEALTHCHECK with curl needs curl, `node app.js` needs nodejs.
    fn program_of(package: &str) -> &str {
        match package {
            "nodejs" => "node",
            "golang" | "golang-go" => "go",
            other => other,
        }
    }
    if used_at_run_time.contains(&program_of(name)) {
        return false;
    }
    // npm and yarn run on node.
    if name == "nodejs"
        && used_at_run_time
            .iter()
            .any(|p| matches!(*p, "npm" | "npx" | "yarn" | "pnpm"))
    {
        return false;
    }
    TOOLCHAIN_PACKAGES.contains(&name)
        || BUILD_ONLY.contains(&name)
        || name.ends_with("-dev")
        || name.ends_with("-devel")
}

/// Programs that run an application's code from its directory.
const INTERPRETERS: &[&str] = &["node", "npm", "npx", "yarn", "pnpm"];

/// Directories a package manager owns: a program found there was installed, not built.
const DISTRIBUTION_DIRS: &[&str] = &["/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/lib"];

/// The file the image starts, when the build made it: `(path, made by go build)`.
fn started_artifact(
    program: &str,
    workdir: Option<&str>,
    outputs: &Outputs,
    resolved: &std::collections::BTreeMap<String, String>,
) -> Option<(String, bool)> {
    let under = |path: &str, dir: &str| {
        dir == "/" || path.starts_with(&format!("{}/", dir.trim_end_matches('/')))
    };
    let built = |path: &str| -> Option<(String, bool)> {
        if let Some(file) = outputs.files.iter().find(|f| f.path == path) {
            return Some((file.path.clone(), file.go));
        }
        let made = outputs
            .install_dirs
            .iter()
            .any(|d| path.rsplit_once('/').is_some_and(|(dir, _)| dir == d))
            || outputs
                .build_dirs
                .iter()
                .any(|d| d != "/" && under(path, d));
        made.then(|| (path.to_string(), false))
    };
    if program.contains('/') {
        let path = if program.starts_with('/') {
            normalize(program)
        } else {
            join(workdir?, program)
        };
        return built(&path);
    }
    // What the built image's PATH resolves the name to (when the caller built it).
    if let Some(path) = resolved.get(program) {
        if let Some(found) = built(path) {
            return Some(found);
        }
        // An install step put it somewhere the Dockerfile does not say (a Makefile's own
        // prefix): a program outside the distribution's directories was built.
        if outputs.unnamed_installs && !DISTRIBUTION_DIRS.iter().any(|d| path.starts_with(d)) {
            return Some((path.clone(), false));
        }
        return None;
    }
    if let Some(file) = STANDARD_PATH.iter().find_map(|dir| {
        outputs
            .files
            .iter()
            .find(|f| f.path == format!("{dir}/{program}"))
    }) {
        return Some((file.path.clone(), file.go));
    }
    outputs
        .install_dirs
        .iter()
        .find(|d| STANDARD_PATH.contains(&d.as_str()))
        .map(|d| (format!("{d}/{program}"), false))
}

/// The program a CMD/ENTRYPOINT starts: exec form, or a shell form of one plain command.
fn started_program(start: &Instruction) -> Option<&str> {
    let mut commands = start.commands();
    let command = commands.next()?;
    if !start.is_exec_form() && commands.next().is_some() {
        return None;
    }
    let program = command.program_word()?.text.as_str();
    if program.contains('$') || matches!(program, "sh" | "bash" | "ash" | "dash" | "env") {
        return None;
    }
    Some(program)
}

/// Programs the runtime configuration runs (their packages stay in the runtime stage).
fn runtime_programs<'a>(instructions: &[&'a Instruction]) -> Vec<&'a str> {
    instructions
        .iter()
        .filter(|i| {
            matches!(
                i.keyword,
                Keyword::Cmd | Keyword::Entrypoint | Keyword::Healthcheck
            )
        })
        .flat_map(|i| i.commands())
        .filter_map(|c| c.program())
        .map(|p| p.rsplit('/').next().unwrap_or(p))
        .collect()
}

/// The packages the runtime stage installs again: the install RUN(s) without the build-only
/// packages. `Some("")` when nothing needs installing; `None` when a package manager the
/// proposal cannot repeat was used.
fn runtime_install(instructions: &[&Instruction], used: &[&str]) -> Option<String> {
    let mut manager: Option<&str> = None;
    let mut packages: Vec<String> = Vec::new();
    let mut upgrade = false;
    let mut no_recommends = false;
    for command in instructions
        .iter()
        .filter(|i| i.keyword == Keyword::Run)
        .flat_map(|i| i.commands())
    {
        let Some(program) = command.program() else {
            continue;
        };
        let family = match program {
            "apt-get" | "apt" => "apt",
            "apk" | "dnf" | "yum" | "microdnf" => program,
            "zypper" | "pacman" | "emerge" => return None,
            _ => continue,
        };
        if manager.is_some_and(|m| m != family) {
            return None;
        }
        let Some(sub) = command.subcommand() else {
            continue;
        };
        match sub.text.as_str() {
            "upgrade" | "dist-upgrade" | "full-upgrade" => {
                manager = Some(family);
                upgrade = true;
            }
            "install" | "add" => {
                manager = Some(family);
                no_recommends |= command
                    .program_args()
                    .iter()
                    .any(|w| w.text == "--no-install-recommends");
                for name in command.operands_after_subcommand() {
                    let bare = name
                        .text
                        .split(['=', '>', '<', '~'])
                        .next()
                        .unwrap_or_default();
                    if name.text.contains('$') || name.text.starts_with('.') {
                        return None;
                    }
                    if !build_only_package(bare, used) && !packages.contains(&name.text) {
                        packages.push(name.text.clone());
                    }
                }
            }
            _ => {}
        }
    }
    if packages.is_empty() && !upgrade {
        return Some(String::new());
    }
    let list = packages.join(" ");
    Some(match manager? {
        "apt" => {
            let mut steps = vec!["apt-get update".to_string()];
            if upgrade {
                steps.push("apt-get upgrade -y".into());
            }
            if !packages.is_empty() {
                let flag = if no_recommends {
                    " --no-install-recommends"
                } else {
                    ""
                };
                steps.push(format!("apt-get install -y{flag} {list}"));
            }
            // The downloaded .debs and apt's package caches would ship otherwise.
            steps.push("apt-get clean && rm -rf /var/lib/apt/lists/*".into());
            steps.join(" && ")
        }
        "apk" => {
            let mut steps = Vec::new();
            if upgrade {
                steps.push("apk upgrade --no-cache".to_string());
            }
            if !packages.is_empty() {
                steps.push(format!("apk add --no-cache {list}"));
            }
            steps.join(" && ")
        }
        other => {
            let mut steps = Vec::new();
            if upgrade {
                steps.push(format!("{other} upgrade -y"));
            }
            if !packages.is_empty() {
                steps.push(format!("{other} install -y {list}"));
            }
            steps.push(format!("{other} clean all"));
            steps.join(" && ")
        }
    })
}

/// The npm build on a `node` image: `node:TAG-slim` with the manifest, modules and `dist/`.
fn node_artifacts(from: &Instruction, workdir: Option<&str>) -> Option<(Vec<String>, String)> {
    let dir = workdir?;
    let image = from.words.iter().find(|w| !w.text.starts_with("--"))?;
    let image = plimsoll_analyzer::image::ImageRef::parse(&image.text);
    if image.repository.rsplit('/').next() != Some("node") || image.digest.is_some() {
        return None;
    }
    let tag = image.tag.clone().unwrap_or_else(|| "latest".into());
    let runtime_tag = if tag.contains("slim") || tag.contains("alpine") {
        tag
    } else if tag == "latest" {
        "slim".to_string()
    } else {
        format!("{tag}-slim")
    };
    Some((
        ["package.json", "node_modules", "dist"]
            .iter()
            .map(|p| join(dir, p))
            .collect(),
        format!("node:{runtime_tag}"),
    ))
}

/// `node dist/…`: the node build's output.
fn starts_node_dist(start: &Instruction, workdir: Option<&str>) -> bool {
    start.is_exec_form()
        && start.words.first().is_some_and(|w| w.text == "node")
        && start.words.get(1).is_some_and(|w| {
            let script = w.text.trim_start_matches("./");
            script.starts_with("dist/")
                || workdir.is_some_and(|d| {
                    script.starts_with(&format!("{}/dist/", d.trim_end_matches('/')))
                })
        })
}

/// The builder + runtime split, when the artifacts and the runtime base can be named. The
/// split goes after the last RUN: what follows it must be runtime configuration.
fn split(
    file: &Dockerfile,
    stage: &plimsoll_analyzer::Stage,
    from: &Instruction,
    build: &Instruction,
    resolved: &std::collections::BTreeMap<String, String>,
) -> Option<Fix> {
    let instructions = file.stage_instructions(stage);
    let last_run = instructions
        .iter()
        .rev()
        .find(|i| i.keyword == Keyword::Run)
        .filter(|i| i.index >= build.index)?;
    let before: Vec<&Instruction> = instructions
        .iter()
        .filter(|i| i.index > from.index && i.index <= last_run.index)
        .collect();
    let after: Vec<&Instruction> = instructions
        .iter()
        .filter(|i| i.index > last_run.index)
        .collect();
    let mut workdir: Option<String> = None;
    let mut static_go = false;
    // Configuration the runtime stage repeats, so the final image's config is the same.
    let mut replay: Vec<&Instruction> = Vec::new();
    let mut go_env: std::collections::BTreeMap<String, String> = Default::default();
    for instruction in &before {
        match instruction.keyword {
            Keyword::User | Keyword::Shell | Keyword::Onbuild => return None,
            Keyword::Workdir => {
                let dir = instruction.words.first()?.text.clone();
                if dir.contains('$') {
                    return None;
                }
                workdir = Some(match workdir {
                    Some(w) => join(&w, &dir),
                    None if !dir.starts_with('/') => return None,
                    None => normalize(&dir),
                });
            }
            Keyword::Env => {
                for pair in &instruction.pairs {
                    let value = pair.value.as_ref().map(|v| v.text.clone());
                    if pair.key == "CGO_ENABLED" && value.as_deref() == Some("0") {
                        static_go = true;
                    }
                    if let Some(value) = value.filter(|v| !v.contains('$')) {
                        go_env.insert(pair.key.clone(), value);
                    }
                }
                replay.push(instruction);
            }
            Keyword::Arg
            | Keyword::Label
            | Keyword::Maintainer
            | Keyword::Expose
            | Keyword::Volume
            | Keyword::Stopsignal
            | Keyword::Healthcheck
            | Keyword::Cmd
            | Keyword::Entrypoint => replay.push(instruction),
            _ => {}
        }
    }
    if !after.iter().all(|i| {
        RUNTIME_CONFIG.contains(&i.keyword)
            || matches!(i.keyword, Keyword::Env | Keyword::Arg | Keyword::User)
    }) {
        return None;
    }
    let config: Vec<&Instruction> = replay.iter().chain(after.iter()).copied().collect();
    let start = config
        .iter()
        .rev()
        .find(|i| i.keyword == Keyword::Entrypoint)
        .or_else(|| config.iter().rev().find(|i| i.keyword == Keyword::Cmd))?;
    let image = from.words.iter().find(|w| !w.text.starts_with("--"))?;
    let repository = plimsoll_analyzer::image::ImageRef::parse(&image.text).repository;
    let toolchain_image =
        TOOLCHAIN_IMAGES.contains(&repository.rsplit('/').next().unwrap_or_default());
    let npm_build = build
        .commands()
        .any(|c| matches!(c.program(), Some("npm" | "yarn" | "pnpm")) && builds(c));
    let (paths, runtime, own_base) = if npm_build && starts_node_dist(start, workdir.as_deref()) {
        let (paths, runtime) = node_artifacts(from, workdir.as_deref())?;
        (paths, runtime, false)
    } else {
        let outputs = outputs(&before, &|k| go_env.get(k).cloned());
        let program = started_program(start)?;
        let Some((path, go)) = started_artifact(program, workdir.as_deref(), &outputs, resolved)
        else {
            // An interpreted application: its runtime (from packages, installed again
            // below) runs the WORKDIR, where its dependencies were installed.
            let dir = workdir.clone()?;
            let interpreter = INTERPRETERS.contains(&program.rsplit('/').next().unwrap_or(program));
            if !interpreter
                || !outputs.dependency_dirs.contains(&dir)
                || toolchain_image
                || image.text.contains('$')
            {
                return None;
            }
            return finish(
                file,
                stage,
                from,
                last_run,
                &replay,
                workdir.as_deref(),
                &before,
                &config,
                vec![dir],
                image.text.clone(),
                true,
            );
        };
        let cgo_off = static_go
            || build
                .commands()
                .chain(before.iter().flat_map(|i| i.commands()))
                .filter(|c| c.program() == Some("go"))
                .any(|c| c.assignments.iter().any(|w| w.text == "CGO_ENABLED=0"));
        // Only the file's own base has the shell a shell-form command runs with.
        let shell_form = !start.is_exec_form();
        if go && cgo_off && !shell_form {
            (vec![path], "scratch".to_string(), false)
        } else if go && !shell_form && repository.rsplit('/').next() == Some("golang") {
            (
                vec![path],
                "gcr.io/distroless/base-debian12".to_string(),
                false,
            )
        } else if toolchain_image || image.text.contains('$') {
            // The file's own base would bring the toolchain back.
            return None;
        } else {
            (vec![path], image.text.clone(), true)
        }
    };
    finish(
        file,
        stage,
        from,
        last_run,
        &replay,
        workdir.as_deref(),
        &before,
        &config,
        paths,
        runtime,
        own_base,
    )
}

/// The edits: the builder's name and the runtime stage after the last RUN.
#[allow(clippy::too_many_arguments)]
fn finish(
    file: &Dockerfile,
    stage: &plimsoll_analyzer::Stage,
    from: &Instruction,
    last_run: &Instruction,
    replay: &[&Instruction],
    workdir: Option<&str>,
    before: &[&Instruction],
    config: &[&Instruction],
    paths: Vec<String>,
    runtime: String,
    own_base: bool,
) -> Option<Fix> {
    let install = if own_base {
        runtime_install(before, &runtime_programs(config))?
    } else {
        String::new()
    };
    let newline = line_break(&file.text);
    let name = match &stage.name {
        Some(name) => name.text.clone(),
        None => "builder".to_string(),
    };
    let keyword = |k: &str| keyword_as(from, &file.text, k);
    let mut runtime_stage = format!("{newline}{newline}{} {runtime}", keyword("FROM"));
    for instruction in replay {
        runtime_stage.push_str(newline);
        runtime_stage.push_str(&file.text[instruction.span.start..instruction.span.end]);
    }
    if !install.is_empty() {
        runtime_stage.push_str(&format!("{newline}{} {install}", keyword("RUN")));
    }
    if let Some(dir) = workdir {
        runtime_stage.push_str(&format!("{newline}{} {dir}", keyword("WORKDIR")));
    }
    for path in &paths {
        runtime_stage.push_str(&format!(
            "{newline}{} --from={name} {path} {path}",
            keyword("COPY")
        ));
    }
    let mut edits = vec![Edit::insert(last_run.span.end, runtime_stage)];
    if stage.name.is_none() {
        edits.push(Edit::insert(
            from.span.end,
            format!(" {}", keyword("AS builder")),
        ));
    }
    Some(Fix::proposal(
        format!(
            "Proposal: build in stage `{name}`, run from `{runtime}` with only the artifacts (review before use)"
        ),
        edits,
    ))
}
