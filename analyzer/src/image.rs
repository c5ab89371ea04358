//! Image references as written in FROM: `[registry/]repository[:tag][@digest]`.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageRef {
    /// The reference after variable expansion.
    pub text: String,
    /// Registry host, when the first path component looks like one (`ghcr.io`,
    /// `localhost:5000`); `None` means Docker Hub.
    pub registry: Option<String>,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    pub fn parse(text: &str) -> ImageRef {
        let (name_tag, digest) = match text.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (text, None),
        };
        // A tag follows the last ':' after the last '/', so `host:5000/img` has no tag.
        let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_tag[last_slash..].rfind(':') {
            Some(i) => (
                &name_tag[..last_slash + i],
                Some(name_tag[last_slash + i + 1..].to_string()),
            ),
            None => (name_tag, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first.to_string()), rest.to_string())
            }
            _ => (None, name.to_string()),
        };
        ImageRef {
            text: text.to_string(),
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// The registry, with Docker Hub spelled out.
    pub fn registry_or_default(&self) -> &str {
        self.registry.as_deref().unwrap_or("docker.io")
    }

    /// The repository as Docker Hub names it (`nginx` → `library/nginx`).
    pub fn full_repository(&self) -> String {
        if self.registry.is_none() && !self.repository.contains('/') {
            format!("library/{}", self.repository)
        } else {
            self.repository.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_references() {
        let r = ImageRef::parse("localhost:5000/team/app:1.2@sha256:abc");
        assert_eq!(r.registry.as_deref(), Some("localhost:5000"));
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag.as_deref(), Some("1.2"));
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
        let r = ImageRef::parse("nginx");
        assert_eq!(r.registry, None);
        assert_eq!(r.tag, None);
        assert_eq!(r.full_repository(), "library/nginx");
        let r = ImageRef::parse("ghcr.io/owner/img");
        assert_eq!(r.registry.as_deref(), Some("ghcr.io"));
        assert_eq!(r.tag, None);
    }
}
