//! The semantic model of a whole Dockerfile: directives, comments, instructions, stages and
//! variable scopes. Parsing never fails: it returns the model plus parse errors.

use crate::cache::ParseCache;
use crate::directives::{self, Directives};
use crate::image::ImageRef;
use crate::instruction::{Form, Instruction, Keyword};
use crate::lexer::{self, Comment, RawInstruction};
use crate::span::{LineCol, LineIndex, Span};
use crate::vars;
use crate::words::Word;
use serde::Serialize;
use std::collections::HashMap;
use std::ops::Range;

/// A problem that makes BuildKit reject the file (or that it warns about while parsing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

/// What a stage is built on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Base {
    Scratch,
    /// An earlier stage, by index.
    Stage(usize),
    Image(ImageRef),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// Index of the FROM instruction.
    pub from: usize,
    /// `AS name`, as written.
    pub name: Option<Word>,
    /// The image word as written (before variable expansion).
    pub image_word: Option<Word>,
    pub base: Base,
    /// Variables in the base reference that had no value.
    pub unresolved_vars: Vec<String>,
    /// `--platform` value, as written.
    pub platform: Option<String>,
    /// Indices of the instructions of this stage, FROM included.
    pub instructions: Range<usize>,
}

impl Stage {
    /// The stage name lower-cased, as BuildKit compares them.
    pub fn key(&self) -> Option<String> {
        self.name.as_ref().map(|n| n.text.to_ascii_lowercase())
    }
}

/// Where a variable visible at some instruction comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarDef {
    pub value: Option<String>,
    /// The defining instruction; `None` for predefined build arguments.
    pub instruction: Option<usize>,
    pub kind: VarKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    Arg,
    Env,
    Predefined,
}

/// Inputs that change how a file is understood.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// `--build-arg NAME=value` values.
    pub build_args: HashMap<String, String>,
}

/// Build arguments BuildKit defines without an ARG.
pub const PREDEFINED_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
    "BUILDKIT_SYNTAX",
    "BUILDKIT_INLINE_CACHE",
    "BUILDKIT_MULTI_PLATFORM",
    "BUILDKIT_SBOM_SCAN_CONTEXT",
    "BUILDKIT_SBOM_SCAN_STAGE",
    "BUILDKIT_CONTEXT_KEEP_GIT_DIR",
    "SOURCE_DATE_EPOCH",
];

#[derive(Clone, Debug)]
pub struct Dockerfile {
    pub text: String,
    pub lines: LineIndex,
    pub directives: Directives,
    pub comments: Vec<Comment>,
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    pub errors: Vec<ParseError>,
    pub options: ParseOptions,
    /// For each variable name, the ENV and ARG instructions that define it, in order, so a
    /// lookup is a binary search instead of a walk back through the stage.
    definitions: HashMap<String, Vec<usize>>,
    /// The text in ASCII lower case, computed on first use (case-insensitive searches).
    lowercase: std::sync::OnceLock<String>,
}

impl Dockerfile {
    pub fn parse(text: &str) -> Dockerfile {
        Self::parse_with(text, ParseOptions::default())
    }

    /// As [`Dockerfile::parse_with`], reusing what the previous parse of the same document
    /// left in `cache` (an editor re-parses its buffer after every edit). The result is the
    /// same as without the cache.
    pub fn parse_cached(text: &str, options: ParseOptions, cache: &mut ParseCache) -> Dockerfile {
        cache.install(|| Dockerfile::parse_with(text, options))
    }

