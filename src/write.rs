//! Writing fixed files without ever leaving a half-written one: a temporary file in the same
//! directory, fsync, then rename over the original, keeping its mode and ownership.

use anyhow::{Context as _, Result, bail};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

pub fn write_atomically(path: &Path, contents: &str) -> Result<()> {
    // Through a symlink, the file it points to is rewritten and the link is kept.
    let target = std::fs::canonicalize(path)
        .with_context(|| format!("{}: cannot resolve", path.display()))?;
    let metadata = std::fs::metadata(&target)
        .with_context(|| format!("{}: cannot read metadata", path.display()))?;
    if metadata.permissions().readonly() {
        bail!(
            "{} is read-only: not fixed (the fixes are listed by --diff)",
            path.display()
        );
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".plimsoll-fix-")
        .tempfile_in(dir)
        .with_context(|| format!("{}: cannot create a temporary file", dir.display()))?;
    temp.write_all(contents.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    std::fs::set_permissions(temp.path(), metadata.permissions())?;
    // Keeping the owner needs privileges; without them the new file is ours, as with any
    // editor that saves by renaming.
    let _ = std::os::unix::fs::chown(temp.path(), Some(metadata.uid()), Some(metadata.gid()));
    temp.persist(&target)
        .with_context(|| format!("{}: cannot replace", path.display()))?;
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}
