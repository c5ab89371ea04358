//! What the command rules share: the RUNs to read (ONBUILD RUN included), the word that
//! names a command's program, which stages end up in the image, who a RUN runs as, and
//! the edits that insert an option or append a command.

use crate::diagnostic::Edit;
pub use crate::helpers::edits::insert_option;
use plimsoll_analyzer::{Base, Dockerfile, Form, Instruction, Keyword, Stage, Word};

/// RUN instructions in file order, each ONBUILD RUN right after its ONBUILD (it runs in
/// every image built on this one).
pub fn runs(file: &Dockerfile) -> impl Iterator<Item = &Instruction> {
    file.instructions
        .iter()
        .flat_map(|i| std::iter::once(i).chain(i.onbuild.as_deref()))
        .filter(|i| i.keyword == Keyword::Run)
}

/// The base name of a path (`/usr/bin/sudo` → `sudo`).
pub fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `stage`, then the stage it is built on, and so on.
pub fn chain<'a>(file: &'a Dockerfile, stage: &'a Stage) -> Vec<&'a Stage> {
    let mut out = vec![stage];
    let mut current = stage;
    while let Base::Stage(p) = current.base {
        // Stage bases point backwards; the guard keeps a broken model finite.
        let Some(parent) = file.stages.get(p).filter(|s| s.index < current.index) else {
            break;
        };
        out.push(parent);
        current = parent;
    }
    out
}

/// Whether the files of `stage` end up in the image `docker build` produces: the final
/// stage and every stage it is built on. Stages only copied from are build helpers.
pub fn in_final_image(file: &Dockerfile, stage: usize) -> bool {
    file.final_stage()
        .is_some_and(|last| chain(file, last).iter().any(|s| s.index == stage))
}

/// Instructions that ran before `instruction` in the same image, nearest first: the
/// earlier ones of its stage, then those of the stages it is built on.
pub fn earlier_in_image<'a>(
    file: &'a Dockerfile,
    instruction: &Instruction,
) -> impl Iterator<Item = &'a Instruction> {
    let stages = instruction
        .stage
        .and_then(|s| file.stages.get(s))
        .map(|s| chain(file, s))
        .unwrap_or_default();
    let at = instruction.index;
    stages.into_iter().flat_map(move |stage| {
        let range = stage.instructions.clone();
        let end = if range.contains(&at) { at } else { range.end };
        file.instructions[range.start..end].iter().rev()
    })
}

/// Who a RUN runs as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunsAs {
    /// `USER root` or `USER 0`.
    Root,
    NonRoot,
    /// No USER before it in the image: the base image's user, usually root but not
    /// always (development images often set another).
    BaseImageUser,
    /// A USER whose value the Dockerfile does not give, or an ONBUILD RUN.
    Unknown,
}

/// The user a RUN runs as, from the last USER before it in its image.
pub fn runs_as(file: &Dockerfile, instruction: &Instruction) -> RunsAs {
    // An ONBUILD RUN runs in an image built on this one, as whatever user that sets.
    if instruction.stage.is_none() {
        return RunsAs::Unknown;
    }
    let Some(user) = earlier_in_image(file, instruction).find(|i| i.keyword == Keyword::User)
    else {
        return RunsAs::BaseImageUser;
    };
    let Some(word) = user.words.first() else {
        return RunsAs::Unknown;
    };
    let expanded = file.expand(user.index, &word.text);
    if !expanded.unresolved.is_empty() {
        return RunsAs::Unknown;
    }
    match expanded.text.split(':').next().unwrap_or("") {
        "root" | "0" => RunsAs::Root,
        "" => RunsAs::Unknown,
        _ => RunsAs::NonRoot,
    }
}

/// Appends ` && {command}` after the last command of a shell-form RUN without heredocs,
/// when that is mechanical: the RUN ends with a plain command (maybe followed by `;` or a
/// comment), not with the end of an `if`, a loop, a group or a background job.
pub fn append_command(instruction: &Instruction, command: &str) -> Option<Edit> {
    if instruction.keyword != Keyword::Run
        || instruction.form != Form::Shell
        || !instruction.heredocs.is_empty()
    {
        return None;
    }
    let script = instruction.script.as_ref()?;
    if script.has_errors {
        return None;
    }
    let last = script
        .commands
        .iter()
        .filter(|c| !c.argv.is_empty())
        .max_by_key(|c| (c.span.end, !c.nested))?;
    if last.nested {
        return None;
    }
    let args = &instruction.args;
    let rest = args.text[args.logical(last.span.end)..].trim_start();
    let rest = rest.strip_prefix(';').unwrap_or(rest).trim_start();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    Some(Edit::insert(last.span.end, format!(" && {command}")))
}

