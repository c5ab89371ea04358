//! One file per operation: FROM, RUN, COPY/ADD, WORKDIR, HEALTHCHECK, and the
//! instructions that only change the configuration. [`Run`] holds what a build works
//! with and runs each instruction as a numbered step.

mod config;
mod copy;
mod from;

pub use from::host_platform;
mod healthcheck;
mod run;
mod workdir;

use super::BuildError;
use super::cache;
use super::context::{BuildContext, HashCache};
use super::options::BuildOptions;
use super::plan;
use super::progress::{Event, Progress};
use super::state::StageState;
use crate::interrupt;
use crate::sandbox::Runner;
use crate::store::Store;
use crate::syscall::Syscall;
use plimsoll_analyzer::{Dockerfile, Instruction, Keyword};
use std::collections::HashMap;
use std::time::Instant;

pub struct Run<'a> {
    pub store: &'a Store,
    pub syscall: &'a dyn Syscall,
    pub runner: &'a dyn Runner,
    pub options: &'a BuildOptions,
    pub df: &'a Dockerfile,
    pub context: &'a BuildContext,
    pub progress: &'a mut dyn Progress,
    /// Finished stages, by index.
    pub stages: HashMap<usize, StageState>,
    /// Images named by `--from`, loaded once.
    pub images: HashMap<String, StageState>,
    pub hashes: HashCache,
    pub step: usize,
    pub total: usize,
    pub cached: usize,
    /// RFC 3339 time for history entries and the config.
    pub created: String,
    /// The current step was a cache hit.
    hit: bool,
    /// The stage being built.
    current: usize,
}

/// The instruction as one line: keyword, flags and arguments, continuations joined.
pub fn instruction_text(df: &Dockerfile, instruction: &Instruction) -> String {
    let mut out = String::from(instruction.keyword.as_str());
    for flag in &instruction.flags {
        out.push(' ');
        out.push_str(flag.span.text(&df.text));
    }
    let args = instruction.args.text.trim();
    if !args.is_empty() {
        out.push(' ');
        out.push_str(args);
    }
    out
}

/// A step's label for progress: the instruction's first line.
fn display_text(df: &Dockerfile, instruction: &Instruction) -> String {
    let text = instruction.span.text(&df.text);
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("").trim_end_matches('\\').trim();
    if lines.next().is_some() {
        format!("{first} …")
    } else {
        first.to_string()
    }
}

