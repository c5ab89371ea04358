//! What the package rules share: the install commands of every RUN (ONBUILD RUN included)
//! and the packages they name, with `$VARS` expanded where the file says what they hold.

use crate::Context;
use crate::helpers::packages::{Manager, PackageCommand, package_commands};
use plimsoll_analyzer::{Instruction, Keyword, Word};

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

/// The packages `words` name as `instruction` runs them. A word with a variable is expanded
/// with the ARG and ENV values visible there and split like the shell splits it; a word whose
/// value the file does not give (a shell variable, `$(…)`, an ARG without a default) names
/// packages nobody can read here, so it is left out rather than guessed.
pub(super) fn packages<'a>(
    ctx: &Context<'_>,
    instruction: &Instruction,
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
        let value = ctx.file.expand(instruction.index, &word.text);
        if !value.unresolved.is_empty() || has_expansion(&value.text) {
            continue;
        }
        out.extend(value.text.split_whitespace().map(|name| Package {
            word,
            name: name.to_string(),
            expanded: true,
        }));
    }
    out
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
