//! `plimsoll build`: Dockerfile (the analyzer's model) → image. Stages needed by the
//! target are built in order; each instruction is a step with a cache key chained from
//! its parent's; layer-making steps (FROM, RUN, COPY, ADD, WORKDIR) are looked up in the
//! cache before they run.

mod agent;
mod archive;
mod cache;
mod chmod;
mod context;
mod instructions;
mod options;
mod plan;
mod platform;
pub mod progress;
mod remote;
mod scope;
mod state;
mod tree;
mod user;

pub use cache::PruneReport;
pub use cache::prune as prune_cache;
pub use context::BuildContext;
pub use options::{BuildOptions, BuildOptionsBuilder, SecretSource, parse_ssh};
pub use progress::{Event, Progress, Silent};
pub use user::{User, resolve_user};

use crate::export::{ExportError, Output, write_docker_archive, write_oci_layout};
use crate::image::{Image, ImageError, ImageName, StoredImage};
use crate::layer::LayerError;
use crate::sandbox::{Runner, SandboxError};
use crate::source::SourceError;
use crate::store::{Store, StoreError};
use crate::syscall::{Syscall, SyscallError};
use plimsoll_analyzer::{Dockerfile, ParseOptions};
use state::StageState;
use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A problem with the Dockerfile's content or the build's inputs.
    #[error("{0}")]
    Invalid(String),
    #[error("the Dockerfile has errors:\n{0}")]
    Parse(String),
    #[error("step {step}/{total} (line {line}) `{text}`: {source}")]
    AtStep {
        step: usize,
        total: usize,
        line: usize,
        text: String,
        #[source]
        source: Box<BuildError>,
    },
    #[error("the command exited with code {code}{}", tail_text(.tail))]
    RunFailed { code: i32, tail: String },
    #[error("interrupted")]
    Interrupted,
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Layer(#[from] LayerError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Syscall(#[from] SyscallError),
    #[error(transparent)]
    Remote(#[from] remote::RemoteError),
}

fn tail_text(tail: &str) -> String {
    if tail.is_empty() {
        String::new()
    } else {
        format!("; its last output:\n{tail}")
    }
}

impl BuildError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> BuildError {
        let path = path.into();
        move |source| BuildError::Io { path, source }
    }

    /// The innermost error (the cause under [`BuildError::AtStep`]).
    pub fn root(&self) -> &BuildError {
        match self {
            BuildError::AtStep { source, .. } => source.root(),
            other => other,
        }
    }
}

/// A finished build.
#[derive(Debug)]
pub struct BuildOutcome {
    pub image: Image,
    pub stored: StoredImage,
    pub steps: usize,
    pub cached: usize,
}

/// The build engine with what it works with.
pub struct Builder<'a> {
    pub store: &'a Store,
    pub syscall: &'a dyn Syscall,
    pub runner: &'a dyn Runner,
}

impl Builder<'_> {
    pub fn build(
        &self,
        options: &BuildOptions,
        progress: &mut dyn Progress,
    ) -> Result<BuildOutcome, BuildError> {
        let started = Instant::now();
        let text = match &options.dockerfile_text {
            Some(text) => text.clone(),
            None => std::fs::read_to_string(&options.dockerfile)
                .map_err(BuildError::io(&options.dockerfile))?,
        };
        let mut build_args: HashMap<String, String> =
            options.build_args.clone().into_iter().collect();
        // BuildKit's automatic platform arguments (this engine builds for the host).
        let platform = instructions::host_platform();
        let arch = platform.trim_start_matches("linux/").to_string();
        for (name, value) in [
            ("BUILDPLATFORM", platform.clone()),
            ("TARGETPLATFORM", platform.clone()),
            ("BUILDOS", "linux".to_string()),
            ("TARGETOS", "linux".to_string()),
            ("BUILDARCH", arch.clone()),
            ("TARGETARCH", arch),
        ] {
            build_args.entry(name.to_string()).or_insert(value);
        }
        let parse_options = ParseOptions { build_args };
        let df = Dockerfile::parse_with(&text, parse_options);
        if !df.errors.is_empty() {
            let messages: Vec<String> = df
                .errors
                .iter()
                .map(|e| {
                    let at = df.line_col(e.span.start);
                    format!("  line {}:{}: {}", at.line, at.column, e.message)
                })
                .collect();
            return Err(BuildError::Parse(messages.join("\n")));
        }
        let target = plan::target(&df, options.target.as_deref())?;
        let stages = plan::needed(&df, target);
        platform::check(&df, &stages)?;
        let total = stages
            .iter()
            .map(|&s| df.stages[s].instructions.len())
            .sum();
        progress.event(Event::Start { steps: total });
        for warning in plan::unused_build_args(&df, options) {
            progress.event(Event::Warning(&warning));
        }
        let context = BuildContext::open(&options.context, Some(&options.dockerfile))?;
        let created = options.source_date_epoch.unwrap_or_else(now);
        let mut run = instructions::Run::new(
            self.store,
            self.syscall,
            self.runner,
            options,
            &df,
            &context,
            progress,
            total,
            crate::image::json::rfc3339(created),
        );
        for &index in &stages {
            let state = run.stage(index)?;
            run.stages.insert(index, state);
        }
        run.hashes.save();
        let cached = run.cached;
        let mut final_state: StageState = run
            .stages
            .remove(&target)
            .expect("the target stage was built");
        final_state.finish(&run.created);
        let image = final_state.image;
        let stored = image.store(self.store)?;
        for tag in &options.tags {
            let name = ImageName::parse(tag)?;
            self.store.set_tag(&name.normalized(), &stored.manifest)?;
        }
        for output in &options.outputs {
            match output {
                Output::OciLayout { dir, tag } => {
                    write_oci_layout(self.store, &image, dir, tag.as_deref())?;
                }
                Output::DockerArchive { file } => {
                    let repo_tag = options.tags.first().map(String::as_str);
                    let mtime = options.source_date_epoch.unwrap_or(0).max(0) as u64;
                    write_docker_archive(self.store, &image, file, repo_tag, mtime)?;
                }
            }
        }
        run.progress.event(Event::Done {
            manifest: &stored.manifest.to_string(),
            config: &stored.config.to_string(),
            elapsed: started.elapsed(),
        });
        Ok(BuildOutcome {
            image,
            stored,
            steps: total,
            cached,
        })
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests;
