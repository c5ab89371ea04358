//! RUN bodies parsed as shell with tree-sitter-bash into simple commands with argv and exact
//! spans in the original file.

use crate::lexer::LogicalLine;
use crate::span::Span;
use crate::words::Word;
use serde::Serialize;
use std::cell::RefCell;
use tree_sitter::{Node, Parser};

/// How a command is joined to the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Connector {
    /// First command, or after `;` / a newline.
    Sequence,
    And,
    Or,
    /// The previous command's stdout is piped into this one.
    Pipe,
}

/// A simple command: `NAME=value cmd arg…` with its redirections.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Command {
    /// Environment assignments before the command name (`DEBIAN_FRONTEND=noninteractive`).
    pub assignments: Vec<Word>,
    /// The command name followed by its arguments; quotes removed, expansions kept as
    /// written. Empty for a bare assignment or redirection.
    pub argv: Vec<Word>,
    pub span: Span,
    /// How this command is joined to the previous one in the same list.
    pub connector: Connector,
    /// Whether this command's stdout is piped into the next command.
    pub pipes_into_next: bool,
    /// Redirection targets (`> file`, `2>/dev/null`), as written.
    pub redirects: Vec<Word>,
    /// Nesting inside subshells, groups, conditionals, loops or functions.
    pub nested: bool,
    /// Index in `argv` of the real program (after wrappers); computed once, since rules
    /// ask for the program of every command many times.
    #[serde(skip)]
    pub(crate) start: usize,
    /// Byte offset of the program's base name in `argv[start]` (past any `/usr/bin/`),
    /// for the same reason.
    #[serde(skip)]
    pub(crate) program_offset: usize,
}

impl Command {
    /// Fills in the derived fields once the words are known.
    pub(crate) fn finish(mut self) -> Command {
        self.start = self.find_effective_start();
        self.program_offset = self
            .argv
            .get(self.start)
            .and_then(|w| w.text.rfind('/'))
            .map_or(0, |slash| slash + 1);
        self
    }

    /// The program name, with any leading path removed (`/usr/bin/apt-get` → `apt-get`).
    pub fn name(&self) -> Option<&str> {
        self.argv
            .first()
            .map(|w| w.text.rsplit('/').next().unwrap_or(&w.text))
    }

    pub fn args(&self) -> &[Word] {
        self.argv.get(1..).unwrap_or(&[])
    }

    /// The command after stripping wrappers such as `sudo`, `env A=b`, `nice`, `time`,
    /// `command`, `exec`: returns the index in `argv` where the real command starts.
    /// `command -v x` and `command -V x` only look `x` up: the real program is `command`.
    pub fn effective_start(&self) -> usize {
        self.start
    }

    fn find_effective_start(&self) -> usize {
        let mut i = 0;
        while let Some(word) = self.argv.get(i) {
            let name = word.text.rsplit('/').next().unwrap_or(&word.text);
            match name {
                "sudo" | "env" | "nice" | "time" | "command" | "exec" | "nohup" | "stdbuf" => {
                    let wrapper = i;
                    i += 1;
                    // Skip the wrapper's own options and env assignments.
                    while let Some(w) = self.argv.get(i) {
                        let t = w.text.as_str();
                        if t.starts_with('-') || (name == "env" && t.contains('=')) {
                            if name == "command" && t[1..].contains(['v', 'V']) {
                                return wrapper;
                            }
                            i += 1;
                            if wrapper_option_takes_value(name, t) {
                                i += 1;
                            }
                        } else {
                            break;
                        }
                    }
                }
                _ => return i,
            }
        }
        i
    }

    /// The word naming the real program, skipping wrappers (`sudo apt-get` → `apt-get`).
    pub fn program_word(&self) -> Option<&Word> {
        self.argv.get(self.start)
    }

