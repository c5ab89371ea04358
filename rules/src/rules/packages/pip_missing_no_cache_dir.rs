use super::support::{
    configured_earlier, has_option_or_unknown, head_span, insert_option, removes_dir, runs,
    scratch_mount_targets, ships,
};
use crate::helpers::packages::{Manager, PackageCommand};
use crate::{Context, Diagnostic, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::shell::Command;
use plimsoll_analyzer::{Dockerfile, Instruction};

/// Where pip keeps its cache, as RUNs spell it.
const PIP_CACHE: &[&str] = &[
    "/root/.cache/pip",
    "~/.cache/pip",
    "$HOME/.cache/pip",
    "${HOME}/.cache/pip",
];

declare_rule! {
    /// ## What it does
    /// Reports `pip install` (also `pip3`, `python -m pip`) without `--no-cache-dir`. It
    /// stays quiet when pip's cache is off or never reaches the layer:
    /// - `PIP_NO_CACHE_DIR` is set by an ENV or ARG in scope, or in the RUN itself (pip
    ///   turns the cache off for any value of it);
    /// - an earlier RUN writes `no-cache-dir` into a pip.conf or with `pip config`;
    /// - the RUN mounts a cache or tmpfs on the pip cache (`~/.cache/pip`, `~/.cache`, or
    ///   the `--cache-dir` / `PIP_CACHE_DIR` directory);
    /// - the RUN deletes the cache after the install (`rm -rf /root/.cache/pip`,
    ///   `pip cache purge`).
    ///
    /// A `$VARIABLE` among the arguments is looked up in the Dockerfile's ARG and ENV; an
    /// unknown one whose name says it holds options (`$APT_OPTS`, `$EXTRA_ARGS`) keeps the
    /// rule quiet.
    ///
    /// `pipx` and `pipenv` are not pip and are not reported. Only stages whose files end
    /// up in the final image are checked: the last stage and the stages it is built on
    /// (hadolint's DL3042 checks every stage).
    ///
    /// ## Why is this bad?
    /// pip keeps every wheel it downloads or builds in `~/.cache/pip`, so the layer
    /// carries each package twice: installed, and in the cache. For data-science stacks
    /// that is hundreds of megabytes nobody uses.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN pip install flask==3.0.3
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN pip install --no-cache-dir flask==3.0.3
    /// ```
    ///
    /// ## Fix safety
    /// The fix inserts `--no-cache-dir` after `install`; pip installs the same packages
    /// without keeping copies, so it is safe.
    ///
    /// ## References
    /// - [hadolint DL3042](https://github.com/hadolint/hadolint/wiki/DL3042)
    /// - [pip: caching](https://pip.pypa.io/en/stable/topics/caching/)
    pub struct PipMissingNoCacheDir {
        code: "PL209",
        name: "pip-missing-no-cache-dir",
        alias: Some("DL3042"),
        severity: Severity::Warning,
        fix: FixAvailability::Always,
        default_enabled: true,
        summary: "Use `pip install --no-cache-dir`",
    }
}

impl Rule for PipMissingNoCacheDir {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for instruction in runs(file) {
            if !ships(file, instruction) || cache_turned_off(file, instruction) {
                continue;
            }
            let commands: Vec<&Command> = instruction.commands().collect();
            for (position, command) in commands.iter().enumerate() {
                let Some(install) = PackageCommand::from_command(command) else {
                    continue;
                };
                if install.manager != Manager::Pip || !install.is_install() {
                    continue;
                }
                if has_option_or_unknown(
                    file,
                    instruction,
                    command,
                    None,
                    &["no-cache-dir", "no-cache"],
                ) {
                    continue;
                }
                let cache_dir = cache_dir(file, instruction, command);
                if mounted(instruction, cache_dir.as_deref())
                    || commands[position + 1..]
                        .iter()
                        .any(|c| clears_cache(c, cache_dir.as_deref()))
                {
                    continue;
                }
                let Some(word) = install.subcommand else {
                    continue;
                };
                let shown = match command.program() {
                    Some(p) if p.starts_with("pip") => format!("{p} install"),
                    Some(p) => format!("{p} -m pip install"),
                    None => "pip install".to_string(),
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        head_span(&install),
                        format!(
                            "`{shown}` without `--no-cache-dir` keeps a copy of every \
                             downloaded package in pip's cache, in this layer"
                        ),
                    )
                    .with_help("add `--no-cache-dir` after `install`")
                    .with_fix(Fix::safe(
                        "Add `--no-cache-dir`",
                        vec![insert_option(instruction, word, "--no-cache-dir")],
                    )),
                );
            }
        }
    }
}

/// `PIP_NO_CACHE_DIR` in scope or set in the RUN, or `no-cache-dir` in pip's config.
fn cache_turned_off(file: &Dockerfile, instruction: &Instruction) -> bool {
    if file.lookup(instruction.index, "PIP_NO_CACHE_DIR").is_some() {
        return true;
    }
    let text = instruction.span.text(&file.text);
    text.contains("PIP_NO_CACHE_DIR=")
        || (text.contains("no-cache-dir") && text.contains("pip config"))
        || configured_earlier(file, instruction, &["no-cache-dir", "pip.conf"])
        || configured_earlier(file, instruction, &["no-cache-dir", "pip config"])
}

/// The cache directory given with `--cache-dir` or `PIP_CACHE_DIR`.
fn cache_dir(file: &Dockerfile, instruction: &Instruction, command: &Command) -> Option<String> {
    let args = command.program_args();
    for (i, word) in args.iter().enumerate() {
        if let Some(dir) = word.text.strip_prefix("--cache-dir=") {
            return Some(dir.to_string());
        }
        if word.text == "--cache-dir" {
            return args.get(i + 1).map(|w| w.text.clone());
        }
    }
    file.lookup(instruction.index, "PIP_CACHE_DIR")
        .and_then(|d| d.value)
}

/// A cache or tmpfs mount on pip's cache (or on a `.cache` directory holding it).
fn mounted(instruction: &Instruction, cache_dir: Option<&str>) -> bool {
    scratch_mount_targets(instruction).iter().any(|target| {
        target.contains(".cache/pip")
            || target.ends_with("/.cache")
            || cache_dir.is_some_and(|dir| dir.trim_end_matches('/') == target)
    })
}

/// `rm -rf ~/.cache/pip` (the configured cache dir when there is one), `pip cache purge`.
fn clears_cache(command: &Command, cache_dir: Option<&str>) -> bool {
    let removed = match cache_dir {
        Some(dir) => removes_dir(command, dir),
        None => PIP_CACHE.iter().any(|dir| removes_dir(command, dir)),
    };
    if removed {
        return true;
    }
    PackageCommand::from_command(command).is_some_and(|p| {
        p.manager == Manager::Pip
            && p.subcommand_is(&["cache"])
            && p.operands
                .first()
                .is_some_and(|w| w.text == "purge" || w.text == "remove")
    })
}
