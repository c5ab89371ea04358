//! What the package rules share: the install commands of every RUN (ONBUILD RUN included)
//! and the packages they name, with `$VARS` expanded where the file says what they hold.

use crate::helpers::packages::{Manager, PackageCommand, package_commands};
use crate::{Context, Diagnostic, RuleMeta};
use plimsoll_analyzer::shell::Command;
use plimsoll_analyzer::{Instruction, Keyword, Word, vars};

/// A package-manager command of one of `managers`, with the RUN it belongs to.
pub(super) fn commands<'a>(
    ctx: &Context<'a>,
    managers: &'a [Manager],
) -> impl Iterator<Item = (&'a Instruction, PackageCommand<'a>)> {
    ctx.file
        .instructions
        .iter()
        .flat_map(|i| std::iter::once(i).chain(i.onbuild.as_deref()))
        .filter(|i| i.keyword == Keyword::Run)
        .flat_map(move |instruction| {
            package_commands(instruction)
                .filter(move |p| managers.contains(&p.manager))
                .map(move |p| (instruction, p))
        })
}

/// One package a command names.
pub(super) struct Package<'a> {
    /// The word as written: what a diagnostic points at.
    pub word: &'a Word,
    /// The package, variables expanded.
    pub name: String,
    /// Whether `name` came out of a variable in `word`.
    pub expanded: bool,
}

impl Package<'_> {
    /// The package for a message: `` `curl` ``, or `` `curl` (from `$PACKAGES`) ``.
    pub fn describe(&self) -> String {
        if self.expanded {
            format!("`{}` (from `{}`)", self.name, self.word.text)
        } else {
            format!("`{}`", self.name)
        }
    }
}

/// The packages `words` of `command` name as `instruction` runs them. A word with a
/// variable is expanded and split like the shell splits it; the value comes from an
/// assignment earlier in the same RUN (`PKGS="curl git"; apt-get install $PKGS`), or else
/// from the ARG and ENV values visible there. A word whose value the file does not give (a
/// loop variable, `$(…)`, an ARG without a default, a variable assigned more than once)
/// names packages nobody can read here, so it is left out rather than guessed.
pub(super) fn packages<'a>(
    ctx: &Context<'_>,
    instruction: &Instruction,
    command: &PackageCommand<'_>,
    words: impl IntoIterator<Item = &'a Word>,
) -> Vec<Package<'a>> {
    let mut out = Vec::new();
    for word in words {
        if !has_expansion(&word.text) {
            out.push(Package {
                word,
                name: word.text.clone(),
                expanded: false,
            });
            continue;
        }
        let lookup = |name: &str| match shell_assignment(instruction, command.command, name) {
            Some(value) => value,
            None => ctx
                .file
                .lookup(instruction.index, name)
                .and_then(|d| d.value),
        };
        let value = vars::expand(&word.text, '\\', &lookup);
        if !value.unresolved.is_empty() || has_expansion(&value.text) {
            continue;
        }
        // The shell splits an unquoted expansion into words; `"$PKG"` stays one word.
        let quoted = word.span.text(ctx.text()).contains(['"', '\'']);
        let names: Vec<&str> = if quoted {
            vec![value.text.as_str()]
        } else {
            value.text.split_whitespace().collect()
        };
        out.extend(names.into_iter().map(|name| Package {
            word,
            name: name.to_string(),
            expanded: true,
        }));
    }
    out
}

/// The packages `command`'s operands name (see [`packages`]) that `is_unpinned` takes for
/// unpinned.
pub(super) fn unpinned_operands<'a>(
    ctx: &Context<'_>,
    instruction: &Instruction,
    command: &PackageCommand<'a>,
    is_unpinned: fn(&str) -> bool,
) -> Vec<Package<'a>> {
    packages(ctx, instruction, command, command.operands.iter().copied())
        .into_iter()
        .filter(|p| is_unpinned(&p.name))
        .collect()
}

/// POSIX special builtins: variable assignments before them stay set in the shell.
const SPECIAL_BUILTINS: &[&str] = &[
    ":", ".", "break", "continue", "eval", "exec", "exit", "readonly", "return", "set", "shift",
    "times", "trap", "unset",
];

