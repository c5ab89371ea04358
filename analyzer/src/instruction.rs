//! One Dockerfile instruction with its flags, arguments and per-keyword details.

use crate::lexer::{Heredoc, LogicalLine, RawInstruction};
use crate::shell::{self, Script};
use crate::span::Span;
use crate::words::{self, Flag, JsonArray, KeyValue, Word};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Keyword {
    From,
    Run,
    Cmd,
    Label,
    Maintainer,
    Expose,
    Env,
    Add,
    Copy,
    Entrypoint,
    Volume,
    User,
    Workdir,
    Arg,
    Onbuild,
    Stopsignal,
    Healthcheck,
    Shell,
    Unknown,
}

impl Keyword {
    pub fn from_text(text: &str) -> Keyword {
        match text.to_ascii_uppercase().as_str() {
            "FROM" => Keyword::From,
            "RUN" => Keyword::Run,
            "CMD" => Keyword::Cmd,
            "LABEL" => Keyword::Label,
            "MAINTAINER" => Keyword::Maintainer,
            "EXPOSE" => Keyword::Expose,
            "ENV" => Keyword::Env,
            "ADD" => Keyword::Add,
            "COPY" => Keyword::Copy,
            "ENTRYPOINT" => Keyword::Entrypoint,
            "VOLUME" => Keyword::Volume,
            "USER" => Keyword::User,
            "WORKDIR" => Keyword::Workdir,
            "ARG" => Keyword::Arg,
            "ONBUILD" => Keyword::Onbuild,
            "STOPSIGNAL" => Keyword::Stopsignal,
            "HEALTHCHECK" => Keyword::Healthcheck,
            "SHELL" => Keyword::Shell,
            _ => Keyword::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::From => "FROM",
            Keyword::Run => "RUN",
            Keyword::Cmd => "CMD",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Expose => "EXPOSE",
            Keyword::Env => "ENV",
            Keyword::Add => "ADD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Volume => "VOLUME",
            Keyword::User => "USER",
            Keyword::Workdir => "WORKDIR",
            Keyword::Arg => "ARG",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Shell => "SHELL",
            Keyword::Unknown => "UNKNOWN",
        }
    }
}

/// Exec form (`["a", "b"]`) or shell form of RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK CMD,
/// VOLUME, COPY and ADD arguments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Form {
    Exec(Vec<Word>),
    Shell,
    /// Looks like a JSON array but is not valid JSON; Docker silently runs it as shell form.
    InvalidJson {
        reason: String,
    },
}

/// An instruction as written, with its parsed arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// Position in `Dockerfile::instructions`.
    pub index: usize,
    pub keyword: Keyword,
    /// The keyword as written (casing kept).
    pub keyword_span: Span,
    /// The whole instruction, heredocs included, without the final line break.
    pub span: Span,
    pub flags: Vec<Flag>,
    /// Arguments after the flags, continuation lines joined, mapped to original offsets.
    pub args: LogicalLine,
    /// Original span of the arguments (empty at the keyword's end when there are none).
    pub args_span: Span,
    pub heredocs: Vec<Heredoc>,
    pub form: Form,
    /// Whitespace-separated argument words with quotes removed (for exec form: the array
    /// elements).
    pub words: Vec<Word>,
    /// `key=value` pairs of ENV, LABEL and ARG.
    pub pairs: Vec<KeyValue>,
    /// Stage this instruction belongs to; `None` for ARGs before the first FROM.
    pub stage: Option<usize>,
    /// RUN (and shell-form CMD/ENTRYPOINT) parsed as shell, when the stage's shell is a
    /// POSIX shell.
    pub script: Option<Script>,
    /// Shell scripts in heredocs that the shell runs (`RUN <<EOF`, `RUN bash <<EOF`).
    pub heredoc_scripts: Vec<Script>,
    /// The instruction wrapped by ONBUILD.
    pub onbuild: Option<Box<Instruction>>,
    /// Blank lines inside continuation lines.
    pub empty_continuation_lines: Vec<Span>,
}

