//! File-system helpers that must never leave a root directory: cleaning untrusted paths
//! and resolving paths inside a root the way a chrooted process would see them.

pub mod glob;
mod path;
pub mod view;

pub use path::{
    MAX_LINKS, PathError, clean_entry_path, join_clean, normalize_absolute, resolve_in_root,
};
pub use view::{Found, View};

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// `remove_dir_all` that also copes with directories an unprivileged owner made
/// read-only.
pub fn remove_tree(path: &Path) -> io::Result<()> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            for entry in walkdir::WalkDir::new(path).follow_links(false) {
                let Ok(entry) = entry else { continue };
                if entry.file_type().is_dir() {
                    let _ = std::fs::set_permissions(
                        entry.path(),
                        std::fs::Permissions::from_mode(0o700),
                    );
                }
            }
            std::fs::remove_dir_all(path)
        }
        Err(e) => Err(e),
    }
}
