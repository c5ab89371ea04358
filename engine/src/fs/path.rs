//! Untrusted path handling.

use std::path::{Component, Path, PathBuf};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PathError {
    #[error("`{0}` leaves its root (`..` above the top)")]
    Escapes(String),
    #[error("`{0}` is not valid UTF-8 or contains a NUL byte")]
    Invalid(String),
}

/// Cleans an archive entry path: leading `/` and `./` are dropped, `.` components are
/// removed; any `..` is refused (archives that need it are hostile). Returns `None` for
/// the root itself (`./`).
pub fn clean_entry_path(raw: &Path) -> Result<Option<PathBuf>, PathError> {
    let mut out = PathBuf::new();
    for component in raw.components() {
        match component {
            Component::Normal(c) => out.push(c),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            Component::ParentDir => {
                return Err(PathError::Escapes(raw.display().to_string()));
            }
        }
    }
    Ok((!out.as_os_str().is_empty()).then_some(out))
}

/// Lexically normalizes a container path: absolute, `.` removed, `..` clamped at `/` (as
/// the kernel does at a root). `base` makes relative paths absolute.
pub fn normalize_absolute(base: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{base}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Joins a relative, already-clean path below `root`.
pub fn join_clean(root: &Path, relative: &str) -> PathBuf {
    let trimmed = relative.trim_start_matches('/');
    if trimmed.is_empty() {
        root.to_path_buf()
    } else {
        root.join(trimmed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_entry_paths() {
        let c = |p: &str| clean_entry_path(Path::new(p));
        assert_eq!(c("./a/b").unwrap(), Some(PathBuf::from("a/b")));
        assert_eq!(c("/etc/passwd").unwrap(), Some(PathBuf::from("etc/passwd")));
        assert_eq!(c("./").unwrap(), None);
        assert_eq!(c("a/./b/").unwrap(), Some(PathBuf::from("a/b")));
        assert!(c("../etc/passwd").is_err());
        assert!(c("a/../../b").is_err());
        assert!(c("a/../b").is_err());
    }

    #[test]
    fn normalizes_container_paths() {
        assert_eq!(normalize_absolute("/", "app"), "/app");
        assert_eq!(normalize_absolute("/app", "../../etc"), "/etc");
        assert_eq!(normalize_absolute("/app", "/x/./y/"), "/x/y");
        assert_eq!(normalize_absolute("/", ""), "/");
        assert_eq!(join_clean(Path::new("/r"), "/a/b"), PathBuf::from("/r/a/b"));
        assert_eq!(join_clean(Path::new("/r"), "/"), PathBuf::from("/r"));
    }
}