    pub fn parse_with(text: &str, options: ParseOptions) -> Dockerfile {
        let directives = directives::parse(text);
        let escape = directives.escape;
        let mut raw = Vec::new();
        let mut comments = Vec::new();
        split(text, directives.body_start, escape, &mut raw, &mut comments);

        let mut errors = Vec::new();
        let mut instructions: Vec<Instruction> = raw
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                for h in &r.heredocs {
                    if !h.terminated {
                        errors.push(ParseError {
                            span: h.marker_span,
                            message: format!(
                                "unterminated heredoc: no line `{}` ends it",
                                h.delimiter
                            ),
                        });
                    }
                }
                Instruction::new(r, text, escape, i)
            })
            .collect();

        let mut file = Dockerfile {
            lines: LineIndex::new(text),
            text: text.to_string(),
            directives,
            comments,
            instructions: Vec::new(),
            stages: Vec::new(),
            errors,
            options,
            definitions: HashMap::new(),
            lowercase: std::sync::OnceLock::new(),
        };
        file.build_stages(&mut instructions);
        for instruction in &instructions {
            if matches!(instruction.keyword, Keyword::Env | Keyword::Arg) {
                for pair in &instruction.pairs {
                    let defs = file.definitions.entry(pair.key.clone()).or_default();
                    if defs.last() != Some(&instruction.index) {
                        defs.push(instruction.index);
                    }
                }
            }
        }
        file.instructions = instructions;
        file.parse_shells();
        file.validate();
        file
    }

    /// The whole text in ASCII lower case (same byte offsets as `text`).
    pub fn text_lowercase(&self) -> &str {
        self.lowercase
            .get_or_init(|| self.text.to_ascii_lowercase())
    }

    pub fn escape(&self) -> char {
        self.directives.escape
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines.line_col(offset, &self.text)
    }

    /// Instructions of a stage.
    pub fn stage_instructions(&self, stage: &Stage) -> &[Instruction] {
        &self.instructions[stage.instructions.clone()]
    }

    /// The last stage (the image `docker build` produces without `--target`).
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// Finds a stage by name (case-insensitive) or by numeric index.
    pub fn stage_by_ref(&self, reference: &str) -> Option<&Stage> {
        let key = reference.to_ascii_lowercase();
        self.stages
            .iter()
            .find(|s| s.key().as_deref() == Some(key.as_str()))
            .or_else(|| {
                reference
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| self.stages.get(i))
            })
    }

    /// ARGs declared before the first FROM.
    pub fn global_args(&self) -> impl Iterator<Item = &Instruction> {
        self.instructions
            .iter()
            .take_while(|i| i.keyword != Keyword::From)
            .filter(|i| i.keyword == Keyword::Arg)
    }

    /// The value of a global ARG (build argument first, then the default).
    fn global_arg(&self, name: &str, before: usize) -> Option<Option<String>> {
        let mut found = None;
        for instruction in self.instructions[..before]
            .iter()
            .take_while(|i| i.keyword != Keyword::From)
            .filter(|i| i.keyword == Keyword::Arg)
        {
            for pair in &instruction.pairs {
                if pair.key == name {
                    let default = pair.value.as_ref().map(|v| {
                        self.expand_with(&v.text, &|n| {
                            self.global_arg(n, instruction.index).flatten()
                        })
                    });
                    found = Some(self.options.build_args.get(name).cloned().or(default));
                }
            }
        }
        found
    }

    fn expand_with(&self, text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
        vars::expand(text, self.escape(), lookup).text
    }

    /// The variable `name` as seen by instruction `at` (ARG and ENV scoping per stage, ENV
    /// inherited from a parent stage, global ARGs only where redeclared).
    pub fn lookup(&self, at: usize, name: &str) -> Option<VarDef> {
        let instruction = self.instructions.get(at)?;
        let Some(stage_index) = instruction.stage else {
            return self.global_lookup(name, at);
        };
        if instruction.keyword == Keyword::From {
            return self.global_lookup(name, at);
        }
        self.stage_lookup(stage_index, at, name, 0)
    }

    fn global_lookup(&self, name: &str, before: usize) -> Option<VarDef> {
        if let Some(value) = self.global_arg(name, before) {
            let instruction = self
                .global_args()
                .find(|i| i.pairs.iter().any(|p| p.key == name));
            return Some(VarDef {
                value,
                instruction: instruction.map(|i| i.index),
                kind: VarKind::Arg,
            });
        }
        PREDEFINED_ARGS.contains(&name).then(|| VarDef {
            value: self.options.build_args.get(name).cloned(),
            instruction: None,
            kind: VarKind::Predefined,
        })
    }

    fn stage_lookup(
        &self,
        stage_index: usize,
        before: usize,
        name: &str,
        depth: usize,
    ) -> Option<VarDef> {
        let stage = &self.stages[stage_index];
        let defs = self.definitions.get(name).map_or(&[][..], Vec::as_slice);
        let first = defs.partition_point(|&i| i < stage.instructions.start);
        let last = defs.partition_point(|&i| i < before);
        for instruction in defs[first..last.max(first)]
            .iter()
            .rev()
            .map(|&i| &self.instructions[i])
        {
            match instruction.keyword {
                Keyword::Env => {
                    if let Some(pair) = instruction.pairs.iter().rev().find(|p| p.key == name) {
                        let value = pair.value.as_ref().map(|v| {
                            self.expand_with(&v.text, &|n| {
                                self.lookup(instruction.index, n).and_then(|d| d.value)
                            })
                        });
                        return Some(VarDef {
                            value,
                            instruction: Some(instruction.index),
                            kind: VarKind::Env,
                        });
                    }
                }
                Keyword::Arg => {
                    if let Some(pair) = instruction.pairs.iter().rev().find(|p| p.key == name) {
                        let value = self.options.build_args.get(name).cloned().or_else(|| {
                            match &pair.value {
                                Some(v) => Some(self.expand_with(&v.text, &|n| {
                                    self.lookup(instruction.index, n).and_then(|d| d.value)
                                })),
                                // `ARG NAME` inside a stage takes the global default.
                                None => self.global_arg(name, stage.from).flatten(),
                            }
                        });
                        return Some(VarDef {
                            value,
                            instruction: Some(instruction.index),
                            kind: VarKind::Arg,
                        });
                    }
                }
                _ => {}
            }
        }
        // ENV is inherited from a parent stage; predefined platform args are always there.
        if let Base::Stage(parent) = stage.base
            && parent < stage_index
            && depth < 64
        {
            let parent_end = self.stages[parent].instructions.end;
            if let Some(def) = self.stage_lookup(parent, parent_end, name, depth + 1)
                && def.kind == VarKind::Env
            {
                return Some(def);
            }
        }
        None
    }

    /// Expands `$VAR` references in `text` as instruction `at` sees them.
    pub fn expand(&self, at: usize, text: &str) -> vars::Expanded {
        vars::expand(text, self.escape(), &|name| {
            self.lookup(at, name).and_then(|d| d.value)
        })
    }

    /// The comments on the lines directly above an instruction (no blank line between).
    pub fn comments_above(&self, instruction: &Instruction) -> impl Iterator<Item = &Comment> {
        let mut line = self.lines.line_of(instruction.span.start);
        let mut found = Vec::new();
        let mut next = self
            .comments
            .partition_point(|c| c.span.start < instruction.span.start);
        while next > 0 && line > 0 {
            let comment = &self.comments[next - 1];
            if comment.inside_instruction || self.lines.line_of(comment.span.start) != line - 1 {
                break;
            }
            found.push(comment);
            line -= 1;
            next -= 1;
        }
        found.into_iter().rev()
    }

    fn build_stages(&mut self, instructions: &mut [Instruction]) {
        let mut current: Option<usize> = None;
        for index in 0..instructions.len() {
            if instructions[index].keyword == Keyword::From {
                let stage_index = self.stages.len();
                if let Some(previous) = current {
                    self.stages[previous].instructions.end = index;
                }
                let stage = self.make_stage(stage_index, &instructions[index], instructions);
                self.stages.push(stage);
                current = Some(stage_index);
            }
            instructions[index].stage = current;
        }
        if let Some(last) = current {
            self.stages[last].instructions.end = instructions.len();
        }
    }

    fn make_stage(&self, index: usize, from: &Instruction, all: &[Instruction]) -> Stage {
        let words = &from.words;
        let image_word = words.first().cloned();
        let name = match words.get(1) {
            Some(w) if w.text.eq_ignore_ascii_case("as") => words.get(2).cloned(),
            _ => None,
        };
        // Global ARGs are the only variables FROM sees.
        let mut unresolved = Vec::new();
        let resolved = image_word.as_ref().map(|w| {
            let e = vars::expand(&w.text, self.escape(), &|n| {
                global_value(all, &self.options, n, from.index, self.escape())
            });
            unresolved = e.unresolved;
            e.text
        });
        let base = match resolved {
            None => Base::Image(ImageRef::parse("")),
            Some(r) if r.eq_ignore_ascii_case("scratch") => Base::Scratch,
            Some(r) => {
                let key = r.to_ascii_lowercase();
                // Of two earlier stages with this name, BuildKit builds on the later one.
                match self
                    .stages
                    .iter()
                    .rev()
                    .find(|s| s.key().as_deref() == Some(key.as_str()))
                {
                    Some(s) => Base::Stage(s.index),
                    None => Base::Image(ImageRef::parse(&r)),
                }
            }
        };
        Stage {
            index,
            from: from.index,
            name,
            image_word,
            base,
            unresolved_vars: unresolved,
            platform: from.flag("platform").and_then(|f| f.value.clone()),
            instructions: from.index..from.index + 1,
        }
    }

    fn parse_shells(&mut self) {
        // `# hadolint shell=NAME` works like a SHELL instruction where it stands: before
        // the first FROM it sets every stage's default shell.
        let shell_pragmas: Vec<(usize, bool)> = self
            .comments
            .iter()
            .filter(|c| !c.inside_instruction)
            .filter_map(|c| shell_pragma(&c.text).map(|name| (c.span.start, is_posix_shell(name))))
            .collect();
        let first_from = self
            .stages
            .first()
            .map_or(self.text.len(), |s| self.instructions[s.from].span.start);
        let default_posix = shell_pragmas
            .iter()
            .rfind(|(at, _)| *at < first_from)
            .is_none_or(|(_, posix)| *posix);
        // Track SHELL per stage: only POSIX shells are parsed.
        let pragma_between = |from: usize, to: usize| {
            shell_pragmas
                .iter()
                .rfind(|(at, _)| from <= *at && *at < to)
                .map(|(_, posix)| *posix)
        };
        let mut posix_by_stage: Vec<bool> = Vec::with_capacity(self.stages.len());
        let mut previous_end = 0;
        for stage in &self.stages {
            let inherited = match stage.base {
                Base::Stage(parent) => posix_by_stage.get(parent).copied().unwrap_or(default_posix),
                _ => default_posix,
            };
            // A pragma right above a FROM is for that stage.
            let from_start = self.instructions[stage.from].span.start;
            let mut posix = pragma_between(previous_end, from_start).unwrap_or(inherited);
            for index in stage.instructions.clone() {
                let instruction = &mut self.instructions[index];
                if let Some(pragma) = pragma_between(previous_end, instruction.span.start) {
                    posix = pragma;
                }
                previous_end = previous_end.max(instruction.span.end);
                if instruction.keyword == Keyword::Shell
                    && let Form::Exec(words) = &instruction.form
                {
                    posix = words.first().is_some_and(|w| is_posix_shell(&w.text));
                }
                if posix {
                    instruction.parse_shell(&self.text);
                    // `ONBUILD RUN …` runs in a child image, which inherits this SHELL.
                    if let Some(inner) = instruction.onbuild.as_mut() {
                        inner.parse_shell(&self.text);
                    }
                }
            }
            posix_by_stage.push(posix);
        }
    }

    fn validate(&mut self) {
        let mut errors = Vec::new();
        if self.instructions.is_empty() {
            errors.push(ParseError {
                span: Span::empty(0),
                message: "the file contains no instructions".into(),
            });
        } else if self.stages.is_empty() {
            errors.push(ParseError {
                span: self.instructions[0].keyword_span,
                message: "no FROM instruction: every Dockerfile needs at least one stage".into(),
            });
        }
        for instruction in &self.instructions {
            if instruction.stage.is_none()
                && !matches!(
                    instruction.keyword,
                    Keyword::Arg | Keyword::From | Keyword::Unknown
                )
                && !self.stages.is_empty()
            {
                errors.push(ParseError {
                    span: instruction.keyword_span,
                    message: format!(
                        "{} before the first FROM: only ARG may come before it",
                        instruction.keyword.as_str()
                    ),
                });
            }
            check_instruction(instruction, &self.text, &mut errors);
        }
        self.errors.extend(errors);
        self.errors.sort_by_key(|e| e.span.start);
    }
}

