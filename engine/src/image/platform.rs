//! An image's platform (`os/arch[/variant]`), as `--platform` and image indexes name it.

/// `os/arch[/variant]` of a `--platform` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub arch: String,
    pub variant: Option<String>,
}

impl Platform {
    /// This machine's platform.
    pub fn native() -> Platform {
        Platform {
            os: "linux".into(),
            arch: oci_spec::image::Arch::default().to_string(),
            variant: None,
        }
    }

    pub fn parse(text: &str) -> Result<Platform, String> {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.to_string(),
                arch: arch.to_string(),
                variant: None,
            }),
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() && !variant.is_empty() => {
                Ok(Platform {
                    os: os.to_string(),
                    arch: arch.to_string(),
                    variant: Some(variant.to_string()),
                })
            }
            _ => Err(format!(
                "--platform={text}: expected OS/ARCH or OS/ARCH/VARIANT, e.g. linux/arm64"
            )),
        }
    }

    /// Whether this machine runs it natively.
    pub fn is_host(&self) -> bool {
        let host = format!("linux/{}", oci_spec::image::Arch::default());
        format!("{}/{}", self.os, self.arch) == host
    }

    pub fn apply(&self, config: &mut crate::image::ImageConfig) {
        config
            .oci
            .set_os(oci_spec::image::Os::from(self.os.as_str()));
        config
            .oci
            .set_architecture(oci_spec::image::Arch::from(self.arch.as_str()));
        config.oci.set_variant(self.variant.clone());
    }
}

impl Platform {
    /// Whether an index entry's platform is this one (any variant when none is asked).
    pub fn matches(&self, other: &oci_spec::image::Platform) -> bool {
        other.os().to_string() == self.os
            && other.architecture().to_string() == self.arch
            && (self.variant.is_none() || *other.variant() == self.variant)
    }

    /// The store's name for an image of this platform pulled as `normalized` (the plain
    /// name stays this machine's image).
    pub fn store_tag(&self, normalized: &str) -> String {
        format!("{normalized} [{self}]")
    }

    /// Whether an image configuration says it is for this platform.
    pub fn describes(&self, config: &crate::image::ImageConfig) -> bool {
        config.oci.os().to_string() == self.os
            && config.oci.architecture().to_string() == self.arch
            && (self.variant.is_none() || *config.oci.variant() == self.variant)
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.arch)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}
