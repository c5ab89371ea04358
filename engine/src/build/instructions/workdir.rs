//! WORKDIR: set the working directory (relative paths join the current one) and create
//! it, owned by the current USER, when the image lacks it — a layer, as in BuildKit.

use super::{Run, instruction_text};
use crate::build::BuildError;
use crate::build::scope::Scope;
use crate::build::state::StageState;
use crate::build::tree::{Attrs, Tree};
use crate::build::user::{User, resolve_user};
use crate::fs::normalize_absolute;
use crate::layer::{LayerOptions, adopt, create_layer};
use plimsoll_analyzer::{Dockerfile, Instruction};

pub fn execute(
    run: &mut Run<'_>,
    state: &mut StageState,
    df: &Dockerfile,
    instruction: &Instruction,
) -> Result<(), BuildError> {
    let config = state.image.config.clone();
    let scope = Scope {
        df,
        at: instruction.index,
        config: &config,
    };
    let path = scope.words(instruction).join(" ");
    if path.is_empty() {
        return Err(BuildError::Invalid("WORKDIR needs a path".into()));
    }
    let current = config.working_dir().unwrap_or_else(|| "/".into());
    let dir = normalize_absolute(&current, &path);
    state.image.config.update(|c| {
        c.set_working_dir(Some(dir.clone()));
    });
    let text = instruction_text(df, instruction);
    let material = format!("WORKDIR\0{dir}\0{}", config.user().unwrap_or_default());
    run.layer_step(state, material.as_bytes(), |run, state| {
        let lower = state.lower_dirs(run.store, run.syscall)?;
        let view = crate::fs::View::new(lower.clone(), run.syscall);
        if view
            .stat(&dir)
            .map_err(BuildError::io(&dir))?
            .is_some_and(|f| f.stat.kind == crate::syscall::FileKind::Dir)
        {
            let history = run.history(&text, true);
            state.image.push_history(history);
            return Ok(());
        }
        let owner = match config.user() {
            Some(user) => resolve_user(&view, &user)?,
            None => User::ROOT,
        };
        let work = run.store.temp_dir("workdir-")?;
        let fs = work.path().join("fs");
        std::fs::create_dir(&fs).map_err(BuildError::io(&fs))?;
        let tree = Tree::new(fs.clone(), lower, run.syscall);
        tree.ensure_dir(
            &dir,
            Attrs {
                uid: owner.uid,
                gid: owner.gid,
                mode: 0o755,
                mtime: None,
            },
        )?;
        let options = LayerOptions {
            compression: run.options.compression,
            source_date_epoch: run.options.source_date_epoch,
            whiteouts: true,
        };
        let history = run.history(&text, false);
        match create_layer(run.store, run.syscall, &fs, &options)? {
            Some(layer) => {
                let dir = adopt(
                    run.store,
                    work.path(),
                    &layer.diff_id,
                    run.syscall.euid() == 0,
                )?;
                state.push_layer(layer, dir, history);
            }
            None => {
                let history = run.history(&text, true);
                state.image.push_history(history);
            }
        }
        Ok(())
    })
}
