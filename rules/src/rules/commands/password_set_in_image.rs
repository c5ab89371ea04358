use super::support::{base_name, is_literal_word, runs};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Word;
use plimsoll_analyzer::shell::{Command, Connector};

declare_rule! {
    /// ## What it does
    /// Reports a RUN that sets an account password written in the Dockerfile:
    /// - `echo 'user:password' | chpasswd` (also `printf`, a here-string
    ///   `chpasswd <<< 'user:password'`, and hashes with `chpasswd -e`);
    /// - `echo -e 'password\npassword' | passwd user`, `echo password | passwd --stdin user`;
    /// - `useradd -p HASH` / `usermod --password HASH`;
    /// - `openssl passwd PASSWORD` and `mkpasswd PASSWORD` (usually feeding `useradd -p`).
    ///
    /// Passwords that come from a variable or a command (`"root:$ROOT_PASSWORD"`) are not
    /// reported here (an ARG holding a secret is `secret-in-arg-or-env-name`, PL300), nor
    /// are locked or empty values (`useradd -p '*'`, `-p '!'`). Other passwords on command
    /// lines (`curl -u`, `mysql -p`) are `password-on-command-line` (PL305).
    ///
    /// ## Why is this bad?
    /// Every container started from the image has this password, the same one, and anyone
    /// who can pull the image can read it: in the Dockerfile, in the image history
    /// (`docker history --no-trunc` shows the RUN line) and, as a hash that can be
    /// cracked offline, in `/etc/shadow`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd -m dev && echo 'dev:dev123' | chpasswd
    /// ```
    ///
    /// Use instead (no password; use `docker exec` to get a shell, or set one at start-up
    /// from a secret):
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd -m dev && passwd -l dev
    /// ```
    ///
    /// ## References
    /// - [Build secrets](https://docs.docker.com/build/building/secrets/)
    /// - [chpasswd(8)](https://manpages.debian.org/stable/passwd/chpasswd.8.en.html)
    pub struct PasswordSetInImage {
        code: "PL816",
        name: "password-set-in-image",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A RUN sets an account password written in the Dockerfile",
    }
}

/// What is shown in place of a password.
const MASK: &str = "****";

impl Rule for PasswordSetInImage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let source = ctx.text();
        for instruction in runs(ctx.file) {
            let commands: Vec<&Command> = instruction.commands().collect();
            for (i, command) in commands.iter().enumerate() {
                let Some(program) = command.program_word().map(|w| base_name(&w.text)) else {
                    continue;
                };
                let found: Vec<(&Word, String)> = match program {
                    "chpasswd" => {
                        let hashed = command.has_option(Some('e'), &["encrypted"]);
                        let fed = command
                            .redirects
                            .iter()
                            .chain(fed_words(&commands, i))
                            .filter(|w| is_literal_word(source, w));
                        fed.filter_map(|w| {
                            let user = chpasswd_user(&w.text)?;
                            let what = if hashed {
                                "a password hash"
                            } else {
                                "a password"
                            };
                            Some((
                                w,
                                format!(
                                    "`chpasswd` sets {what} for `{user}` ({user}:{MASK}) written \
                                     in the Dockerfile"
                                ),
                            ))
                        })
                        .collect()
                    }
                    "passwd" => fed_words(&commands, i)
                        .filter(|w| is_literal_word(source, w) && !w.text.trim().is_empty())
                        .map(|w| {
                            let user = command
                                .program_args()
                                .iter()
                                .rfind(|a| !a.text.starts_with('-'))
                                .map_or("root", |a| a.text.as_str());
                            (
                                w,
                                format!(
                                    "`passwd` sets a password for `{user}` ({MASK}) written in \
                                     the Dockerfile"
                                ),
                            )
                        })
                        .collect(),
                    "useradd" | "usermod" => password_option(command)
                        .filter(|w| is_literal_word(source, w) && !is_locked(&w.text))
                        .map(|w| {
                            (
                                w,
                                format!(
                                    "`{program} -p {MASK}` sets a password hash written in the \
                                     Dockerfile"
                                ),
                            )
                        })
                        .into_iter()
                        .collect(),
                    "openssl" | "mkpasswd" => hashed_password(program, command)
                        .filter(|w| is_literal_word(source, w))
                        .map(|w| {
                            let shown = if program == "openssl" {
                                "openssl passwd"
                            } else {
                                "mkpasswd"
                            };
                            (
                                w,
                                format!(
                                    "`{shown} {MASK}` hashes a password written in the Dockerfile"
                                ),
                            )
                        })
                        .into_iter()
                        .collect(),
                    _ => Vec::new(),
                };
                for (word, what) in found {
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            word.span,
                            format!(
                                "{what}: every container of the image shares it, and the image \
                                 history shows it"
                            ),
                        )
                        .with_help(
                            "do not bake passwords into images: lock the account (`passwd -l`) \
                             and use `docker exec`, or set the password when the container \
                             starts, from a secret",
                        ),
                    );
                }
            }
        }
    }
}

