use super::accounts::created_user;
use super::stages::earlier_in_image;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::{Dockerfile, Instruction, Keyword, Span};

declare_rule! {
    /// ## What it does
    /// Reports a `USER` whose user part is a name (`USER app`, `USER app:app`) rather than
    /// a numeric id (`USER 10001`, `USER 10001:app`). A user given by a variable is
    /// checked with the value its `ARG` or `ENV` gives it, and left alone when that is
    /// unknown.
    ///
    /// Deviations from hadolint: `root` is not reported (it is uid 0 everywhere), nor are
    /// the Windows accounts `ContainerUser` and `ContainerAdministrator`.
    ///
    /// ## Why is this bad?
    /// A name means something only inside the image's `/etc/passwd`. Kubernetes'
    /// `runAsNonRoot` cannot verify a named user and refuses to start the container, and
    /// host-side tools (volume ownership, security policies) see only numbers. A numeric
    /// id works everywhere.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd --uid 10001 app
    /// USER app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd --uid 10001 app
    /// USER 10001
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: USER](https://docs.docker.com/reference/dockerfile/#user)
    /// - [Kubernetes: runAsNonRoot](https://kubernetes.io/docs/tasks/configure-pod-container/security-context/)
    /// - [hadolint DL3066](https://github.com/hadolint/hadolint/wiki/DL3066)
    pub struct UserNotNumeric {
        code: "PL719",
        name: "user-not-numeric",
        alias: Some("DL3066"),
        severity: Severity::Info,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "USER names a user instead of a numeric id",
    }
}

impl Rule for UserNotNumeric {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for instruction in &file.instructions {
            if instruction.keyword != Keyword::User {
                continue;
            }
            let Some(word) = instruction.words.first() else {
                continue;
            };
            // The user is what comes before the first `:` outside `${…}`.
            let written = user_part(&word.text);
            let user = if written.contains('$') {
                let expanded = file.expand(instruction.index, written);
                if !expanded.unresolved.is_empty() {
                    continue;
                }
                expanded.text.split(':').next().unwrap_or("").to_string()
            } else {
                written.to_string()
            };
            if user.is_empty()
                || user.bytes().all(|b| b.is_ascii_digit())
                || user == "root"
                || user.eq_ignore_ascii_case("ContainerUser")
                || user.eq_ignore_ascii_case("ContainerAdministrator")
            {
                continue;
            }
            let raw = word.span.text(&file.text);
            let span = if raw.starts_with(written) {
                Span::new(word.span.start, word.span.start + written.len())
            } else {
                word.span
            };
            out.push(
                Diagnostic::new(
                    &Self::META,
                    span,
                    format!(
                        "`USER {}` names the user{} instead of giving its numeric id: only the \
                         image's /etc/passwd knows who that is, so Kubernetes' runAsNonRoot and \
                         host tools cannot check it",
                        word.text,
                        if written.contains('$') {
                            format!(" `{user}`")
                        } else {
                            String::new()
                        }
                    ),
                )
                .with_help(match created_uid(file, instruction, &user) {
                    Some(uid) => format!(
                        "write `USER {uid}{}`: this file creates `{user}` with uid {uid}",
                        &word.text[written.len()..]
                    ),
                    None => {
                        format!("use the numeric id the image gives `{user}`, e.g. `USER 10001`")
                    }
                }),
            );
        }
    }
}

/// The literal uid an earlier `useradd`/`adduser` of the image gives `user`.
fn created_uid(file: &Dockerfile, user_instruction: &Instruction, user: &str) -> Option<String> {
    let stage = file.stages.get(user_instruction.stage?)?;
    earlier_in_image(file, stage, user_instruction.index)
        .iter()
        .flat_map(|i| i.commands())
        .filter_map(created_user)
        .filter(|c| c.name.text == user)
        .filter_map(|c| c.uid)
        .filter(|uid| !uid.is_empty() && uid.bytes().all(|b| b.is_ascii_digit()))
        .last()
}

fn user_part(text: &str) -> &str {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => return &text[..i],
            _ => {}
        }
    }
    text
}
