//! What a stage's container runs: the CMD and ENTRYPOINT it ends up with, following stages
//! built on stages, and how shell-form text can be written as an exec-form array.

use plimsoll_analyzer::{Base, Dockerfile, Form, Instruction, Keyword, Stage, Word};

/// The last instruction with `keyword` in `stage` itself.
fn last_in_stage<'a>(
    file: &'a Dockerfile,
    stage: &Stage,
    keyword: Keyword,
) -> Option<&'a Instruction> {
    file.stage_instructions(stage)
        .iter()
        .rev()
        .find(|i| i.keyword == keyword)
}

/// The stage `stage` is built on, when it is an earlier stage of this file.
fn parent<'a>(file: &'a Dockerfile, stage: &Stage) -> Option<&'a Stage> {
    match stage.base {
        Base::Stage(p) if p < stage.index => file.stages.get(p),
        _ => None,
    }
}

/// The ENTRYPOINT in effect for containers of `stage` (its own last one, else the one of
/// the stage it is built on). `None` when no stage of this file sets one.
pub fn entrypoint<'a>(file: &'a Dockerfile, stage: &Stage) -> Option<&'a Instruction> {
    let mut current = stage;
    loop {
        if let Some(found) = last_in_stage(file, current, Keyword::Entrypoint) {
            return Some(found);
        }
        current = parent(file, current)?;
    }
}

/// The CMD in effect for containers of `stage`. BuildKit clears an inherited CMD when a
/// stage sets ENTRYPOINT without its own CMD, so the walk stops at such a stage.
pub fn cmd<'a>(file: &'a Dockerfile, stage: &Stage) -> Option<&'a Instruction> {
    let mut current = stage;
    loop {
        if let Some(found) = last_in_stage(file, current, Keyword::Cmd) {
            return Some(found);
        }
        if last_in_stage(file, current, Keyword::Entrypoint).is_some() {
            return None;
        }
        current = parent(file, current)?;
    }
}

/// The `SHELL` that shell form runs under at `instruction` (`None`: the default,
/// `/bin/sh -c` on Linux).
pub fn shell_at<'a>(file: &'a Dockerfile, instruction: &Instruction) -> Option<&'a [Word]> {
    let shell_words = |i: &'a Instruction| match &i.form {
        Form::Exec(words) if i.keyword == Keyword::Shell && !words.is_empty() => {
            Some(words.as_slice())
        }
        _ => None,
    };
    let mut stage = file.stages.get(instruction.stage?)?;
    let own = &file.instructions
        [stage.instructions.start..instruction.index.max(stage.instructions.start)];
    if let Some(found) = own.iter().rev().find_map(shell_words) {
        return Some(found);
    }
    loop {
        stage = parent(file, stage)?;
        if let Some(found) = file
            .stage_instructions(stage)
            .iter()
            .rev()
            .find_map(shell_words)
        {
            return Some(found);
        }
    }
}

/// The words of the shell that shell form runs under at `instruction`: its `SHELL`, or
/// `/bin/sh -c`.
pub fn shell_words(file: &Dockerfile, instruction: &Instruction) -> Vec<String> {
    match shell_at(file, instruction) {
        Some(shell) => shell.iter().map(|w| w.text.clone()).collect(),
        None => vec!["/bin/sh".into(), "-c".into()],
    }
}

/// Whether a CMD passes any arguments (`CMD []` passes none).
fn has_arguments(cmd: &Instruction) -> bool {
    match &cmd.form {
        Form::Exec(words) => !words.is_empty(),
        _ => !cmd.args.text.trim().is_empty(),
    }
}

/// A CMD that ends up next to `entrypoint` in some stage's image, preferring the
/// entrypoint's own stage: with a shell-form ENTRYPOINT that CMD is ignored.
pub fn cmd_beside<'a>(
    file: &'a Dockerfile,
    entrypoint_at: &Instruction,
) -> Option<&'a Instruction> {
    file.stages.iter().find_map(|stage| {
        let ep = entrypoint(file, stage)?;
        if ep.index != entrypoint_at.index {
            return None;
        }
        cmd(file, stage).filter(|c| has_arguments(c))
    })
}

