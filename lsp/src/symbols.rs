//! Names in a Dockerfile and where they occur: stages (`FROM … AS build`, `FROM build`,
//! `COPY --from=build`, `RUN --mount=…,from=build`) and ARG/ENV variables (definitions and
//! `$VAR`/`${VAR}` references, resolved with the analyzer's scoping). Definition,
//! references, highlights, rename and hover are all answered from this one list.

use plimsoll_analyzer::lexer::LogicalLine;
use plimsoll_analyzer::vars;
use plimsoll_analyzer::{Base, Dockerfile, Form, Instruction, Keyword, Span, VarKind};

/// Which variable a name resolves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VarId {
    /// An ARG before the first FROM (the first one declaring the name stands for all:
    /// `--build-arg` sets them together), or a stage's `ARG NAME` that takes its default.
    Global(usize),
    /// An ARG or ENV inside a stage, by instruction index.
    Local(usize),
    /// A build argument BuildKit defines (`TARGETARCH`, `HTTP_PROXY`…).
    Predefined,
    /// Defined nowhere in the file (a shell variable, or a mistake).
    Undefined,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// A stage, by index.
    Stage(usize),
    Variable {
        name: String,
        id: VarId,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub target: Target,
    /// The name as written (without `$`, braces or `--from=`).
    pub span: Span,
    pub definition: bool,
    /// The span's text is exactly the name, so a rename may replace it.
    pub renamable: bool,
    /// The instruction the occurrence is in.
    pub instruction: usize,
}

/// Every stage and variable occurrence in the file, in text order.
pub fn occurrences(file: &Dockerfile) -> Vec<Occurrence> {
    let mut out = Vec::new();
    stage_occurrences(file, &mut out);
    variable_occurrences(file, &mut out);
    out.sort_by_key(|o| (o.span.start, o.span.end));
    out
}

/// The occurrence under the cursor: its span contains the offset or ends right at it.
pub fn at(occurrences: &[Occurrence], offset: usize) -> Option<&Occurrence> {
    occurrences
        .iter()
        .find(|o| o.span.start <= offset && offset < o.span.end)
        .or_else(|| occurrences.iter().find(|o| o.span.end == offset))
}

/// Where a target is defined.
pub fn definition(file: &Dockerfile, occurrences: &[Occurrence], target: &Target) -> Option<Span> {
    if let Some(o) = occurrences
        .iter()
        .find(|o| o.definition && &o.target == target)
    {
        return Some(o.span);
    }
    // An unnamed stage is defined by its FROM line.
    match target {
        Target::Stage(index) => file
            .stages
            .get(*index)
            .map(|s| file.instructions[s.from].keyword_span),
        Target::Variable { .. } => None,
    }
}

/// The lower-cased stage name if `text` may be used as one (BuildKit's rule).
pub fn valid_stage_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

pub fn valid_variable_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn stage_occurrences(file: &Dockerfile, out: &mut Vec<Occurrence>) {
    let text = file.text.as_str();
    for stage in &file.stages {
        if let Some(name) = &stage.name {
            out.push(Occurrence {
                target: Target::Stage(stage.index),
                span: name.span,
                definition: true,
                renamable: name.span.text(text) == name.text,
                instruction: stage.from,
            });
        }
        if let (Base::Stage(parent), Some(word)) = (&stage.base, &stage.image_word) {
            out.push(Occurrence {
                target: Target::Stage(*parent),
                span: word.span,
                definition: false,
                renamable: named_as(file, *parent, word.span.text(text)),
                instruction: stage.from,
            });
        }
    }
    for instruction in &file.instructions {
        let Some(stage) = instruction.stage else {
            continue;
        };
        for flag in &instruction.flags {
            let (Some(value), Some(value_span)) = (&flag.value, flag.value_span) else {
                continue;
            };
            let as_written = value_span.text(text) == value;
            let mut refer = |reference: &str, span: Span| {
                let expanded = file.expand(instruction.index, reference).text;
                if let Some(target) = earlier_stage(file, stage, &expanded) {
                    out.push(Occurrence {
                        target: Target::Stage(target),
                        span,
                        definition: false,
                        renamable: as_written && named_as(file, target, span.text(text)),
                        instruction: instruction.index,
                    });
                }
            };
            if flag.name.eq_ignore_ascii_case("from")
                && matches!(instruction.keyword, Keyword::Copy | Keyword::Add)
            {
                refer(value, value_span);
            } else if flag.name.eq_ignore_ascii_case("mount")
                && instruction.keyword == Keyword::Run
                && as_written
            {
                // `type=cache,from=build,source=/x`: the `from` option names a stage.
                let mut offset = value_span.start;
                for part in value.split(',') {
                    if let Some(reference) = part.strip_prefix("from=") {
                        let start = offset + "from=".len();
                        refer(reference, Span::new(start, start + reference.len()));
                    }
                    offset += part.len() + 1;
                }
            }
        }
    }
}

