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
    /// `gradle build`, `npm run build`, `yarn build`): the toolchain ships in the image
    /// although the container only runs what it built.
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
    /// starts a runtime stage after the last build RUN that copies only the artifacts it
    /// can name, keeping the WORKDIR and the CMD/ENTRYPOINT/EXPOSE/… that followed:
    /// - `go build -o PATH` with `CGO_ENABLED=0` → `FROM scratch` with the binary;
    ///   without it → `gcr.io/distroless/base-debian12` (the binary needs glibc);
    /// - `npm run build` on a `node:TAG` base, started with `node dist/…` → `node:TAG-slim`
    ///   (TAG itself when already slim or alpine) with `package.json`, `node_modules` and
    ///   `dist/`.
    ///
    /// There is no fix when the artifact cannot be named, when the program is not started
    /// in exec form by its path, when a USER or an ENV (other than Go build settings) comes
    /// before the split (the runtime stage would lose it), or when anything but runtime
    /// configuration follows the build. The runtime image lacks what the builder had —
    /// CA certificates, time zones, a shell, users — so review and build the result.
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

/// Settings that only matter to `go build`.
const GO_BUILD_ENV: &[&str] = &[
    "CGO_ENABLED",
    "GOOS",
    "GOARCH",
    "GOFLAGS",
    "GOPROXY",
    "GOPATH",
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
        let Some(build) = instructions
            .iter()
            .rev()
            .find(|i| i.keyword == Keyword::Run && i.commands().any(builds))
        else {
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
        if let Some(fix) = split(file, stage, from, build) {
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

fn builds(command: &Command) -> bool {
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

/// The artifact and the runtime base: `(paths to copy, runtime image)`.
fn artifacts(
    from: &Instruction,
    build: &Instruction,
    workdir: Option<&str>,
    static_go: bool,
) -> Option<(Vec<String>, String)> {
    let resolve = |path: &str| -> Option<String> {
        if path.starts_with('/') {
            Some(path.to_string())
        } else {
            let dir = workdir?;
            let path = path.trim_start_matches("./");
            Some(format!("{}/{path}", dir.trim_end_matches('/')))
        }
    };
    let commands: Vec<&Command> = build.commands().filter(|c| !c.argv.is_empty()).collect();
    if commands.iter().any(|c| c.program() == Some("cd")) {
        return None;
    }
    if let Some(go) = commands
        .iter()
        .find(|c| c.program() == Some("go") && builds(c))
    {
        let args = go.program_args();
        let output = args
            .iter()
            .position(|w| w.text == "-o")
            .and_then(|i| args.get(i + 1))
            .map(|w| w.text.clone())
            .or_else(|| {
                args.iter()
                    .find_map(|w| w.text.strip_prefix("-o=").map(str::to_string))
            })?;
        if output.contains('$') || output.ends_with('/') {
            return None;
        }
        let cgo_off = static_go || go.assignments.iter().any(|w| w.text == "CGO_ENABLED=0");
        let runtime = if cgo_off {
            "scratch"
        } else {
            "gcr.io/distroless/base-debian12"
        };
        return Some((vec![resolve(&output)?], runtime.to_string()));
    }
    let npm_build = commands
        .iter()
        .any(|c| matches!(c.program(), Some("npm" | "yarn" | "pnpm")) && builds(c));
    if npm_build {
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
        return Some((
            vec![
                resolve("package.json")?,
                resolve("node_modules")?,
                resolve("dist")?,
            ],
            format!("node:{runtime_tag}"),
        ));
    }
    None
}

/// Whether the program the image starts is one of the artifacts (exec form, by path), or
/// `node dist/…` for a node build.
fn starts_artifact(start: &Instruction, artifacts: &[String], workdir: Option<&str>) -> bool {
    if !start.is_exec_form() {
        return false;
    }
    let Some(program) = start.words.first() else {
        return false;
    };
    let resolved = match (program.text.starts_with('/'), workdir) {
        (true, _) => program.text.clone(),
        (false, Some(dir)) => format!(
            "{}/{}",
            dir.trim_end_matches('/'),
            program.text.trim_start_matches("./")
        ),
        (false, None) => return false,
    };
    if artifacts.contains(&resolved) {
        return true;
    }
    program.text == "node"
        && start.words.get(1).is_some_and(|w| {
            let script = w.text.trim_start_matches("./");
            script.starts_with("dist/")
                || workdir.is_some_and(|d| {
                    script.starts_with(&format!("{}/dist/", d.trim_end_matches('/')))
                })
        })
}

/// The builder + runtime split, when the artifacts and the runtime base can be named.
fn split(
    file: &Dockerfile,
    stage: &plimsoll_analyzer::Stage,
    from: &Instruction,
    build: &Instruction,
) -> Option<Fix> {
    let instructions = file.stage_instructions(stage);
    let before = instructions.iter().filter(|i| i.index < build.index);
    let after: Vec<&Instruction> = instructions
        .iter()
        .filter(|i| i.index > build.index)
        .collect();
    let mut workdir: Option<String> = None;
    let mut static_go = false;
    for instruction in before {
        match instruction.keyword {
            Keyword::User | Keyword::Shell | Keyword::Onbuild => return None,
            Keyword::Workdir => {
                let dir = instruction.words.first()?.text.clone();
                if dir.contains('$') {
                    return None;
                }
                workdir = Some(match workdir {
                    Some(w) if !dir.starts_with('/') => {
                        format!("{}/{dir}", w.trim_end_matches('/'))
                    }
                    _ if !dir.starts_with('/') => return None,
                    _ => dir,
                });
            }
            Keyword::Env => {
                for pair in &instruction.pairs {
                    if !GO_BUILD_ENV.contains(&pair.key.as_str()) {
                        return None;
                    }
                    if pair.key == "CGO_ENABLED"
                        && pair.value.as_ref().is_some_and(|v| v.text == "0")
                    {
                        static_go = true;
                    }
                }
            }
            _ => {}
        }
    }
    if !after.iter().all(|i| RUNTIME_CONFIG.contains(&i.keyword)) {
        return None;
    }
    let start = after
        .iter()
        .rev()
        .find(|i| i.keyword == Keyword::Entrypoint)
        .or_else(|| after.iter().rev().find(|i| i.keyword == Keyword::Cmd))?;
    let (paths, runtime) = artifacts(from, build, workdir.as_deref(), static_go)?;
    if !starts_artifact(start, &paths, workdir.as_deref()) {
        return None;
    }
    let newline = if file.text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let name = match &stage.name {
        Some(name) => name.text.clone(),
        None => "builder".to_string(),
    };
    let keyword = |k: &str| {
        if from
            .keyword_text(&file.text)
            .starts_with(|c: char| c.is_lowercase())
        {
            k.to_lowercase()
        } else {
            k.to_string()
        }
    };
    let mut runtime_stage = format!("{newline}{newline}{} {runtime}", keyword("FROM"));
    if let Some(dir) = &workdir {
        runtime_stage.push_str(&format!("{newline}{} {dir}", keyword("WORKDIR")));
    }
    for path in &paths {
        runtime_stage.push_str(&format!(
            "{newline}{} --from={name} {path} {path}",
            keyword("COPY")
        ));
    }
    let mut edits = vec![Edit::insert(build.span.end, runtime_stage)];
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