    /// The real program name, skipping wrappers (`sudo apt-get` → `apt-get`).
    pub fn program(&self) -> Option<&str> {
        self.argv
            .get(self.start)
            .map(|w| &w.text[self.program_offset..])
    }

    /// Arguments after the real program name.
    pub fn program_args(&self) -> &[Word] {
        self.argv.get(self.effective_start() + 1..).unwrap_or(&[])
    }

    /// True if the command has the option: a long form (`--yes`, also `--yes=…`) or a
    /// short letter, also inside a group such as `-qy`. Stops at `--`.
    pub fn has_option(&self, short: Option<char>, long: &[&str]) -> bool {
        self.find_option(short, long).is_some()
    }

    /// The argument word that carries the option, if any.
    pub fn find_option(&self, short: Option<char>, long: &[&str]) -> Option<&Word> {
        for word in self.program_args() {
            let t = word.text.as_str();
            if t == "--" {
                return None;
            }
            if let Some(name) = t.strip_prefix("--") {
                let name = name.split('=').next().unwrap_or(name);
                if long.iter().any(|l| l.trim_start_matches('-') == name) {
                    return Some(word);
                }
            } else if let (Some(letters), Some(s)) = (t.strip_prefix('-'), short)
                && !letters.is_empty()
                && letters.chars().all(|c| c.is_ascii_alphanumeric())
                && letters.contains(s)
            {
                return Some(word);
            }
        }
        None
    }

    /// The first non-option argument after the program (`apt-get -y install` → `install`).
    pub fn subcommand(&self) -> Option<&Word> {
        self.program_args()
            .iter()
            .find(|w| !w.text.starts_with('-'))
    }

    /// Non-option arguments after the subcommand.
    pub fn operands_after_subcommand(&self) -> impl Iterator<Item = &Word> {
        let args = self.program_args();
        let sub = args.iter().position(|w| !w.text.starts_with('-'));
        args.iter()
            .skip(sub.map_or(args.len(), |i| i + 1))
            .filter(|w| !w.text.starts_with('-'))
    }
}

/// Whether a wrapper's option is followed by a separate value word (`sudo -u app`,
/// `nice -n 10`, `env -u NAME`, `time -o FILE`).
fn wrapper_option_takes_value(wrapper: &str, option: &str) -> bool {
    let options: &[&str] = match wrapper {
        "sudo" => &["-u", "-g", "-C", "-D", "-p", "-r", "-t", "-U", "-T"],
        "env" => &["-u", "-C", "-S"],
        "nice" => &["-n"],
        "time" => &["-f", "-o"],
        "stdbuf" => &["-i", "-o", "-e"],
        _ => &[],
    };
    options.contains(&option)
}

/// The parsed shell of one RUN (or of a heredoc it runs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Script {
    pub commands: Vec<Command>,
    /// The shell grammar reported errors; the commands found are still usable.
    pub has_errors: bool,
}

impl Script {
    /// The same script with every span moved by `delta` bytes (its text moved in the file).
    pub(crate) fn moved(&self, delta: isize) -> Script {
        let shift = |span: Span| {
            Span::new(
                span.start.saturating_add_signed(delta),
                span.end.saturating_add_signed(delta),
            )
        };
        let words = |words: &[Word]| -> Vec<Word> {
            words
                .iter()
                .map(|w| Word {
                    text: w.text.clone(),
                    span: shift(w.span),
                })
                .collect()
        };
        Script {
            commands: self
                .commands
                .iter()
                .map(|c| Command {
                    assignments: words(&c.assignments),
                    argv: words(&c.argv),
                    span: shift(c.span),
                    connector: c.connector,
                    pipes_into_next: c.pipes_into_next,
                    redirects: words(&c.redirects),
                    nested: c.nested,
                    start: c.start,
                    program_offset: c.program_offset,
                })
                .collect(),
            has_errors: self.has_errors,
        }
    }

