//! Building the original and the candidate with the built-in engine: one store, so the two
//! builds share the base image and every cached step.

use plimsoll_engine::analyze::{Analysis, analyze};
use plimsoll_engine::build::{BuildError, BuildOptions, Builder, Event, Progress};
use plimsoll_engine::image::Image;
use plimsoll_engine::sandbox::{Network, Sandbox};
use plimsoll_engine::source::Resolver;
use plimsoll_engine::store::Store;
use plimsoll_engine::syscall::Syscall;
use std::io::Write;
use std::path::PathBuf;
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

/// Who builds: Plimsoll's engine, or buildah (whose images are then exported to an OCI
/// layout and verified with Plimsoll's runtime, like the built-in engine's).
pub enum Backend {
    Builtin,
    Buildah {
        /// Dockerfiles and exported layouts.
        work: tempfile::TempDir,
        /// `--base NAME=REF`, pulled into buildah's storage and tagged NAME once.
        bases: Vec<String>,
        pulled: std::cell::Cell<bool>,
    },
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

/// Runs a buildah command; its standard output, or the end of its standard error as the
/// error.
fn buildah(args: &[&str]) -> Result<String, BuildError> {
    let out = std::process::Command::new("buildah")
        .args(args)
        .env("BUILDAH_ISOLATION", "chroot")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| BuildError::Invalid(format!("cannot run buildah: {e}")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(BuildError::Invalid(format!(
            "buildah {} failed ({}):\n{}",
            args.first().copied().unwrap_or(""),
            out.status,
            tail.join("\n")
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

impl Engine<'_> {
    /// Builds `text` (a version of the Dockerfile) and tags it `tag`.
    pub fn build(&self, text: &str, tag: &str) -> Result<Built, BuildError> {
        match &self.backend {
            Backend::Builtin => self.build_builtin(text, tag),
            Backend::Buildah {
                work,
                bases,
                pulled,
            } => {
                if !pulled.get() {
                    for base in bases {
                        let (name, reference) = base.split_once('=').ok_or_else(|| {
                            BuildError::Invalid(format!("--base {base}: expected NAME=REF"))
                        })?;
                        if !(reference.starts_with("oci:")
                            || reference.starts_with("docker-archive:"))
                        {
                            return Err(BuildError::Invalid(format!(
                                "--base {base}: buildah takes oci:DIR[:TAG] or \
                                 docker-archive:FILE bases"
                            )));
                        }
                        let id = buildah(&["pull", "--quiet", reference])?;
                        let id = id.lines().last().unwrap_or("").trim().to_string();
                        buildah(&["tag", &id, name])?;
                    }
                    pulled.set(true);
                }
                self.build_buildah(work.path(), text, tag)
            }
        }
    }

    fn build_buildah(
        &self,
        work: &std::path::Path,
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
        let file_arg = file.to_string_lossy().into_owned();
        let context = self.context.to_string_lossy().into_owned();
        let mut args: Vec<String> = [
            "bud",
            "--isolation",
            "chroot",
            "--layers",
            "--quiet",
            "-f",
            &file_arg,
            "-t",
            &image,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for (k, v) in &self.build_args {
            args.push("--build-arg".into());
            args.push(format!("{k}={v}"));
        }
        args.push(context);
        let started = Instant::now();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        buildah(&refs)?;
        let seconds = started.elapsed().as_secs_f64();
        let layout = work.join(&name);
        let _ = std::fs::remove_dir_all(&layout);
        let location = format!("oci:{}:{name}", layout.display());
        buildah(&["push", "--quiet", &image, &location])?;
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
