//! ShellCheck over RUN bodies. Rules do no I/O, so the binary runs `shellcheck` itself. Each
//! script (a shell-form RUN line, or a heredoc the shell runs) is checked on its own, in the
//! dialect of the stage's SHELL, and every finding is mapped back to its exact place in the
//! Dockerfile. Scripts are written to a temporary directory and handed to a few
//! `shellcheck` processes at once (starting one costs more than checking a RUN).
//!
//! A RUN's text reaches ShellCheck as the shell sees it: continuation lines joined (the
//! analyzer's `LogicalLine` keeps the original offset of every byte), heredoc bodies with
//! `<<-` tabs and CR of CRLF removed. A first line `export NAME …` declares the ARG and ENV
//! variables in scope (as hadolint does, but without a value, so that `$NAME` unquoted is
//! still reported), so they are not reported as unassigned; findings on that line are
//! dropped. ShellCheck's `json1` columns count characters, tabs as one.

use plimsoll_analyzer::instruction::Form;
use plimsoll_analyzer::lexer::{Heredoc, LogicalLine};
use plimsoll_analyzer::{Base, Dockerfile, Instruction, Keyword, Span};
use plimsoll_rules::{Diagnostic, Edit, Fix, Severity};
use rayon::prelude::*;
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// The shell dialects ShellCheck knows (`-s`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sh,
    Bash,
    Dash,
    Ksh,
}

impl Dialect {
    fn as_str(self) -> &'static str {
        match self {
            Dialect::Sh => "sh",
            Dialect::Bash => "bash",
            Dialect::Dash => "dash",
            Dialect::Ksh => "ksh",
        }
    }

    /// The dialect of a shell program (`/bin/bash`, `sh`); `None` for shells ShellCheck
    /// cannot check (zsh, PowerShell, cmd). Busybox's ash is checked as dash, its closest
    /// relative (ShellCheck does the same for an `ash` shebang).
    pub fn of_program(program: &str) -> Option<Dialect> {
        let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
        match name {
            "sh" => Some(Dialect::Sh),
            "bash" => Some(Dialect::Bash),
            "dash" | "ash" => Some(Dialect::Dash),
            "ksh" | "mksh" | "ksh93" | "pdksh" => Some(Dialect::Ksh),
            _ => None,
        }
    }

    /// The dialect named by a `#!` line, `None` when it names no shell ShellCheck knows.
    fn of_shebang(line: &str) -> Option<Dialect> {
        let mut words = line.trim_start_matches("#!").split_whitespace();
        let program = words.next()?;
        if program.ends_with("/env") {
            let program = words.find(|w| !w.starts_with('-'))?;
            return Dialect::of_program(program);
        }
        Dialect::of_program(program)
    }
}

/// Codes never reported: they ask for `# shellcheck source=` directives that cannot be
/// written inside a RUN.
const EXCLUDED: &str = "SC1090,SC1091";

/// Variables BuildKit passes to every RUN without a declaration.
const ALWAYS_DEFINED: &[&str] = &[
    "http_proxy",
    "https_proxy",
    "ftp_proxy",
    "no_proxy",
    "all_proxy",
];

/// One script handed to ShellCheck, with the way back to the Dockerfile.
#[derive(Debug)]
pub struct Script {
    pub dialect: Dialect,
    pub text: String,
    /// The original offset of every byte of `text`; `None` for the added `export` line.
    map: Vec<Option<usize>>,
}

impl Script {
    fn new(dialect: Dialect) -> Script {
        Script {
            dialect,
            text: String::new(),
            map: Vec::new(),
        }
    }

    fn push_added(&mut self, text: &str) {
        self.text.push_str(text);
        self.map.extend(std::iter::repeat_n(None, text.len()));
    }

    /// Appends a logical line (continuation lines joined) byte for byte.
    fn push_logical(&mut self, line: &LogicalLine) {
        for (i, ch) in line.text.char_indices() {
            self.text.push(ch);
            self.map
                .extend((i..i + ch.len_utf8()).map(|b| Some(line.original(b))));
        }
    }

