use super::credentials::find_credential;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports an `ARG` default or an `ENV` value that is a real credential, recognised by
    /// its format:
    /// - AWS access key IDs (`AKIA…`, `ASIA…`, 20 characters);
    /// - GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`);
    /// - GitLab personal access tokens (`glpat-`);
    /// - Slack tokens (`xoxb-`, `xoxa-`, `xoxp-`, `xoxr-`, `xoxs-`);
    /// - Stripe live keys (`sk_live_`, `rk_live_`);
    /// - Google API keys (`AIza…`);
    /// - npm access tokens (`npm_…`);
    /// - PEM private keys (`-----BEGIN … PRIVATE KEY-----`);
    /// - JSON Web Tokens (`eyJ….eyJ….…`);
    /// - URLs with a password in them (`postgres://app:s3cret@db/app`).
    ///
    /// Values that are variable references (`$TOKEN`, `${PASS}`), AWS's documentation keys
    /// (`…EXAMPLE`), placeholder passwords (`<password>`, `****`, `changeme`) and well-known
    /// defaults where the password is the user name (`postgres:postgres`, `guest:guest`)
    /// are left alone. Messages never print the secret: only its well-known prefix is shown.
    ///
    /// ## Why is this bad?
    /// The credential is in the Dockerfile, so it is in version control and in every copy
    /// of the repository. An `ENV` value is also stored in the image config, readable with
    /// `docker inspect` by anyone who can pull the image; an `ARG` default is recorded in the
    /// build history of every image whose `RUN` uses it. Treat it as leaked: revoke it, then
    /// pass the new one as a build secret.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.13
    /// ENV DATABASE_URL=postgres://app:s3cret-pw@db/app
    /// ARG GH_TOKEN=ghp_…
    /// RUN git clone https://oauth2:${GH_TOKEN}@github.com/acme/private.git
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.13
    /// RUN --mount=type=secret,id=gh_token,env=GH_TOKEN \
    ///     git clone https://oauth2:${GH_TOKEN}@github.com/acme/private.git && \
    ///     git -C private remote set-url origin https://github.com/acme/private.git
    /// ```
    /// and give `DATABASE_URL` to the container when it starts.
    ///
    /// ## References
    /// - [Build secrets](https://docs.docker.com/build/building/secrets/)
    /// - [GitHub token formats](https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/)
    pub struct CredentialInArgOrEnvValue {
        code: "PL301",
        name: "credential-in-arg-or-env-value",
        alias: None,
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "An ARG default or ENV value is a real credential",
    }
}

impl Rule for CredentialInArgOrEnvValue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in &ctx.file.instructions {
            let (keyword, stored) = match instruction.keyword {
                Keyword::Env => (
                    "ENV",
                    "it is in the Dockerfile and in the image config, readable by anyone who can pull the image",
                ),
                Keyword::Arg => (
                    "ARG",
                    "it is in the Dockerfile and in the build history of images whose RUN uses it",
                ),
                _ => continue,
            };
            for pair in &instruction.pairs {
                let Some(value) = &pair.value else {
                    continue;
                };
                let Some(credential) = find_credential(&value.text) else {
                    continue;
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        value.span,
                        format!(
                            "{keyword} `{}` holds {} (`{}`): {stored}",
                            pair.key, credential.kind, credential.shown
                        ),
                    )
                    .with_help(format!(
                        "treat it as leaked and revoke it; pass the new one as a build secret \
                         (`RUN --mount=type=secret,id={id},env={key} …` with `docker build --secret id={id},env={key}`) \
                         or give it to the container when it starts",
                        id = pair.key.to_ascii_lowercase(),
                        key = pair.key
                    )),
                );
            }
        }
    }
}
