use super::accounts::{Created, created_user};
use super::stages::chain;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::shell::Command;
use plimsoll_analyzer::{Dockerfile, Instruction, Keyword, Word};

declare_rule! {
    /// ## What it does
    /// Reports a user that a `RUN` of the final image creates (`useradd`, `adduser`) but
    /// that nothing in the final stage, or the stages it is built on, ever uses: no `USER`
    /// switches to it (by name or by the uid given to `useradd -u`), no `--chown` gives it
    /// files, no command (`chown`, `su`, `gosu`, …) names it.
    ///
    /// The rule stays quiet when the image may switch user in a way the file does not
    /// show: an entrypoint or command that is a script (`*.sh`, `*entrypoint*`), a
    /// privilege-dropping tool (`gosu`, `su-exec`, `setpriv`, `runuser`, `chpst`,
    /// `s6-setuidgid`) or `supervisord` anywhere in the image, or s6-overlay's `/init`.
    /// It is quiet too for an image that sets neither `CMD` nor `ENTRYPOINT` (a base for
    /// other Dockerfiles, which pick the user, as the .NET images do with
    /// `USER $APP_UID`), and for the development-container users `vscode` and
    /// `codespace`, which the editor connects as. Users created in build stages that the
    /// final image does not build on are not looked at.
    ///
    /// ## Why is this bad?
    /// Creating a user does not make anything run as it. The container still runs as
    /// root, which the `useradd` line suggests the author meant to avoid; usually the
    /// `USER` line was forgotten or lost in a refactoring.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN useradd --create-home app
    /// COPY . /home/app/
    /// CMD ["python", "/home/app/main.py"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN useradd --create-home app
    /// COPY . /home/app/
    /// USER app
    /// CMD ["python", "/home/app/main.py"]
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: USER](https://docs.docker.com/reference/dockerfile/#user)
    pub struct CreatedUserNeverUsed {
        code: "PL726",
        name: "created-user-never-used",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A user is created but the image never runs as it",
    }
}

/// Tools that start as root and switch user themselves.
const SWITCHERS: &[&str] = &[
    "gosu",
    "su-exec",
    "setpriv",
    "runuser",
    "chpst",
    "s6-setuidgid",
    "supervisord",
];

/// Users that development-container tools connect as (`remoteUser`), not the image.
const DEV_CONTAINER_USERS: &[&str] = &["vscode", "codespace"];

/// The user part of `user[:group]`.
fn user_of(text: &str) -> &str {
    text.split(':').next().unwrap_or(text)
}

/// Commands that create or edit users and groups: naming the user there is not using it.
fn manages_accounts(command: &Command) -> bool {
    matches!(
        command.program(),
        Some("useradd" | "adduser" | "groupadd" | "addgroup" | "usermod" | "passwd" | "chpasswd")
    )
}

fn runs_a_script(instruction: &Instruction) -> bool {
    let words: Vec<&Word> = match instruction.commands().next() {
        Some(command) => command.argv.iter().collect(),
        None => instruction.words.iter().collect(),
    };
    words.iter().take(3).any(|w| {
        let t = w.text.to_ascii_lowercase();
        t.ends_with(".sh") || t.contains("entrypoint") || t == "/init"
    })
}

impl Rule for CreatedUserNeverUsed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let Some(last) = file.final_stage() else {
            return;
        };
        let instructions: Vec<&Instruction> = chain(file, last)
            .into_iter()
            .rev()
            .flat_map(|s| file.stage_instructions(s))
            .collect();
        let mut created = Vec::new();
        for instruction in &instructions {
            if instruction.keyword == Keyword::Run {
                created.extend(instruction.commands().filter_map(created_user));
            }
        }
        // An image that does not say what it runs is a base for other Dockerfiles, which
        // choose the user (`USER $APP_UID` on the .NET images).
        let runs_something = instructions
            .iter()
            .any(|i| matches!(i.keyword, Keyword::Cmd | Keyword::Entrypoint));
        if created.is_empty() || !runs_something || switches_itself(&instructions) {
            return;
        }
        for user in created {
            // Development containers: `devcontainer.json` picks the user to connect as.
            if DEV_CONTAINER_USERS.contains(&user.name.text.as_str()) {
                continue;
            }
            if used(file, &instructions, &user) {
                continue;
            }
            let name = &user.name.text;
            out.push(
                Diagnostic::new(
                    &Self::META,
                    user.name.span,
                    format!(
                        "the user `{name}` is created but never used: no USER switches to it, \
                         so the container still runs as {}",
                        last_user(file, &instructions)
                    ),
                )
                .with_help(format!(
                    "add `USER {name}` before the CMD/ENTRYPOINT, or drop the user if it is not needed"
                )),
            );
        }
    }
}

/// Whether the image may switch user in a way the file does not show.
fn switches_itself(instructions: &[&Instruction]) -> bool {
    instructions.iter().any(|i| {
        let named = i
            .commands()
            .flat_map(|c| c.argv.iter())
            .chain(i.words.iter())
            .any(|w| {
                let base = w.text.rsplit('/').next().unwrap_or(&w.text);
                SWITCHERS.contains(&base)
            });
        named || (matches!(i.keyword, Keyword::Entrypoint | Keyword::Cmd) && runs_a_script(i))
    })
}

/// Whether anything in the image names the user (or its uid) outside the commands that
/// manage accounts.
fn used(file: &Dockerfile, instructions: &[&Instruction], user: &Created<'_>) -> bool {
    let name = user.name.text.as_str();
    let is_user = |text: &str| {
        let u = user_of(text);
        u == name || user.uid.as_deref() == Some(u)
    };
    instructions.iter().any(|i| {
        let by_user = i.keyword == Keyword::User
            && i.words
                .first()
                .is_some_and(|w| is_user(&w.text) || is_user(&file.expand(i.index, &w.text).text));
        let by_chown = i
            .flags
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("chown"))
            .filter_map(|f| f.value.as_deref())
            .any(|v| is_user(v) || is_user(&file.expand(i.index, v).text));
        let by_command = i
            .commands()
            .filter(|c| !manages_accounts(c))
            .flat_map(|c| c.argv.iter())
            .chain(
                matches!(i.keyword, Keyword::Cmd | Keyword::Entrypoint)
                    .then_some(i.words.iter())
                    .into_iter()
                    .flatten(),
            )
            .any(|w| {
                let t = w.text.as_str();
                t == name
                    || t.starts_with(&format!("{name}:"))
                    || t.strip_prefix("--user=")
                        .is_some_and(|v| user_of(v) == name)
            });
        by_user || by_chown || by_command
    })
}

/// Who the container runs as, for the message.
fn last_user(file: &Dockerfile, instructions: &[&Instruction]) -> String {
    instructions
        .iter()
        .rev()
        .find(|i| i.keyword == Keyword::User)
        .and_then(|i| Some((i, i.words.first()?)))
        .map_or_else(
            || "root".to_string(),
            |(i, w)| format!("`{}`", file.expand(i.index, &w.text).text),
        )
}
