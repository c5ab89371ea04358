//! Project chores, run as `cargo xtask <task>` (see `src/main.rs`). The generators live in
//! this library so that tests can check their output is committed and current.

pub mod docs;

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}
