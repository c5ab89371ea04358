//! How stages refer to each other — `FROM <stage>`, `COPY --from=<stage>`,
//! `RUN --mount=from=<stage>` — resolved the way BuildKit resolves them, and the facts
//! several rules of the family share: the chain of stages a stage is built on and the
//! WORKDIR it runs in.

pub use crate::helpers::path::normalize;
use plimsoll_analyzer::{Base, Dockerfile, Instruction, Keyword, Span, Stage, vars};

/// Where a `--from` value (or a mount's `from=`) is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FromRef<'a> {
    pub instruction: &'a Instruction,
    /// The value with quotes removed.
    pub value: String,
    /// The value as written (the flag's value, or the `from=` field's value).
    pub span: Span,
}

/// What a `--from` value names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A stage of this file, by index.
    Stage(usize),
    /// A variable: BuildKit does not expand `--from`, so the build fails.
    Variable,
    /// Nothing in this file: BuildKit takes it as an image (or a named build context).
    Outside,
}

/// Resolves a `--from` value as BuildKit does: a number is a stage index, anything else a
/// stage name compared case-insensitively, over all stages of the file (a later stage may be
/// named, as long as no cycle results; of two stages with one name, the last counts).
pub fn resolve(file: &Dockerfile, value: &str) -> Target {
    if value.contains('$') {
        return Target::Variable;
    }
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return match value.parse::<usize>() {
            Ok(i) if i < file.stages.len() => Target::Stage(i),
            _ => Target::Outside,
        };
    }
    let key = value.to_ascii_lowercase();
    file.stages
        .iter()
        .rev()
        .find(|s| s.key().as_deref() == Some(key.as_str()))
        .map_or(Target::Outside, |s| Target::Stage(s.index))
}

/// The `--from` of a COPY.
pub fn copy_from(instruction: &Instruction) -> Option<FromRef<'_>> {
    if instruction.keyword != Keyword::Copy {
        return None;
    }
    let flag = instruction.flag("from")?;
    let value = flag.value.clone()?;
    Some(FromRef {
        instruction,
        value,
        span: flag.value_span.unwrap_or(flag.span),
    })
}

/// The `from=` fields of a RUN's `--mount` flags.
pub fn mount_froms<'a>(file: &Dockerfile, instruction: &'a Instruction) -> Vec<FromRef<'a>> {
    let mut out = Vec::new();
    if instruction.keyword != Keyword::Run {
        return out;
    }
    for flag in &instruction.flags {
        if !flag.name.eq_ignore_ascii_case("mount") {
            continue;
        }
        let Some(value_span) = flag.value_span else {
            continue;
        };
        // Fields are read from the text as written so that each keeps its own span.
        let raw = value_span.text(&file.text);
        // Quotes, blanks and line continuations around a field are not part of it.
        let escape = file.escape();
        let noise = |c: char| c.is_whitespace() || c == '"' || c == '\'' || c == escape;
        let mut offset = 0;
        for field in raw.split(',') {
            let start = value_span.start + offset;
            offset += field.len() + 1;
            let lead = field.len() - field.trim_start_matches(noise).len();
            let body = field[lead..].trim_end_matches(noise);
            let Some((key, val)) = body.split_once('=') else {
                continue;
            };
            if !key.trim().eq_ignore_ascii_case("from") || val.is_empty() {
                continue;
            }
            let val_start = start + lead + key.len() + 1;
            out.push(FromRef {
                instruction,
                value: val.to_string(),
                span: Span::new(val_start, val_start + val.len()),
            });
        }
    }
    out
}

/// Every `COPY --from` and `RUN --mount=from=` of a stage.
pub fn from_refs<'a>(file: &'a Dockerfile, stage: &Stage) -> Vec<FromRef<'a>> {
    let mut out = Vec::new();
    for instruction in file.stage_instructions(stage) {
        out.extend(copy_from(instruction));
        out.extend(mount_froms(file, instruction));
    }
    out
}

