use super::runs_as::{User, chain, classify, last_user, root_on_purpose};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a final image whose last `USER` is root: `root` or uid `0`, with or without
    /// a group (`root:root`, `0:0`, `root:0`), also when it comes from a build argument or
    /// environment variable (`USER $RUN_AS` with `ARG RUN_AS=root`) or from a stage the
    /// final stage is built on.
    ///
    /// ## Why is this bad?
    /// Switching to root for a few build steps is fine; ending there is not. The
    /// container's process then runs as root (uid 0): a bug in the program hands an
    /// attacker root inside the container, one kernel or runtime flaw away from root on
    /// the host, and Kubernetes' `runAsNonRoot` refuses the image.
    ///
    /// Differences from hadolint's DL3002, which reports the last `USER root` of every
    /// stage:
    /// - only the image `docker build` produces without `--target` is checked: a builder
    ///   stage's user never reaches a running container;
    /// - the final stage inherits the user of the stage it is built on, so a `USER root`
    ///   there is reported when the final stage does not switch away;
    /// - variables are expanded (`USER ${RUN_AS}`); a variable without a known value is
    ///   not reported;
    /// - a chain that installs or runs a privilege-dropping tool (`gosu`, `su-exec`,
    ///   `setpriv`, `s6-setuidgid`, `chpst`, `runuser`, `setuser`) is not reported: its
    ///   entrypoint starts as root on purpose and switches user itself;
    /// - development containers built on `mcr.microsoft.com/devcontainers/*` or
    ///   `mcr.microsoft.com/vscode/devcontainers/*` are not reported: they switch to root
    ///   to install tools, and `devcontainer.json` picks the user they are used as.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// USER node
    /// COPY --chown=node . /app
    /// USER root
    /// RUN npm install -g pm2
    /// CMD ["pm2-runtime", "/app/server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// RUN npm install -g pm2
    /// COPY --chown=node . /app
    /// USER node
    /// CMD ["pm2-runtime", "/app/server.js"]
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: USER](https://docs.docker.com/reference/dockerfile/#user)
    /// - [hadolint DL3002](https://github.com/hadolint/hadolint/wiki/DL3002)
    pub struct LastUserIsRoot {
        code: "PL601",
        name: "last-user-is-root",
        alias: Some("DL3002"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "The final image's last USER is root",
    }
}

impl Rule for LastUserIsRoot {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let Some(last) = file.final_stage() else {
            return;
        };
        let chain = chain(file, last);
        let Some(user) = last_user(file, &chain) else {
            return;
        };
        let (User::Root, Some(name)) = classify(file, user) else {
            return;
        };
        if root_on_purpose(file, &chain) {
            return;
        }
        let Some(word) = user.words.first() else {
            return;
        };
        let written = word.span.text(&file.text);
        let shown = if word.text.contains('$') {
            format!("`{written}`, which expands to `{name}`")
        } else {
            format!("`{written}`")
        };
        let message = if user.stage == Some(last.index) {
            format!("the final stage's last USER is {shown}, so the container runs as root")
        } else {
            let from = user
                .stage
                .and_then(|s| file.stages.get(s))
                .and_then(|s| s.name.as_ref())
                .map_or_else(String::new, |n| format!(" `{}`", n.text));
            format!(
                "the final stage inherits USER {shown} from stage{from} and never switches \
                 away, so the container runs as root"
            )
        };
        let help = if user.stage == Some(last.index) {
            "do the steps that need root first, then switch to an unprivileged user at the \
             end: `USER app` (created with `useradd`) or `USER 65532:65532`"
        } else {
            "switch to an unprivileged user in the final stage, after any step that needs \
             root: `USER app` (created with `useradd`) or `USER 65532:65532`"
        };
        out.push(Diagnostic::new(&Self::META, word.span, message).with_help(help));
    }
}