fn global_value(
    all: &[Instruction],
    options: &ParseOptions,
    name: &str,
    before: usize,
    escape: char,
) -> Option<String> {
    let mut value = None;
    for instruction in all[..before]
        .iter()
        .take_while(|i| i.keyword != Keyword::From)
        .filter(|i| i.keyword == Keyword::Arg)
    {
        for pair in instruction.pairs.iter().filter(|p| p.key == name) {
            value = options.build_args.get(name).cloned().or_else(|| {
                pair.value.as_ref().map(|v| {
                    vars::expand(&v.text, escape, &|n| {
                        global_value(all, options, n, instruction.index, escape)
                    })
                    .text
                })
            });
        }
    }
    value.or_else(|| {
        PREDEFINED_ARGS
            .contains(&name)
            .then(|| options.build_args.get(name).cloned())
            .flatten()
    })
}

/// Flags each instruction accepts (BuildKit, labs features included).
fn allowed_flags(keyword: Keyword) -> &'static [&'static str] {
    match keyword {
        Keyword::From => &["platform"],
        Keyword::Run => &["mount", "network", "security", "device"],
        Keyword::Copy => &["from", "chown", "chmod", "link", "parents", "exclude"],
        Keyword::Add => &[
            "chown",
            "chmod",
            "checksum",
            "keep-git-dir",
            "link",
            "exclude",
            "unpack",
            "parents",
        ],
        Keyword::Healthcheck => &[
            "interval",
            "timeout",
            "start-period",
            "start-interval",
            "retries",
        ],
        _ => &[],
    }
}

