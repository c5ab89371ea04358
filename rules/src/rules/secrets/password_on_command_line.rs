use super::credentials::{MASK, is_literal, is_placeholder};
use super::options::{CURL_VALUE_LETTERS, option_values};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::shell::Command;
use plimsoll_analyzer::{Keyword, Word};

declare_rule! {
    /// ## What it does
    /// Reports a literal password given as a command-line argument in a `RUN`:
    /// - `curl -u user:pass`, `--user user:pass`, `--proxy-user user:pass`;
    /// - `wget --password=…`, `--http-password=…`, `--ftp-password=…`, `--proxy-password=…`;
    /// - `mysql -pPASS`, `--password=PASS` (also `mysqldump`, `mysqladmin`, `mariadb`, …);
    /// - `sshpass -p PASS`;
    /// - `docker login -p PASS` / `--password PASS` (also `podman`, `buildah`, `skopeo`,
    ///   `nerdctl`);
    /// - `redis-cli -a PASS`.
    ///
    /// A password that comes from a variable or a command substitution
    /// (`curl -u "ci:$TOKEN"`, `-p"$(cat /run/secrets/db)"`) is not reported, nor are
    /// placeholders, well-known defaults where the password is the user name
    /// (`curl -u admin:admin`) and a bare `mysql -p` (which prompts). URLs with a password
    /// (`git clone https://u:p@…`) are `credentials-in-url` (PL304).
    ///
    /// ## Why is this bad?
    /// The password is in the Dockerfile, so it is in version control. The `RUN` line is
    /// also stored in the image history (`docker history --no-trunc`), where anyone who
    /// can pull the image can read it, and it shows in build logs.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN curl -fsSL -u deploy:s3cret-pw https://files.example.com/app.tgz | tar -xz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN --mount=type=secret,id=files_pw,env=FILES_PW \
    ///     curl -fsSL -u "deploy:$FILES_PW" https://files.example.com/app.tgz | tar -xz
    /// ```
    /// built with `docker build --secret id=files_pw,env=FILES_PW .`
    ///
    /// ## References
    /// - [Build secrets](https://docs.docker.com/build/building/secrets/)
    pub struct PasswordOnCommandLine {
        code: "PL305",
        name: "password-on-command-line",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A RUN passes a literal password as a command-line argument",
    }
}

/// A password found in a command's arguments.
struct Found<'a> {
    /// The argument that holds the password.
    word: &'a Word,
    /// The option as the message shows it, password masked (`curl -u admin:****`).
    shown: String,
    /// How to give that tool the password instead.
    help: &'static str,
}

impl Rule for PasswordOnCommandLine {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in &ctx.file.instructions {
            if instruction.keyword != Keyword::Run {
                continue;
            }
            for command in instruction.commands() {
                let Some(found) = find(command) else {
                    continue;
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        found.word.span,
                        format!(
                            "`{}` puts a password on the command line: it is in the Dockerfile, \
                             in the image history and in build logs",
                            found.shown
                        ),
                    )
                    .with_help(format!(
                        "read it from a build secret (`RUN --mount=type=secret,id=…` with \
                         `docker build --secret`): {}",
                        found.help
                    )),
                );
            }
        }
    }
}

/// A password worth reporting: written out, not a placeholder, not the next option.
fn is_password(value: &str) -> bool {
    !value.is_empty() && !value.starts_with('-') && is_literal(value) && !is_placeholder(value)
}

fn find(command: &Command) -> Option<Found<'_>> {
    let program = command.program()?;
    let args = command.program_args();
    match program {
        "curl" => curl(args),
        "wget" => long_value(
            args,
            &[
                "--password",
                "--http-password",
                "--http-passwd",
                "--ftp-password",
                "--ftp-passwd",
                "--proxy-password",
                "--proxy-passwd",
            ],
            true,
            "wget",
            "`--password=\"$PASSWORD\"` with `env=PASSWORD` on the mount, or a `.netrc` mounted as a secret",
        ),
        "mysql" | "mysqldump" | "mysqladmin" | "mysqlimport" | "mysqlshow" | "mysqlcheck"
        | "mysql_upgrade" | "mariadb" | "mariadb-dump" | "mariadb-admin" => mysql(program, args),
        "sshpass" => short_value(
            args,
            'p',
            "sshpass",
            "`sshpass -e` reads `SSHPASS`, which the mount can set with `env=SSHPASS`",
        ),
        "redis-cli" => short_value(
            args,
            'a',
            "redis-cli",
            "redis-cli reads `REDISCLI_AUTH`, which the mount can set with `env=REDISCLI_AUTH`",
        )
        .or_else(|| long_value(args, &["--pass"], true, "redis-cli", REDIS_HELP)),
        "docker" | "podman" | "buildah" | "skopeo" | "nerdctl" => registry_login(program, args),
        _ => None,
    }
}