/// Targets of the RUN's `--mount=type=cache` and `--mount=type=tmpfs` mounts, and the type
/// of each: their contents never reach a layer.
pub fn mounts(instruction: &Instruction) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for flag in &instruction.flags {
        if !flag.name.eq_ignore_ascii_case("mount") {
            continue;
        }
        let Some(value) = &flag.value else {
            continue;
        };
        let mut kind = "bind".to_string();
        let mut target = String::new();
        for field in value.split(',') {
            let field = field.trim().trim_matches(|c| c == '"' || c == '\'');
            let (key, val) = field.split_once('=').unwrap_or((field, ""));
            match key.trim().to_ascii_lowercase().as_str() {
                "type" => kind = val.trim().to_ascii_lowercase(),
                "target" | "dst" | "destination" => target = val.trim().to_string(),
                _ => {}
            }
        }
        out.push((kind, target));
    }
    out
}

/// Whether the RUN has a mount of type `kind` (`cache`, `ssh`, `secret`…).
pub fn has_mount(instruction: &Instruction, kind: &str) -> bool {
    mounts(instruction).iter().any(|(k, _)| k == kind)
}

/// Whether the text of a variable-free word is what the shell will see: no `$`, no
/// backquote.
pub fn is_literal(text: &str) -> bool {
    !text.contains('$') && !text.contains('`')
}

/// Whether `word` is a group of short options (`-fsSLk`) holding `letter` before any
/// letter in `value_letters` (an option whose value is the rest of the word).
pub fn short_option_in(word: &str, letter: char, value_letters: &str) -> bool {
    let Some(letters) = word.strip_prefix('-').filter(|l| !l.starts_with('-')) else {
        return false;
    };
    for c in letters.chars() {
        if c == letter {
            return true;
        }
        if value_letters.contains(c) || !c.is_ascii_alphanumeric() {
            return false;
        }
    }
    false
}

/// Whether a word of a RUN is what the shell will see: no expansion in it, or all of it
/// in single quotes.
pub fn is_literal_word(source: &str, word: &Word) -> bool {
    let raw = word.span.text(source);
    is_literal(&word.text) || (raw.len() >= 2 && raw.starts_with('\'') && raw.ends_with('\''))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Dockerfile {
        Dockerfile::parse(text)
    }

    #[test]
    fn short_option_groups() {
        assert!(short_option_in("-fsSLk", 'k', "o"));
        assert!(!short_option_in("-ok", 'k', "o"));
        assert!(!short_option_in("--insecure", 'k', ""));
        assert!(!short_option_in("-", 'k', ""));
    }

    #[test]
    fn final_image_stages() {
        let f = file("FROM a AS base\nFROM base AS build\nFROM a AS other\nFROM base\n");
        let ships: Vec<bool> = (0..4).map(|s| in_final_image(&f, s)).collect();
        assert_eq!(ships, vec![true, false, false, true]);
    }

    #[test]
    fn user_along_the_chain() {
        let f = file(
            "FROM a AS base\nUSER app\nFROM base AS next\nRUN x\nUSER root\nRUN y\nFROM a\nARG U\nUSER $U\nRUN z\nONBUILD RUN w\nFROM a\nRUN v\n",
        );
        let who: Vec<RunsAs> = runs(&f).map(|r| runs_as(&f, r)).collect();
        assert_eq!(
            who,
            vec![
                RunsAs::NonRoot,
                RunsAs::Root,
                RunsAs::Unknown,
                RunsAs::Unknown,
                RunsAs::BaseImageUser
            ]
        );
    }

    #[test]
    fn appending() {
        let f = file("FROM a\nRUN a && b; # done\nRUN if a; then b; fi\nRUN a &\nRUN (a && b)\n");
        assert!(append_command(&f.instructions[1], "c").is_some());
        assert!(append_command(&f.instructions[2], "c").is_none());
        assert!(append_command(&f.instructions[3], "c").is_none());
        assert!(append_command(&f.instructions[4], "c").is_none());
    }

    #[test]
    fn mount_types_and_targets() {
        let f = file("FROM a\nRUN --mount=type=cache,target=/root/.cache --mount=type=ssh x\n");
        let m = mounts(&f.instructions[1]);
        assert_eq!(
            m,
            vec![
                ("cache".to_string(), "/root/.cache".to_string()),
                ("ssh".to_string(), String::new())
            ]
        );
        assert!(has_mount(&f.instructions[1], "ssh"));
    }
}
