//! `per-file-ignores`: glob patterns, relative to the configuration file's directory, each
//! with the codes to ignore in the files it matches.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use std::path::Path;

/// A compiled glob: `*` and `?` stay within one path component, `**` crosses them.
pub fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

#[derive(Debug)]
pub struct PerFileIgnores {
    set: GlobSet,
    /// For each glob in `set`, the codes it ignores.
    codes: Vec<Vec<String>>,
}

impl PerFileIgnores {
    /// Patterns are checked when the configuration is parsed; one that still fails to
    /// compile here is left out.
    pub fn new(entries: &[(String, Vec<String>)]) -> PerFileIgnores {
        let mut builder = GlobSetBuilder::new();
        let mut codes = Vec::new();
        for (pattern, list) in entries {
            let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
            // A pattern without a slash (`Dockerfile.dev`, `*.dev.Dockerfile`) matches the
            // file name in any directory, as in .gitignore.
            let patterns = if pattern.contains('/') {
                vec![pattern.to_string()]
            } else {
                vec![pattern.to_string(), format!("**/{pattern}")]
            };
            for pattern in patterns {
                if let Ok(glob) = glob(&pattern) {
                    builder.add(glob);
                    codes.push(list.clone());
                }
            }
        }
        PerFileIgnores {
            set: builder.build().unwrap_or_else(|_| GlobSet::empty()),
            codes,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The codes to ignore for a file at `relative` (to the configuration's directory).
    pub fn codes_for(&self, relative: &Path) -> Vec<String> {
        let text = relative.to_string_lossy().replace('\\', "/");
        let mut out: Vec<String> = self
            .set
            .matches(text.as_str())
            .into_iter()
            .flat_map(|i| self.codes[i].iter().cloned())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_relative_paths_and_bare_names() {
        let ignores = PerFileIgnores::new(&[
            ("legacy/**".into(), vec!["PL6".into()]),
            ("./services/*/Dockerfile".into(), vec!["PL103".into()]),
            ("Dockerfile.dev".into(), vec!["PL100".into(), "PL6".into()]),
        ]);
        let codes = |p: &str| ignores.codes_for(Path::new(p));
        assert_eq!(codes("legacy/a/b/Dockerfile"), ["PL6"]);
        assert_eq!(codes("services/api/Dockerfile"), ["PL103"]);
        assert!(codes("services/api/v2/Dockerfile").is_empty());
        assert_eq!(codes("Dockerfile.dev"), ["PL100", "PL6"]);
        assert_eq!(codes("deep/down/Dockerfile.dev"), ["PL100", "PL6"]);
        assert!(codes("Dockerfile").is_empty());
    }
}