/// Whether the stage's name is exactly `text` (case-insensitive), so renaming may touch it.
fn named_as(file: &Dockerfile, stage: usize, text: &str) -> bool {
    file.stages
        .get(stage)
        .and_then(|s| s.name.as_ref())
        .is_some_and(|n| n.text.eq_ignore_ascii_case(text))
}

/// The stage a `--from` inside stage `current` names: an earlier stage, by name or index.
fn earlier_stage(file: &Dockerfile, current: usize, reference: &str) -> Option<usize> {
    let key = reference.to_ascii_lowercase();
    file.stages[..current.min(file.stages.len())]
        .iter()
        .find(|s| s.key().as_deref() == Some(key.as_str()))
        .map(|s| s.index)
        .or_else(|| reference.parse::<usize>().ok().filter(|&i| i < current))
}

/// The identity of the variable `name` defined by instruction `at`.
fn definition_id(file: &Dockerfile, at: usize, name: &str) -> VarId {
    let instruction = &file.instructions[at];
    match instruction.stage {
        None => first_global(file, name).map_or(VarId::Local(at), VarId::Global),
        Some(stage) => {
            let takes_global_default = instruction.keyword == Keyword::Arg
                && instruction
                    .pairs
                    .iter()
                    .rev()
                    .find(|p| p.key == name)
                    .is_some_and(|p| p.value.is_none());
            let from = file.stages[stage].from;
            match file.lookup(from, name) {
                Some(def)
                    if takes_global_default
                        && def.kind == VarKind::Arg
                        && def.instruction.is_some() =>
                {
                    first_global(file, name).map_or(VarId::Local(at), VarId::Global)
                }
                _ => VarId::Local(at),
            }
        }
    }
}

fn first_global(file: &Dockerfile, name: &str) -> Option<usize> {
    file.global_args()
        .find(|i| i.pairs.iter().any(|p| p.key == name))
        .map(|i| i.index)
}

/// The identity a reference to `name` at instruction `at` resolves to.
pub fn resolve(file: &Dockerfile, at: usize, name: &str) -> VarId {
    match file.lookup(at, name) {
        None => VarId::Undefined,
        Some(def) => match def.instruction {
            None => VarId::Predefined,
            Some(defining) => definition_id(file, defining, name),
        },
    }
}

fn variable_occurrences(file: &Dockerfile, out: &mut Vec<Occurrence>) {
    let text = file.text.as_str();
    let escape = file.escape();
    for instruction in &file.instructions {
        if matches!(instruction.keyword, Keyword::Arg | Keyword::Env) {
            for pair in &instruction.pairs {
                if pair.key.is_empty() {
                    continue;
                }
                out.push(Occurrence {
                    target: Target::Variable {
                        name: pair.key.clone(),
                        id: definition_id(file, instruction.index, &pair.key),
                    },
                    span: pair.key_span,
                    definition: true,
                    renamable: pair.key_span.text(text) == pair.key,
                    instruction: instruction.index,
                });
            }
        }
        for line in expanded_texts(instruction, text) {
            for reference in vars::references(&line.text, escape) {
                let braced = line.text.as_bytes().get(reference.start + 1) == Some(&b'{');
                let start = reference.start + if braced { 2 } else { 1 };
                let span = line.span(start, start + reference.name.len());
                out.push(Occurrence {
                    target: Target::Variable {
                        name: reference.name.clone(),
                        id: resolve(file, instruction.index, &reference.name),
                    },
                    span,
                    definition: false,
                    renamable: span.text(text) == reference.name,
                    instruction: instruction.index,
                });
            }
        }
    }
}

