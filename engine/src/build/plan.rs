//! Which stages a build needs: the target and, transitively, the stages it is based on or
//! copies from — the others are skipped, as BuildKit does.

use super::{BuildError, BuildOptions};
use plimsoll_analyzer::dockerfile::PREDEFINED_ARGS;
use plimsoll_analyzer::{Base, Dockerfile, Instruction, Keyword};
use std::collections::BTreeSet;

/// The index of the stage to build.
pub fn target(df: &Dockerfile, target: Option<&str>) -> Result<usize, BuildError> {
    match target {
        None => df
            .final_stage()
            .map(|s| s.index)
            .ok_or_else(|| BuildError::Invalid("the Dockerfile has no stage".into())),
        Some(name) => df
            .stages
            .iter()
            .find(|s| s.key().as_deref() == Some(name.to_ascii_lowercase().as_str()))
            .map(|s| s.index)
            .ok_or_else(|| {
                let names: Vec<String> = df
                    .stages
                    .iter()
                    .filter_map(|s| s.name.as_ref().map(|n| n.text.clone()))
                    .collect();
                BuildError::Invalid(format!(
                    "target stage `{name}` not found (named stages: {})",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ))
            }),
    }
}

/// `--from` of COPY/ADD and `from=` of `RUN --mount`, as written.
pub fn from_references(instruction: &Instruction) -> Vec<String> {
    let mut out = Vec::new();
    match instruction.keyword {
        Keyword::Copy | Keyword::Add => {
            if let Some(value) = instruction.flag("from").and_then(|f| f.value.clone()) {
                out.push(value);
            }
        }
        Keyword::Run => {
            for flag in instruction
                .flags
                .iter()
                .filter(|f| f.name.eq_ignore_ascii_case("mount"))
            {
                if let Some(value) = &flag.value {
                    for field in value.split(',') {
                        if let Some(from) = field.strip_prefix("from=") {
                            out.push(from.to_string());
                        }
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// The stage a `--from` value names, if it names one built before `stage`.
pub fn stage_reference(df: &Dockerfile, at: usize, stage: usize, value: &str) -> Option<usize> {
    let expanded = df.expand(at, value).text;
    df.stage_by_ref(&expanded)
        .map(|s| s.index)
        .filter(|&s| s < stage)
}

/// The stages to build for `target`, in order.
pub fn needed(df: &Dockerfile, target: usize) -> Vec<usize> {
    let mut needed = BTreeSet::new();
    let mut work = vec![target];
    while let Some(index) = work.pop() {
        if !needed.insert(index) {
            continue;
        }
        let stage = &df.stages[index];
        if let Base::Stage(parent) = stage.base {
            work.push(parent);
        }
        for instruction in df.stage_instructions(stage) {
            for value in from_references(instruction) {
                if let Some(s) = stage_reference(df, instruction.index, index, &value) {
                    work.push(s);
                }
            }
        }
    }
    needed.into_iter().collect()
}

/// Warnings for build arguments no ARG declares.
pub fn unused_build_args(df: &Dockerfile, options: &BuildOptions) -> Vec<String> {
    let declared: BTreeSet<&str> = df
        .instructions
        .iter()
        .filter(|i| i.keyword == Keyword::Arg)
        .flat_map(|i| i.pairs.iter().map(|p| p.key.as_str()))
        .collect();
    options
        .build_args
        .keys()
        .filter(|k| !declared.contains(k.as_str()) && !PREDEFINED_ARGS.contains(&k.as_str()))
        .map(|k| format!("build argument {k} was not consumed: no ARG declares it"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
FROM scratch AS a
FROM scratch AS b
COPY --from=a /x /x
FROM scratch AS unused
FROM b AS c
RUN --mount=type=bind,from=d,target=/m true
FROM scratch AS d
FROM c
";

    #[test]
    fn builds_only_what_the_target_needs() {
        let df = Dockerfile::parse(FILE);
        let last = target(&df, None).unwrap();
        assert_eq!(last, 5);
        // `d` comes after `c`, so in c it names an image, not the stage.
        assert_eq!(needed(&df, last), vec![0, 1, 3, 5]);
        assert_eq!(needed(&df, target(&df, Some("B")).unwrap()), vec![0, 1]);
        let err = target(&df, Some("nope")).unwrap_err().to_string();
        assert!(err.contains("a, b, unused, c, d"), "{err}");
    }
}
