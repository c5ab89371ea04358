use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports an `ARG` or `ENV` whose name says it holds a secret: one of the
    /// `_`-separated words of the name is `apikey`, `auth`, `credential(s)`, `key`,
    /// `password`, `passwd`, `pword`, `secret` or `token` (any case), as in `GITHUB_TOKEN`,
    /// `DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY` or `api_key`. Names that also contain the word
    /// `public`, `file` or `version` are left alone (`PUBLIC_KEY`, `KEY_FILE`,
    /// `TOKEN_VERSION`): they name something that is not the secret itself.
    ///
    /// This is BuildKit's `SecretsUsedInArgOrEnv` check, with the same word lists. Like
    /// BuildKit, it looks at ARGs inside stages only: an ARG before the first `FROM` is
    /// visible to `FROM` lines alone and is reported where a stage redeclares it.
    ///
    /// One deviation from BuildKit: a GPG or PGP key name whose value is a key ID or
    /// fingerprint (`ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D`, as in the
    /// official images that verify their downloads) is not reported. A fingerprint names a
    /// public key; it is not a secret.
    ///
    /// ## Why is this bad?
    /// An `ENV` value is written into the image config: `docker inspect` shows it to anyone
    /// who can pull the image, and every container started from it has it. An `ARG` value
    /// that a `RUN` uses is recorded in the image's build history (`docker history`), and
    /// whatever the `RUN` writes with it stays in the layer. Passing a token with
    /// `--build-arg` therefore publishes it with the image.
    ///
    /// Build secrets are mounted only while one `RUN` executes and are never stored in the
    /// image or its history.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// ARG NPM_TOKEN
    /// RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \
    ///     echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
    /// ```
    /// built with `docker build --secret id=npm_token,env=NPM_TOKEN .`
    ///
    /// ## References
    /// - [BuildKit check SecretsUsedInArgOrEnv](https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/)
    /// - [Build secrets](https://docs.docker.com/build/building/secrets/)
    pub struct SecretInArgOrEnvName {
        code: "PL300",
        name: "secret-in-arg-or-env-name",
        alias: Some("SecretsUsedInArgOrEnv"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "An ARG or ENV name says it holds a secret",
    }
}

/// Words of a variable name that say it holds a secret (BuildKit's list).
const SECRET_WORDS: &[&str] = &[
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "secret",
    "token",
];

/// Words that make the name about something other than the secret (BuildKit's list).
const ALLOWED_WORDS: &[&str] = &["public", "file", "version"];

/// The word of `name` that marks it as a secret, if any.
fn secret_word(name: &str) -> Option<&str> {
    let words = || name.split('_');
    if words().any(|w| ALLOWED_WORDS.iter().any(|a| w.eq_ignore_ascii_case(a))) {
        return None;
    }
    words().find(|w| SECRET_WORDS.iter().any(|s| w.eq_ignore_ascii_case(s)))
}

/// A GPG/PGP key variable whose value is key IDs or fingerprints: public, not secret.
fn names_public_key(name: &str, value: Option<&str>) -> bool {
    let gpg = name.split('_').any(|w| {
        ["gpg", "pgp", "gnupg"]
            .iter()
            .any(|g| w.eq_ignore_ascii_case(g))
    });
    let fingerprints = value.is_some_and(|v| {
        let mut ids = v.split_whitespace().peekable();
        ids.peek().is_some()
            && ids.all(|id| {
                let hex = id.strip_prefix("0x").unwrap_or(id);
                matches!(hex.len(), 8 | 16 | 40) && hex.chars().all(|c| c.is_ascii_hexdigit())
            })
    });
    gpg && fingerprints
}

impl Rule for SecretInArgOrEnvName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in &ctx.file.instructions {
            let stored = match instruction.keyword {
                Keyword::Env => {
                    "ENV values are stored in the image config, readable by anyone who can pull the image"
                }
                Keyword::Arg if instruction.stage.is_some() => {
                    "ARG values used by a RUN are recorded in the image's build history"
                }
                _ => continue,
            };
            let keyword = instruction.keyword.as_str();
            for pair in &instruction.pairs {
                let Some(word) = secret_word(&pair.key) else {
                    continue;
                };
                if names_public_key(&pair.key, pair.value.as_ref().map(|v| v.text.as_str())) {
                    continue;
                }
                let key = &pair.key;
                let id = key.to_ascii_lowercase();
                let build_secret = format!(
                    "`RUN --mount=type=secret,id={id},env={key} …` with `docker build --secret id={id},env={key}`"
                );
                let help = if instruction.keyword == Keyword::Env {
                    format!(
                        "give it to the container when it starts (`docker run -e {key}`, an orchestrator secret); \
                         if a build step needs it, pass it as a build secret: {build_secret}"
                    )
                } else {
                    format!(
                        "pass it as a build secret: {build_secret}; it then reaches that RUN only and is never stored in the image"
                    )
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        pair.key_span,
                        format!(
                            "{keyword} `{key}` looks like a secret (`{word}` in its name): {stored}"
                        ),
                    )
                    .with_help(help),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::secret_word;

    #[test]
    fn matches_buildkit_words() {
        assert_eq!(secret_word("GITHUB_TOKEN"), Some("TOKEN"));
        assert_eq!(secret_word("api_key"), Some("key"));
        assert_eq!(secret_word("AUTH"), Some("AUTH"));
        assert_eq!(secret_word("AWS_SECRET_ACCESS_KEY"), Some("SECRET"));
        assert_eq!(secret_word("TOKENS"), None);
        assert_eq!(secret_word("KEYCLOAK_URL"), None);
        assert_eq!(secret_word("API-KEY"), None);
        assert_eq!(secret_word("PUBLIC_KEY"), None);
        assert_eq!(secret_word("SSH_KEY_FILE"), None);
        assert_eq!(secret_word("TOKEN_VERSION"), None);
    }

    #[test]
    fn gpg_fingerprints_are_public() {
        use super::names_public_key;
        let fpr = "A035C8C19219BA821ECEA86B64E628F8D684696D";
        assert!(names_public_key("GPG_KEY", Some(fpr)));
        assert!(names_public_key(
            "NODE_PGP_KEY",
            Some("0x7198F4B714ABFC68 B55F0150")
        ));
        assert!(!names_public_key("GPG_KEY", None));
        assert!(!names_public_key(
            "GPG_KEY",
            Some("-----BEGIN PGP PRIVATE KEY BLOCK-----")
        ));
        assert!(!names_public_key("API_KEY", Some(fpr)));
    }
}