    /// Appends original text as the shell reads it: CR of CRLF dropped, and with
    /// `strip_tabs` (`<<-`) the tabs that start a line.
    fn push_original(&mut self, source: &str, span: Span, strip_tabs: bool) {
        let text = span.text(source);
        let mut at_line_start = self.text.is_empty() || self.text.ends_with('\n');
        let mut chars = text.char_indices().peekable();
        while let Some((i, ch)) = chars.next() {
            if ch == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n') {
                continue;
            }
            if strip_tabs && at_line_start && ch == '\t' {
                continue;
            }
            at_line_start = ch == '\n';
            self.text.push(ch);
            let at = span.start + i;
            self.map.extend((at..at + ch.len_utf8()).map(Some));
        }
    }

    /// The byte offset in `text` of a 1-based line and column in characters (clamped to the
    /// line's end).
    fn offset_of(&self, line: usize, column: usize) -> usize {
        let mut start = 0;
        for _ in 1..line {
            match self.text[start..].find('\n') {
                Some(n) => start += n + 1,
                None => return self.text.len(),
            }
        }
        let line_text = self.text[start..].split('\n').next().unwrap_or("");
        let within = line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i);
        start + within
    }

    /// The Dockerfile span of the script range `start..end`, or `None` when it starts in text
    /// Plimsoll added.
    fn original_span(&self, start: usize, end: usize) -> Option<Span> {
        let first = match self.map.get(start) {
            Some(Some(at)) => *at,
            Some(None) => return None,
            None => self.map.iter().rev().find_map(|o| *o).map(|o| o + 1)?,
        };
        let last = (start..end.min(self.map.len()))
            .rev()
            .find_map(|i| self.map[i])
            .map_or(first, |o| o + 1);
        Some(Span::new(first, last.max(first)))
    }

    fn span(&self, line: usize, column: usize, end_line: usize, end_column: usize) -> Option<Span> {
        let start = self.offset_of(line, column);
        let end = self.offset_of(end_line, end_column).max(start);
        self.original_span(start, end)
    }
}

/// The scripts of a file: every shell-form RUN, and the heredocs its shell runs.
pub fn scripts(file: &Dockerfile) -> Vec<Script> {
    let dialects = instruction_dialects(file);
    let names = variable_names(file);
    let mut out = Vec::new();
    for instruction in &file.instructions {
        // Exec form runs no shell; text that only looks like a JSON array runs in one.
        if instruction.keyword != Keyword::Run || instruction.is_exec_form() {
            continue;
        }
        let Some(dialect) = dialects[instruction.index] else {
            continue;
        };
        let defined = defined_variables(file, instruction, &names);
        run_scripts(file, instruction, dialect, &defined, &mut out);
    }
    out
}

fn run_scripts(
    file: &Dockerfile,
    run: &Instruction,
    dialect: Dialect,
    defined: &[&str],
    out: &mut Vec<Script>,
) {
    let source = file.text.as_str();
    let only_markers = !run.heredocs.is_empty() && {
        let mut rest = run.args.text.clone();
        for heredoc in &run.heredocs {
            rest = rest.replacen(&run.args.text_of(heredoc.marker_span), "", 1);
        }
        rest.trim().is_empty()
    };
    // `RUN sh <<EOF` / `RUN bash -e <<EOF`: the heredocs are scripts for that shell.
    let mut heredoc_dialect = only_markers.then_some(dialect);
    let whole = run.span.text(source);
    if !only_markers {
        let mut script = Script::new(dialect);
        script.push_added(&export_line(defined, whole));
        script.push_logical(&run.args);
        if let Some(last) = run.heredocs.last() {
            // The shell reads the heredoc bodies after the line.
            let from = run.args.original(run.args.text.len());
            script.push_original(source, Span::new(from, last.terminator_span.end), false);
        }
        out.push(script);
        heredoc_dialect = run
            .script
            .iter()
            .flat_map(|s| &s.commands)
            .filter(|c| c.program_args().iter().all(|a| a.text.starts_with('-')))
            .find_map(|c| c.program().and_then(Dialect::of_program));
    }
    let Some(heredoc_dialect) = heredoc_dialect else {
        return;
    };
    for heredoc in &run.heredocs {
        if let Some(script) = heredoc_script(source, heredoc, heredoc_dialect, defined) {
            out.push(script);
        }
    }
}

/// A heredoc body as a script: its own `#!` line decides the dialect (a non-shell
/// interpreter such as python is not checked); the `export` line goes after it.
fn heredoc_script(
    source: &str,
    heredoc: &Heredoc,
    dialect: Dialect,
    defined: &[&str],
) -> Option<Script> {
    let body = heredoc.body_span;
    let text = body.text(source);
    let first_line = text.split_inclusive('\n').next().unwrap_or("");
    let shown = if heredoc.strip_tabs {
        first_line.trim_start_matches('\t')
    } else {
        first_line
    };
    let (dialect, head) = if shown.starts_with("#!") {
        (Dialect::of_shebang(shown)?, first_line.len())
    } else {
        (dialect, 0)
    };
    let mut script = Script::new(dialect);
    script.push_original(
        source,
        Span::new(body.start, body.start + head),
        heredoc.strip_tabs,
    );
    script.push_added(&export_line(defined, text));
    script.push_original(
        source,
        Span::new(body.start + head, body.end),
        heredoc.strip_tabs,
    );
    Some(script)
}

