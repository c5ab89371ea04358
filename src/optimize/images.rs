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

pub struct Engine<'a> {
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
