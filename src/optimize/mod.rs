//! `plimsoll optimize`: rewrite a Dockerfile with the rewriter's fixes, build the original
//! and the rewrite with the engine, verify the rewrite against the original, report the
//! bytes saved, and with `--apply` write it. The only place the rewriter and the engine
//! meet.
//!
//! A *transformation* is one rule's fixes (PL210's layer merges, PL202's list removal…).
//! All of them are tried together first; when the result does not build or does not
//! verify, they are added one at a time on top of the ones that passed, and each one that
//! breaks the build or the verification is dropped with the reason.

mod candidate;
mod images;
mod linkage;
mod report;
mod verify;

use crate::Exit;
use crate::args::NetworkMode;
use crate::commands::build::{network, open_store, resolver};
use crate::lint::Linter;
use anyhow::{Context as _, Result, bail};
use candidate::{Enabled, Level, rewrite};
use clap::{Args, ValueEnum};
use images::{Built, Engine};
use plimsoll_analyzer::ParseOptions;
use plimsoll_engine::analyze::filesystem;
use plimsoll_engine::build::BuildError;
use plimsoll_engine::sandbox::Sandbox;
use plimsoll_rules::Settings;
use report::{Outcome, Transformation};
use std::path::{Path, PathBuf};
use std::time::Duration;
use verify::{Check, Expectations, Smoke, SmokeRunner};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Tables for a terminal.
    Table,
    /// One JSON object (schema in the README).
    Json,
    /// Markdown, for a pull-request comment.
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EngineChoice {
    /// Plimsoll's own engine.
    Builtin,
    /// buildah (bases must be oci: or docker-archive:); the images are verified with
    /// Plimsoll's runtime.
    Buildah,
    /// podman, like buildah.
    Podman,
    /// docker buildx (BuildKit) through the Docker daemon, images read back with
    /// `docker save` (untested: no Docker daemon where Plimsoll is developed).
    Docker,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Levels: safe = the fixes `check --fix` applies; standard = also layer \
merges and package-cache clean-up; aggressive = every fix that is not display-only \
(--no-install-recommends, manifest-first COPY, USER, multi-stage split, a runtime stage \
on scratch with only what the program loads).\n\n\
Verification, with the original as the reference: the image configuration (ENTRYPOINT, CMD, \
environment, WORKDIR, EXPOSE, VOLUME, STOPSIGNAL, USER unless one was added); every file of \
the original's final file system, outside package caches, apt lists, logs and /tmp, must be \
in the candidate unchanged; and both images are run in a network namespace with only a \
loopback: a command that exits within --timeout must exit the same way with the same \
output; a server must still run, accept on every EXPOSEd TCP port the original accepts on, \
and pass its HEALTHCHECK.\n\n\
Exit status: 0 verified (and written with --apply) or nothing to change, 1 the original does \
not build or run as expected, 2 usage or environment errors, 130 interrupted.\n\n\
Examples:\n  plimsoll optimize --base debian:12-slim=oci:/images/debian:12 .\n  \
plimsoll optimize --level aggressive --attribute --format markdown .\n  \
plimsoll optimize --apply --smoke 'app --version' ."
)]
pub struct OptimizeArgs {
    /// The build context.
    #[arg(value_name = "CONTEXT", default_value = ".")]
    pub context: PathBuf,

    /// The Dockerfile (default: CONTEXT/Dockerfile).
    #[arg(long, short = 'f', value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// Write the verified rewrite over the Dockerfile (atomically). Without it, the diff is
    /// printed.
    #[arg(long)]
    pub apply: bool,

    /// With --apply, keep the original as Dockerfile.orig next to it.
    #[arg(long, requires = "apply")]
    pub backup: bool,

    /// Which transformations to try.
    #[arg(long, value_enum, default_value_t = Level::Standard)]
    pub level: Level,

    /// Arguments replacing CMD for the smoke run (split like a shell would, without
    /// expansions).
    #[arg(long, value_name = "CMD")]
    pub smoke: Option<String>,

    /// Seconds a smoke run may take before the image counts as a server.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub timeout: u64,

    /// Accept files missing from the rewrite's image at these paths (glob, repeatable).
    #[arg(long, value_name = "GLOB")]
    pub allow_missing: Vec<String>,

    /// Build the intermediate rewrites to measure what each transformation saves.
    #[arg(long)]
    pub attribute: bool,

    /// Map a FROM image name to a local image: NAME=REF (repeatable), as for build.
    #[arg(long = "base", value_name = "NAME=REF")]
    pub bases: Vec<String>,