/// `export a b` for the variables the script mentions, so ShellCheck knows they are set.
/// No value: a value would tell ShellCheck what they hold (`=1` needs no quotes), while a
/// build argument can hold anything.
fn export_line(defined: &[&str], text: &str) -> String {
    let used: Vec<&str> = defined
        .iter()
        .copied()
        .filter(|name| text.contains(name))
        .collect();
    if used.is_empty() {
        // Keep the line so that line numbers are the same whether variables are used or not.
        "true\n".to_string()
    } else {
        format!("export {}\n", used.join(" "))
    }
}

/// The dialect each instruction's RUN would use: `/bin/sh` unless a SHELL before it in the
/// stage says otherwise; a stage built on an earlier stage starts with that stage's SHELL.
/// `None` where the shell is one ShellCheck cannot check.
fn instruction_dialects(file: &Dockerfile) -> Vec<Option<Dialect>> {
    let mut at = vec![None; file.instructions.len()];
    let mut stage_end: Vec<Option<Dialect>> = Vec::with_capacity(file.stages.len());
    for stage in &file.stages {
        let mut dialect = match stage.base {
            Base::Stage(parent) if parent < stage_end.len() => stage_end[parent],
            _ => Some(Dialect::Sh),
        };
        for instruction in file.stage_instructions(stage) {
            if instruction.keyword == Keyword::Shell
                && let Form::Exec(words) = &instruction.form
            {
                dialect = words.first().and_then(|w| Dialect::of_program(&w.text));
            }
            at[instruction.index] = dialect;
        }
        stage_end.push(dialect);
    }
    at
}

/// Every ARG and ENV name in the file that is a shell identifier.
fn variable_names(file: &Dockerfile) -> BTreeSet<&str> {
    file.instructions
        .iter()
        .filter(|i| matches!(i.keyword, Keyword::Arg | Keyword::Env))
        .flat_map(|i| &i.pairs)
        .map(|p| p.key.as_str())
        .filter(|k| is_identifier(k))
        .collect()
}

/// The variables a RUN sees: ARG and ENV in scope, and the proxy variables.
fn defined_variables<'a>(
    file: &Dockerfile,
    run: &Instruction,
    names: &BTreeSet<&'a str>,
) -> Vec<&'a str> {
    let mut out: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| file.lookup(run.index, n).is_some())
        .collect();
    out.extend(ALWAYS_DEFINED.iter().filter(|n| !names.contains(*n)));
    out
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A `shellcheck` found on the PATH.
#[derive(Clone, Debug)]
pub struct ShellCheck {
    program: PathBuf,
}

/// Why some scripts could not be checked.
#[derive(Debug)]
pub struct Failure(pub String);

#[derive(Deserialize)]
struct Output {
    comments: Vec<Comment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Comment {
    file: String,
    line: usize,
    end_line: usize,
    column: usize,
    end_column: usize,
    level: String,
    code: u32,
    message: String,
    fix: Option<CommentFix>,
}

#[derive(Deserialize)]
struct CommentFix {
    replacements: Vec<Replacement>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    line: usize,
    end_line: usize,
    column: usize,
    end_column: usize,
    replacement: String,
}

/// Most scripts one `shellcheck` process checks. Starting the process costs more than
/// checking a typical RUN, so scripts are batched; batches run in parallel.
const BATCH: usize = 32;

/// The scripts of one `shellcheck` process (indices), and what it said about them.
type BatchResult = (Vec<usize>, Result<Vec<Comment>, Failure>);

/// What ShellCheck found in each file.
#[derive(Debug, Default)]
pub struct FileFindings {
    pub diagnostics: Vec<Diagnostic>,
    pub failures: Vec<Failure>,
}

impl ShellCheck {
    /// `shellcheck` on the PATH, if it runs.
    pub fn detect() -> Option<ShellCheck> {
        let program = PathBuf::from("shellcheck");
        let output = Command::new(&program)
            .arg("--version")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        output.status.success().then_some(ShellCheck { program })
    }

