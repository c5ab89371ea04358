use super::install::{Advice, commands, is_url, packages, report_unpinned};
use crate::helpers::packages::Manager;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports each requirement of a `pip install` (also `pip3`, `python -m pip`) that has no
    /// version specifier: `flask` instead of `flask==3.0.3` (or `>=`, `~=`, `<`, `!=`,
    /// `===`, `name @ url`). `pip install --upgrade pip` is reported like any other package,
    /// as hadolint does. A VCS requirement without a ref (`git+https://host/repo.git`,
    /// nothing after `@`) installs whatever the default branch holds, so it is reported too.
    ///
    /// Not reported: requirement and constraint files (`-r`, `-c`), editable installs (`-e`),
    /// local paths (`.`, `./pkg`, `/src/pkg`), archives and wheels, plain URLs, and option
    /// values (`--index-url URL`). When a constraints file applies (`-c file`, or
    /// `PIP_CONSTRAINT` set in the command or by an ENV), the whole command is left alone: the
    /// versions are pinned there. A `$VARIABLE` is expanded when the same RUN assigns it
    /// (`PKGS="a b"; … $PKGS`) or an ARG or ENV gives its value, and one finding on the
    /// variable names every unpinned package it holds; when the file does not say what it holds
    /// (a loop variable, `$(…)`, an ARG without a default), nothing is reported for it.
    /// Packages of `ONBUILD RUN` are checked too.
    ///
    /// Unlike hadolint, naming a requirements file does not silence the packages listed next
    /// to it on the same command line: `pip install -r requirements.txt gunicorn` reports
    /// `gunicorn`.
    ///
    /// ## Why is this bad?
    /// pip installs the newest release on the index on the day of the build, along with the
    /// newest releases of its dependencies. Rebuilds of the same Dockerfile then differ, and
    /// a new major release can break the image without any change in your repository.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN pip install --no-cache-dir flask gunicorn
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY requirements.txt .
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    /// or pin on the command line:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN pip install --no-cache-dir flask==3.0.3 gunicorn==23.0.0
    /// ```
    ///
    /// ## References
    /// - [pip: requirement specifiers](https://pip.pypa.io/en/stable/reference/requirement-specifiers/)
    /// - [pip: repeatable installs](https://pip.pypa.io/en/stable/topics/repeatable-installs/)
    /// - [pip: VCS support](https://pip.pypa.io/en/stable/topics/vcs-support/)
    pub struct PipUnpinned {
        code: "PL105",
        name: "pip-unpinned",
        alias: Some("DL3013"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "pip install without a version specifier",
    }
}

impl Rule for PipUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (instruction, command) in commands(ctx, &[Manager::Pip]) {
            if !command.is_install() || constrained(ctx, instruction.index, &command) {
                continue;
            }
            let mut unpinned = Vec::new();
            for package in packages(ctx, instruction, &command, command.operands.iter().copied()) {
                match judge(&package.name) {
                    Requirement::Pinned => {}
                    Requirement::Unpinned => unpinned.push(package),
                    Requirement::VcsWithoutRef => out.push(
                        Diagnostic::new(
                            &Self::META,
                            package.word.span,
                            format!(
                                "{} names no tag or commit: pip installs whatever the default branch holds that day",
                                package.describe()
                            ),
                        )
                        .with_help(
                            "Add a tag or commit after the URL: `…/repo.git@<tag-or-commit>`",
                        ),
                    ),
                }
            }
            let advice = Advice {
                because: "pip installs the newest release on the index that day",
                example: &|name| format!("`{}==<version>`", without_marker(name)),
                hint: &|_| {
                    "a requirements file with pinned versions, installed with `-r`, keeps them in one place"
                        .to_string()
                },
            };
            report_unpinned(out, &Self::META, &unpinned, &advice);
        }
    }
}

/// Whether a constraints file governs the versions: `-c`/`--constraint`, or `PIP_CONSTRAINT`
/// in the command's environment.
fn constrained(
    ctx: &Context<'_>,
    at: usize,
    command: &crate::helpers::packages::PackageCommand<'_>,
) -> bool {
    command.has_option(Some('c'), &["constraint"])
        || command
            .command
            .assignments
            .iter()
            .chain(command.command.argv.iter())
            .any(|w| w.text.starts_with("PIP_CONSTRAINT="))
        || ctx
            .file
            .lookup(at, "PIP_CONSTRAINT")
            .is_some_and(|d| d.value.is_some_and(|v| !v.is_empty()))
}

enum Requirement {
    Pinned,
    Unpinned,
    VcsWithoutRef,
}

const VCS_PREFIXES: &[&str] = &["git+", "hg+", "svn+", "bzr+", "git://"];

fn judge(requirement: &str) -> Requirement {
    // Environment markers (`; python_version < "3.10"`) say when, not which version.
    let requirement = without_marker(requirement);
    if requirement.is_empty() {
        return Requirement::Pinned;
    }
    if VCS_PREFIXES.iter().any(|p| requirement.starts_with(p)) {
        return judge_vcs(requirement);
    }
    // PEP 508 direct reference: `name @ url`.
    if let Some((name, url)) = requirement.split_once('@')
        && !name.contains('/')
    {
        let url = url.trim();
        return if VCS_PREFIXES.iter().any(|p| url.starts_with(p)) {
            judge_vcs(url)
        } else {
            Requirement::Pinned
        };
    }
    let local = requirement.starts_with(['.', '/', '~'])
        || requirement.contains('/')
        || is_url(requirement)
        || [
            ".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip",
        ]
        .iter()
        .any(|ext| requirement.ends_with(ext));
    let has_specifier = requirement.contains(['=', '<', '>', '!', '~']);
    if local || has_specifier {
        Requirement::Pinned
    } else {
        Requirement::Unpinned
    }
}

/// `git+https://host/org/repo.git@v1.2#egg=x`: the ref is an `@` in the path, not in the
/// user part of the host (`git+ssh://git@host/…`).
fn judge_vcs(url: &str) -> Requirement {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme
        .split_once('/')
        .map_or("", |(_, path)| path)
        .split('#')
        .next()
        .unwrap_or("");
    if path.contains('@') {
        Requirement::Pinned
    } else {
        Requirement::VcsWithoutRef
    }
}

/// The requirement without its environment marker: `flask[async]; python_version < "3.12"`
/// → `flask[async]`.
fn without_marker(requirement: &str) -> &str {
    requirement.split(';').next().unwrap_or(requirement).trim()
}
