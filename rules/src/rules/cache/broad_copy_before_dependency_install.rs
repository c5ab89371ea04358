use super::dependency_installs::{
    Ecosystem, Install, broad_source, build_tools, has_bind_mount, installs,
};
use crate::helpers::copy::CopyArgs;
use crate::helpers::edits::{keyword_as, line_break};
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::{Instruction, Keyword, Word};

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
    /// ## Fix safety
    /// The fix is unsafe. It puts `COPY <manifests> <dest>` where the broad copy was and
    /// moves the broad copy to just after the install RUN. It is offered only when the
    /// manifest names are known — named on the command line (`pip install -r …`), found
    /// in the build context, or, without a context, the one file the tool cannot do
    /// without (`go.mod` for `go mod download`, `package.json` for `npm install`,
    /// `composer.json`) — when the broad copy has a single source and a plain
    /// destination, when only ENV, ARG, LABEL or EXPOSE stand between the copy and the
    /// install, and when the install RUN does nothing but install dependencies of that
    /// one ecosystem. It is still unsafe: an install may read more than its manifests
    /// (a `postinstall` script, a local path dependency, a requirements file including
    /// another), and a context that holds `node_modules` or `vendor` would now overwrite
    /// what the install put there (with a build context the fix is withheld then).
    /// Cargo, Maven and Gradle builds compile the sources, so they get no fix; nor do
    /// `poetry install` without `--no-root` and `uv sync` without `--no-install-project`.
    ///
    /// ## References
    /// - [Optimize cache usage in builds](https://docs.docker.com/build/cache/optimize/)
    pub struct BroadCopyBeforeDependencyInstall {
        code: "PL500",
        name: "broad-copy-before-dependency-install",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "A COPY of the whole context comes before the dependency install",
    }
}

/// A broad COPY found in a stage.
struct BroadCopy<'a> {
    instruction: &'a Instruction,
    /// Whether it copies that one source and nothing else.
    single_source: bool,
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
                                instruction,
                                single_source: copy.sources.len() == 1 && copy.heredoc_sources == 0,
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
                                out.push(report(ctx, broad, &install, instruction));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

fn report(
    ctx: &Context<'_>,
    broad: &BroadCopy<'_>,
    install: &Install<'_>,
    run: &Instruction,
) -> Diagnostic {
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
    let fix = reorder(ctx, broad, install, run, &manifests, in_context);
    let diagnostic = Diagnostic::new(
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
    ));
    match fix {
        Some(fix) => diagnostic.with_fix(fix),
        None => diagnostic,
    }
}

/// What the install writes into the destination, which a later broad copy of a context
/// holding the same directory would overwrite.
const INSTALL_OUTPUTS: &[&str] = &["node_modules", "vendor", ".venv"];

/// Copies the manifests where the broad copy was and moves the broad copy after the
/// install RUN, when that is known to keep the build working (see the rule's fix safety).
fn reorder(
    ctx: &Context<'_>,
    broad: &BroadCopy<'_>,
    install: &Install<'_>,
    run: &Instruction,
    manifests: &[String],
    in_context: bool,
) -> Option<Fix> {
    let file = ctx.file;
    let copy = broad.instruction;
    if !broad.single_source
        || !copy.heredocs.is_empty()
        || copy.flag("from").is_some()
        || broad.source.text.contains('$')
        || broad.dest.contains('$')
        || !run.heredocs.is_empty()
    {
        return None;
    }
    // Only instructions the copied files cannot matter to may be stepped over.
    let between = file.instructions.get(copy.index + 1..run.index)?;
    if !between.iter().all(|i| {
        matches!(
            i.keyword,
            Keyword::Env | Keyword::Arg | Keyword::Label | Keyword::Expose
        )
    }) {
        return None;
    }
    // The RUN installs this ecosystem's dependencies and does nothing else.
    let commands = run.commands().filter(|c| !c.argv.is_empty()).count();
    let found = super::dependency_installs::installs(run);
    if found.len() != commands || found.iter().any(|i| i.ecosystem != install.ecosystem) {
        return None;
    }
    let command = install.command;
    let builds_sources = match install.ecosystem {
        Ecosystem::Cargo | Ecosystem::Maven | Ecosystem::Gradle => true,
        Ecosystem::Poetry => !command.has_option(None, &["--no-root"]),
        Ecosystem::Uv => !command.has_option(None, &["--no-install-project"]),
        _ => false,
    };
    if builds_sources {
        return None;
    }
    let known = if !install.named.is_empty() {
        true
    } else if let Some(context) = ctx.build_context {
        let prefix = if broad.dir.is_empty() {
            String::new()
        } else {
            format!("{}/", broad.dir)
        };
        let overwritten = context.included().any(|f| {
            INSTALL_OUTPUTS.iter().any(|out| {
                let out = format!("{prefix}{out}");
                f == out || f.starts_with(&format!("{out}/"))
            })
        });
        let mandatory = install.ecosystem.manifests()[0];
        in_context && !overwritten && manifests.iter().any(|m| m == mandatory)
    } else {
        match install.ecosystem {
            Ecosystem::Go | Ecosystem::Composer => true,
            Ecosystem::Npm => command.subcommand().is_some_and(|s| s.text == "install"),
            _ => false,
        }
    };
    if !known {
        return None;
    }
    let manifests: Vec<String> = if in_context || !install.named.is_empty() {
        manifests.to_vec()
    } else {
        vec![install.ecosystem.manifests()[0].to_string()]
    };
    let keyword = keyword_as(copy, &file.text, "COPY");
    let flags: String = copy
        .flags
        .iter()
        .map(|f| format!("{} ", f.span.text(&file.text)))
        .collect();
    let manifest_copy = format!(
        "{keyword} {flags}{}",
        manifest_copy(broad, &manifests, !install.named.is_empty())
    );
    let newline = line_break(&file.text);
    Some(Fix::unsafe_edit(
        "Copy the manifests first and the rest after the install",
        vec![
            Edit::replace(copy.span, manifest_copy),
            Edit::insert(
                run.span.end,
                format!("{newline}{}", copy.span.text(&file.text)),
            ),
        ],
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