    /// ShellCheck's findings for every RUN of each file (in the order given), as
    /// diagnostics on Dockerfile spans, in no particular order within a file.
    ///
    /// Each script is its own file in a temporary directory, so it is analysed on its own;
    /// scripts of the same dialect, from any Dockerfile, share a process.
    pub fn check_files(&self, files: &[&Dockerfile]) -> Vec<FileFindings> {
        let mut out: Vec<FileFindings> = files.iter().map(|_| FileFindings::default()).collect();
        let scripts: Vec<(usize, Script)> = files
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, file)| scripts(file).into_iter().map(move |s| (i, s)))
            .collect();
        if scripts.is_empty() {
            return out;
        }
        let dir = match tempfile::Builder::new().prefix("plimsoll-sh").tempdir() {
            Ok(dir) => dir,
            Err(e) => {
                for (i, _) in &scripts {
                    out[*i].failures =
                        vec![Failure(format!("shellcheck: temporary directory: {e}"))];
                }
                return out;
            }
        };
        let paths: Vec<PathBuf> = (0..scripts.len())
            .map(|n| dir.path().join(format!("{n}.sh")))
            .collect();
        let mut batches: Vec<(Dialect, Vec<usize>)> = Vec::new();
        for dialect in [Dialect::Sh, Dialect::Bash, Dialect::Dash, Dialect::Ksh] {
            let of_dialect: Vec<usize> = (0..scripts.len())
                .filter(|&n| scripts[n].1.dialect == dialect)
                .collect();
            batches.extend(of_dialect.chunks(BATCH).map(|c| (dialect, c.to_vec())));
        }
        let results: Vec<BatchResult> = batches
            .into_par_iter()
            .map(|(dialect, batch)| {
                let result = batch
                    .iter()
                    .try_for_each(|&n| {
                        std::fs::write(&paths[n], &scripts[n].1.text)
                            .map_err(|e| Failure(format!("shellcheck: writing a script: {e}")))
                    })
                    .and_then(|()| self.run(dialect, batch.iter().map(|&n| &paths[n])));
                (batch, result)
            })
            .collect();
        let index: HashMap<&std::path::Path, usize> = paths
            .iter()
            .enumerate()
            .map(|(n, p)| (p.as_path(), n))
            .collect();
        for (batch, result) in results {
            match result {
                Ok(comments) => {
                    for comment in comments {
                        let Some(&n) = index.get(std::path::Path::new(&comment.file)) else {
                            continue;
                        };
                        let (file, script) = &scripts[n];
                        out[*file].diagnostics.extend(diagnostic(script, comment));
                    }
                }
                Err(failure) => {
                    let mut files: Vec<usize> = batch.iter().map(|&n| scripts[n].0).collect();
                    files.dedup();
                    for file in files {
                        out[file].failures.push(Failure(failure.0.clone()));
                    }
                }
            }
        }
        out
    }

    /// One `shellcheck` process over script files of one dialect.
    fn run<'a>(
        &self,
        dialect: Dialect,
        files: impl Iterator<Item = &'a PathBuf>,
    ) -> Result<Vec<Comment>, Failure> {
        let output = Command::new(&self.program)
            .args(["--norc", "--format=json1", "--shell", dialect.as_str()])
            .arg(format!("--exclude={EXCLUDED}"))
            .arg("--")
            .args(files)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Failure(format!("cannot run shellcheck: {e}")))?;
        // Exit status 1 means "found something"; without JSON on stdout it failed.
        let parsed: Output = serde_json::from_slice(&output.stdout).map_err(|_| {
            let stderr = String::from_utf8_lossy(&output.stderr);
            Failure(format!(
                "shellcheck failed ({}): {}",
                output.status,
                stderr.lines().next().unwrap_or("no output")
            ))
        })?;
        Ok(parsed.comments)
    }
}

fn diagnostic(script: &Script, comment: Comment) -> Option<Diagnostic> {
    let span = script.span(
        comment.line,
        comment.column,
        comment.end_line,
        comment.end_column,
    )?;
    let code = intern_code(comment.code)?;
    let severity = match comment.level.as_str() {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" => Severity::Info,
        _ => Severity::Style,
    };
    let fix = comment.fix.and_then(|fix| {
        let edits = fix
            .replacements
            .iter()
            .map(|r| {
                // A line break would end the RUN instruction; such fixes are not offered.
                if r.replacement.contains('\n') {
                    return None;
                }
                let span = script.span(r.line, r.column, r.end_line, r.end_column)?;
                Some(Edit::replace(span, r.replacement.clone()))
            })
            .collect::<Option<Vec<Edit>>>()?;
        let fix = Fix::display_only("ShellCheck's suggestion", edits);
        let overlapping = fix
            .edits
            .windows(2)
            .any(|w| w[0].span.end > w[1].span.start);
        (!fix.edits.is_empty() && !overlapping).then_some(fix)
    });
    Some(Diagnostic {
        code,
        severity,
        message: comment.message,
        span,
        help: Some(format!(
            "ShellCheck {code}: {}",
            plimsoll_rules::docs_url(code)
        )),
        fix,
    })
}