fn check_instruction(instruction: &Instruction, text: &str, errors: &mut Vec<ParseError>) {
    let mut error = |span: Span, message: String| errors.push(ParseError { span, message });
    let keyword = instruction.keyword;
    if keyword == Keyword::Unknown {
        error(
            instruction.keyword_span,
            format!("unknown instruction: {}", instruction.keyword_text(text)),
        );
        return;
    }
    for flag in &instruction.flags {
        if !allowed_flags(keyword).contains(&flag.name.to_ascii_lowercase().as_str()) {
            error(
                flag.span,
                format!("unknown flag for {}: --{}", keyword.as_str(), flag.name),
            );
        }
    }
    let has_args = !instruction.args.text.trim().is_empty();
    let word_count = instruction.words.len();
    match keyword {
        Keyword::From => {
            let ok = match word_count {
                1 => true,
                3 => instruction.words[1].text.eq_ignore_ascii_case("as"),
                _ => false,
            };
            if !ok {
                error(
                    if has_args {
                        instruction.args_span
                    } else {
                        instruction.keyword_span
                    },
                    "FROM takes an image and an optional `AS name`".into(),
                );
            }
        }
        Keyword::Copy | Keyword::Add => {
            // BuildKit splits COPY/ADD on whitespace alone; quotes do not group words here.
            let count = match &instruction.form {
                Form::Exec(w) => w.len(),
                _ => instruction.args.text.split_whitespace().count(),
            };
            if count < 2 && instruction.heredocs.is_empty() {
                error(
                    if has_args {
                        instruction.args_span
                    } else {
                        instruction.keyword_span
                    },
                    format!(
                        "{} needs at least one source and a destination",
                        keyword.as_str()
                    ),
                );
            }
        }
        Keyword::Env | Keyword::Label => {
            if instruction.pairs.is_empty() {
                error(
                    instruction.keyword_span,
                    format!("{} needs at least one key=value pair", keyword.as_str()),
                );
            }
            for pair in &instruction.pairs {
                if pair.key.is_empty() {
                    error(
                        pair.span,
                        format!("{} names can not be blank", keyword.as_str()),
                    );
                } else if pair.legacy && pair.value.is_none() {
                    error(
                        pair.span,
                        format!("{} {} has no value", keyword.as_str(), pair.key),
                    );
                } else if !pair.legacy && pair.value.is_none() {
                    error(
                        pair.span,
                        format!(
                            "{} needs `key=value`; `{}` has no `=`",
                            keyword.as_str(),
                            pair.key
                        ),
                    );
                }
            }
        }
        Keyword::Arg => {
            if instruction.pairs.is_empty() {
                error(instruction.keyword_span, "ARG needs a name".into());
            }
            for pair in &instruction.pairs {
                if pair.key.is_empty() {
                    error(pair.span, "ARG names can not be blank".into());
                }
            }
        }
        Keyword::Expose
        | Keyword::User
        | Keyword::Workdir
        | Keyword::Volume
        | Keyword::Stopsignal
        | Keyword::Maintainer
        | Keyword::Shell
        | Keyword::Healthcheck
        | Keyword::Onbuild => {
            if !has_args && instruction.heredocs.is_empty() {
                error(
                    instruction.keyword_span,
                    format!("{} needs an argument", keyword.as_str()),
                );
            }
        }
        // BuildKit accepts an empty RUN, CMD or ENTRYPOINT.
        Keyword::Run | Keyword::Cmd | Keyword::Entrypoint | Keyword::Unknown => {}
    }
    if keyword == Keyword::Shell && has_args && !instruction.is_exec_form() {
        error(
            instruction.args_span,
            "SHELL needs the JSON form, e.g. SHELL [\"/bin/bash\", \"-c\"]".into(),
        );
    }
    if keyword == Keyword::Onbuild
        && let Some(inner) = &instruction.onbuild
    {
        match inner.keyword {
            Keyword::Onbuild | Keyword::From | Keyword::Maintainer => error(
                inner.keyword_span,
                format!("ONBUILD can not wrap {}", inner.keyword.as_str()),
            ),
            _ => check_instruction(inner, text, errors),
        }
    }
}