    /// How to reach registries for bases found neither by --base nor in the store.
    #[command(flatten)]
    pub registry: crate::args::RegistryArgs,

    /// `NAME=value` for an ARG (repeatable).
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_args: Vec<String>,

    /// Network of RUN steps during the builds.
    #[arg(long, value_enum, default_value_t = NetworkMode::Host)]
    pub network: NetworkMode,

    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,

    /// The engine that builds both versions.
    #[arg(long, value_enum, default_value_t = EngineChoice::Builtin)]
    pub engine: EngineChoice,

    /// Show every build step on standard error.
    #[arg(long, short)]
    pub verbose: bool,

    /// The store directory (default: $PLIMSOLL_ROOT, $XDG_DATA_HOME/plimsoll or
    /// ~/.local/share/plimsoll).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// Splits `--smoke` into words: quotes group, backslash escapes, nothing is expanded.
fn split_words(text: &str) -> Result<Vec<String>> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') | (None, '\\') => {
                let next = chars.next().context("--smoke ends with a backslash")?;
                word.get_or_insert_with(String::new).push(next);
            }
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    if quote.is_some() {
        bail!("--smoke has an unclosed quote");
    }
    words.extend(word);
    Ok(words)
}

/// The message for a build error: disk full is said plainly.
fn build_error(error: &BuildError) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.raw_os_error() == Some(28)
        {
            return format!("the disk is full (no space left on device): {error}");
        }
        source = e.source();
    }
    error.to_string()
}

fn interrupted() -> ! {
    eprintln!("error: interrupted; the Dockerfile was not changed");
    std::process::exit(crate::commands::build::INTERRUPTED);
}

/// How much a transformation may grow the image and still be kept: a manifest-first COPY
/// (PL500) adds a small layer for a better build cache.
const GROWTH_TOLERANCE: u64 = 16 * 1024;

/// What one version of the Dockerfile gave.
enum Tried {
    Passed(Box<Built>, Vec<Check>),
    Failed(String),
    /// The same text as the last one that passed: nothing to build.
    Unchanged,
}

/// The external builder `--engine` names, when it can be used here.
fn external_tool(choice: EngineChoice) -> Result<Option<images::Tool>> {
    let tool = match choice {
        EngineChoice::Builtin => return Ok(None),
        EngineChoice::Buildah => images::Tool::Buildah,
        EngineChoice::Podman => images::Tool::Podman,
        EngineChoice::Docker => images::Tool::Docker,
    };
    let program = tool.program();
    if which(program).is_none() {
        bail!("--engine {program}: {program} is not installed");
    }
    if tool == images::Tool::Docker {
        // Without a daemon every build would fail the same way: say it once, first.
        let out = std::process::Command::new(program)
            .args(["version", "--format", "{{.Server.Version}}"])
            .output()
            .context("cannot run docker")?;
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr);
            bail!(
                "--engine docker: the Docker daemon does not answer: {}",
                why.lines()
                    .map(str::trim)
                    .rfind(|l| !l.is_empty())
                    .unwrap_or("no reason given")
            );
        }
    }
    Ok(Some(tool))
}

