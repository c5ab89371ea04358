//! ADD of a git repository (`https://host/repo.git#ref:subdir`, `git@host:repo.git`,
//! `ssh://…`, `git://…`) with the git command line, as BuildKit does: the ref is resolved
//! to a commit first (`git ls-remote`, which is what the cache key holds), then fetched
//! shallow where the server allows it, checked out, submodules included, and the `.git`
//! directory dropped unless `--keep-git-dir`.

use super::RemoteError;
use std::path::Path;
use std::process::{Command, Stdio};

/// A git source: remote, optional ref (branch, tag or commit) and subdirectory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitRef {
    pub remote: String,
    pub reference: Option<String>,
    pub subdir: Option<String>,
}

fn is_commit(text: &str) -> bool {
    (text.len() == 40 || text.len() == 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

impl GitRef {
    /// Parses a git source; `None` when `source` does not name a repository.
    pub fn parse(source: &str) -> Option<GitRef> {
        let (remote, fragment) = source.split_once('#').unwrap_or((source, ""));
        let path = remote.split('?').next().unwrap_or("");
        let is_git = if let Some(rest) = remote.strip_prefix("git@") {
            rest.contains(':')
        } else if remote.starts_with("ssh://") || remote.starts_with("git://") {
            true
        } else if remote.starts_with("http://") || remote.starts_with("https://") {
            path.ends_with(".git")
        } else {
            false
        };
        if !is_git {
            return None;
        }
        let (reference, subdir) = fragment.split_once(':').unwrap_or((fragment, ""));
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Some(GitRef {
            remote: remote.to_string(),
            reference: some(reference),
            subdir: some(subdir),
        })
    }

    fn error(&self, reason: impl Into<String>) -> RemoteError {
        RemoteError::Git {
            url: self.remote.clone(),
            reason: reason.into(),
        }
    }

    fn git(&self, dir: Option<&Path>) -> Command {
        let mut cmd = Command::new("git");
        if let Some(dir) = dir {
            cmd.arg("-C").arg(dir);
        }
        // Never prompt, never run local transports (ext::, file://) a repository names.
        cmd.env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_ALLOW_PROTOCOL", "http:https:git:ssh")
            .env("LC_ALL", "C")
            .stdin(Stdio::null());
        cmd
    }

    fn run(&self, mut cmd: Command) -> Result<String, RemoteError> {
        let out = cmd.output().map_err(|e| {
            self.error(if e.kind() == std::io::ErrorKind::NotFound {
                "the git command is needed to ADD a repository and is not installed".into()
            } else {
                e.to_string()
            })
        })?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("failed");
            return Err(self.error(last.trim().to_string()));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// The commit `git` names, without fetching its content.
pub fn resolve_commit(git: &GitRef) -> Result<String, RemoteError> {
    if git.reference.as_deref().is_some_and(|r| r.starts_with('-')) {
        return Err(git.error("a ref cannot start with `-`"));
    }
    let wanted = git.reference.as_deref().unwrap_or("HEAD");
    if is_commit(wanted) {
        return Ok(wanted.to_ascii_lowercase());
    }
    let mut cmd = git.git(None);
    // All refs, so that annotated tags come with the commit they point to (`^{}`).
    cmd.args(["ls-remote", "--"]).arg(&git.remote);
    let listing = git.run(cmd)?;
    let refs: Vec<(&str, &str)> = listing.lines().filter_map(|l| l.split_once('\t')).collect();
    // What `git fetch REMOTE NAME` would take: tags before branches; annotated tags peeled.
    let candidates = [
        format!("refs/tags/{wanted}^{{}}"),
        format!("refs/tags/{wanted}"),
        format!("refs/heads/{wanted}"),
        format!("{wanted}^{{}}"),
        wanted.to_string(),
    ];
    candidates
        .iter()
        .find_map(|c| refs.iter().find(|(_, name)| name == c))
        .map(|(commit, _)| commit.to_string())
        .ok_or_else(|| git.error(format!("no ref `{wanted}` in the repository")))
}

/// Fetches `commit` (resolved by [`resolve_commit`]) into `dir` (which must not exist).
/// Returns the commit's time, which every file gets for reproducible layers.
pub fn clone(
    git: &GitRef,
    commit: &str,
    dir: &Path,
    keep_git_dir: bool,
) -> Result<i64, RemoteError> {
    let mut cmd = git.git(None);
    cmd.args(["init", "-q"]).arg(dir);
    git.run(cmd)?;
    let mut cmd = git.git(Some(dir));
    cmd.args(["remote", "add", "origin"]).arg(&git.remote);
    git.run(cmd)?;
    let wanted = git.reference.clone().unwrap_or_else(|| "HEAD".into());
    let fetch = |shallow: bool, what: &str| {
        let mut cmd = git.git(Some(dir));
        cmd.args(["fetch", "-q", "--no-tags"]);
        if shallow {
            cmd.arg("--depth=1");
        }
        cmd.args(["--", "origin", what]);
        git.run(cmd)
    };
    // Dumb HTTP servers cannot fetch shallow, and some servers refuse a bare commit: try
    // the cheapest way first.
    let fetched = fetch(true, &wanted)
        .or_else(|_| fetch(false, &wanted))
        .or_else(|e| {
            if is_commit(&wanted) {
                fetch(false, "+refs/heads/*:refs/remotes/origin/*").map_err(|_| e)
            } else {
                Err(e)
            }
        });
    fetched?;
    let target = if is_commit(&wanted) {
        wanted.as_str()
    } else {
        "FETCH_HEAD"
    };
    let mut cmd = git.git(Some(dir));
    cmd.args(["-c", "advice.detachedHead=false", "checkout", "-q", target]);
    git.run(cmd)?;
    if dir.join(".gitmodules").exists() {
        let mut cmd = git.git(Some(dir));
        cmd.args(["submodule", "update", "-q", "--init", "--recursive"]);
        git.run(cmd)?;
    }
    let mut cmd = git.git(Some(dir));
    cmd.args(["log", "-1", "--format=%H %ct"]);
    let line = git.run(cmd)?;
    let (actual, time) = line.trim().split_once(' ').unwrap_or(("", ""));
    if !actual.starts_with(commit) && !commit.starts_with(actual) {
        return Err(git.error(format!(
            "`{wanted}` moved during the build (was {commit}, is now {actual})"
        )));
    }
    if !keep_git_dir {
        let dot_git = dir.join(".git");
        std::fs::remove_dir_all(&dot_git).map_err(RemoteError::io(&dot_git))?;
    }
    Ok(time.parse().unwrap_or(0))
}

/// `--checksum` of a git source: the commit, in full or abbreviated (at least 7 digits).
pub fn verify_commit(git: &GitRef, checksum: &str, commit: &str) -> Result<(), RemoteError> {
    let wanted = checksum.to_ascii_lowercase();
    if wanted.len() < 7 || !wanted.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(RemoteError::BadChecksum(checksum.to_string()));
    }
    if !commit.starts_with(&wanted) {
        return Err(RemoteError::Mismatch {
            url: git.remote.clone(),
            expected: checksum.to_string(),
            actual: commit.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_git_sources_like_buildkit() {
        let g = GitRef::parse("https://example.com/org/repo.git#v1.2:src/app").unwrap();
        assert_eq!(g.remote, "https://example.com/org/repo.git");
        assert_eq!(g.reference.as_deref(), Some("v1.2"));
        assert_eq!(g.subdir.as_deref(), Some("src/app"));
        let g = GitRef::parse("git@example.com:org/repo.git").unwrap();
        assert_eq!((g.reference, g.subdir), (None, None));
        let g = GitRef::parse("https://example.com/repo.git#:docs").unwrap();
        assert_eq!((g.reference, g.subdir.as_deref()), (None, Some("docs")));
        assert!(GitRef::parse("https://example.com/archive.tar.gz").is_none());
        assert!(GitRef::parse("https://example.com/repo").is_none());
        assert!(GitRef::parse("git@nohost").is_none());
        assert!(GitRef::parse("repo.git").is_none());
    }

    #[test]
    fn commit_checksums() {
        let g = GitRef::parse("git://h/r").unwrap();
        let commit = "0123456789abcdef0123456789abcdef01234567";
        assert!(verify_commit(&g, commit, commit).is_ok());
        assert!(verify_commit(&g, "0123456", commit).is_ok());
        assert!(matches!(
            verify_commit(&g, "fedcba9", commit),
            Err(RemoteError::Mismatch { .. })
        ));
        assert!(matches!(
            verify_commit(&g, "0123", commit),
            Err(RemoteError::BadChecksum(_))
        ));
    }
}
