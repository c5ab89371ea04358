//! FROM: start a stage from scratch, an earlier stage, or an image (through `--base`
//! mappings and the local store).

use super::Run;
use crate::build::BuildError;
use crate::build::state::StageState;
use crate::digest::Hasher;
use crate::image::Image;
use plimsoll_analyzer::{Base, Stage};

/// The platform this engine builds for, as `os/arch`.
pub fn host_platform() -> String {
    format!("linux/{}", oci_spec::image::Arch::default())
}

pub fn execute(run: &mut Run<'_>, stage: &Stage, name: &str) -> Result<StageState, BuildError> {
    // Another platform: files only (RUN was refused before the build started).
    let foreign = crate::build::platform::stage_platform(run.df, stage.index)?;
    match &stage.base {
        Base::Scratch => {
            let mut image = Image::scratch();
            if let Some(platform) = &foreign {
                platform.apply(&mut image.config);
            }
            let mut h = Hasher::default();
            h.field(b"FROM scratch");
            if let Some(platform) = &foreign {
                h.field(platform.to_string().as_bytes());
            }
            Ok(StageState::new(name.to_string(), image, h.finish()))
        }
        Base::Stage(parent) => {
            let mut state = run
                .stages
                .get(parent)
                .cloned()
                .ok_or_else(|| BuildError::Invalid(format!("stage {parent} was not built")))?;
            state.name = name.to_string();
            state.cmd_set = false;
            Ok(state)
        }
        Base::Image(reference) => {
            if reference.text.is_empty() {
                return Err(BuildError::Invalid(format!(
                    "the base image name is empty{}",
                    if stage.unresolved_vars.is_empty() {
                        String::new()
                    } else {
                        format!(" ({} has no value)", stage.unresolved_vars.join(", "))
                    }
                )));
            }
            let source =
                run.options
                    .resolver
                    .resolve_for(&reference.text, run.store, foreign.as_ref())?;
            let image = match &foreign {
                Some(platform) => source.load_for(run.store, run.syscall, platform)?,
                None => source.load(run.store, run.syscall)?,
            };
            let mut h = Hasher::default();
            h.field(b"FROM");
            h.field(image.config_digest()?.hex().as_bytes());
            for layer in &image.layers {
                h.field(layer.digest.hex().as_bytes());
            }
            Ok(StageState::new(name.to_string(), image, h.finish()))
        }
    }
}
