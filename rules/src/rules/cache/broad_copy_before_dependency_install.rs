use super::dependency_installs::{
    Ecosystem, Install, broad_source, build_tools, has_bind_mount, installs,
};
use crate::helpers::copy::CopyArgs;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::{Keyword, Word};

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` (or `ADD`) of the whole build context — `COPY . .`, `COPY ./ /app`,
    /// `COPY * ./`, `ADD . .`, or an application source directory (`src`, `app`, `lib`,
    /// `source`, `sources`, `cmd`, `pkg`, `internal`, as in `COPY src/ .`) — that comes
    /// before a dependency install reading only the ecosystem's manifests: `npm ci`,
    /// `npm install`, `yarn`, `pnpm install`, `bun install`, `pip install -r …`,
    /// `uv sync`, `uv pip install -r …`, `poetry install`, `pipenv install`,
    /// `go mod download`, `cargo fetch`/`build`, `bundle install`, `composer install`,
    /// Maven goals (`mvn package`, `mvn dependency:go-offline`, …) and Gradle tasks
    /// (`gradle build`, `gradle dependencies`, …).
    ///
    /// The message names the manifests to copy first; with a build context, it names
    /// those that exist in it. The rule stays quiet when the stage already ran an install
    /// of the same ecosystem before the broad copy (the usual "manifests first" layout,
    /// where a second install after the copy is cheap), and when the install reads its
    /// files through `RUN --mount=type=bind`.
    ///
    /// Severity: warning. The image is correct, but every build after any source change
    /// reinstalls all dependencies — often minutes of download and compilation on every
    /// CI run — and the fix is a reordering.
    ///
    /// ## Why is this bad?
    /// The builder reuses a cached layer only while every layer before it is unchanged.
    /// `COPY . .` changes whenever any file in the context changes, so the install after it
    /// runs again on every edit, even when no dependency changed. Copying the manifests
    /// alone first lets the install layer stay cached until the manifests change.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR /app
    /// COPY . .
    /// RUN npm ci
    /// RUN npm run build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR /app
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// COPY . .
    /// RUN npm run build
    /// ```
    ///
    /// ## References
    /// - [Optimize cache usage in builds](https://docs.docker.com/build/cache/optimize/)
    pub struct BroadCopyBeforeDependencyInstall {
        code: "PL500",
        name: "broad-copy-before-dependency-install",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A COPY of the whole context comes before the dependency install",
    }
}

/// A broad COPY found in a stage.
struct BroadCopy<'a> {
    source: &'a Word,
    keyword: &'static str,
    /// The arguments as written (`. .`), for the help.
    args: String,
    /// The destination as written.
    dest: String,
    /// The context directory it copies (`""` for the root).
    dir: String,
}

impl Rule for BroadCopyBeforeDependencyInstall {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for stage in &file.stages {
            let mut first_broad: Option<BroadCopy<'_>> = None;
            // Ecosystems installed before the first broad copy, and those already reported.
            let mut settled: Vec<Ecosystem> = Vec::new();
            for instruction in file.stage_instructions(stage) {
                match instruction.keyword {
                    Keyword::Copy | Keyword::Add if first_broad.is_none() => {
                        let Some(copy) = CopyArgs::of(instruction) else {
                            continue;
                        };
                        first_broad = copy.context_sources().find_map(|source| {
                            broad_source(file, &copy, source).map(|dir| BroadCopy {
                                source,
                                keyword: instruction.keyword.as_str(),
                                args: instruction.args.text.trim().to_string(),
                                dest: copy.dest.text.clone(),
                                dir,
                            })
                        });
                    }
                    Keyword::Run => {
                        if first_broad.is_none() {
                            settled.extend(build_tools(instruction));
                        }
                        let bind = has_bind_mount(instruction);
                        for install in installs(instruction) {
                            if settled.contains(&install.ecosystem) {
                                continue;
                            }
                            settled.push(install.ecosystem);
                            if bind {
                                continue;
                            }
                            if let Some(broad) = &first_broad {
                                out.push(report(ctx, broad, &install));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

fn report(ctx: &Context<'_>, broad: &BroadCopy<'_>, install: &Install<'_>) -> Diagnostic {
    let line = ctx.file.line_col(install.command.span.start).line;
    let (manifests, in_context) = manifests(ctx, broad, install);
    let found = if in_context {
        " (the manifests this build context has)"
    } else {
        ""
    };
    let step = match install.ecosystem.dependency_step(install.program()) {
        Some(step) => step,
        None => format!("`{}`", install.shown()),
    };
    let copy = format!("{} {}", broad.keyword, broad.args);
    Diagnostic::new(
        &BroadCopyBeforeDependencyInstall::META,
        broad.source.span,
        format!(
            "`{} {}` comes before `{}` on line {line}: any change in the copied files invalidates \
             the cached install, so every build reinstalls all dependencies",
            broad.keyword,
            broad.source.text,
            install.shown()
        ),
    )
    .with_help(format!(
        "copy only the manifests first with `COPY {}`{found}, run {step}, then `{copy}`",
        manifest_copy(broad, &manifests, !install.named.is_empty())
    ))
}

/// `SOURCES DEST` of the COPY that brings the manifests in where the broad copy would.
fn manifest_copy(broad: &BroadCopy<'_>, manifests: &[String], named: bool) -> String {
    let dest = if broad.dest == "." {
        "./".to_string()
    } else if broad.dest.ends_with('/') {
        broad.dest.clone()
    } else {
        format!("{}/", broad.dest)
    };
    let prefix = if broad.dir.is_empty() {
        String::new()
    } else {
        format!("{}/", broad.dir)
    };
    // Files named on the command line are read from their directory under the destination.
    let parent = |m: &String| m.rsplit_once('/').map(|(p, _)| p.to_string());
    let dest = match manifests.first().and_then(parent) {
        Some(dir)
            if named
                && !dir.starts_with('/')
                && manifests.iter().all(|m| parent(m) == Some(dir.clone())) =>
        {
            format!("{dest}{dir}/")
        }
        _ => dest,
    };
    let sources: Vec<String> = manifests
        .iter()
        .map(|m| format!("{prefix}{}", m.trim_start_matches('/')))
        .collect();
    format!("{} {dest}", sources.join(" "))
}

/// The manifests to copy first, and whether they were checked against the build context.
fn manifests(
    ctx: &Context<'_>,
    broad: &BroadCopy<'_>,
    install: &Install<'_>,
) -> (Vec<String>, bool) {
    if !install.named.is_empty() {
        return (install.named.clone(), false);
    }
    let fallback = || {
        install
            .ecosystem
            .manifests()
            .iter()
            .map(|m| m.to_string())
            .collect()
    };
    let Some(context) = ctx.build_context else {
        return (fallback(), false);
    };
    let prefix = if broad.dir.is_empty() {
        String::new()
    } else {
        format!("{}/", broad.dir)
    };
    let files: Vec<&str> = context.included().collect();
    let present: Vec<String> = install
        .ecosystem
        .inputs()
        .iter()
        .filter(|name| {
            let path = format!("{prefix}{name}");
            files.iter().any(|f| {
                *f == path
                    || f.strip_prefix(path.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
        })
        .map(|name| name.to_string())
        .collect();
    if present.is_empty() {
        (fallback(), false)
    } else {
        (present, true)
    }
}