    /// Commands whose real program is `name`.
    pub fn commands_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Command> + 'a {
        self.commands
            .iter()
            .filter(move |c| c.program() == Some(name))
    }
}

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new({
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_bash::LANGUAGE.into())
            .expect("the bundled bash grammar matches the tree-sitter version");
        parser
    });
}

/// Parses shell text; spans are mapped to the original file through `line`.
pub fn parse(line: &LogicalLine) -> Script {
    let parse = |text: &str| PARSER.with(|p| p.borrow_mut().parse(text, None));
    crate::cache::shell_script(line, parse, |tree| walk(line, tree))
}

fn walk(line: &LogicalLine, tree: Option<&tree_sitter::Tree>) -> Script {
    let Some(tree) = tree else {
        return Script {
            commands: Vec::new(),
            has_errors: true,
        };
    };
    let root = tree.root_node();
    let mut script = Script {
        commands: Vec::new(),
        has_errors: root.has_error(),
    };
    let mut walker = Walker {
        line,
        commands: &mut script.commands,
    };
    walker.visit(root, Connector::Sequence, false);
    script
}

struct Walker<'a> {
    line: &'a LogicalLine,
    commands: &'a mut Vec<Command>,
}

impl Walker<'_> {
    fn text(&self, node: Node<'_>) -> &str {
        &self.line.text[node.start_byte()..node.end_byte()]
    }

    fn span(&self, node: Node<'_>) -> Span {
        self.line.span(node.start_byte(), node.end_byte())
    }

    fn visit(&mut self, node: Node<'_>, connector: Connector, nested: bool) {
        match node.kind() {
            "command" => self.command(node, connector, nested),
            "variable_assignment" | "variable_assignments" | "declaration_command" => {
                self.declaration(node, connector, nested)
            }
            "list" => {
                // `a && b || c` is nested left-deep: (list (list a && b) || c).
                let mut next = connector;
                let mut cursor = node.walk();
                for child in node.children(&mut cursor) {
                    match child.kind() {
                        "&&" => next = Connector::And,
                        "||" => next = Connector::Or,
                        ";" | "&" | "\n" => next = Connector::Sequence,
                        _ if child.is_named() => {
                            self.visit(child, next, nested);
                        }
                        _ => {}
                    }
                }
            }
            "pipeline" => {
                let mut next = connector;
                let mut cursor = node.walk();
                let children: Vec<_> = node.children(&mut cursor).collect();
                let mut element_start = self.commands.len();
                for child in children {
                    if child.kind() == "|" || child.kind() == "|&" {
                        if let Some(writer) = self.output_command(element_start) {
                            self.commands[writer].pipes_into_next = true;
                        }
                        next = Connector::Pipe;
                    } else if child.is_named() {
                        element_start = self.commands.len();
                        self.visit(child, next, nested);
                    }
                }
            }
            "redirected_statement" => {
                let before = self.commands.len();
                if let Some(body) = node.child_by_field_name("body") {
                    self.visit(body, connector, nested);
                }
                let mut cursor = node.walk();
                let redirects: Vec<Word> = node
                    .children_by_field_name("redirect", &mut cursor)
                    .filter_map(redirect_target)
                    .map(|d| self.word(d))
                    .collect();
                // Redirections of a compound statement apply to its last command for our
                // purposes (the one writing output).
                if self.commands.len() > before
                    && let Some(last) = self.commands.last_mut()
                {
                    last.redirects.extend(redirects);
                }
            }
            "program" => {
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    self.visit(child, Connector::Sequence, nested);
                }
            }
            "heredoc_body" | "comment" => {}
            _ => {
                let mut cursor = node.walk();
                let mut first = true;
                for child in node.named_children(&mut cursor) {
                    let c = if first {
                        connector
                    } else {
                        Connector::Sequence
                    };
                    first = false;
                    self.visit(child, c, true);
                }
            }
        }
    }

    /// Of the commands found since `from` (one pipeline element), the last one that is not
    /// inside another one's command substitution: the command whose output the pipe takes
    /// (`echo $(date) | tee` pipes `echo`, `(a; b) | c` pipes `b`).
    fn output_command(&self, from: usize) -> Option<usize> {
        let found = self.commands.get(from..)?;
        (0..found.len())
            .rev()
            .find(|&k| {
                let span = found[k].span;
                !found[..k]
                    .iter()
                    .any(|outer| outer.span.start <= span.start && span.end <= outer.span.end)
            })
            .map(|k| from + k)
    }

    fn command(&mut self, node: Node<'_>, connector: Connector, nested: bool) {
        let mut assignments = Vec::new();
        let mut argv = Vec::new();
        let mut redirects = Vec::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "variable_assignment" => assignments.push(self.word(child)),
                "command_name" => argv.push(self.word(child)),
                "file_redirect" | "heredoc_redirect" | "herestring_redirect" => {
                    if let Some(d) = redirect_target(child) {
                        redirects.push(self.word(d));
                    }
                }
                "comment" => {}
                _ => {
                    if !argv.is_empty() {
                        argv.push(self.word(child));
                    }
                }
            }
        }
        let command = Command {
            assignments,
            argv,
            span: self.span(node),
            connector,
            pipes_into_next: false,
            redirects,
            nested,
            start: 0,
            program_offset: 0,
        }
        .finish();
        self.commands.push(command);
        // Command substitutions inside arguments are commands too.
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            self.substitutions(child);
        }
    }

    /// A bare `A=1` (or `A=1 B=2`) and `export A=1` (`declare`, `local`, `readonly`,
    /// `typeset`) are simple commands too: the first with only assignments, the second with
    /// the builtin and its arguments as argv.
    fn declaration(&mut self, node: Node<'_>, connector: Connector, nested: bool) {
        let mut assignments = Vec::new();
        let mut argv = Vec::new();
        let mut cursor = node.walk();
        match node.kind() {
            "variable_assignment" => assignments.push(self.word(node)),
            "variable_assignments" => assignments.extend(
                node.named_children(&mut cursor)
                    .filter(|c| c.kind() == "variable_assignment")
                    .map(|c| self.word(c)),
            ),
            _ => {
                argv.extend(node.child(0).map(|keyword| self.word(keyword)));
                argv.extend(
                    node.named_children(&mut cursor)
                        .filter(|c| c.kind() != "comment")
                        .map(|c| self.word(c)),
                );
            }
        }
        self.commands.push(
            Command {
                assignments,
                argv,
                span: self.span(node),
                connector,
                pipes_into_next: false,
                redirects: Vec::new(),
                nested,
                start: 0,
                program_offset: 0,
            }
            .finish(),
        );
        self.substitutions(node);
    }

    fn substitutions(&mut self, node: Node<'_>) {
        if node.kind() == "command_substitution" || node.kind() == "process_substitution" {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                self.visit(child, Connector::Sequence, true);
            }
            return;
        }
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            self.substitutions(child);
        }
    }

    fn word(&self, node: Node<'_>) -> Word {
        Word {
            text: unquote_shell(self.text(node)),
            span: self.span(node),
        }
    }
}

