//! TEMPORARY STUB so the workspace compiles while the real module is written; helper-2
//! replaces this whole file.

#[derive(Clone, Debug, Default)]
pub struct DockerIgnore {
    patterns: Vec<String>,
}

impl DockerIgnore {
    pub fn parse(text: &str) -> DockerIgnore {
        DockerIgnore {
            patterns: text
                .lines()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect(),
        }
    }

    pub fn is_excluded(&self, path: &str) -> bool {
        self.patterns.iter().any(|p| p == path)
    }
}
