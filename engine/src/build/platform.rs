//! Stages for another platform than this machine's (`FROM --platform=linux/arm64 …`).
//! Nothing runs under emulation here, so such a stage builds when it only puts files
//! together (FROM scratch or an earlier stage, COPY, ADD, configuration), and a RUN in one
//! is refused before the build starts, with the line that needs it.

use super::BuildError;
use super::instructions::host_platform;
use plimsoll_analyzer::{Base, Dockerfile, Keyword};

pub use crate::image::Platform;

/// The foreign platform stage `index` is built for: its own `--platform`, or the one of
/// the stage it starts from.
pub fn stage_platform(df: &Dockerfile, index: usize) -> Result<Option<Platform>, BuildError> {
    let stage = &df.stages[index];
    if let Some(text) = &stage.platform {
        let expanded = df.expand(stage.from, text).text;
        if !expanded.is_empty() {
            let platform = Platform::parse(&expanded).map_err(BuildError::Invalid)?;
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
