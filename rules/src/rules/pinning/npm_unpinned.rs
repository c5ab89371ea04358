use super::install::{Advice, commands, is_url, packages, report_unpinned};
use crate::helpers::packages::Manager;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports each package named on an `npm install` (`npm i`, `npm add`) without a version:
    /// `typescript` instead of `typescript@5.6.3` (or a range such as `typescript@~5.6`);
    /// a scoped package needs a second `@` (`@angular/cli@18.2.0`). The `latest` dist-tag
    /// (`npm@latest`) is reported as well: it names whatever was published last, not a
    /// version. A git source without `#<ref>` (`git+https://host/repo.git`,
    /// `github:user/repo`) installs whatever the default branch holds, and is reported too.
    ///
    /// Not reported: `npm install` and `npm ci` without package names (they install what
    /// `package-lock.json` pins), local folders and tarballs (`.`, `./pkg`, `pkg.tgz`), tarball
    /// URLs, `user/repo` shorthands (they cannot be told from a relative folder), and option
    /// values (`--registry URL`). A `$VARIABLE` is expanded when the same RUN assigns it
    /// (`PKGS="a b"; … $PKGS`) or an ARG or ENV gives its value, and one finding on the
    /// variable names every unpinned package it holds; when the file does not say what it holds
    /// (a loop variable, `$(…)`, an ARG without a default), nothing is reported for it.
    /// Packages of `ONBUILD RUN` are checked too.
    ///
    /// Unlike hadolint, `@latest` counts as unpinned.
    ///
    /// ## Why is this bad?
    /// npm installs whatever the registry's `latest` tag points to on the day of the build
    /// (and the newest matching versions of the package's dependencies). Rebuilds of the
    /// same Dockerfile then differ, and a new major release can break the image without any
    /// change in your repository.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-bookworm-slim
    /// RUN npm install -g typescript pnpm@latest
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-bookworm-slim
    /// RUN npm install -g typescript@5.6.3 pnpm@9.12.3
    /// ```
    /// For an application's own dependencies, copy `package.json` and `package-lock.json`
    /// and run `npm ci`.
    ///
    /// ## References
    /// - [`npm install`](https://docs.npmjs.com/cli/commands/npm-install)
    /// - [`npm ci`](https://docs.npmjs.com/cli/commands/npm-ci)
    pub struct NpmUnpinned {
        code: "PL106",
        name: "npm-unpinned",
        alias: Some("DL3016"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "npm install PACKAGE without `@version`",
    }
}

impl Rule for NpmUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (instruction, command) in commands(ctx, &[Manager::Npm]) {
            if !command.is_install() {
                continue;
            }
            let mut unpinned = Vec::new();
            for package in packages(ctx, instruction, &command, command.operands.iter().copied()) {
                let (message, help) = match judge(&package.name) {
                    Spec::Pinned => continue,
                    Spec::Unpinned => {
                        unpinned.push(package);
                        continue;
                    }
                    Spec::LatestTag(name) => (
                        "names the `latest` tag, not a version: it moves with every release",
                        format!("Replace `latest` with a version: `{name}@<version>`"),
                    ),
                    Spec::GitWithoutRef => (
                        "names no tag or commit: npm installs whatever the default branch holds that day",
                        "Add a tag or commit after the URL: `…#<tag-or-commit>`".to_string(),
                    ),
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        package.word.span,
                        format!("{} {message}", package.describe()),
                    )
                    .with_help(help),
                );
            }
            let advice = Advice {
                because: "npm installs whatever `latest` points to that day",
                example: &|name| format!("`{name}@<version>`"),
                hint: &|_| {
                    "for an application's dependencies, `npm ci` with a lockfile pins the whole tree"
                        .to_string()
                },
            };
            report_unpinned(out, &Self::META, &unpinned, &advice);
        }
    }
}

enum Spec<'a> {
    Pinned,
    Unpinned,
    LatestTag(&'a str),
    GitWithoutRef,
}

const GIT_PREFIXES: &[&str] = &[
    "git+",
    "git://",
    "github:",
    "gitlab:",
    "bitbucket:",
    "gist:",
];

fn judge(spec: &str) -> Spec<'_> {
    if spec.is_empty() {
        return Spec::Pinned;
    }
    if GIT_PREFIXES.iter().any(|p| spec.starts_with(p)) {
        return if spec.contains('#') {
            Spec::Pinned
        } else {
            Spec::GitWithoutRef
        };
    }
    let local = spec.starts_with(['.', '/', '~'])
        || is_url(spec)
        || [".tgz", ".tar.gz", ".tar"]
            .iter()
            .any(|ext| spec.ends_with(ext));
    if local {
        return Spec::Pinned;
    }
    // `@scope/name@version`: the scope's `@` is not a version separator.
    let (scope, rest) = match spec.strip_prefix('@') {
        Some(rest) => (1, rest),
        None => (0, spec),
    };
    match rest.split_once('@') {
        Some((name, "latest")) => Spec::LatestTag(&spec[..scope + name.len()]),
        Some(_) => Spec::Pinned,
        // `user/repo` is a GitHub shorthand or a folder; a scope without a name is a typo.
        None if rest.contains('/') && scope == 0 => Spec::Pinned,
        None => Spec::Unpinned,
    }
}
