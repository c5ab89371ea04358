use super::credentials::url_credentials;
use crate::helpers::copy::CopyArgs;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::{Keyword, Word};

declare_rule! {
    /// ## What it does
    /// Reports a URL with a password written into it,
    /// `scheme://user:password@host/…`, in a `RUN` command (`git clone`, `curl`,
    /// `pip install --index-url`, …) or as an `ADD` source. The message shows the URL with
    /// the password masked.
    ///
    /// A password that is only a variable (`https://ci:${TOKEN}@…`) is not reported: the
    /// secret is not in the Dockerfile. Where that variable comes from an `ARG`, the ARG is
    /// what leaks it (into the build history); `secret-in-arg-or-env-name` (PL300) reports
    /// ARGs named like secrets, and a `RUN --mount=type=secret,id=…,env=TOKEN` is the safe
    /// way to provide it. Placeholders (`<password>`, `****`, `changeme`) and well-known
    /// defaults where the password is the user name (`guest:guest`) are not reported
    /// either.
    ///
    /// ## Why is this bad?
    /// The password is in the Dockerfile, so it is in version control. The `RUN` line is
    /// also stored in the image history (`docker history --no-trunc`), and many tools keep
    /// the URL: `git clone` writes it into `.git/config`, package managers into their
    /// caches and lock files. Anyone who can pull the image can read it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine/git
    /// RUN git clone https://deploy:s3cret-pw@git.example.com/acme/app.git
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine/git
    /// RUN --mount=type=secret,id=git_password,env=GIT_PASSWORD \
    ///     git -c credential.helper='!f() { echo username=deploy; echo "password=$GIT_PASSWORD"; }; f' \
    ///         clone https://git.example.com/acme/app.git
    /// ```
    /// built with `docker build --secret id=git_password,env=GIT_PASSWORD .`
    ///
    /// ## References
    /// - [Build secrets](https://docs.docker.com/build/building/secrets/)
    pub struct CredentialsInUrl {
        code: "PL304",
        name: "credentials-in-url",
        alias: None,
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A URL in RUN or ADD has a password written into it",
    }
}

impl Rule for CredentialsInUrl {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in &ctx.file.instructions {
            match instruction.keyword {
                Keyword::Run => {
                    for command in instruction.commands() {
                        for word in command.assignments.iter().chain(&command.argv) {
                            report(word, RUN_WHERE, RUN_HELP, out);
                        }
                    }
                }
                Keyword::Add => {
                    if let Some(copy) = CopyArgs::of(instruction) {
                        for source in &copy.sources {
                            report(source, ADD_WHERE, ADD_HELP, out);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

const RUN_WHERE: &str = "it is in the Dockerfile and in the image history, and tools such as \
                         git keep the URL in files of the layer";
const RUN_HELP: &str = "pass the password as a build secret (`RUN --mount=type=secret,id=…,env=PASSWORD …` \
                        with `docker build --secret`) and hand it to the tool inside that RUN, e.g. \
                        through a credential helper or a `.netrc` mounted with \
                        `--mount=type=secret,id=netrc,target=/root/.netrc`";
const ADD_WHERE: &str =
    "it is in the Dockerfile and the ADD source is recorded in the image history";
const ADD_HELP: &str = "download it in a RUN that gets the credentials from a build secret, e.g. \
                        `RUN --mount=type=secret,id=netrc,target=/root/.netrc curl -fsSLo /tmp/file URL`";

fn report(word: &Word, stored: &str, help: &str, out: &mut Vec<Diagnostic>) {
    let Some(url) = url_credentials(&word.text) else {
        return;
    };
    if !url.is_real() {
        return;
    }
    out.push(
        Diagnostic::new(
            &CredentialsInUrl::META,
            word.span,
            format!("`{}` has a password written into it: {stored}", url.masked),
        )
        .with_help(help),
    );
}