pub fn run(args: OptimizeArgs) -> Result<Exit> {
    let tool = external_tool(args.engine)?;
    if !args.context.is_dir() {
        bail!(
            "{}: the build context is not a directory",
            args.context.display()
        );
    }
    let dockerfile = args
        .file
        .clone()
        .unwrap_or_else(|| args.context.join("Dockerfile"));
    let original = std::fs::read_to_string(&dockerfile)
        .with_context(|| format!("cannot read {}", dockerfile.display()))?;
    let mut build_args = Vec::new();
    for arg in &args.build_args {
        match arg.split_once('=') {
            Some((k, v)) => build_args.push((k.to_string(), v.to_string())),
            None => bail!("--build-arg {arg}: expected NAME=VALUE"),
        }
    }
    let smoke_command = match &args.smoke {
        Some(text) => split_words(text)?,
        None => Vec::new(),
    };
    let allow_missing = verify::globs(&args.allow_missing)?;

    let linter = Linter::new(
        ParseOptions {
            build_args: build_args.iter().cloned().collect(),
        },
        Some(Some(args.context.clone())),
    );
    let settings = Settings::default();
    let lint = |text: &str| linter.diagnostics(text, Some(&dockerfile), &settings);
    let full = rewrite(&original, args.level, &Enabled::All, &lint);
    // Progress goes to standard error whatever the format: standard output is the report.
    let say = |text: String| eprintln!("{text}");
    // At `aggressive`, what the built original shows (the program's file and libraries)
    // can make more fixes possible, so the original is built even when the text alone
    // offers nothing.
    if full.codes.is_empty() && args.level != Level::Aggressive {
        say(format!(
            "{}: nothing to optimize at level {:?}",
            dockerfile.display(),
            args.level
        ));
        return Ok(Exit::Clean);
    }

    let store = open_store(args.root.as_deref())?;
    plimsoll_engine::interrupt::install().context("cannot install the Ctrl-C handler")?;
    let syscall = plimsoll_engine::syscall::host();
    if syscall.euid() != 0 {
        bail!("optimize builds and runs images: it needs root (namespaces, overlayfs)");
    }
    let runner = Sandbox::new(syscall.as_ref());
    let resolver = resolver(&args.bases, false, &args.registry)?;
    let backend = match tool {
        None => images::Backend::Builtin,
        Some(tool) => {
            let program = tool.program();
            images::Backend::Tool {
                tool,
                work: store.temp_dir(&format!("optimize-{program}-"))?,
                bases: args.bases.clone(),
                imported: std::cell::Cell::new(false),
            }
        }
    };
    let engine = Engine {
        backend,
        store: &store,
        syscall: syscall.as_ref(),
        runner: &runner,
        context: args.context.clone(),
        dockerfile: dockerfile.clone(),
        resolver: resolver.clone(),
        build_args,
        network: network(args.network),
        verbose: args.verbose,
    };
    let smoke_runner = SmokeRunner {
        store: &store,
        syscall: syscall.as_ref(),
        runner: &runner,
        resolver,
        timeout: Duration::from_secs(args.timeout),
        command: smoke_command,
    };

    say(format!("building the original {}…", dockerfile.display()));
    let before = match engine.build(&original, "plimsoll-optimize:original") {
        Ok(built) => built,
        Err(BuildError::Interrupted) => interrupted(),
        Err(_) if plimsoll_engine::interrupt::requested() => interrupted(),
        Err(e) => {
            eprintln!(
                "error: the original Dockerfile does not build, so there is nothing to \
                 compare with: {}",
                build_error(&e)
            );
            return Ok(Exit::Findings);
        }
    };
    say(format!(
        "  built in {:.1} s ({} of {} steps cached)",
        before.seconds, before.cached, before.steps
    ));
    let reference = Reference::of(&store, syscall.as_ref(), &before, &smoke_runner)?;
    if plimsoll_engine::interrupt::requested() {
        interrupted();
    }
    if let Smoke::Running {
        healthy: Some(false),
        ..
    } = &reference.smoke
    {
        eprintln!("error: the original image fails its own HEALTHCHECK: nothing to compare with");
        return Ok(Exit::Findings);
    }
    // The built original names what the build made: the program its CMD/ENTRYPOINT starts
    // by name, found through the image's PATH, tells PL501 which file to carry into a
    // runtime stage (the smoke run still has the last word).
    let mut informed = Settings::default();
    if let Some((name, path)) = verify::started_program(&reference.config, &reference.tree) {
        informed.options.resolved_programs.insert(name, path);
    }
    // And what that program loads at start, which PL502 copies into a runtime stage
    // without a distribution.
    if let (Some(program), Some(files)) = (&reference.program, &reference.libraries) {
        informed
            .options
            .shared_libraries
            .insert(program.clone(), files.clone());
    }
    let lint = |text: &str| linter.diagnostics(text, Some(&dockerfile), &informed);
    let full = rewrite(&original, args.level, &Enabled::All, &lint);
    if full.codes.is_empty() {
        say(format!(
            "{}: nothing to optimize at level {:?}, even with what the built image shows",
            dockerfile.display(),
            args.level
        ));
        return Ok(Exit::Clean);
    }

    let try_candidate =
        |codes: &[&'static str], label: &str, previous: &str| -> Result<(String, Tried)> {
            let enabled = Enabled::Only(codes.iter().copied().collect());
            let candidate = rewrite(&original, args.level, &enabled, &lint);
            if candidate.text == previous {
                return Ok((candidate.text, Tried::Unchanged));
            }
            say(format!("building {label}…"));
            let built = match engine.build(&candidate.text, "plimsoll-optimize:candidate") {
                Ok(built) => built,
                Err(BuildError::Interrupted) => interrupted(),
                Err(_) if plimsoll_engine::interrupt::requested() => interrupted(),
                Err(e) => {
                    return Ok((
                        candidate.text,
                        Tried::Failed(format!("the build fails: {}", build_error(&e))),
                    ));
                }
            };
            say(format!(
                "  built in {:.1} s ({} of {} steps cached); verifying",
                built.seconds, built.cached, built.steps
            ));
            let expect = Expectations {
                user_may_change: candidate.codes.contains(&"PL600"),
                // The runtime stage of a split installs only the runtime packages again.
                packages_may_go: candidate.codes.contains(&"PL204")
                    || candidate.codes.contains(&"PL501"),
                split: candidate.codes.contains(&"PL501"),
                base_replaced: candidate.codes.contains(&"PL502"),
                program: reference.program.clone(),
            };
            let checks = reference.verify(
                &store,
                syscall.as_ref(),
                &built,
                &expect,
                &allow_missing,
                &smoke_runner,
            )?;
            if plimsoll_engine::interrupt::requested() {
                interrupted();
            }
            Ok(if checks.iter().all(|c| c.passed) {
                (candidate.text, Tried::Passed(Box::new(built), checks))
            } else {
                let failed: Vec<String> = checks
                    .iter()
                    .filter(|c| !c.passed)
                    .map(|c| format!("{}: {}", c.name, c.details.join("; ")))
                    .collect();
                (candidate.text, Tried::Failed(failed.join(" | ")))
            })
        };

    let mut transformations: Vec<Transformation> = full
        .codes
        .iter()
        .map(|code| Transformation::new(code, &full.fixes))
        .collect();
    let (mut text, tried) = try_candidate(&full.codes, "the rewrite", &original)?;
    let mut accepted: Vec<&'static str> = Vec::new();
    let mut last = match tried {
        Tried::Passed(built, checks)
            if built.compressed_bytes() <= before.compressed_bytes() + GROWTH_TOLERANCE =>
        {
            accepted = full.codes.clone();
            Some((built, checks))
        }
        first => {
            let why = match first {
                Tried::Failed(reason) => reason,
                Tried::Passed(built, _) => format!(
                    "the image grows by {}",
                    report::bytes(
                        built.compressed_bytes() as i64 - before.compressed_bytes() as i64
                    )
                ),
                Tried::Unchanged => "nothing changes".into(),
            };
            say(format!(
                "  the rewrite with every transformation does not pass ({why}); trying them one at a time"
            ));
            text = original.clone();
            // A transformation is kept only when the image does not grow: `apt` →
            // `apt-get`, for one, keeps the downloaded .debs that `apt` deletes.
            let mut size = before.compressed_bytes();
            let mut last = None;
            for t in transformations.iter_mut() {
                let mut codes = accepted.clone();
                codes.push(t.code);
                let (candidate_text, tried) =
                    try_candidate(&codes, &format!("with {} ({})", t.code, t.name), &text)?;
                let reason = match tried {
                    Tried::Passed(built, checks)
                        if built.compressed_bytes() <= size + GROWTH_TOLERANCE =>
                    {
                        size = built.compressed_bytes();
                        accepted = codes;
                        text = candidate_text;
                        last = Some((built, checks));
                        continue;
                    }
                    Tried::Passed(built, _) => format!(
                        "it makes the image larger by {}",
                        report::bytes(built.compressed_bytes() as i64 - size as i64)
                    ),
                    Tried::Failed(reason) => reason,
                    Tried::Unchanged => {
                        "no change of its own once the others were dropped".to_string()
                    }
                };
                say(format!("  dropped {}: {reason}", t.code));
                t.dropped = Some(reason);
            }
            last
        }
    };
    for t in &mut transformations {
        if !accepted.contains(&t.code) && t.dropped.is_none() {
            t.dropped = Some("no change of its own once the others were dropped".into());
        }
    }

    if args.attribute && accepted.len() > 1 {
        let mut previous = before.compressed_bytes();
        for i in 0..accepted.len() {
            let prefix = &accepted[..=i];
            let enabled = Enabled::Only(prefix.iter().copied().collect());
            let step = rewrite(&original, args.level, &enabled, &lint);
            say(format!("measuring {}…", accepted[i]));
            let size = match engine.build(&step.text, "plimsoll-optimize:step") {
                Ok(built) => built.compressed_bytes(),
                Err(BuildError::Interrupted) => interrupted(),
                Err(_) if plimsoll_engine::interrupt::requested() => interrupted(),
                Err(e) => {
                    say(format!(
                        "  cannot measure {}: {}",
                        accepted[i],
                        build_error(&e)
                    ));
                    continue;
                }
            };
            if let Some(t) = transformations.iter_mut().find(|t| t.code == accepted[i]) {
                t.saved_bytes = Some(previous as i64 - size as i64);
            }
            previous = size;
        }
    } else if let ([only], Some((built, _))) = (accepted.as_slice(), &last)
        && let Some(t) = transformations.iter_mut().find(|t| t.code == *only)
    {
        t.saved_bytes = Some(before.compressed_bytes() as i64 - built.compressed_bytes() as i64);
    }

    let verified = last.is_some();
    let (after, checks) = match last.take() {
        Some((built, checks)) => (Some(*built), checks),
        None => (None, Vec::new()),
    };
    let shown = dockerfile.display().to_string();
    let diff = crate::printer::diff::unified(&original, &text, shown.trim_start_matches('/'));
    let mut applied = false;
    if args.apply && verified && text != original {
        if args.backup {
            let backup = backup_path(&dockerfile);
            std::fs::write(&backup, &original)
                .with_context(|| format!("cannot write {}", backup.display()))?;
        }
        crate::write::write_atomically(&dockerfile, &text)?;
        applied = true;
    }
    let outcome = Outcome {
        dockerfile: dockerfile.display().to_string(),
        level: args.level,
        before: &before,
        after: after.as_ref(),
        transformations: &transformations,
        checks: &checks,
        diff: &diff,
        applied,
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        ReportFormat::Table => report::table(&mut out, &outcome, !args.apply)?,
        ReportFormat::Json => report::json(&mut out, &outcome)?,
        ReportFormat::Markdown => report::markdown(&mut out, &outcome)?,
    }
    Ok(Exit::Clean)
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

fn backup_path(dockerfile: &Path) -> PathBuf {
    let mut name = dockerfile.file_name().unwrap_or_default().to_os_string();
    name.push(".orig");
    dockerfile.with_file_name(name)
}

/// What the original image showed, computed once.
struct Reference {
    tree: plimsoll_engine::analyze::Tree,
    packages: verify::Packages,
    smoke: Smoke,
    config: plimsoll_engine::image::ImageConfig,
    /// The file the image starts, absolute.
    program: Option<String>,
    /// What that program loads at start (`linkage::shared_libraries`), when it is an ELF
    /// program whose libraries were all found.
    libraries: Option<Vec<plimsoll_rules::LinkedFile>>,
}

impl Reference {
    fn of(
        store: &plimsoll_engine::store::Store,
        syscall: &dyn plimsoll_engine::syscall::Syscall,
        built: &Built,
        smoke: &SmokeRunner<'_>,
    ) -> Result<Reference> {
        let tree = filesystem(store, &built.image)?;
        let view = verify::image_view(store, syscall, &built.image)?;
        let program = verify::started_file(&built.image.config, &tree);
        let libraries = match &program {
            Some(program) => linkage::shared_libraries(&view, program)
                .with_context(|| format!("cannot read {program} in the original image"))?,
            None => None,
        };
        Ok(Reference {
            program,
            libraries,
            packages: verify::packages(&view)?,
            smoke: smoke.run(built).context("cannot run the original image")?,
            config: built.image.config.clone(),
            tree,
        })
    }

    fn verify(
        &self,
        store: &plimsoll_engine::store::Store,
        syscall: &dyn plimsoll_engine::syscall::Syscall,
        built: &Built,
        expect: &Expectations,
        allow_missing: &globset::GlobSet,
        smoke: &SmokeRunner<'_>,
    ) -> Result<Vec<Check>> {
        let mut checks = vec![verify::config(&self.config, &built.image.config, expect)];
        let tree = filesystem(store, &built.image)?;
        let packages = if expect.packages_may_go {
            Some(verify::packages(&verify::image_view(
                store,
                syscall,
                &built.image,
            )?)?)
        } else {
            None
        };
        checks.push(verify::filesystem(
            &self.tree,
            &tree,
            expect,
            allow_missing,
            packages.as_ref().map(|p| (&self.packages, p)),
        )?);
        let run = smoke.run(built).context("cannot run the rewritten image")?;
        checks.push(verify::smoke(&self.smoke, &run));
        Ok(checks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_smoke_commands_like_a_shell() {
        assert_eq!(
            split_words(r#"sh -c 'echo "hi there"' a\ b "" x"#).unwrap(),
            ["sh", "-c", "echo \"hi there\"", "a b", "", "x"]
        );
        assert!(split_words("sh -c 'oops").is_err());
    }
}
