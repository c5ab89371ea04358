//! What ADD fetches from outside the build context: files over HTTP(S) (`http.rs`), with
//! an optional `--checksum`, and git repositories (`git.rs`). Sources are told apart as
//! BuildKit does: `git@…`, `ssh://`, `git://`, and HTTP(S) URLs whose path ends in `.git`
//! are repositories; other HTTP(S) URLs are files.

mod checksum;
mod git;
mod http;

pub use checksum::Checksum;
pub use git::{GitRef, clone, resolve_commit, verify_commit};
pub use http::{Download, download, file_name};

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("GET {url}: {reason}")]
    Http { url: String, reason: String },
    #[error("{url}: checksum mismatch: --checksum says {expected}, the content is {actual}")]
    Mismatch {
        url: String,
        expected: String,
        actual: String,
    },
    #[error(
        "--checksum={0}: expected sha256:, sha384: or sha512: and the hex digest (or a commit for git)"
    )]
    BadChecksum(String),
    #[error("git {url}: {reason}")]
    Git { url: String, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl RemoteError {
    fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> RemoteError {
        let path = path.into();
        move |source| RemoteError::Io { path, source }
    }
}

/// What an ADD source names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemoteKind {
    /// A file over HTTP(S).
    File,
    /// A git repository.
    Git(GitRef),
}

/// Whether an ADD source is remote, and which kind.
pub fn classify(source: &str) -> Option<RemoteKind> {
    if let Some(git) = GitRef::parse(source) {
        return Some(RemoteKind::Git(git));
    }
    (source.starts_with("http://") || source.starts_with("https://")).then_some(RemoteKind::File)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_files_from_repositories() {
        assert_eq!(
            classify("https://example.com/app.tar.gz"),
            Some(RemoteKind::File)
        );
        assert_eq!(classify("http://h/x?y=1"), Some(RemoteKind::File));
        assert!(matches!(
            classify("https://example.com/org/repo.git#v1:sub"),
            Some(RemoteKind::Git(_))
        ));
        assert!(matches!(
            classify("git@example.com:org/repo.git"),
            Some(RemoteKind::Git(_))
        ));
        assert!(matches!(
            classify("ssh://git@example.com/org/repo"),
            Some(RemoteKind::Git(_))
        ));
        assert!(matches!(
            classify("git://example.com/repo"),
            Some(RemoteKind::Git(_))
        ));
        assert_eq!(classify("app.tar.gz"), None);
        assert_eq!(classify("./git@x"), None);
    }
}