/// What a stage needs built first: its base stage and the stages it copies or mounts from,
/// each with the span that makes the dependency (the image word or the `from` value).
pub fn dependencies(file: &Dockerfile) -> Vec<Vec<(usize, Span)>> {
    file.stages
        .iter()
        .map(|stage| {
            let mut deps = Vec::new();
            if let Some(word) = &stage.image_word {
                if let Base::Stage(parent) = stage.base {
                    deps.push((parent, word.span));
                }
                // `FROM base-$TARGETOS`: any earlier stage the build arguments may select.
                if word.text.contains('$') {
                    deps.extend(
                        matching_stages(file, &word.text, stage.index, false)
                            .map(|i| (i, word.span)),
                    );
                }
            }
            for r in from_refs(file, stage) {
                match resolve(file, &r.value) {
                    Target::Stage(i) => deps.push((i, r.span)),
                    // BuildKit refuses these, other builders expand them.
                    Target::Variable => deps.extend(
                        matching_stages(file, &r.value, stage.index, true).map(|i| (i, r.span)),
                    ),
                    Target::Outside => {}
                }
            }
            deps.sort_by_key(|d| (d.0, d.1.start));
            deps.dedup_by_key(|d| d.0);
            deps
        })
        .collect()
}

/// Stages before `before` whose name a reference with variables may produce: each
/// variable stands for any text (`base-$TARGETOS` matches `base-linux` and `base-windows`).
/// A reference that is nothing but variables matches every stage only when `only_stages`
/// (`--from` names stages; `FROM $BASE` names an image, usually).
fn matching_stages<'a>(
    file: &'a Dockerfile,
    pattern: &str,
    before: usize,
    only_stages: bool,
) -> impl Iterator<Item = usize> + 'a {
    // The literal pieces between the variable references, lower-cased.
    let lower = pattern.to_ascii_lowercase();
    let mut pieces = Vec::new();
    let mut last = 0;
    for r in vars::references(&lower, file.escape()) {
        pieces.push(lower[last..r.start].to_string());
        last = r.end;
    }
    pieces.push(lower[last..].to_string());
    let any_text = only_stages || pieces.iter().any(|p| !p.is_empty());
    file.stages[..before.min(file.stages.len())]
        .iter()
        .filter(move |s| any_text && s.key().is_some_and(|name| glob_match(&pieces, &name)))
        .map(|s| s.index)
}

/// Whether `text` is the pieces in order with anything between them.
fn glob_match(pieces: &[String], text: &str) -> bool {
    let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
        return false;
    };
    if pieces.len() == 1 {
        return text == first;
    }
    if !text.starts_with(first.as_str()) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..];
    for piece in &pieces[1..pieces.len() - 1] {
        match rest.find(piece.as_str()) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.ends_with(last.as_str())
}

/// The stages `docker build` (without `--target`) builds: the last one and everything it
/// needs, transitively.
pub fn reachable(file: &Dockerfile, deps: &[Vec<(usize, Span)>]) -> Vec<bool> {
    let mut seen = vec![false; file.stages.len()];
    let mut todo: Vec<usize> = file.final_stage().map(|s| s.index).into_iter().collect();
    while let Some(i) = todo.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        todo.extend(deps[i].iter().map(|&(d, _)| d));
    }
    seen
}

/// `stage`, then the stage it is built on, and so on.
pub fn chain<'a>(file: &'a Dockerfile, stage: &'a Stage) -> Vec<&'a Stage> {
    let mut out = vec![stage];
    let mut current = stage;
    while let Base::Stage(p) = current.base {
        // Bases always point backwards; the guard keeps a broken model finite.
        let Some(parent) = file.stages.get(p).filter(|s| s.index < current.index) else {
            break;
        };
        out.push(parent);
        current = parent;
    }
    out
}

/// The instructions that run before `at` in the image: the stage's earlier instructions and
/// all of the stages it is built on, oldest first.
pub fn earlier_in_image<'a>(
    file: &'a Dockerfile,
    stage: &'a Stage,
    at: usize,
) -> Vec<&'a Instruction> {
    let mut out = Vec::new();
    for s in chain(file, stage).into_iter().rev() {
        out.extend(
            file.stage_instructions(s)
                .iter()
                .filter(|i| i.index < at && i.keyword != Keyword::From),
        );
    }
    out
}

