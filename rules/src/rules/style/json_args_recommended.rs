use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::{Base, Keyword};

declare_rule! {
    /// ## What it does
    /// Reports `CMD` and `ENTRYPOINT` in shell form (`CMD node server.js`) in a stage that
    /// does not set `SHELL` (itself or through the stage it is built on).
    ///
    /// This is BuildKit's `JSONArgsRecommended` check, with its exact scope. It is off by
    /// default because PL400 (hadolint's DL3025) reports the same instructions, with
    /// exceptions for text that `exec`s its program; select `JSONArgsRecommended` (or
    /// PL906) to get BuildKit's behaviour.
    ///
    /// ## Why is this bad?
    /// Docker runs shell form as `/bin/sh -c "…"`: the shell is PID 1 and does not pass
    /// SIGTERM on, so `docker stop` waits for its timeout and then kills the program
    /// without a clean shutdown. In exec form the program is PID 1 and gets the signal.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY . /app
    /// CMD node /app/server.js
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY . /app
    /// CMD ["node", "/app/server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// When the text is plain words (letters, digits and `_ . / : = , @ % + -`, nothing
    /// the shell would interpret, and no variable assignment or shell builtin such as
    /// `cd` or `exec` in first place), the fix writes them as an exec-form array: the shell
    /// would have passed exactly those words on, so only the PID-1 process changes, and
    /// the fix is safe. Otherwise there is no fix.
    ///
    /// ## References
    /// - [BuildKit check JSONArgsRecommended](https://docs.docker.com/reference/build-checks/json-args-recommended/)
    pub struct JsonArgsRecommended {
        code: "PL906",
        name: "json-args-recommended",
        alias: Some("JSONArgsRecommended"),
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes,
        default_enabled: false,
        summary: "CMD or ENTRYPOINT in shell form (BuildKit's scope)",
    }
}

impl Rule for JsonArgsRecommended {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let mut shell_set: Vec<bool> = Vec::with_capacity(file.stages.len());
        for stage in &file.stages {
            let mut has_shell = match stage.base {
                Base::Stage(parent) => shell_set.get(parent).copied().unwrap_or(false),
                _ => false,
            };
            for instruction in file.stage_instructions(stage) {
                match instruction.keyword {
                    Keyword::Shell => has_shell = true,
                    Keyword::Cmd | Keyword::Entrypoint
                        if !has_shell
                            && !instruction.is_exec_form()
                            && !instruction.args.text.trim().is_empty() =>
                    {
                        let keyword = instruction.keyword.as_str();
                        let mut diagnostic = Diagnostic::new(
                            &Self::META,
                            instruction.args_span,
                            format!(
                                "{keyword} in shell form runs under `/bin/sh -c`: the shell is PID 1 and does not pass SIGTERM on to the program"
                            ),
                        )
                        .with_help(format!(
                            "write it in exec form, e.g. {keyword} [\"program\", \"arg\"]"
                        ));
                        if let Some(array) = plain_words_array(&instruction.args.text) {
                            diagnostic = diagnostic.with_fix(Fix::safe(
                                "Convert to exec form",
                                vec![Edit::replace(instruction.args_span, array)],
                            ));
                        }
                        out.push(diagnostic);
                    }
                    _ => {}
                }
            }
            shell_set.push(has_shell);
        }
    }
}

/// Words that only mean something to a shell.
const SHELL_BUILTINS: &[&str] = &[
    ".", "alias", "case", "cd", "eval", "exec", "exit", "export", "for", "if", "read", "return",
    "set", "shift", "source", "trap", "ulimit", "umask", "unset", "until", "wait", "while",
];

/// `["a", "b"]` when the text is words the shell passes on unchanged.
fn plain_words_array(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let plain = |w: &str| {
        w.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '.' | '/' | ':' | '=' | ',' | '@' | '%' | '+' | '-')
        })
    };
    let first = words.first()?;
    // An assignment or a shell builtin in first place needs the shell.
    if first.contains('=') || SHELL_BUILTINS.contains(first) || !words.iter().all(|w| plain(w)) {
        return None;
    }
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    Some(format!("[{}]", quoted.join(", ")))
}
