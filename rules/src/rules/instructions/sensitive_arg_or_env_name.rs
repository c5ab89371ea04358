use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::{Instruction, Keyword};

declare_rule! {
    /// ## What it does
    /// Reports an `ARG` or `ENV` (also inside `ONBUILD`) whose name is one of hadolint's
    /// known secret names (`GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`, `NPM_TOKEN`,
    /// `POSTGRES_PASSWORD`, …) or contains `api_key`, `client_key`, `password`, `private`,
    /// `secret`, `token` or `username` (any case).
    ///
    /// Off by default: PL300 (BuildKit's `SecretsUsedInArgOrEnv`) reports secret-looking
    /// names by default, with fewer false alarms (it skips `PUBLIC_KEY`, `KEY_FILE`,
    /// `TOKEN_VERSION` and GPG key fingerprints). This rule reproduces hadolint's `DL3064`
    /// for those who select it.
    ///
    /// ## Why is this bad?
    /// An `ENV` value is stored in the image config for anyone who pulls the image to
    /// read, and an `ARG` value a `RUN` uses is recorded in the build history. Secrets
    /// belong in build secrets (`RUN --mount=type=secret`) or in the runtime environment.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// ARG NPM_TOKEN
    /// RUN npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
    /// ```
    ///
    /// ## References
    /// - [Build secrets](https://docs.docker.com/build/building/secrets/)
    /// - [hadolint DL3064](https://github.com/hadolint/hadolint/wiki/DL3064)
    pub struct SensitiveArgOrEnvName {
        code: "PL717",
        name: "sensitive-arg-or-env-name",
        alias: Some("DL3064"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: false,
        summary: "An ARG or ENV name looks like it holds a secret (hadolint's list)",
    }
}

/// Names hadolint knows to hold secrets.
const KNOWN_NAMES: &[&str] = &[
    "ACCESS_TOKEN",
    "APPLICATION_KEY",
    "APP_SECRET",
    "AUTH_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "BITTREX_API_KEY",
    "BITTREX_API_SECRET",
    "CF_PASSWORD",
    "CF_USERNAME",
    "CIRCLE_TOKEN",
    "CI_DEPLOY_PASSWORD",
    "CI_DEPLOY_USER",
    "DOCKERHUB_PASSWORD",
    "DOCKER_EMAIL",
    "DOCKER_PASSWORD",
    "DOCKER_USERNAME",
    "FACEBOOK_ACCESS_TOKEN",
    "FACEBOOK_APP_ID",
    "FACEBOOK_APP_SECRET",
    "FIREBASE_API_TOKEN",
    "FIREBASE_TOKEN",
    "FOSSA_API_KEY",
    "GH_ENTERPRISE_TOKEN",
    "GH_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GITHUB_TOKEN",
    "HEROKU_API_KEY",
    "HEROKU_API_USER",
    "NPM_AUTH_TOKEN",
    "NPM_TOKEN",
    "OKTA_AUTHN_GROUPID",
    "OKTA_CLIENT_ORGURL",
    "OKTA_CLIENT_TOKEN",
    "OKTA_OAUTH2_CLIENTID",
    "OKTA_OAUTH2_CLIENTSECRET",
    "OPENAI_API_KEY",
    "OS_PASSWORD",
    "OS_USERNAME",
    "POSTGRES_PASSWORD",
    "SLACK_TOKEN",
    "STRIPE_API_KEY",
    "STRIPE_DEVICE_NAME",
    "TRAVIS_OS_NAME",
    "TRAVIS_SECURE_ENV_VARS",
    "TRAVIS_SUDO",
    "VAULT_CLIENT_KEY",
    "VAULT_TOKEN",
];

/// Parts of names that suggest a secret (matched in lower case).
const SUSPICIOUS_PARTS: &[&str] = &[
    "api_key",
    "client_key",
    "password",
    "private",
    "secret",
    "token",
    "username",
];

/// Why a name looks sensitive, if it does.
fn sensitive(name: &str) -> Option<String> {
    if KNOWN_NAMES.contains(&name.to_ascii_uppercase().as_str()) {
        return Some("is a common name for a secret".to_string());
    }
    let lower = name.to_ascii_lowercase();
    SUSPICIOUS_PARTS
        .iter()
        .find(|part| lower.contains(*part))
        .map(|part| format!("contains `{part}`"))
}

fn check_instruction(
    meta: &'static RuleMeta,
    instruction: &Instruction,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(inner) = &instruction.onbuild {
        check_instruction(meta, inner, out);
        return;
    }
    if !matches!(instruction.keyword, Keyword::Arg | Keyword::Env) {
        return;
    }
    let keyword = instruction.keyword.as_str();
    for pair in &instruction.pairs {
        let Some(why) = sensitive(&pair.key) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                meta,
                pair.key_span,
                format!(
                    "the name `{}` {why}: {keyword} values are kept in the image or its build \
                     history",
                    pair.key
                ),
            )
            .with_help("pass secrets with `RUN --mount=type=secret` instead"),
        );
    }
}

impl Rule for SensitiveArgOrEnvName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in &ctx.file.instructions {
            check_instruction(&Self::META, instruction, out);
        }
    }
}