const REDIS_HELP: &str =
    "redis-cli reads `REDISCLI_AUTH`, which the mount can set with `env=REDISCLI_AUTH`";

fn curl(args: &[Word]) -> Option<Found<'_>> {
    const HELP: &str = "`curl -u \"user:$PASSWORD\"` with `env=PASSWORD` on the mount, or \
                        `--netrc-file` pointing at a mounted secret";
    let mut logins = option_values(
        args,
        &['u', 'U'],
        &["user", "proxy-user"],
        CURL_VALUE_LETTERS,
    );
    logins.find_map(|login| {
        let (user, password) = login.value.split_once(':')?;
        // `admin:admin` and the like are well-known defaults, not secrets.
        (is_password(password) && !password.eq_ignore_ascii_case(user)).then(|| Found {
            word: login.word,
            shown: format!("curl {}{user}:{MASK}", login.flag),
            help: HELP,
        })
    })
}

/// `--name=value` or `--name value` (the latter only when `separate` is allowed).
fn long_value<'a>(
    args: &'a [Word],
    names: &[&str],
    separate: bool,
    tool: &str,
    help: &'static str,
) -> Option<Found<'a>> {
    for (i, word) in args.iter().enumerate() {
        let t = word.text.as_str();
        if t == "--" {
            return None;
        }
        if let Some((name, value)) = t.split_once('=')
            && names.contains(&name)
            && is_password(value)
        {
            return Some(Found {
                word,
                shown: format!("{tool} {name}={MASK}"),
                help,
            });
        }
        if separate
            && names.contains(&t)
            && let Some(next) = args.get(i + 1)
            && is_password(&next.text)
        {
            return Some(Found {
                word: next,
                shown: format!("{tool} {t} {MASK}"),
                help,
            });
        }
    }
    None
}

/// `-pVALUE` or `-p VALUE`.
fn short_value<'a>(
    args: &'a [Word],
    letter: char,
    tool: &str,
    help: &'static str,
) -> Option<Found<'a>> {
    let flag = format!("-{letter}");
    for (i, word) in args.iter().enumerate() {
        let t = word.text.as_str();
        if t == "--" {
            return None;
        }
        if t == flag {
            if let Some(next) = args.get(i + 1)
                && is_password(&next.text)
            {
                return Some(Found {
                    word: next,
                    shown: format!("{tool} {flag} {MASK}"),
                    help,
                });
            }
        } else if let Some(value) = t.strip_prefix(&flag)
            && !t.starts_with("--")
            && is_password(value)
        {
            return Some(Found {
                word,
                shown: format!("{tool} {flag}{MASK}"),
                help,
            });
        }
    }
    None
}

fn mysql<'a>(program: &str, args: &'a [Word]) -> Option<Found<'a>> {
    const HELP: &str = "MySQL clients read `MYSQL_PWD`, which the mount can set with \
                        `env=MYSQL_PWD`, or an option file given with `--defaults-extra-file`";
    for word in args {
        let t = word.text.as_str();
        if t == "--" {
            return None;
        }
        // `-p` alone prompts; only an attached value is a password.
        let value = t
            .strip_prefix("--password=")
            .or_else(|| t.strip_prefix("-p").filter(|_| !t.starts_with("--")));
        if let Some(value) = value
            && is_password(value)
        {
            let flag = if t.starts_with("--") {
                "--password="
            } else {
                "-p"
            };
            return Some(Found {
                word,
                shown: format!("{program} {flag}{MASK}"),
                help: HELP,
            });
        }
    }
    None
}

fn registry_login<'a>(program: &str, args: &'a [Word]) -> Option<Found<'a>> {
    const HELP: &str = "`--password-stdin < /run/secrets/ID` reads it from the mounted secret";
    let login = args.iter().position(|w| w.text == "login")?;
    let tool = format!("{program} login");
    let after = &args[login + 1..];
    short_value(after, 'p', &tool, HELP)
        .or_else(|| long_value(after, &["--password"], true, &tool, HELP))
}
