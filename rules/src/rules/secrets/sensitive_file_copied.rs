use super::sensitive_files::{SensitivePath, classify, is_public_key_store};
use crate::helpers::copy::{CopyArgs, has_glob};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` from the build context whose source names a file that
    /// holds credentials:
    /// - private SSH keys (`id_rsa`, `id_ed25519`, …) and the `.ssh/` and `.gnupg/`
    ///   directories;
    /// - private keys and keystores (`*.key`, `*.pem`, `*.p12`, `*.pfx`), except names
    ///   that say they are certificates or public keys (`ca.pem`, `fullchain.pem`,
    ///   `nginx_signing.key`, `repo.gpg.key`) and `*.pem`/`*.key` files copied into a
    ///   certificate or keyring directory (`/usr/local/share/ca-certificates/`,
    ///   `/etc/ssl/certs/`, `/usr/share/keyrings/`);
    /// - environment files (`.env`, `.env.production`; not `.env.example`, `.env.sample`,
    ///   `.env.template`, `.env.dist`);
    /// - credential stores: `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, `.pgpass`,
    ///   `.aws/credentials`, `.docker/config.json`, `.kube/config`, `credentials.json`,
    ///   KeePass databases (`*.kdbx`);
    /// - the `.git` directory (the whole history, and remotes that may carry tokens).
    ///
    /// `COPY --from=…` is not reported: its source is another stage or image, not the
    /// context. A file that reaches a stage from the context is reported at the `COPY`
    /// that brings it in, and copying it on between stages only moves it along.
    ///
    /// ## Why is this bad?
    /// Whatever a `COPY` writes stays in that layer for good: anyone who can pull the image
    /// can extract it with `docker save` or `docker history`, even when a later `RUN rm`
    /// hides it from the final filesystem. A private key or token in an image is a leaked
    /// key.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY id_ed25519 /root/.ssh/id_ed25519
    /// RUN git clone git@github.com:acme/private.git && rm /root/.ssh/id_ed25519
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN --mount=type=ssh git clone git@github.com:acme/private.git
    /// ```
    /// built with `docker build --ssh default .`; for other files,
    /// `RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci` with
    /// `docker build --secret id=npmrc,src=.npmrc .`
    ///
    /// ## References
    /// - [Build secrets](https://docs.docker.com/build/building/secrets/)
    /// - [RUN --mount=type=ssh](https://docs.docker.com/reference/dockerfile/#run---mounttypessh)
    pub struct SensitiveFileCopied {
        code: "PL302",
        name: "sensitive-file-copied",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "COPY or ADD puts a file holding credentials into a layer",
    }
}

impl Rule for SensitiveFileCopied {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in &ctx.file.instructions {
            let Some(copy) = CopyArgs::of(instruction) else {
                continue;
            };
            let keyword = instruction.keyword.as_str();
            for source in copy.context_sources() {
                let expanded = ctx.file.expand(instruction.index, &source.text);
                if !expanded.unresolved.is_empty() {
                    continue;
                }
                let Some(found) = classify(&expanded.text) else {
                    continue;
                };
                if found.ambiguous && is_public_key_store(&copy.dest.text) {
                    continue;
                }
                let shown = if expanded.text == source.text {
                    format!("`{keyword} {}`", source.text)
                } else {
                    format!("`{keyword} {}` (`{}`)", source.text, expanded.text)
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        source.span,
                        format!(
                            "{shown} puts {} into a layer of the image: anyone who can pull \
                             the image can extract it, even if a later step deletes it",
                            found.what
                        ),
                    )
                    .with_help(help(&found, &copy.dest.text)),
                );
            }
        }
    }
}

/// Says how to give the step the file without storing it; `dest` is where the COPY put it,
/// which is where a secret mount should put it instead.
fn help(found: &SensitivePath, dest: &str) -> String {
    let name = found.item.rsplit('/').next().unwrap_or(&found.item);
    let ignore = format!("add `{}` to .dockerignore", found.item);
    if name == ".git" {
        return format!(
            "copy only the files the build needs; a step that needs the history can mount it \
             (`RUN --mount=type=bind,source=.git,target=.git …`), and credentials belong in \
             `RUN --mount=type=secret`; {ignore}"
        );
    }
    if name == ".ssh" || name == ".gnupg" || has_glob(name) {
        return format!(
            "mount what a step needs only while it runs: `RUN --mount=type=ssh …` (with \
             `docker build --ssh default`) for SSH access, `RUN --mount=type=secret,id=…,target=… …` \
             for a file; {ignore}"
        );
    }
    let target = if dest.ends_with('/') {
        format!("{dest}{name}")
    } else {
        dest.to_string()
    };
    let id = name.trim_start_matches('.').replace('.', "_");
    let ssh = if name.starts_with("id_") {
        "use `RUN --mount=type=ssh …` with `docker build --ssh default` for SSH access, or "
    } else {
        ""
    };
    format!(
        "{ssh}mount it only while the step that needs it runs: \
         `RUN --mount=type=secret,id={id},target={target} …` with \
         `docker build --secret id={id},src={}`; {ignore}",
        found.item
    )
}
