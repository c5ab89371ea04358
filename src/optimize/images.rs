//! Building the original and the candidate: with the built-in engine in one store, so the
//! two builds share the base image and every cached step, or with buildah, podman or
//! docker, whose images are exported into that store.

use plimsoll_engine::analyze::{Analysis, analyze};
use plimsoll_engine::build::{BuildError, BuildOptions, Builder, Event, Progress};
use plimsoll_engine::image::Image;
use plimsoll_engine::sandbox::{Network, Sandbox};
use plimsoll_engine::source::Resolver;
use plimsoll_engine::store::Store;
use plimsoll_engine::syscall::Syscall;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// An image built from one version of the Dockerfile.
pub struct Built {
    pub image: Image,
    /// Its name in the store (for running it).
    pub tag: String,
    pub seconds: f64,
    pub steps: usize,
    pub cached: usize,
    pub analysis: Analysis,
}

impl Built {
    pub fn compressed_bytes(&self) -> u64 {
        self.image.layers.iter().map(|l| l.size).sum()
    }

    pub fn uncompressed_bytes(&self) -> u64 {
        self.analysis
            .layers
            .iter()
            .map(|l| l.uncompressed_size)
            .sum()
    }
}

/// Who builds: Plimsoll's engine, or the user's own (whose images are then exported and
/// verified with Plimsoll's runtime, like the built-in engine's).
pub enum Backend {
    Builtin,
    Tool {
        tool: Tool,
        /// Dockerfiles and exported images.
        work: tempfile::TempDir,
        /// `--base NAME=REF`, imported into the tool's storage and tagged NAME once.
        bases: Vec<String>,
        imported: std::cell::Cell<bool>,
    },
}

/// An image builder installed on the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// `buildah bud --isolation chroot --layers`, exported with `buildah push oci:…`.
    Buildah,
    /// `podman build --isolation chroot --layers`, exported with `podman push oci:…`.
    Podman,
    /// `docker buildx build --load` (BuildKit), exported with `docker save`.
    Docker,
}

