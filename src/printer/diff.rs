//! `--diff`: what --fix would change, as a unified diff.

use crate::lint::FileReport;
use std::io::Write;

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    for report in reports {
        let Some(original) = &report.original else {
            continue;
        };
        let diff = similar::TextDiff::from_lines(original.as_str(), report.text.as_str());
        write!(
            out,
            "{}",
            diff.unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", report.path), &format!("b/{}", report.path))
        )?;
    }
    Ok(())
}

/// The unified diff from `original` to `changed` of the file `path` (empty when equal).
pub fn unified(original: &str, changed: &str, path: &str) -> String {
    if original == changed {
        return String::new();
    }
    similar::TextDiff::from_lines(original, changed)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}
