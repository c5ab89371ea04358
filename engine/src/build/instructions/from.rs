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
    if let Some(platform) = &stage.platform {
        let expanded = run.df.expand(stage.from, platform).text;
        let host = host_platform();
        if !expanded.is_empty() && expanded != host && !host.starts_with(&format!("{expanded}/")) {
            return Err(BuildError::Invalid(format!(
                "--platform={expanded}: only the host platform ({host}) can be built"
            )));
        }
    }
    match &stage.base {
        Base::Scratch => {
            let image = Image::scratch();
            let mut h = Hasher::default();
            h.field(b"FROM scratch");
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
            let source = run.options.resolver.resolve(&reference.text, run.store)?;
            let image = source.load(run.store, run.syscall)?;
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