impl<'a> Run<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: &'a Store,
        syscall: &'a dyn Syscall,
        runner: &'a dyn Runner,
        options: &'a BuildOptions,
        df: &'a Dockerfile,
        context: &'a BuildContext,
        progress: &'a mut dyn Progress,
        total: usize,
        created: String,
    ) -> Run<'a> {
        let hashes = HashCache::load(Some(store.cache_dir().join("context-hashes.json")));
        Run {
            store,
            syscall,
            runner,
            options,
            df,
            context,
            progress,
            stages: HashMap::new(),
            images: HashMap::new(),
            hashes,
            step: 0,
            total,
            cached: 0,
            created,
            hit: false,
            current: 0,
        }
    }

    /// Runs one numbered step.
    fn step<T>(
        &mut self,
        stage: &str,
        df: &Dockerfile,
        instruction: &Instruction,
        work: impl FnOnce(&mut Self) -> Result<T, BuildError>,
    ) -> Result<T, BuildError> {
        if interrupt::requested() {
            return Err(BuildError::Interrupted);
        }
        self.step += 1;
        let number = self.step;
        let text = display_text(df, instruction);
        self.progress.event(Event::Step {
            number,
            total: self.total,
            stage,
            text: &text,
        });
        self.hit = false;
        let started = Instant::now();
        match work(self) {
            Ok(value) => {
                if self.hit {
                    self.cached += 1;
                }
                self.progress.event(Event::StepDone {
                    number,
                    elapsed: started.elapsed(),
                    cached: self.hit,
                });
                Ok(value)
            }
            Err(BuildError::Interrupted) => Err(BuildError::Interrupted),
            Err(source) => Err(BuildError::AtStep {
                step: number,
                total: self.total,
                line: df.line_col(instruction.span.start).line,
                text,
                source: Box::new(source),
            }),
        }
    }

    /// Builds stage `index`.
    pub fn stage(&mut self, index: usize) -> Result<StageState, BuildError> {
        let df = self.df;
        self.current = index;
        let stage = &df.stages[index];
        let name = stage
            .name
            .as_ref()
            .map_or_else(|| format!("stage {index}"), |n| n.text.clone());
        let from = &df.instructions[stage.from];
        let mut state = self.step(&name, df, from, |run| from::execute(run, stage, &name))?;
        let triggers = std::mem::take(&mut state.image.config.on_build);
        self.total += triggers.len();
        for trigger in triggers {
            self.trigger(&mut state, &trigger)?;
        }
        for instruction in &df.instructions[stage.instructions.start + 1..stage.instructions.end] {
            self.step(&state.name.clone(), df, instruction, |run| {
                run.execute(&mut state, df, instruction)
            })?;
        }
        Ok(state)
    }

    /// Runs an ONBUILD trigger of the base image.
    fn trigger(&mut self, state: &mut StageState, trigger: &str) -> Result<(), BuildError> {
        let mini = Dockerfile::parse(&format!("FROM scratch\n{trigger}\n"));
        let Some(instruction) = mini.instructions.get(1) else {
            return Err(BuildError::Invalid(format!(
                "empty ONBUILD trigger `{trigger}`"
            )));
        };
        if let Some(error) = mini.errors.first() {
            return Err(BuildError::Invalid(format!(
                "ONBUILD trigger `{trigger}`: {}",
                error.message
            )));
        }
        self.step(&state.name.clone(), &mini, instruction, |run| {
            run.execute(state, &mini, instruction)
        })
    }

    fn execute(
        &mut self,
        state: &mut StageState,
        df: &Dockerfile,
        instruction: &Instruction,
    ) -> Result<(), BuildError> {
        match instruction.keyword {
            Keyword::Run => run::execute(self, state, df, instruction),
            Keyword::Copy | Keyword::Add => copy::execute(self, state, df, instruction),
            Keyword::Workdir => workdir::execute(self, state, df, instruction),
            Keyword::Healthcheck => healthcheck::execute(self, state, df, instruction),
            Keyword::From => Err(BuildError::Invalid("FROM inside a stage".into())),
            Keyword::Unknown => Err(BuildError::Invalid(format!(
                "unknown instruction {}",
                instruction.keyword_text(&df.text)
            ))),
            _ => config::execute(self, state, df, instruction),
        }
    }

    /// A step that makes a layer: looked up in the cache by its key first.
    fn layer_step(
        &mut self,
        state: &mut StageState,
        material: &[u8],
        work: impl FnOnce(&mut Self, &mut StageState) -> Result<(), BuildError>,
    ) -> Result<(), BuildError> {
        // How layers are written is part of what a step makes.
        let mut material = material.to_vec();
        material.extend(
            format!(
                "\0{:?}\0{:?}",
                self.options.source_date_epoch, self.options.compression
            )
            .as_bytes(),
        );
        let key = cache::key(&state.key, &material);
        if !self.options.no_cache
            && let Some(image) = cache::get(self.store, &key)
        {
            state.restore(image);
            state.key = key;
            self.hit = true;
            return Ok(());
        }
        work(self, state)?;
        cache::put(self.store, &key, &state.image)?;
        state.key = key;
        Ok(())
    }

    /// A step that only changes the configuration (`config` is the result, history not
    /// yet added). Cached like the others, so a rebuild keeps the first build's history
    /// times and gives the same image.
    fn config_step(
        &mut self,
        state: &mut StageState,
        keyword: Keyword,
        config: crate::image::ImageConfig,
        created_by: &str,
    ) -> Result<(), BuildError> {
        let mut probe = config.clone();
        probe.oci.set_history(None);
        probe.oci.set_created(None);
        let mut material = keyword.as_str().as_bytes().to_vec();
        material.extend(probe.to_json()?);
        self.layer_step(state, &material, |run, state| {
            state.image.config = config;
            let history = run.history(created_by, true);
            state.image.push_history(history);
            Ok(())
        })
    }

    /// ARG: nothing changes in the image; its values reach later steps' keys through
    /// what they expand and RUN's environment.
    fn arg_step(&mut self, state: &mut StageState, text: &str) {
        let mut material = b"ARG\0".to_vec();
        material.extend(text.as_bytes());
        state.key = cache::key(&state.key, &material);
    }

    /// The stage or image a `--from` (or `from=`) names, as seen from `at` in `df`.
    fn stage_or_image(
        &mut self,
        df: &Dockerfile,
        at: usize,
        config: &crate::image::ImageConfig,
        value: &str,
    ) -> Result<StageState, BuildError> {
        if std::ptr::eq(df, self.df)
            && let Some(index) = plan::stage_reference(df, at, self.current, value)
        {
            return self
                .stages
                .get(&index)
                .cloned()
                .ok_or_else(|| BuildError::Invalid(format!("stage `{value}` was not built")));
        }
        let scope = super::scope::Scope { df, at, config };
        let name = scope.expand(value);
        if let Ok(n) = name.parse::<usize>() {
            return Err(BuildError::Invalid(format!(
                "--from={n}: stage {n} is not a stage before this one"
            )));
        }
        if let Some(state) = self.images.get(&name) {
            return Ok(state.clone());
        }
        let source = self.options.resolver.resolve(&name, self.store)?;
        let image = source.load(self.store, self.syscall)?;
        let key = crate::digest::Digest::of(&image.config.to_json()?);
        let state = StageState::new(name.clone(), image, key);
        self.images.insert(name, state.clone());
        Ok(state)
    }

    fn history(&self, created_by: &str, empty: bool) -> oci_spec::image::History {
        crate::image::history(Some(&self.created), created_by, empty)
    }

    /// Turns a step's directory of changes into its layer and moves the directory into the
    /// store as that layer's tree; a step that changed nothing gets an empty history entry.
    fn commit_layer(
        &self,
        state: &mut StageState,
        changes: &std::path::Path,
        created_by: &str,
        whiteouts: bool,
    ) -> Result<(), BuildError> {
        let options = crate::layer::LayerOptions {
            compression: self.options.compression,
            source_date_epoch: self.options.source_date_epoch,
            whiteouts,
        };
        match crate::layer::create_layer(self.store, self.syscall, changes, &options)? {
            Some(layer) => {
                // Only the tree becomes the layer directory.
                let layer_work = self.store.temp_dir("layer-")?;
                std::fs::rename(changes, layer_work.path().join("fs"))
                    .map_err(BuildError::io(changes))?;
                let dir = crate::layer::adopt(
                    self.store,
                    layer_work.path(),
                    &layer.diff_id,
                    self.syscall.euid() == 0,
                )?;
                state.push_layer(layer, dir, self.history(created_by, false));
            }
            None => state.image.push_history(self.history(created_by, true)),
        }
        Ok(())
    }
}