/// `SC2086` as a `&'static str`. Each code is leaked once; ShellCheck's codes are four
/// digits, so there are at most 9,000 of them.
pub fn intern_code(code: u32) -> Option<&'static str> {
    if !(1000..=9999).contains(&code) {
        return None;
    }
    static CODES: OnceLock<Mutex<HashMap<u32, &'static str>>> = OnceLock::new();
    let mut codes = CODES
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Some(
        codes
            .entry(code)
            .or_insert_with(|| Box::leak(format!("SC{code}").into_boxed_str())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(dockerfile: &str) -> Vec<(Dialect, String)> {
        let file = Dockerfile::parse(dockerfile);
        scripts(&file)
            .into_iter()
            .map(|s| (s.dialect, s.text))
            .collect()
    }

    #[test]
    fn joins_continuations_and_follows_shell() {
        let found = texts(
            "FROM debian\nARG version\nRUN echo $version \\\n  && ls\nSHELL [\"/bin/bash\", \"-c\"]\nRUN [[ -x a ]]\nRUN [\"ls\"]\nSHELL [\"pwsh\", \"-c\"]\nRUN Get-Item\n",
        );
        assert_eq!(
            found,
            vec![
                (
                    Dialect::Sh,
                    "export version\necho $version   && ls".to_string()
                ),
                (Dialect::Bash, "true\n[[ -x a ]]".to_string()),
            ]
        );
    }

    #[test]
    fn stages_inherit_their_parents_shell() {
        let found = texts(
            "FROM debian AS base\nSHELL [\"/bin/bash\", \"-c\"]\nFROM base\nRUN ls\nFROM alpine\nRUN ls\n",
        );
        assert_eq!(found[0].0, Dialect::Bash);
        assert_eq!(found[1].0, Dialect::Sh);
    }

    #[test]
    fn heredocs_are_scripts_when_the_shell_runs_them() {
        let found = texts(
            "FROM debian\nRUN <<EOF\nset -e\r\necho hi\nEOF\nRUN <<-EOF\n\t#!/bin/bash\n\techo $a\n\tEOF\nRUN bash <<EOF\nls\nEOF\nRUN cat <<EOF > /x\n$y\nEOF\nRUN python3 <<EOF\nprint(1)\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n",
        );
        assert_eq!(
            found,
            vec![
                (Dialect::Sh, "true\nset -e\necho hi\n".to_string()),
                (Dialect::Bash, "#!/bin/bash\ntrue\necho $a\n".to_string()),
                (Dialect::Sh, "true\nbash <<EOF\nls\nEOF".to_string()),
                (Dialect::Bash, "true\nls\n".to_string()),
                (Dialect::Sh, "true\ncat <<EOF > /x\n$y\nEOF".to_string()),
                (
                    Dialect::Sh,
                    "true\npython3 <<EOF\nprint(1)\nEOF".to_string()
                ),
            ]
        );
    }

    #[test]
    fn maps_lines_and_character_columns_back() {
        let source = "FROM debian\nRUN echo é \\\n  $x\n";
        let file = Dockerfile::parse(source);
        let script = &scripts(&file)[0];
        // `$x` is on script line 2 (after `true`), columns 10..12 in characters.
        let span = script.span(2, 10, 2, 12).unwrap();
        assert_eq!(span.text(source), "$x");
        // The added line maps nowhere.
        assert_eq!(script.span(1, 1, 1, 3), None);
        // The end of the script maps to the end of the RUN.
        let end = script.span(2, 12, 2, 12).unwrap();
        assert_eq!(end, Span::empty(source.len() - 1));
    }

    #[test]
    fn interns_codes_once() {
        let a = intern_code(2086).unwrap();
        let b = intern_code(2086).unwrap();
        assert_eq!(a, "SC2086");
        assert!(std::ptr::eq(a, b));
        assert_eq!(intern_code(99_999), None);
    }
}
