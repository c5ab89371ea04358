//! Shared by PL907 and PL908: what MAINTAINER becomes.

use crate::{Diagnostic, Edit, Fix, RuleMeta};
use plimsoll_analyzer::{Dockerfile, Instruction, Keyword};

pub const AUTHORS_LABEL: &str = "org.opencontainers.image.authors";

/// The finding for one MAINTAINER, with the LABEL rewrite when it is mechanical.
pub fn diagnostic(meta: &RuleMeta, file: &Dockerfile, instruction: &Instruction) -> Diagnostic {
    let value = instruction.args.text.trim();
    let label = label_for(file, instruction, value);
    let help = match &label {
        Some(label) => format!("record the author as a label: `{label}`"),
        None if value.is_empty() => {
            format!("record the author as a label: `LABEL {AUTHORS_LABEL}=\"…\"`")
        }
        None => format!("the stage already sets `{AUTHORS_LABEL}`: delete this MAINTAINER"),
    };
    let mut diagnostic = Diagnostic::new(
        meta,
        instruction.keyword_span,
        "MAINTAINER is deprecated: it sets the image's `Author` field, which the OCI image format replaces with the `org.opencontainers.image.authors` label",
    )
    .with_help(help);
    if let Some(label) = label {
        diagnostic = diagnostic.with_fix(Fix::safe(
            format!("Replace with `LABEL {AUTHORS_LABEL}`"),
            vec![Edit::replace(instruction.span, label)],
        ));
    }
    diagnostic
}

/// `LABEL org.opencontainers.image.authors="…"` for the MAINTAINER text, or `None` when the
/// stage already sets that label (the rewrite would then decide between two values).
fn label_for(file: &Dockerfile, instruction: &Instruction, value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    let stage = file.stages.get(instruction.stage?)?;
    let already_labelled = file
        .stage_instructions(stage)
        .iter()
        .any(|i| i.keyword == Keyword::Label && i.pairs.iter().any(|p| p.key == AUTHORS_LABEL));
    if already_labelled {
        return None;
    }
    let escape = file.escape();
    let mut quoted = String::with_capacity(value.len() + 2);
    for c in unquoted(value).chars() {
        if c == escape || c == '"' || c == '$' {
            quoted.push(escape);
        }
        quoted.push(c);
    }
    let written = instruction.keyword_text(&file.text);
    let keyword = if written == written.to_ascii_lowercase() {
        "label"
    } else {
        "LABEL"
    };
    Some(format!("{keyword} {AUTHORS_LABEL}=\"{quoted}\""))
}

/// MAINTAINER keeps its text as written, quotes included; a value wholly in one pair of
/// quotes means the text inside them.
fn unquoted(value: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q))
            && !inner.contains(q)
        {
            return inner;
        }
    }
    value
}