/// The value the RUN's own shell gives `name` before `command`: `None` when it assigns none,
/// `Some(None)` when the value is not knowable (assigned twice, or from an expansion).
fn shell_assignment(
    instruction: &Instruction,
    command: &Command,
    name: &str,
) -> Option<Option<String>> {
    let mut values = instruction
        .commands()
        .take_while(|c| c.span.start < command.span.start)
        .flat_map(|c| {
            // A bare `NAME=value`, or `export NAME=value`. A prefix (`NAME=value cmd`) only
            // sets the variable for that one command, except before a POSIX special builtin
            // (`buildDeps='…' set -x`), where it stays set.
            let set: Vec<&Word> = match c.argv.split_first() {
                Some((first, rest)) if first.text == "export" => rest.iter().collect(),
                Some((first, _)) if SPECIAL_BUILTINS.contains(&first.text.as_str()) => {
                    c.assignments.iter().collect()
                }
                Some(_) => Vec::new(),
                None => c.assignments.iter().collect(),
            };
            set.into_iter().filter_map(|w| {
                let (key, value) = w.text.split_once('=')?;
                let key = key.strip_suffix('+').unwrap_or(key);
                (key == name).then_some((w, value))
            })
        });
    let (word, value) = values.next()?;
    let appends = word.text.starts_with(&format!("{name}+="));
    if values.next().is_some() || appends || has_expansion(value) {
        return Some(None);
    }
    Some(Some(value.to_string()))
}

fn has_expansion(text: &str) -> bool {
    text.contains('$') || text.contains('`')
}

/// A URL (`https://…`, `git+ssh://…`, `file:…`).
pub(super) fn is_url(text: &str) -> bool {
    text.contains("://") || text.starts_with("file:")
}

/// The value of an option that takes one (`-t pattern`, `--type=pattern`), searched in the
/// command's arguments.
pub(super) fn option_value<'a>(
    command: &'a PackageCommand<'_>,
    short: &str,
    long: &str,
) -> Option<&'a str> {
    let args = command.command.program_args();
    for (i, word) in args.iter().enumerate() {
        let t = word.text.as_str();
        if t == "--" {
            return None;
        }
        if t == short || t == long {
            return args.get(i + 1).map(|w| w.text.as_str());
        }
        if let Some(value) = t.strip_prefix(long).and_then(|rest| rest.strip_prefix('=')) {
            return Some(value);
        }
    }
    None
}

/// How a rule explains an unpinned package.
pub(super) struct Advice<'a> {
    /// Why an unpinned package is a problem ("apt-get installs whatever version…").
    pub because: &'a str,
    /// The pinned form of a package (`` `curl=<version>` ``).
    pub example: &'a dyn Fn(&str) -> String,
    /// Where to find the versions, or another way to pin.
    pub hint: &'a dyn Fn(&str) -> String,
}

/// Reports unpinned packages, one diagnostic per word: a `$VARIABLE` holding several
/// unpinned packages gets one finding that names them all.
pub(super) fn report_unpinned(
    out: &mut Vec<Diagnostic>,
    meta: &RuleMeta,
    unpinned: &[Package<'_>],
    advice: &Advice<'_>,
) {
    for group in unpinned.chunk_by(|a, b| a.word.span == b.word.span) {
        let first = &group[0];
        let (example, hint) = ((advice.example)(&first.name), (advice.hint)(&first.name));
        let diagnostic = if let [package] = group {
            Diagnostic::new(
                meta,
                package.word.span,
                format!("{} is not pinned: {}", package.describe(), advice.because),
            )
            .with_help(format!("Pin it as {example}; {hint}"))
        } else {
            const SHOWN: usize = 5;
            let mut names: Vec<String> = group
                .iter()
                .take(SHOWN)
                .map(|p| format!("`{}`", p.name))
                .collect();
            let last = if group.len() > SHOWN {
                format!("{} more", group.len() - SHOWN)
            } else {
                names.pop().unwrap_or_default()
            };
            Diagnostic::new(
                meta,
                first.word.span,
                format!(
                    "{} and {last} (from `{}`) are not pinned: {}",
                    names.join(", "),
                    first.word.text,
                    advice.because
                ),
            )
            .with_help(format!(
                "Pin each where `{}` is set, e.g. {example}; {hint}",
                first.word.text
            ))
        };
        out.push(diagnostic);
    }
}