/// Shell built-ins and reserved words that no exec-form array can run.
const SHELL_ONLY: &[&str] = &[
    ".", ":", "alias", "break", "case", "cd", "continue", "eval", "exec", "exit", "export", "for",
    "function", "if", "local", "read", "readonly", "return", "set", "shift", "source", "trap",
    "ulimit", "umask", "unset", "until", "wait", "while", "!", "{", "[[",
];

/// Whether `word` can only run inside a shell.
pub fn is_shell_only(word: &str) -> bool {
    SHELL_ONLY.contains(&word)
}

/// The words of shell text that a shell would pass on unchanged: no quotes, escapes,
/// variables, globs, `~`, redirections, operators or comments, and a first word that is a
/// program rather than an assignment or a shell built-in. `None` when it is not that plain.
pub fn plain_words(text: &str) -> Option<Vec<&str>> {
    let words: Vec<&str> = text.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
    let first = words.first()?;
    if first.contains('=') || is_shell_only(first) {
        return None;
    }
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:,+@%=".contains(c);
    words.iter().all(|w| w.chars().all(plain)).then_some(words)
}

/// What the unquoted parts of shell text ask the shell to do besides splitting words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expansions {
    /// `$` or a backtick outside single quotes.
    pub variables: bool,
    /// `*`, `?`, `[`, `{` or a leading `~` outside quotes.
    pub globs: bool,
}

pub fn expansions(text: &str) -> Expansions {
    let mut found = Expansions::default();
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (Some('\''), _) => {}
            (_, '\\') => {
                chars.next();
            }
            (_, '$' | '`') => found.variables = true,
            (None, '*' | '?' | '[' | '{') => found.globs = true,
            (None, '~') if previous.is_whitespace() || previous == '=' || previous == ':' => {
                found.globs = true
            }
            _ => {}
        }
        previous = c;
    }
    found
}

/// `s` as a JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `["a", "b"]`, the way the Dockerfile reference writes exec form.
pub fn json_array<S: AsRef<str>>(words: &[S]) -> String {
    let items: Vec<String> = words.iter().map(|w| json_string(w.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_only() {
        assert_eq!(
            plain_words("gunicorn -b 0.0.0.0:8000 app:app"),
            Some(vec!["gunicorn", "-b", "0.0.0.0:8000", "app:app"])
        );
        assert_eq!(
            plain_words("java -Dx=1 -jar /app.jar").map(|w| w.len()),
            Some(4)
        );
        for text in [
            "nginx -g 'daemon off;'",
            "echo $HOME",
            "ls *.txt",
            "a && b",
            "a | b",
            "a > log",
            "cd /app",
            "FOO=1 app",
            "app # comment",
            "app ~/x",
            r"app a\ b",
            "",
        ] {
            assert_eq!(plain_words(text), None, "{text}");
        }
    }

    #[test]
    fn finds_expansions_outside_quotes() {
        assert!(expansions("java $OPTS -jar x").variables);
        assert!(expansions("echo \"$HOME\"").variables);
        assert!(!expansions("echo '$HOME'").variables);
        assert!(!expansions(r"echo \$HOME").variables);
        assert!(expansions("ls *.txt").globs);
        assert!(!expansions("nginx -g 'daemon off;' '*'").globs);
        assert!(expansions("app ~/x").globs);
        assert!(!expansions("app a~b").globs);
    }

    #[test]
    fn json_escapes() {
        assert_eq!(
            json_array(&["sh", "-c", "echo \"a\\b\"\n"]),
            r#"["sh", "-c", "echo \"a\\b\"\n"]"#
        );
    }
}
