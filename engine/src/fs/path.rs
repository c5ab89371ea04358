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

/// How many symbolic links one resolution may follow (Linux's limit).
pub const MAX_LINKS: usize = 40;

/// Resolves `path` inside a root the way a chrooted process would: `read_link(p)` gives the
/// target of the symbolic link at the resolved absolute path `p`, or `None` when `p` is
/// not a link (or does not exist). Links are followed in every component (the last one
/// only when `follow_last`), absolute targets start again at the root and `..` never climbs
/// above it. The result is an absolute, normalized path that may not exist; an error when
/// more than [`MAX_LINKS`] links are followed or `read_link` fails.
pub fn resolve_in_root(
    path: &str,
    follow_last: bool,
    mut read_link: impl FnMut(&str) -> std::io::Result<Option<String>>,
) -> std::io::Result<String> {
    let components = |p: &str| -> Vec<String> {
        p.split('/')
            .filter(|c| !c.is_empty() && *c != ".")
            .rev()
            .map(str::to_string)
            .collect()
    };
    let mut pending = components(path);
    let mut resolved: Vec<String> = Vec::new();
    let mut links = 0;
    while let Some(part) = pending.pop() {
        if part == ".." {
            resolved.pop();
            continue;
        }
        resolved.push(part);
        if pending.is_empty() && !follow_last {
            break;
        }
        let Some(target) = read_link(&format!("/{}", resolved.join("/")))? else {
            continue;
        };
        links += 1;
        if links > MAX_LINKS {
            return Err(std::io::Error::other(format!(
                "too many levels of symbolic links resolving {path}"
            )));
        }
        resolved.pop();
        if target.starts_with('/') {
            resolved.clear();
        }
        pending.extend(components(&target));
    }
    Ok(format!("/{}", resolved.join("/")))
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

    #[test]
    fn resolution_follows_links_in_every_component_and_stays_in_the_root() {
        let links: std::collections::HashMap<&str, &str> = [
            ("/lib64", "usr/lib64"),
            ("/usr/lib64/ld.so", "/lib/x86_64-linux-gnu/ld.so"),
            ("/lib", "usr/lib"),
            ("/up", "../../.."),
            ("/loop", "/loop"),
        ]
        .into_iter()
        .collect();
        let resolve = |path: &str, follow_last: bool| {
            resolve_in_root(path, follow_last, |p| {
                Ok(links.get(p).map(|t| t.to_string()))
            })
        };
        assert_eq!(
            resolve("/lib64/ld.so", true).unwrap(),
            "/usr/lib/x86_64-linux-gnu/ld.so"
        );
        assert_eq!(resolve("lib64/ld.so", false).unwrap(), "/usr/lib64/ld.so");
        assert_eq!(resolve("/up/etc/passwd", true).unwrap(), "/etc/passwd");
        assert!(resolve("/loop/x", true).is_err());
    }
}