/// What a redirection reads or writes: the file of `> file`, the word of `<<< word`.
fn redirect_target(redirect: Node<'_>) -> Option<Node<'_>> {
    redirect.child_by_field_name("destination").or_else(|| {
        if redirect.kind() != "herestring_redirect" {
            return None;
        }
        let mut cursor = redirect.walk();
        redirect
            .named_children(&mut cursor)
            .filter(|c| c.kind() != "file_descriptor")
            .last()
    })
}

/// Removes shell quoting from a word as written; expansions are kept verbatim.
pub fn unquote_shell(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => out.push(c),
            (_, '\\') => match chars.next() {
                Some('\n') => {}
                Some(next) => {
                    if quote == Some('"') && !matches!(next, '"' | '\\' | '$' | '`') {
                        out.push('\\');
                    }
                    out.push(next);
                }
                None => out.push('\\'),
            },
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(text: &str) -> Vec<Command> {
        parse(&LogicalLine::from_text(text)).commands
    }

    #[test]
    fn lists_and_pipes() {
        let c = commands(
            "set -ex; apt-get update && apt-get install -qy \"curl=1.2\" || true; curl -fsSL x | sh -",
        );
        let names: Vec<_> = c.iter().map(|c| c.name().unwrap()).collect();
        assert_eq!(
            names,
            vec!["set", "apt-get", "apt-get", "true", "curl", "sh"]
        );
        assert_eq!(c[2].connector, Connector::And);
        assert_eq!(c[3].connector, Connector::Or);
        assert!(c[4].pipes_into_next);
        assert_eq!(c[5].connector, Connector::Pipe);
        assert_eq!(c[2].argv[3].text, "curl=1.2");
        assert!(c[2].has_option(Some('y'), &["yes", "assume-yes"]));
        assert_eq!(c[2].subcommand().unwrap().text, "install");
    }

    #[test]
    fn wrappers_and_assignments() {
        let c = commands("DEBIAN_FRONTEND=noninteractive sudo -E apt-get install x");
        assert_eq!(c[0].assignments.len(), 1);
        assert_eq!(c[0].program(), Some("apt-get"));
        assert_eq!(c[0].operands_after_subcommand().next().unwrap().text, "x");
    }

    #[test]
    fn the_pipe_takes_the_output_of_the_outer_command() {
        let c = commands("echo $(date) | tee x; (a; b $(d)) | c");
        let piping: Vec<_> = c
            .iter()
            .filter(|c| c.pipes_into_next)
            .map(|c| c.name().unwrap())
            .collect();
        assert_eq!(piping, vec!["echo", "b"]);
    }

    #[test]
    fn here_strings_are_redirects() {
        let c = commands("chpasswd <<< 'root:pw'; cat > out.txt");
        assert_eq!(c[0].redirects[0].text, "root:pw");
        assert_eq!(c[1].redirects[0].text, "out.txt");
    }

    #[test]
    fn wrapper_options_with_values_and_lookups() {
        let c = commands(
            "nice -n 10 make; env -u HOME -C /src make; sudo -u app -H make; command -v curl; command -V wget; command ls",
        );
        let programs: Vec<_> = c.iter().map(|c| c.program().unwrap()).collect();
        assert_eq!(
            programs,
            vec!["make", "make", "make", "command", "command", "ls"]
        );
        assert_eq!(c[3].program_args()[0].text, "-v");
    }

    #[test]
    fn assignments_and_declarations_are_commands() {
        let c =
            commands("deps=' gcc  make '; A=1 B=2 && export C=\"x y\" D; echo $(true); X=$(id -u)");
        assert_eq!(c[0].argv, Vec::<Word>::new());
        assert_eq!(c[0].assignments[0].text, "deps= gcc  make ");
        let names: Vec<_> = c[1].assignments.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(names, vec!["A=1", "B=2"]);
        assert_eq!(c[2].connector, Connector::And);
        let argv: Vec<_> = c[2].argv.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(argv, vec!["export", "C=x y", "D"]);
        assert_eq!(c[2].program(), Some("export"));
        // Substitutions inside an assignment are still found.
        assert_eq!(c.last().and_then(|c| c.program()), Some("id"));
        assert!(c.last().is_some_and(|c| c.nested));
    }

    #[test]
    fn nested_commands_are_found() {
        let c = commands("if [ -e x ]; then (cd /a && make); fi; echo $(id -u)");
        let names: Vec<_> = c.iter().filter_map(|c| c.name()).collect();
        assert!(names.contains(&"make"));
        assert!(names.contains(&"id"));
        assert!(c.iter().find(|c| c.name() == Some("make")).unwrap().nested);
    }
}