/// Splits the body into instructions with BuildKit's line algorithm (see `lexer`).
///
/// An earlier design first ran the tree-sitter-containerfile grammar and lexed between the
/// instruction starts it trusted. That never changed the result: a cut that fell inside a
/// continuation or heredoc had to be merged back, and the grammar swallows an unterminated
/// heredoc just as BuildKit does, so it offered no recovery the lexer lacks. It cost a
/// fifth of a corpus run, so it now serves as a differential oracle in
/// `analyzer/tests/grammar_agreement.rs` instead.
fn split(
    text: &str,
    body_start: usize,
    escape: char,
    instructions: &mut Vec<RawInstruction>,
    comments: &mut Vec<Comment>,
) {
    lexer::lex(text, body_start, text.len(), escape, instructions, comments);
    comments.sort_by_key(|c| c.span.start);
}

/// The shell named by a `# hadolint shell=NAME` (or `# plimsoll: shell=NAME`) comment;
/// `comment` is the text after `#`. hadolint lets a file name its default shell this way
/// (`powershell` for Windows images) so that shell rules stay quiet.
pub fn shell_pragma(comment: &str) -> Option<&str> {
    let text = comment.trim_start_matches('#').trim_start();
    let rest = match text.strip_prefix("hadolint") {
        Some(rest) if rest.starts_with([' ', '\t']) => rest,
        _ => text.strip_prefix("plimsoll:")?,
    };
    let value = rest.trim_start().strip_prefix("shell")?.trim_start();
    let name = value.strip_prefix('=')?.trim_start();
    let name = name.split([' ', '\t', '#']).next().unwrap_or("");
    (!name.is_empty()).then_some(name)
}

/// Whether a shell (a path or name, as in `SHELL [...]` or the shell pragma) is one whose
/// scripts Plimsoll parses as POSIX shell.
pub fn is_posix_shell(shell: &str) -> bool {
    let name = shell.rsplit(['/', '\\']).next().unwrap_or("");
    matches!(
        name,
        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "mksh"
    )
}

#[cfg(test)]
mod tests;
