//! Instructions of which only the last one in a stage takes effect (CMD, ENTRYPOINT,
//! HEALTHCHECK).

use crate::{Diagnostic, RuleMeta};
use plimsoll_analyzer::{Dockerfile, Keyword};

/// Reports every `keyword` of a stage after the first, on its keyword, naming the one it
/// overrides.
pub fn report_repeats(
    file: &Dockerfile,
    meta: &'static RuleMeta,
    keyword: Keyword,
    out: &mut Vec<Diagnostic>,
) {
    let name = keyword.as_str();
    for stage in &file.stages {
        let mut previous = None;
        for instruction in file.stage_instructions(stage) {
            if instruction.keyword != keyword {
                continue;
            }
            if let Some(earlier) = previous {
                let line = file.line_col(earlier).line;
                out.push(
                    Diagnostic::new(
                        meta,
                        instruction.keyword_span,
                        format!(
                            "another `{name}` in this stage: only the last one takes effect, \
                             so the one on line {line} does nothing"
                        ),
                    )
                    .with_help(format!("keep one `{name}` per stage and delete the others")),
                );
            }
            previous = Some(instruction.keyword_span.start);
        }
    }
}