/// The WORKDIR in effect just before instruction `at`, when this file alone decides it:
/// the stages' WORKDIRs are plain text (no variables) and the chain starts from scratch
/// (`/`) or sets an absolute WORKDIR. `None` when the base image's WORKDIR matters.
pub fn known_workdir(file: &Dockerfile, stage: &Stage, at: usize) -> Option<String> {
    let root = chain(file, stage).last().copied()?;
    let mut current = matches!(root.base, Base::Scratch).then(|| "/".to_string());
    for instruction in earlier_in_image(file, stage, at) {
        if instruction.keyword != Keyword::Workdir {
            continue;
        }
        let path = instruction.words.first().map(|w| w.text.as_str())?;
        if path.contains('$') {
            return None;
        }
        current = if path.starts_with('/') {
            Some(normalize(path))
        } else {
            current.map(|dir| normalize(&format!("{dir}/{path}")))
        };
    }
    current
}

/// Whether any WORKDIR runs before `at` in the stage or the stages it is built on.
pub fn workdir_set(file: &Dockerfile, stage: &Stage, at: usize) -> bool {
    earlier_in_image(file, stage, at)
        .iter()
        .any(|i| i.keyword == Keyword::Workdir)
}

/// Whether a path is absolute on Linux (`/x`) or Windows (`C:\x`, `C:/x`).
pub fn is_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

/// The 1-based line of an offset, for messages.
pub fn line_of(file: &Dockerfile, offset: usize) -> usize {
    file.line_col(offset).line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_names_indices_variables_and_images() {
        let file = Dockerfile::parse(
            "FROM a AS Build\nFROM b\nCOPY --from=build /x /y\nCOPY --from=1 /x /y\n",
        );
        assert_eq!(resolve(&file, "BUILD"), Target::Stage(0));
        assert_eq!(resolve(&file, "1"), Target::Stage(1));
        assert_eq!(resolve(&file, "2"), Target::Outside);
        assert_eq!(resolve(&file, "nginx:1"), Target::Outside);
        assert_eq!(resolve(&file, "${X}"), Target::Variable);
    }

    #[test]
    fn reads_mount_from_fields_with_their_spans() {
        let text = "FROM a AS b\nFROM c\nRUN --mount=type=bind,from=b,target=/x --mount=\"type=cache,from=b\" \\\n    --mount=type=bind,\\\nfrom=b true\n";
        let file = Dockerfile::parse(text);
        let refs = mount_froms(&file, &file.instructions[2]);
        assert_eq!(refs.len(), 3);
        for r in refs {
            assert_eq!(r.value, "b");
            assert_eq!(r.span.text(text), "b");
        }
    }

    #[test]
    fn builds_the_graph_and_what_the_final_stage_needs() {
        let file = Dockerfile::parse(
            "FROM a AS one\nFROM a AS two\nFROM one AS three\nRUN --mount=from=two,target=/t true\nFROM a AS unused\nFROM three\n",
        );
        let deps = dependencies(&file);
        assert_eq!(deps[2].iter().map(|d| d.0).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(reachable(&file, &deps), vec![true, true, true, false, true]);
    }

    #[test]
    fn references_with_variables_may_need_any_matching_stage() {
        let file = Dockerfile::parse(
            "FROM a AS bin-linux\nFROM a AS bin-windows\nFROM a AS other\nFROM bin-$TARGETOS AS bin\nFROM a\nCOPY --from=bin / /\n",
        );
        let deps = dependencies(&file);
        assert_eq!(deps[3].iter().map(|d| d.0).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(reachable(&file, &deps), vec![true, true, false, true, true]);
        assert!(glob_match(&["a".into(), "b".into(), "c".into()], "a-b-c"));
        assert!(!glob_match(&["ab".into(), "ba".into()], "aba"));
    }

    #[test]
    fn knows_the_workdir_only_when_the_file_decides_it() {
        let file = Dockerfile::parse(
            "FROM scratch AS s\nWORKDIR app\nCOPY a b\nFROM debian\nWORKDIR x\nWORKDIR /srv\nWORKDIR ../data\nCOPY a b\n",
        );
        let s = &file.stages;
        assert_eq!(known_workdir(&file, &s[0], 1).as_deref(), Some("/"));
        assert_eq!(known_workdir(&file, &s[0], 2).as_deref(), Some("/app"));
        assert_eq!(known_workdir(&file, &s[1], 4), None);
        assert_eq!(known_workdir(&file, &s[1], 5), None);
        assert_eq!(known_workdir(&file, &s[1], 7).as_deref(), Some("/data"));
        assert!(!workdir_set(&file, &s[1], 4));
        assert!(workdir_set(&file, &s[1], 5));
    }
}
