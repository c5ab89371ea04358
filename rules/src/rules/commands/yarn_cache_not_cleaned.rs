use super::support::{append_command, base_name, in_final_image, mounts};
use crate::{Context, Diagnostic, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::shell::Command;
use plimsoll_analyzer::{Instruction, Keyword};

declare_rule! {
    /// ## What it does
    /// Reports a RUN of the final image (its last stage and the stages that one is built
    /// on) that runs `yarn install` (or a bare `yarn`) with no `yarn cache clean` after it
    /// in the same RUN. Deleting the cache directory (`rm -rf /usr/local/share/.cache/yarn`)
    /// also counts, and a `--mount=type=cache` or `tmpfs` mount whose target is a Yarn
    /// cache keeps the cache out of the layer.
    ///
    /// Stages that are only copied from are not reported: their cache never reaches the
    /// final image.
    ///
    /// hadolint's DL3060 accepts only `yarn cache clean` and reads only `yarn install`;
    /// this rule also accepts deleting the cache directory and also reports a bare `yarn`
    /// and `sudo yarn install`.
    ///
    /// ## Why is this bad?
    /// Yarn keeps a copy of every package it downloads in its cache, next to the copy in
    /// `node_modules`. Left in the layer, the cache often doubles the size the
    /// dependencies take in the image, and nothing in the container ever reads it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR /app
    /// COPY package.json yarn.lock ./
    /// RUN yarn install --frozen-lockfile
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR /app
    /// COPY package.json yarn.lock ./
    /// RUN yarn install --frozen-lockfile && yarn cache clean
    /// ```
    ///
    /// ## Fix safety
    /// The fix appends `&& yarn cache clean` to the RUN. It is unsafe: with Yarn 2 or
    /// later in Plug'n'Play mode the application loads its packages from the cache at run
    /// time, and cleaning it breaks the application.
    ///
    /// ## References
    /// - [hadolint DL3060](https://github.com/hadolint/hadolint/wiki/DL3060)
    /// - [yarn cache](https://classic.yarnpkg.com/en/docs/cli/cache)
    pub struct YarnCacheNotCleaned {
        code: "PL807",
        name: "yarn-cache-not-cleaned",
        alias: Some("DL3060"),
        severity: Severity::Info,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "Run `yarn cache clean` in the RUN that runs `yarn install`",
    }
}

/// Where Yarn keeps its cache (Yarn 1 as root and as a user, Yarn 2+ global cache).
const CACHE_DIRS: &[&str] = &[
    "/usr/local/share/.cache/yarn",
    "/root/.cache/yarn",
    "~/.cache/yarn",
    "$HOME/.cache/yarn",
    "/root/.yarn/berry/cache",
    "~/.yarn/berry/cache",
    "$HOME/.yarn/berry/cache",
];

impl Rule for YarnCacheNotCleaned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for instruction in &file.instructions {
            if instruction.keyword != Keyword::Run
                || !instruction.stage.is_some_and(|s| in_final_image(file, s))
                || cache_mounted(instruction)
            {
                continue;
            }
            let mut uncleaned: Option<&Command> = None;
            for command in instruction.commands() {
                if is_install(command) {
                    uncleaned.get_or_insert(command);
                } else if cleans(command) {
                    uncleaned = None;
                }
            }
            let Some(install) = uncleaned else {
                continue;
            };
            let Some(program) = install.program_word() else {
                continue;
            };
            let (span, shown) = match subcommand(install) {
                Some(sub) => (program.span.cover(sub.span), "yarn install"),
                None => (program.span, "yarn"),
            };
            let mut diagnostic = Diagnostic::new(
                &Self::META,
                span,
                format!(
                    "`{shown}` leaves Yarn's download cache in the layer: no `yarn cache \
                     clean` follows it in this RUN"
                ),
            )
            .with_help(
                "end the RUN with `&& yarn cache clean`, or keep the cache out of the layer \
                 with `RUN --mount=type=cache,target=/usr/local/share/.cache/yarn`",
            );
            if let Some(edit) = append_command(instruction, "yarn cache clean") {
                diagnostic =
                    diagnostic.with_fix(Fix::unsafe_edit("Append `yarn cache clean`", vec![edit]));
            }
            out.push(diagnostic);
        }
    }
}

fn is_yarn(command: &Command) -> bool {
    command
        .program_word()
        .is_some_and(|w| base_name(&w.text) == "yarn")
}

fn subcommand(command: &Command) -> Option<&plimsoll_analyzer::Word> {
    command
        .program_args()
        .iter()
        .find(|w| !w.text.starts_with('-'))
}

/// `yarn install …`, or `yarn` with only options (which installs too).
fn is_install(command: &Command) -> bool {
    if !is_yarn(command) {
        return false;
    }
    match subcommand(command) {
        Some(sub) => sub.text == "install",
        None => !command
            .program_args()
            .iter()
            .any(|w| matches!(w.text.as_str(), "-v" | "--version" | "-h" | "--help")),
    }
}

/// `yarn cache clean`, or removing the cache directory.
fn cleans(command: &Command) -> bool {
    if is_yarn(command) {
        let words: Vec<&str> = command
            .program_args()
            .iter()
            .filter(|w| !w.text.starts_with('-'))
            .map(|w| w.text.as_str())
            .collect();
        return words.starts_with(&["cache", "clean"]);
    }
    command.program() == Some("rm")
        && command.program_args().iter().any(|w| {
            let path = w.text.trim_end_matches("/*").trim_end_matches('/');
            let lower = path.to_ascii_lowercase();
            (lower.contains("yarn") && lower.contains("cache"))
                || (!path.is_empty()
                    && CACHE_DIRS
                        .iter()
                        .any(|dir| dir.strip_prefix(path).is_some_and(|r| r.starts_with('/'))))
        })
}

/// A cache or tmpfs mount on a Yarn cache directory.
fn cache_mounted(instruction: &Instruction) -> bool {
    mounts(instruction)
        .iter()
        .any(|(kind, target)| (kind == "cache" || kind == "tmpfs") && target.contains("yarn"))
}