/// The parts of an instruction in which `$VAR` refers to an ARG or ENV: arguments that
/// BuildKit expands, and shell text that the shell expands at build or run time. Exec-form
/// arguments are not expanded; ONBUILD runs in another build.
fn expanded_texts(instruction: &Instruction, text: &str) -> Vec<LogicalLine> {
    let mut lines = Vec::new();
    let keyword = instruction.keyword;
    if matches!(
        keyword,
        Keyword::Onbuild | Keyword::Maintainer | Keyword::Shell | Keyword::Unknown
    ) {
        return lines;
    }
    for flag in &instruction.flags {
        if let Some(span) = flag.value_span {
            lines.push(LogicalLine::from_original(text, span));
        }
    }
    let exec = matches!(instruction.form, Form::Exec(_));
    let shell_words = matches!(
        keyword,
        Keyword::Run | Keyword::Cmd | Keyword::Entrypoint | Keyword::Healthcheck
    );
    if !(exec && shell_words) {
        lines.push(instruction.args.clone());
    }
    for heredoc in &instruction.heredocs {
        // A RUN heredoc is a script: the shell expands it even when BuildKit does not.
        if keyword == Keyword::Run || !heredoc.quoted {
            lines.push(LogicalLine::from_original(text, heredoc.body_span));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans_of<'a>(
        text: &'a str,
        occurrences: &[Occurrence],
        target: &Target,
    ) -> Vec<(&'a str, usize, bool)> {
        occurrences
            .iter()
            .filter(|o| &o.target == target)
            .map(|o| (o.span.text(text), o.span.start, o.definition))
            .collect()
    }

    #[test]
    fn stage_names_and_their_uses() {
        let text = "FROM golang AS Build\nRUN make\nFROM build AS test\nFROM scratch\nCOPY --from=BUILD /a /a\nCOPY --from=0 /b /b\nRUN --mount=type=cache,from=build,target=/c true\n";
        let file = Dockerfile::parse(text);
        let occurrences = occurrences(&file);
        let build = spans_of(text, &occurrences, &Target::Stage(0));
        let names: Vec<_> = build.iter().map(|(t, _, d)| (*t, *d)).collect();
        assert_eq!(
            names,
            vec![
                ("Build", true),
                ("build", false),
                ("BUILD", false),
                ("0", false),
                ("build", false)
            ]
        );
        let zero = occurrences
            .iter()
            .find(|o| o.span.text(text) == "0")
            .unwrap();
        assert!(!zero.renamable);
        let mount = text.find("from=build").unwrap() + 5;
        let o = at(&occurrences, mount + 2).unwrap();
        assert_eq!((o.target.clone(), o.span.start), (Target::Stage(0), mount));
        assert_eq!(
            definition(&file, &occurrences, &Target::Stage(0)).map(|s| s.text(text)),
            Some("Build")
        );
        // The unnamed stage is defined by its FROM.
        assert_eq!(
            definition(&file, &occurrences, &Target::Stage(2)).map(|s| s.text(text)),
            Some("FROM")
        );
    }

    #[test]
    fn variables_resolve_through_scopes() {
        let text = "ARG V=1\nFROM a:$V AS one\nARG V\nENV E=${V}x\nRUN echo $E $V $local\nFROM one\nRUN echo $E\nCOPY [\"$E\", \"/\"]\nCMD [\"$E\"]\n";
        let file = Dockerfile::parse(text);
        let occurrences = occurrences(&file);
        let v = Target::Variable {
            name: "V".into(),
            id: VarId::Global(0),
        };
        let found = spans_of(text, &occurrences, &v);
        assert_eq!(found.len(), 5, "{found:?}");
        assert_eq!(
            found.iter().filter(|f| f.2).count(),
            2,
            "ARG V=1 and the stage's ARG V"
        );
        let e = Target::Variable {
            name: "E".into(),
            id: VarId::Local(3),
        };
        let found = spans_of(text, &occurrences, &e);
        // ENV E, `$E` in the first RUN, in the child stage's RUN and in COPY's exec form
        // (BuildKit expands COPY), not in CMD's exec form.
        assert_eq!(found.len(), 4, "{found:?}");
        let local = occurrences
            .iter()
            .find(|o| o.span.text(text) == "local")
            .unwrap();
        assert_eq!(
            local.target,
            Target::Variable {
                name: "local".into(),
                id: VarId::Undefined
            }
        );
    }

    #[test]
    fn a_stage_arg_with_its_own_default_is_its_own_variable() {
        let text = "ARG V=1\nFROM a\nARG V=2\nRUN echo $V\n";
        let file = Dockerfile::parse(text);
        let occurrences = occurrences(&file);
        let run_ref = occurrences.last().unwrap();
        assert_eq!(
            run_ref.target,
            Target::Variable {
                name: "V".into(),
                id: VarId::Local(2)
            }
        );
    }

    #[test]
    fn names() {
        assert!(valid_stage_name("build-2.x_y"));
        assert!(!valid_stage_name("2build"));
        assert!(!valid_stage_name("a b"));
        assert!(valid_variable_name("_A1"));
        assert!(!valid_variable_name("1A"));
        assert!(!valid_variable_name("A-B"));
    }
}
