//! Stages for another platform than this machine's (`FROM --platform=linux/arm64 …`).
//! Nothing runs under emulation here, so such a stage builds when it only puts files
//! together (FROM scratch or an earlier stage, COPY, ADD, configuration), and a RUN in one
//! is refused before the build starts, with the line that needs it.

use super::BuildError;
use super::instructions::host_platform;
use plimsoll_analyzer::{Base, Dockerfile, Keyword};

/// `os/arch[/variant]` of a `--platform` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub arch: String,
    pub variant: Option<String>,
}

impl Platform {
    pub fn parse(text: &str) -> Result<Platform, BuildError> {
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
            _ => Err(BuildError::Invalid(format!(
                "--platform={text}: expected OS/ARCH or OS/ARCH/VARIANT, e.g. linux/arm64"
            ))),
        }
    }

    /// Whether this machine runs it natively.
    pub fn is_host(&self) -> bool {
        let host = host_platform();
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

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.arch)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// The foreign platform stage `index` is built for: its own `--platform`, or the one of
/// the stage it starts from.
pub fn stage_platform(df: &Dockerfile, index: usize) -> Result<Option<Platform>, BuildError> {
    let stage = &df.stages[index];
    if let Some(text) = &stage.platform {
        let expanded = df.expand(stage.from, text).text;
        if !expanded.is_empty() {
            let platform = Platform::parse(&expanded)?;
            return Ok((!platform.is_host()).then_some(platform));
        }
    }
    match stage.base {
        Base::Stage(parent) if parent < index => stage_platform(df, parent),
        _ => Ok(None),
    }
}

/// Refuses, before anything runs, a RUN in a needed stage of another platform.
pub fn check(df: &Dockerfile, stages: &[usize]) -> Result<(), BuildError> {
    for &index in stages {
        let Some(platform) = stage_platform(df, index)? else {
            continue;
        };
        let stage = &df.stages[index];
        let run = df.instructions[stage.instructions.clone()]
            .iter()
            .find(|i| i.keyword == Keyword::Run);
        if let Some(run) = run {
            let name = stage.name.as_ref().map_or_else(
                || format!("stage {index}"),
                |n| format!("stage `{}`", n.text),
            );
            return Err(BuildError::Invalid(format!(
                "{name} is for {platform} and this machine is {}: its RUN at line {} would need emulation, which Plimsoll does not have (stages for other platforms may only FROM scratch or a stage, COPY, ADD and configure)",
                host_platform(),
                df.line_col(run.span.start).line
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_platforms() {
        let p = Platform::parse("linux/arm/v7").unwrap();
        assert_eq!(p.to_string(), "linux/arm/v7");
        assert!(!p.is_host());
        assert!(Platform::parse(&host_platform()).unwrap().is_host());
        for bad in ["linux", "linux/", "a/b/c/d", ""] {
            assert!(Platform::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refuses_run_in_foreign_stages_only() {
        let foreign = if host_platform() == "linux/arm64" {
            "linux/amd64"
        } else {
            "linux/arm64"
        };
        let df = Dockerfile::parse(&format!(
            "FROM --platform={foreign} scratch AS files\nCOPY a /a\nFROM files AS more\nRUN true\nFROM --platform=$BUILDPLATFORM scratch\nRUN true\n"
        ));
        assert!(check(&df, &[0, 2]).is_ok());
        let err = check(&df, &[0, 1]).unwrap_err().to_string();
        assert!(
            err.contains(&format!("stage `more` is for {foreign}")) && err.contains("line 4"),
            "{err}"
        );
    }
}