impl Instruction {
    pub(crate) fn new(
        raw: RawInstruction,
        source: &str,
        escape: char,
        index: usize,
    ) -> Instruction {
        let keyword = Keyword::from_text(raw.keyword.text(source));
        Self::build(
            keyword,
            raw.keyword,
            raw.span,
            raw.rest,
            raw.heredocs,
            raw.empty_continuation_lines,
            escape,
            index,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        keyword: Keyword,
        keyword_span: Span,
        span: Span,
        rest: LogicalLine,
        heredocs: Vec<Heredoc>,
        empty_continuation_lines: Vec<Span>,
        escape: char,
        index: usize,
    ) -> Instruction {
        let (flags, args_start) = if keyword == Keyword::Onbuild {
            (Vec::new(), 0)
        } else {
            words::split_flags(&rest, escape)
        };
        let args = rest.slice_from(args_start);
        let args_span = if args.text.is_empty() {
            Span::empty(keyword_span.end)
        } else {
            args.span(0, args.text.len())
        };

        let mut form = Form::Shell;
        let mut words_out = Vec::new();
        let mut pairs = Vec::new();
        let mut onbuild = None;
        match keyword {
            Keyword::Run
            | Keyword::Cmd
            | Keyword::Entrypoint
            | Keyword::Shell
            | Keyword::Volume
            | Keyword::Copy
            | Keyword::Add => match words::parse_json_array(&args, 0) {
                JsonArray::Valid(w) => {
                    words_out = w.clone();
                    form = Form::Exec(w);
                }
                JsonArray::Invalid { reason } => {
                    form = Form::InvalidJson { reason };
                    words_out = words::split_words(&args, escape);
                }
                JsonArray::NotJson => words_out = words::split_words(&args, escape),
            },
            Keyword::Healthcheck => {
                words_out = words::split_words(&args, escape);
                if let Some(first) = words_out.first()
                    && first.text.eq_ignore_ascii_case("CMD")
                {
                    let after = args.logical(first.span.end);
                    let after =
                        after + (args.text[after..].len() - args.text[after..].trim_start().len());
                    match words::parse_json_array(&args, after) {
                        JsonArray::Valid(w) => form = Form::Exec(w),
                        JsonArray::Invalid { reason } => form = Form::InvalidJson { reason },
                        JsonArray::NotJson => {}
                    }
                }
            }
            Keyword::Env | Keyword::Label => {
                pairs = words::parse_key_values(&args, 0, escape, true);
            }
            Keyword::Arg => {
                pairs = words::parse_key_values(&args, 0, escape, false);
            }
            Keyword::Onbuild => {
                let inner_keyword_len = args
                    .text
                    .find(char::is_whitespace)
                    .unwrap_or(args.text.len());
                let inner_keyword_span = args.span(0, inner_keyword_len);
                let inner_rest_start = inner_keyword_len
                    + (args.text[inner_keyword_len..].len()
                        - args.text[inner_keyword_len..].trim_start().len());
                let inner = Instruction::build(
                    Keyword::from_text(&args.text[..inner_keyword_len]),
                    inner_keyword_span,
                    args_span,
                    args.slice_from(inner_rest_start),
                    heredocs.clone(),
                    Vec::new(),
                    escape,
                    index,
                );
                onbuild = Some(Box::new(inner));
            }
            _ => words_out = words::split_words(&args, escape),
        }

        Instruction {
            index,
            keyword,
            keyword_span,
            span,
            flags,
            args,
            args_span,
            heredocs,
            form,
            words: words_out,
            pairs,
            stage: None,
            script: None,
            heredoc_scripts: Vec::new(),
            onbuild,
            empty_continuation_lines,
        }
    }

    /// The keyword as written.
    pub fn keyword_text<'a>(&self, source: &'a str) -> &'a str {
        self.keyword_span.text(source)
    }

    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    pub fn is_exec_form(&self) -> bool {
        matches!(self.form, Form::Exec(_))
    }

    /// Parses the shell of a RUN (or shell-form CMD/ENTRYPOINT) into `script`.
    pub(crate) fn parse_shell(&mut self, source: &str) {
        if !matches!(
            self.keyword,
            Keyword::Run | Keyword::Cmd | Keyword::Entrypoint
        ) {
            return;
        }
        match &self.form {
            Form::Exec(words) => {
                // `RUN ["apt-get", "install", "x"]` is one command without a shell.
                let commands = vec![
                    shell::Command {
                        assignments: Vec::new(),
                        argv: words.clone(),
                        span: self.args_span,
                        connector: shell::Connector::Sequence,
                        pipes_into_next: false,
                        redirects: Vec::new(),
                        nested: false,
                        start: 0,
                        program_offset: 0,
                    }
                    .finish(),
                ];
                self.script = Some(Script {
                    commands,
                    has_errors: false,
                });
            }
            Form::Shell | Form::InvalidJson { .. } => {
                // `RUN <<EOF` alone: the heredoc is the script, the line runs nothing else.
                let only_markers = !self.heredocs.is_empty() && {
                    let mut rest = self.args.text.clone();
                    for h in &self.heredocs {
                        let marker = self.args.text_of(h.marker_span);
                        rest = rest.replacen(&marker, "", 1);
                    }
                    rest.trim().is_empty()
                };
                let script = if only_markers {
                    Script::default()
                } else {
                    let mut line = self.args.clone();
                    if let Some(last) = self.heredocs.last() {
                        // Give the shell the heredoc bodies too, as it sees them at run time.
                        let from = line.original(line.text.len());
                        line.push_original(source, Span::new(from, last.terminator_span.end));
                    }
                    shell::parse(&line)
                };
                // `RUN sh <<EOF`: the heredoc is a script fed to a shell.
                let runs_heredocs = only_markers
                    || script.commands.iter().any(|c| {
                        matches!(
                            c.program(),
                            Some("sh" | "bash" | "ash" | "dash" | "zsh" | "ksh")
                        ) && c.program_args().iter().all(|a| a.text.starts_with('-'))
                    });
                if runs_heredocs {
                    for heredoc in &self.heredocs {
                        let body = LogicalLine::from_original(source, heredoc.body_span);
                        let interpreter = body.text.lines().next().filter(|l| l.starts_with("#!"));
                        let is_shell = interpreter.is_none_or(|l| {
                            ["sh", "bash", "ash", "dash"].iter().any(|s| {
                                l.ends_with(&format!("/{s}"))
                                    || l.ends_with(&format!(" {s}"))
                                    || l.contains(&format!("/{s} "))
                            })
                        });
                        if is_shell {
                            self.heredoc_scripts.push(shell::parse(&body));
                        }
                    }
                }
                self.script = Some(script);
            }
        }
    }

    /// Every shell command this instruction runs: the RUN line and heredoc scripts.
    pub fn commands(&self) -> impl Iterator<Item = &shell::Command> {
        self.script
            .iter()
            .chain(self.heredoc_scripts.iter())
            .flat_map(|s| s.commands.iter())
    }
}
