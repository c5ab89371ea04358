//! Finding Dockerfiles: explicit paths are taken as given; directories are walked
//! recursively, honouring .gitignore, for files named like Dockerfiles.

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

/// Is this file name one of the Dockerfile spellings we lint when walking a directory?
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // Backups, patches and editor leftovers are not Dockerfiles, and neither are the
    // per-Dockerfile ignore files (`Dockerfile.dockerignore`).
    const SKIPPED_SUFFIXES: &[&str] = &[
        ".orig",
        ".bak",
        "~",
        ".swp",
        ".swo",
        ".rej",
        ".tmp",
        ".old",
        ".dockerignore",
        ".md",
        ".txt",
        ".sh",
        ".json",
        ".yml",
        ".yaml",
        ".patch",
        ".diff",
    ];
    if SKIPPED_SUFFIXES.iter().any(|s| lower.ends_with(s)) {
        return false;
    }
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
}

/// All files to lint under `paths`, in a stable order. A missing path is an error.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                bail!("{}: no such file or directory", path.display())
            }
            Err(e) => bail!("{}: {e}", path.display()),
        };
        if metadata.is_dir() {
            let before = files.len();
            walk(path, &mut files);
            if files.len() == before {
                bail!(
                    "{}: no Dockerfiles found (looked for Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*, *.containerfile)",
                    path.display()
                );
            }
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(root: &Path, out: &mut Vec<PathBuf>) {
    let walker = ignore::WalkBuilder::new(root)
        // `.devcontainer/Dockerfile` and `.github/…` are real Dockerfiles.
        .hidden(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    for entry in walker.flatten() {
        if entry
            .file_type()
            .is_some_and(|t| t.is_file() || t.is_symlink())
            && entry.file_name().to_str().is_some_and(is_dockerfile_name)
        {
            out.push(entry.into_path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for yes in [
            "Dockerfile",
            "dockerfile",
            "Containerfile",
            "api.Dockerfile",
            "Dockerfile.dev",
            "x.containerfile",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.orig",
            "Dockerfile.bak",
            "Dockerfile~",
            "Dockerfile.dockerignore",
            "README.md",
            "Makefile",
            "dockerfile.md",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
