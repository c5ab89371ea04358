//! The sources and destination of COPY and ADD instructions.

use plimsoll_analyzer::{Instruction, Keyword, Word};

/// Where a COPY or ADD takes its sources from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin<'a> {
    /// The build context (no `--from`).
    Context,
    /// `--from=NAME`: another stage, an image or a named context.
    From(&'a str),
}

/// A COPY or ADD read into its parts.
#[derive(Clone, Debug)]
pub struct CopyArgs<'a> {
    pub instruction: &'a Instruction,
    pub origin: Origin<'a>,
    /// Source words as written (quotes removed), heredoc markers left out.
    pub sources: Vec<&'a Word>,
    /// The destination word.
    pub dest: &'a Word,
    /// Heredoc markers among the sources (`COPY <<EOF /etc/x`): inline content.
    pub heredoc_sources: usize,
}

impl<'a> CopyArgs<'a> {
    /// Reads a COPY or ADD; `None` for other instructions or one without a destination.
    pub fn of(instruction: &'a Instruction) -> Option<CopyArgs<'a>> {
        if !matches!(instruction.keyword, Keyword::Copy | Keyword::Add) {
            return None;
        }
        let (dest, rest) = instruction.words.split_last()?;
        let is_marker = |w: &Word| {
            instruction
                .heredocs
                .iter()
                .any(|h| h.marker_span.start < w.span.end && w.span.start < h.marker_span.end)
        };
        let heredoc_sources = rest.iter().filter(|w| is_marker(w)).count();
        let sources: Vec<&Word> = rest.iter().filter(|w| !is_marker(w)).collect();
        if sources.is_empty() && heredoc_sources == 0 {
            return None;
        }
        let origin = match instruction.flag("from").and_then(|f| f.value.as_deref()) {
            Some(from) => Origin::From(from),
            None => Origin::Context,
        };
        Some(CopyArgs {
            instruction,
            origin,
            sources,
            dest,
            heredoc_sources,
        })
    }

    pub fn from_context(&self) -> bool {
        self.origin == Origin::Context
    }

    /// Sources read from the build context: not `--from`, not URLs or git repositories
    /// (ADD fetches those itself).
    pub fn context_sources(&self) -> impl Iterator<Item = &'a Word> + '_ {
        self.sources
            .iter()
            .copied()
            .filter(move |w| self.from_context() && !is_remote(&w.text))
    }
}

/// An ADD source that is fetched rather than read from the context.
pub fn is_remote(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("git@")
        || lower.starts_with("git://")
        || lower.starts_with("ssh://")
}

/// A context source path normalised the way the builder resolves it: relative to the
/// context root, `/` separators, no `./`, no trailing `/`; the root itself is `""`.
/// `None` for paths that leave the context (`..`).
pub fn normalize_context_path(source: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in source.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Whether a path has glob characters (`*`, `?`, `[`).
pub fn has_glob(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_analyzer::Dockerfile;

    #[test]
    fn reads_sources_destination_and_origin() {
        let file = Dockerfile::parse(
            "FROM a AS b\nCOPY --chown=1:1 a.txt \"b c\" /dst/\nCOPY --from=b /x /y\nADD https://e.com/f ./ /z\nCOPY <<EOF /etc/conf\nhi\nEOF\n",
        );
        let c = CopyArgs::of(&file.instructions[1]).unwrap();
        let names: Vec<_> = c.sources.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(names, vec!["a.txt", "b c"]);
        assert_eq!(c.dest.text, "/dst/");
        assert!(c.from_context());
        let c = CopyArgs::of(&file.instructions[2]).unwrap();
        assert_eq!(c.origin, Origin::From("b"));
        assert_eq!(c.context_sources().count(), 0);
        let c = CopyArgs::of(&file.instructions[3]).unwrap();
        let names: Vec<_> = c.context_sources().map(|w| w.text.as_str()).collect();
        assert_eq!(names, vec!["./"]);
        let c = CopyArgs::of(&file.instructions[4]).unwrap();
        assert!(c.sources.is_empty());
        assert_eq!(c.heredoc_sources, 1);
        assert_eq!(c.dest.text, "/etc/conf");
        assert!(CopyArgs::of(&file.instructions[0]).is_none());
    }

    #[test]
    fn normalises_context_paths() {
        assert_eq!(normalize_context_path(".").as_deref(), Some(""));
        assert_eq!(normalize_context_path("./").as_deref(), Some(""));
        assert_eq!(normalize_context_path("/").as_deref(), Some(""));
        assert_eq!(
            normalize_context_path("./src//app/").as_deref(),
            Some("src/app")
        );
        assert_eq!(normalize_context_path("../x"), None);
    }
}