/// The arguments of the `echo` or `printf` piped into `commands[at]`.
fn fed_words<'a>(commands: &[&'a Command], at: usize) -> impl Iterator<Item = &'a Word> {
    let consumer = commands[at];
    let feeder = (consumer.connector == Connector::Pipe)
        .then(|| {
            commands[..at]
                .iter()
                .rev()
                .find(|c| c.span.end <= consumer.span.start)
        })
        .flatten()
        .filter(|c| c.pipes_into_next)
        .filter(|c| matches!(c.program(), Some("echo" | "printf")));
    feeder
        .into_iter()
        .flat_map(|c| c.program_args().iter())
        .filter(|w| !matches!(w.text.as_str(), "-e" | "-n" | "-E" | "-en" | "-ne"))
}

/// The user of the first `user:password` line with a non-empty password.
fn chpasswd_user(text: &str) -> Option<&str> {
    text.split("\\n")
        .flat_map(str::lines)
        .filter_map(|line| line.split_once(':'))
        .find(|(user, password)| !user.trim().is_empty() && !is_locked(password))
        .map(|(user, _)| user.trim())
}

/// `*`, `!`, `!!`, `x`, `!…`: a locked account or no password, not a secret.
fn is_locked(value: &str) -> bool {
    let v = value.trim();
    v.is_empty() || v == "*" || v == "x" || v.starts_with('!')
}

/// The value of `-p`, `-pVALUE`, `--password VALUE` or `--password=VALUE`.
fn password_option(command: &Command) -> Option<&Word> {
    let args = command.program_args();
    for (i, word) in args.iter().enumerate() {
        let t = word.text.as_str();
        if t == "-p" || t == "--password" {
            return args.get(i + 1);
        }
        if t.starts_with("--password=") || (t.starts_with("-p") && !t.starts_with("--")) {
            return Some(word);
        }
    }
    None
}

/// The password operand of `openssl passwd … PASSWORD` or `mkpasswd … PASSWORD`, unless
/// it is read from standard input or a file.
fn hashed_password<'a>(program: &str, command: &'a Command) -> Option<&'a Word> {
    let mut args = command.program_args().iter();
    let value_options: &[&str] = if program == "openssl" {
        if args.next()?.text != "passwd" {
            return None;
        }
        &["-salt", "-in"]
    } else {
        &["-m", "--method", "-S", "--salt", "-R", "--rounds"]
    };
    let mut operand = None;
    while let Some(word) = args.next() {
        let t = word.text.as_str();
        if matches!(
            t,
            "-stdin" | "-in" | "-s" | "--stdin" | "-P" | "--password-fd"
        ) {
            return None;
        }
        if value_options.contains(&t) {
            args.next();
        } else if !t.starts_with('-') {
            operand.get_or_insert(word);
        }
    }
    operand
}
