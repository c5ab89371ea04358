use super::sensitive_files::classify;
use crate::helpers::copy::{CopyArgs, has_glob, normalize_context_path};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` of a directory of the build context (`COPY . .`,
    /// `COPY ./ /app`, `ADD . /src`, `COPY config/ /etc/app/`) when that directory holds
    /// files that carry credentials and `.dockerignore` does not exclude them: private keys,
    /// `.env` files, `.npmrc`, `.netrc`, cloud and registry credentials, the `.git`
    /// directory — the same list as `sensitive-file-copied` (PL302).
    ///
    /// The rule needs the build context (the list of its files and the `.dockerignore`);
    /// without one, for example when linting standard input, it stays quiet. Glob sources
    /// other than `*` are not followed, and a source that is itself sensitive
    /// (`COPY .ssh/ …`) is left to PL302.
    ///
    /// ## Why is this bad?
    /// `COPY .` copies every file that `.dockerignore` lets through, including the ones
    /// nobody meant to ship: a developer's `.env`, a deploy key, the git history. They end
    /// up in a layer that anyone who can pull the image can read.
    ///
    /// ## Example
    /// ```dockerfile
    /// # the context holds .env and deploy/id_ed25519, .dockerignore does not list them
    /// FROM node:22
    /// COPY . /app
    /// ```
    ///
    /// Use instead: list them in `.dockerignore`
    /// ```text
    /// .env
    /// **/id_ed25519
    /// .git
    /// ```
    /// and give a build step that needs one of them a secret mount
    /// (`RUN --mount=type=secret,id=…`).
    ///
    /// ## References
    /// - [.dockerignore files](https://docs.docker.com/build/concepts/context/#dockerignore-files)
    /// - [Build secrets](https://docs.docker.com/build/building/secrets/)
    pub struct ContextSensitiveFilesIncluded {
        code: "PL303",
        name: "context-sensitive-files-included",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A COPY of a context directory takes files that hold credentials with it",
    }
}

/// How many sensitive paths the message names; the help names a few more.
const SHOWN_IN_MESSAGE: usize = 3;
const SHOWN_IN_HELP: usize = 10;

impl Rule for ContextSensitiveFilesIncluded {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(context) = ctx.build_context else {
            return;
        };
        for instruction in &ctx.file.instructions {
            let Some(copy) = CopyArgs::of(instruction) else {
                continue;
            };
            for source in copy.context_sources() {
                let expanded = ctx.file.expand(instruction.index, &source.text);
                if !expanded.unresolved.is_empty() {
                    continue;
                }
                // `*` at the root copies the root's entries: the whole context.
                let text = expanded
                    .text
                    .strip_suffix('*')
                    .filter(|rest| rest.is_empty() || *rest == "./" || *rest == "/")
                    .unwrap_or(&expanded.text);
                if has_glob(text) || classify(text).is_some() {
                    // Globs are not followed; a sensitive source itself is PL302's.
                    continue;
                }
                let Some(dir) = normalize_context_path(text) else {
                    continue;
                };
                let mut items: Vec<String> = Vec::new();
                for (file, found) in context.sensitive_included() {
                    let inside = dir.is_empty()
                        || file
                            .strip_prefix(dir.as_str())
                            .is_some_and(|rest| rest.starts_with('/'));
                    if !inside {
                        continue;
                    }
                    let item = if found.is_dir {
                        format!("{}/", found.item)
                    } else {
                        found.item.clone()
                    };
                    if !items.contains(&item) {
                        items.push(item);
                    }
                }
                if items.is_empty() {
                    continue;
                }
                let count = items.len();
                let (noun, them) = if count == 1 {
                    ("path", "it")
                } else {
                    ("paths", "them")
                };
                let ignore: Vec<String> = items
                    .iter()
                    .map(|i| i.trim_end_matches('/').to_string())
                    .collect();
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        source.span,
                        format!(
                            "`{} {}` copies {count} sensitive {noun} of the build context into the image \
                             (.dockerignore lets {them} through): {}",
                            instruction.keyword.as_str(),
                            source.text,
                            list_names(&items, SHOWN_IN_MESSAGE)
                        ),
                    )
                    .with_help(format!(
                        "add {} to .dockerignore so the build never sees {them}; a step that needs \
                         a secret can mount it with `RUN --mount=type=secret,id=…` instead",
                        list_names(&ignore, SHOWN_IN_HELP)
                    )),
                );
            }
        }
    }
}

/// Lists up to `limit` names as `` `a`, `b`, `c` `` and says how many more there are.
fn list_names(names: &[String], limit: usize) -> String {
    let shown: Vec<String> = names.iter().take(limit).map(|n| format!("`{n}`")).collect();
    let mut out = shown.join(", ");
    if names.len() > limit {
        out.push_str(&format!(" and {} more", names.len() - limit));
    }
    out
}
