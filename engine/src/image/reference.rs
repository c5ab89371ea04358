//! Image references on the command line. FROM keeps ordinary image names; `--base`,
//! `run` and `--output` also take `oci:DIR[:TAG]` (an OCI image layout),
//! `docker-archive:FILE` (the `docker save` format), `rootfs:PATH` (a plain root file
//! system, directory or tar) and `scratch`.

use super::ImageError;
use plimsoll_analyzer::ImageRef;
use std::fmt;
use std::path::PathBuf;

/// A registry-style image name, normalized the way Docker does: `debian:12` is
/// `docker.io/library/debian:12`, no tag means `latest`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImageName {
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageName {
    pub fn parse(text: &str) -> Result<ImageName, ImageError> {
        let error = |reason: &str| ImageError::Reference {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        if text.is_empty() {
            return Err(error("empty name"));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(error("contains whitespace"));
        }
        let r = ImageRef::parse(text);
        if r.repository.is_empty() || r.repository.split('/').any(str::is_empty) {
            return Err(error("empty repository component"));
        }
        if r.repository.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(error("repository names must be lower-case"));
        }
        if r.tag.as_deref() == Some("") {
            return Err(error("empty tag"));
        }
        Ok(ImageName {
            registry: r.registry_or_default().to_string(),
            repository: r.full_repository(),
            tag: r.tag,
            digest: r.digest,
        })
    }

    /// `registry/repository` without tag or digest.
    pub fn repository_key(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The full normalized name, e.g. `docker.io/library/debian:12`.
    pub fn normalized(&self) -> String {
        let mut out = self.repository_key();
        match (&self.tag, &self.digest) {
            (Some(tag), _) => {
                out.push(':');
                out.push_str(tag);
            }
            (None, None) => out.push_str(":latest"),
            (None, Some(_)) => {}
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(digest);
        }
        out
    }
}

impl fmt::Display for ImageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.normalized())
    }
}

/// Where an image comes from (or goes to).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageLocation {
    Scratch,
    /// An OCI image layout directory and the `org.opencontainers.image.ref.name` to pick.
    OciLayout {
        dir: PathBuf,
        tag: Option<String>,
    },
    /// A `docker save` tar.
    DockerArchive {
        file: PathBuf,
    },
    /// A root file system: a directory, or a tar (optionally gzipped).
    Rootfs {
        path: PathBuf,
    },
    /// A name: Plimsoll's local store (`--tag`), later a registry.
    Named(ImageName),
}

impl ImageLocation {
    pub fn parse(text: &str) -> Result<ImageLocation, ImageError> {
        let error = |reason: &str| ImageError::Reference {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        if text.eq_ignore_ascii_case("scratch") {
            return Ok(ImageLocation::Scratch);
        }
        if let Some(rest) = text.strip_prefix("oci:") {
            // The tag follows the last `:` unless that `:` is part of the path.
            let (dir, tag) = match rest.rsplit_once(':') {
                Some((dir, tag)) if !tag.contains('/') && !dir.is_empty() => {
                    (dir, Some(tag.to_string()))
                }
                _ => (rest, None),
            };
            if dir.is_empty() {
                return Err(error("oci: needs a directory, e.g. oci:./layout:tag"));
            }
            if tag.as_deref() == Some("") {
                return Err(error("empty tag after the directory"));
            }
            return Ok(ImageLocation::OciLayout {
                dir: PathBuf::from(dir),
                tag,
            });
        }
        if let Some(file) = text.strip_prefix("docker-archive:") {
            if file.is_empty() {
                return Err(error("docker-archive: needs a file"));
            }
            return Ok(ImageLocation::DockerArchive {
                file: PathBuf::from(file),
            });
        }
        if let Some(path) = text.strip_prefix("rootfs:") {
            if path.is_empty() {
                return Err(error("rootfs: needs a directory or tar file"));
            }
            return Ok(ImageLocation::Rootfs {
                path: PathBuf::from(path),
            });
        }
        if let Some((scheme, _)) = text.split_once(':')
            && matches!(
                scheme,
                "docker" | "dir" | "containers-storage" | "docker-daemon"
            )
        {
            return Err(error(&format!(
                "the `{scheme}:` transport is not supported; use oci:, docker-archive:, rootfs: or a name"
            )));
        }
        ImageName::parse(text).map(ImageLocation::Named)
    }
}

impl fmt::Display for ImageLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageLocation::Scratch => f.write_str("scratch"),
            ImageLocation::OciLayout { dir, tag: None } => write!(f, "oci:{}", dir.display()),
            ImageLocation::OciLayout { dir, tag: Some(t) } => {
                write!(f, "oci:{}:{t}", dir.display())
            }
            ImageLocation::DockerArchive { file } => write!(f, "docker-archive:{}", file.display()),
            ImageLocation::Rootfs { path } => write!(f, "rootfs:{}", path.display()),
            ImageLocation::Named(name) => write!(f, "{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_names() {
        let n = |t: &str| ImageName::parse(t).unwrap().normalized();
        assert_eq!(n("debian:12"), "docker.io/library/debian:12");
        assert_eq!(n("debian"), "docker.io/library/debian:latest");
        assert_eq!(
            n("docker.io/library/debian:12"),
            "docker.io/library/debian:12"
        );
        assert_eq!(n("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(n("ghcr.io/o/app@sha256:abc"), "ghcr.io/o/app@sha256:abc");
        assert!(ImageName::parse("Debian").is_err());
        assert!(ImageName::parse("a b").is_err());
        assert!(ImageName::parse("x:").is_err());
        assert!(ImageName::parse("").is_err());
    }

    #[test]
    fn parses_locations() {
        let p = |t: &str| ImageLocation::parse(t).unwrap();
        assert_eq!(p("scratch"), ImageLocation::Scratch);
        assert_eq!(
            p("oci:/tmp/l:1.0"),
            ImageLocation::OciLayout {
                dir: "/tmp/l".into(),
                tag: Some("1.0".into())
            }
        );
        assert_eq!(
            p("oci:/tmp/l"),
            ImageLocation::OciLayout {
                dir: "/tmp/l".into(),
                tag: None
            }
        );
        assert_eq!(
            p("docker-archive:/x.tar"),
            ImageLocation::DockerArchive {
                file: "/x.tar".into()
            }
        );
        assert_eq!(
            p("rootfs:./root"),
            ImageLocation::Rootfs {
                path: "./root".into()
            }
        );
        assert!(matches!(p("debian:12"), ImageLocation::Named(_)));
        assert!(ImageLocation::parse("oci:").is_err());
        assert!(ImageLocation::parse("docker://x").is_err());
        assert_eq!(p("oci:/tmp/l:1.0").to_string(), "oci:/tmp/l:1.0");
    }
}
