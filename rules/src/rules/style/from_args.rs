//! What a FROM line sees: the global ARGs (declared before the first FROM) and the
//! platform arguments BuildKit predefines for it.

use plimsoll_analyzer::{Dockerfile, Keyword, Stage, Word, vars};
use std::collections::HashMap;

/// Arguments BuildKit defines for FROM lines without an ARG, with stand-in values of a
/// `linux/amd64` build (the values only matter for checking what a reference expands to).
pub const PLATFORM_ARGS: &[(&str, &str)] = &[
    ("BUILDPLATFORM", "linux/amd64"),
    ("BUILDOS", "linux"),
    ("BUILDOSVERSION", ""),
    ("BUILDARCH", "amd64"),
    ("BUILDVARIANT", ""),
    ("TARGETPLATFORM", "linux/amd64"),
    ("TARGETOS", "linux"),
    ("TARGETOSVERSION", ""),
    ("TARGETARCH", "amd64"),
    ("TARGETVARIANT", ""),
    ("TARGETSTAGE", "default"),
];

/// Names FROM can reference: global ARGs and the platform arguments.
pub fn visible_names(file: &Dockerfile) -> Vec<&str> {
    let mut names: Vec<&str> = file
        .global_args()
        .flat_map(|i| i.pairs.iter().map(|p| p.key.as_str()))
        .collect();
    names.extend(PLATFORM_ARGS.iter().map(|(n, _)| *n));
    names
}

/// The values FROM sees when no `--build-arg` is given: each global ARG's default
/// (expanded with the ones before it), over the platform arguments.
pub fn default_values(file: &Dockerfile) -> HashMap<String, String> {
    let mut values: HashMap<String, String> = PLATFORM_ARGS
        .iter()
        .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
        .collect();
    for instruction in file.global_args() {
        for pair in &instruction.pairs {
            if let Some(value) = &pair.value {
                let expanded =
                    vars::expand(&value.text, file.escape(), &|n| values.get(n).cloned());
                values.insert(pair.key.clone(), expanded.text);
            }
        }
    }
    values
}

/// The image word of a stage's FROM.
pub fn image_word(stage: &Stage) -> Option<&Word> {
    stage.image_word.as_ref()
}

/// Line of an ARG inside a stage that declares `name`, if any (FROM can not see it).
pub fn stage_arg_line(file: &Dockerfile, name: &str) -> Option<usize> {
    file.instructions
        .iter()
        .filter(|i| i.keyword == Keyword::Arg && i.stage.is_some())
        .find(|i| i.pairs.iter().any(|p| p.key == name))
        .map(|i| file.line_col(i.span.start).line)
}