impl Tool {
    pub fn program(self) -> &'static str {
        match self {
            Tool::Buildah => "buildah",
            Tool::Podman => "podman",
            Tool::Docker => "docker",
        }
    }

    /// Runs the tool; its standard output, or the end of its standard error as the error.
    fn run(self, args: &[&str]) -> Result<String, BuildError> {
        let mut command = std::process::Command::new(self.program());
        command.args(args).stdin(std::process::Stdio::null());
        if self != Tool::Docker {
            // No OCI runtime needed: RUN steps in a chroot, like the tests here.
            command.env("BUILDAH_ISOLATION", "chroot");
        }
        let out = command
            .output()
            .map_err(|e| BuildError::Invalid(format!("cannot run {}: {e}", self.program())))?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(BuildError::Invalid(format!(
                "{} {} failed ({}):\n{}",
                self.program(),
                args.first().copied().unwrap_or(""),
                out.status,
                tail.join("\n")
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Makes `reference` (`oci:DIR[:TAG]` or `docker-archive:FILE`) available to the
    /// tool's builds as `name`.
    fn import_base(self, name: &str, reference: &str, work: &Path) -> Result<(), BuildError> {
        let id = match self {
            Tool::Buildah | Tool::Podman => {
                let out = self.run(&["pull", "--quiet", reference])?;
                out.lines().last().unwrap_or("").trim().to_string()
            }
            Tool::Docker => {
                // `docker load` reads archives: an OCI layout is packed into one first
                // (Docker 25 and later load OCI archives).
                let archive = match reference.strip_prefix("docker-archive:") {
                    Some(file) => PathBuf::from(file),
                    None => {
                        let dir = reference.trim_start_matches("oci:");
                        let dir = dir.rsplit_once(':').map_or(dir, |(d, _)| d);
                        let archive =
                            work.join(format!("base-{}.tar", name.replace([':', '/'], "-")));
                        pack(Path::new(dir), &archive)?;
                        archive
                    }
                };
                let out = self.run(&["load", "--quiet", "--input", &archive.to_string_lossy()])?;
                // "Loaded image: NAME:TAG" or "Loaded image ID: sha256:…".
                out.lines()
                    .rev()
                    .find_map(|l| l.rsplit_once(": ").map(|(_, id)| id.trim().to_string()))
                    .ok_or_else(|| {
                        BuildError::Invalid(format!("docker load named no image for {reference}"))
                    })?
            }
        };
        self.run(&["tag", &id, name])?;
        Ok(())
    }

    /// Builds `file` in `context` as `image`.
    fn build(
        self,
        file: &str,
        image: &str,
        context: &str,
        build_args: &[(String, String)],
        network: Network,
    ) -> Result<(), BuildError> {
        let network = match network {
            Network::None => "none",
            _ => "host",
        };
        let mut args: Vec<String> = match self {
            Tool::Buildah => vec!["bud".into(), "--isolation".into(), "chroot".into()],
            Tool::Podman => vec!["build".into(), "--isolation".into(), "chroot".into()],
            Tool::Docker => vec!["buildx".into(), "build".into(), "--load".into()],
        };
        if self != Tool::Docker {
            args.push("--layers".into());
        }
        args.extend(
            ["--quiet", "--network", network, "-f", file, "-t", image]
                .iter()
                .map(|s| s.to_string()),
        );
        for (k, v) in build_args {
            args.push("--build-arg".into());
            args.push(format!("{k}={v}"));
        }
        args.push(context.to_string());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&refs).map(drop)
    }

    /// Writes `image` where Plimsoll's store can read it; the location to resolve.
    fn export(self, image: &str, work: &Path, name: &str) -> Result<String, BuildError> {
        match self {
            Tool::Buildah | Tool::Podman => {
                let layout = work.join(name);
                let _ = std::fs::remove_dir_all(&layout);
                let location = format!("oci:{}:{name}", layout.display());
                self.run(&["push", "--quiet", image, &location])?;
                Ok(location)
            }
            Tool::Docker => {
                let archive = work.join(format!("{name}.tar"));
                self.run(&["save", "--output", &archive.to_string_lossy(), image])?;
                Ok(format!("docker-archive:{}", archive.display()))
            }
        }
    }
}

/// Packs the directory `dir` into the tar archive `archive`.
fn pack(dir: &Path, archive: &Path) -> Result<(), BuildError> {
    let io = |source| BuildError::Io {
        path: archive.to_path_buf(),
        source,
    };
    let file = std::fs::File::create(archive).map_err(io)?;
    let mut builder = tar::Builder::new(file);
    builder.append_dir_all(".", dir).map_err(io)?;
    builder.into_inner().map_err(io)?;
    Ok(())
}

pub struct Engine<'a> {
    pub backend: Backend,
    pub store: &'a Store,
    pub syscall: &'a dyn Syscall,
    pub runner: &'a Sandbox<'a>,
    pub context: PathBuf,
    pub dockerfile: PathBuf,
    pub resolver: Resolver,
    pub build_args: Vec<(String, String)>,
    pub network: Network,
    /// Print a line per step on standard error.
    pub verbose: bool,
}

/// One line per finished step, and the output of a step that fails.
struct Steps {
    verbose: bool,
}

impl Progress for Steps {
    fn event(&mut self, event: Event<'_>) {
        let mut err = std::io::stderr().lock();
        match event {
            Event::Step {
                number,
                total,
                text,
                ..
            } if self.verbose => {
                let _ = writeln!(err, "  [{number}/{total}] {text}");
            }
            Event::Output { line, .. } if self.verbose => {
                let _ = writeln!(err, "  | {}", String::from_utf8_lossy(line).trim_end());
            }
            Event::Warning(text) => {
                let _ = writeln!(err, "  warning: {text}");
            }
            _ => {}
        }
    }
}

impl Engine<'_> {
    /// Builds `text` (a version of the Dockerfile) and tags it `tag`.
    pub fn build(&self, text: &str, tag: &str) -> Result<Built, BuildError> {
        match &self.backend {
            Backend::Builtin => self.build_builtin(text, tag),
            Backend::Tool {
                tool,
                work,
                bases,
                imported,
            } => {
                if !imported.get() {
                    for base in bases {
                        let (name, reference) = base.split_once('=').ok_or_else(|| {
                            BuildError::Invalid(format!("--base {base}: expected NAME=REF"))
                        })?;
                        if !(reference.starts_with("oci:")
                            || reference.starts_with("docker-archive:"))
                        {
                            return Err(BuildError::Invalid(format!(
                                "--base {base}: {} takes oci:DIR[:TAG] or \
                                 docker-archive:FILE bases",
                                tool.program()
                            )));
                        }
                        tool.import_base(name, reference, work.path())?;
                    }
                    imported.set(true);
                }
                self.build_with(*tool, work.path(), text, tag)
            }
        }
    }

    fn build_with(
        &self,
        tool: Tool,
        work: &Path,
        text: &str,
        tag: &str,
    ) -> Result<Built, BuildError> {
        let name = tag.replace([':', '/'], "-");
        let file = work.join(format!("{name}.Dockerfile"));
        std::fs::write(&file, text).map_err(|source| BuildError::Io {
            path: file.clone(),
            source,
        })?;
        let image = format!("localhost/{tag}");
        let started = Instant::now();
        tool.build(
            &file.to_string_lossy(),
            &image,
            &self.context.to_string_lossy(),
            &self.build_args,
            self.network,
        )?;
        let seconds = started.elapsed().as_secs_f64();
        let location = tool.export(&image, work, &name)?;
        let image = self
            .resolver
            .resolve_location(&location, self.store)?
            .load(self.store, self.syscall)?;
        let analysis = analyze(self.store, &image).map_err(|e| {
            BuildError::Invalid(format!("cannot analyze the image built from it: {e}"))
        })?;
        Ok(Built {
            image,
            tag: location,
            seconds,
            steps: 0,
            cached: 0,
            analysis,
        })
    }

    fn build_builtin(&self, text: &str, tag: &str) -> Result<Built, BuildError> {
        let mut options = BuildOptions::builder(&self.context)
            .dockerfile(&self.dockerfile)
            .dockerfile_text(text)
            .resolver(self.resolver.clone())
            .network(self.network)
            .tag(tag);
        for (name, value) in &self.build_args {
            options = options.build_arg(name.as_str(), value.as_str());
        }
        let options = options.build()?;
        let builder = Builder {
            store: self.store,
            syscall: self.syscall,
            runner: self.runner,
        };
        let started = Instant::now();
        let outcome = builder.build(
            &options,
            &mut Steps {
                verbose: self.verbose,
            },
        )?;
        let seconds = started.elapsed().as_secs_f64();
        let analysis = analyze(self.store, &outcome.image).map_err(|e| {
            BuildError::Invalid(format!("cannot analyze the image built from it: {e}"))
        })?;
        Ok(Built {
            image: outcome.image,
            tag: tag.to_string(),
            seconds,
            steps: outcome.steps,
            cached: outcome.cached,
            analysis,
        })
    }
}
