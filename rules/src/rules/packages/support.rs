//! Facts about RUN instructions that several package rules share: which stages end up in
//! the image, cache mounts, clean-up commands, option lookups that see through `$VARS`,
//! and the edits that add an option or a command.

use crate::diagnostic::{Diagnostic, Edit, Fix};
pub use crate::helpers::edits::insert_option;
use crate::helpers::packages::{Manager, PackageCommand, installs, package_commands};
use crate::rule::RuleMeta;
use plimsoll_analyzer::shell::{Command, Connector};
use plimsoll_analyzer::{Base, Dockerfile, Form, Instruction, Keyword, Span, Word};

/// RUN instructions of the file, in order.
pub fn runs(file: &Dockerfile) -> impl Iterator<Item = &Instruction> {
    file.instructions
        .iter()
        .filter(|i| i.keyword == Keyword::Run)
}

/// Whether the files of `stage` end up in the image `docker build` produces: the final
/// stage and every stage it is built on (`FROM <stage>`). Stages only copied from are
/// build helpers.
pub fn in_final_image(file: &Dockerfile, stage: usize) -> bool {
    let mut current = file.stages.len().checked_sub(1);
    while let Some(s) = current {
        if s == stage {
            return true;
        }
        current = match file.stages[s].base {
            Base::Stage(parent) if parent < s => Some(parent),
            _ => None,
        };
    }
    false
}

/// Whether instruction `at` belongs to a stage whose files end up in the final image.
pub fn ships(file: &Dockerfile, instruction: &Instruction) -> bool {
    instruction
        .stage
        .is_some_and(|stage| in_final_image(file, stage))
}

/// Stages built on `stage`, directly or through other stages.
pub fn descendants(file: &Dockerfile, stage: usize) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for s in file.stages.iter().skip(stage + 1) {
        if let Base::Stage(parent) = s.base
            && (parent == stage || out.contains(&parent))
        {
            out.push(s.index);
        }
    }
    out
}

/// Instructions that ran before `instruction` in the same image: the earlier ones of its
/// stage (nearest first), then those of the stages it is built on.
pub fn earlier_in_image<'a>(
    file: &'a Dockerfile,
    instruction: &Instruction,
) -> Vec<&'a Instruction> {
    let mut out = Vec::new();
    let Some(mut stage) = instruction.stage else {
        return out;
    };
    let mut end = instruction.index;
    loop {
        let range = file.stages[stage].instructions.clone();
        out.extend(file.instructions[range.start..end].iter().rev());
        match file.stages[stage].base {
            Base::Stage(parent) if parent < stage => {
                stage = parent;
                end = file.stages[parent].instructions.end;
            }
            _ => return out,
        }
    }
}

/// Instructions that run after `instruction` on top of what it built: the rest of its
/// stage and every stage built on that stage.
pub fn later_in_image<'a>(file: &'a Dockerfile, instruction: &Instruction) -> Vec<&'a Instruction> {
    let Some(stage) = instruction.stage else {
        return Vec::new();
    };
    let range = file.stages[stage].instructions.clone();
    let mut out: Vec<&Instruction> = file.instructions[instruction.index + 1..range.end]
        .iter()
        .collect();
    for child in descendants(file, stage) {
        out.extend(file.stage_instructions(&file.stages[child]));
    }
    out
}

/// Whether an earlier RUN of the same image mentions all of `needles` (case-insensitive):
/// used to notice package-manager settings written to a config file.
pub fn configured_earlier(file: &Dockerfile, instruction: &Instruction, needles: &[&str]) -> bool {
    let needles: Vec<String> = needles.iter().map(|n| n.to_ascii_lowercase()).collect();
    let lower = file.text_lowercase();
    // One fast pass over the file rules out almost every call before any per-RUN work.
    if !needles
        .iter()
        .all(|n| memchr::memmem::find(lower.as_bytes(), n.as_bytes()).is_some())
    {
        return false;
    }
    earlier_in_image(file, instruction).iter().any(|i| {
        let text = i.span.text(lower);
        i.keyword == Keyword::Run && needles.iter().all(|n| text.contains(n.as_str()))
    })
}

/// Targets of the `--mount=type=cache` and `--mount=type=tmpfs` mounts of a RUN, without a
/// trailing `/`. Their contents never reach a layer.
pub fn scratch_mount_targets(instruction: &Instruction) -> Vec<String> {
    let mut out = Vec::new();
    for flag in &instruction.flags {
        if !flag.name.eq_ignore_ascii_case("mount") {
            continue;
        }
        let Some(value) = &flag.value else {
            continue;
        };
        let mut kind = "bind".to_string();
        let mut target = None;
        for field in value.split(',') {
            let field = field.trim().trim_matches(|c| c == '"' || c == '\'');
            let (key, val) = field.split_once('=').unwrap_or((field, ""));
            match key.trim().to_ascii_lowercase().as_str() {
                "type" => kind = val.trim().to_ascii_lowercase(),
                "target" | "dst" | "destination" => target = Some(val.trim().to_string()),
                _ => {}
            }
        }
        if let Some(target) = target
            && (kind == "cache" || kind == "tmpfs")
        {
            out.push(normalize_dir(&target).to_string());
        }
    }
    out
}

/// Whether a cache or tmpfs mount of the RUN holds `dir` (the mount is `dir` or above it).
pub fn mount_holds(instruction: &Instruction, dir: &str) -> bool {
    scratch_mount_targets(instruction)
        .iter()
        .any(|target| contains_dir(target, dir))
}

/// `/a/b/` → `/a/b` (but `/` stays).
fn normalize_dir(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() { path } else { trimmed }
}

/// Whether `outer` is `inner` or one of its parent directories.
fn contains_dir(outer: &str, inner: &str) -> bool {
    let outer = normalize_dir(outer);
    let inner = normalize_dir(inner);
    inner == outer
        || outer == "/"
        || inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether `command` deletes `dir` or everything in it: `rm -r` of the directory or one
/// above it, `rm [-r] dir/*`, or `find dir … -delete` / `-exec rm`.
pub fn removes_dir(command: &Command, dir: &str) -> bool {
    match command.program() {
        Some("rm") => {
            let recursive =
                command.has_option(Some('r'), &["recursive"]) || command.has_option(Some('R'), &[]);
            command
                .program_args()
                .iter()
                .filter(|w| !w.text.starts_with('-'))
                .any(|w| {
                    let path = w.text.as_str();
                    match path
                        .strip_suffix("/*")
                        .or_else(|| path.strip_suffix("/*.*"))
                    {
                        Some(parent) if normalize_dir(parent) == normalize_dir(dir) => true,
                        Some(parent) => recursive && contains_dir(parent, dir),
                        None => recursive && contains_dir(path, dir),
                    }
                })
        }
        Some("find") => {
            let args = command.program_args();
            let deletes = args
                .iter()
                .any(|w| w.text == "-delete" || w.text == "-exec" || w.text == "-execdir");
            deletes
                && args
                    .first()
                    .is_some_and(|w| normalize_dir(&w.text) == normalize_dir(dir))
        }
        _ => false,
    }
}

/// Position (in `Instruction::commands` order) of the last command that deletes one of
/// `dirs`.
pub fn last_removal(instruction: &Instruction, dirs: &[&str]) -> Option<usize> {
    instruction
        .commands()
        .enumerate()
        .filter(|(_, c)| dirs.iter().any(|d| removes_dir(c, d)))
        .map(|(i, _)| i)
        .last()
}

/// Whether `option` (`-y`, `--yes`, `-o=…`) is among `args`: long options also as
/// `--name=…`, short letters also inside a group such as `-qy`. Stops at `--`.
pub fn option_in<'a>(
    args: impl IntoIterator<Item = &'a str>,
    short: Option<char>,
    long: &[&str],
) -> bool {
    for arg in args {
        if arg == "--" {
            return false;
        }
        if let Some(name) = arg.strip_prefix("--") {
            let name = name.split('=').next().unwrap_or(name);
            if long.contains(&name) {
                return true;
            }
        } else if let (Some(letters), Some(s)) = (arg.strip_prefix('-'), short)
            && letters.chars().all(|c| c.is_ascii_alphanumeric())
            && letters.contains(s)
        {
            return true;
        }
    }
    false
}

/// The arguments of a command after its program, as the shell will see them: a word
/// holding `$VAR` is expanded with the variables the Dockerfile gives it (ARG, ENV) and
/// split on whitespace. A variable the Dockerfile does not define is set in the RUN itself
/// (or in the base image); it is taken for a list of packages, unless its name says it
/// holds options (`$APT_OPTS`, `${PIP_FLAGS}`, `$EXTRA_ARGS`): then the arguments can not
/// be known and the result is `None`.
pub fn visible_args(
    file: &Dockerfile,
    instruction: &Instruction,
    command: &Command,
) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for word in command.program_args() {
        if !word.text.contains('$') || word.text.contains("$(") {
            out.push(word.text.clone());
            continue;
        }
        let expanded = file.expand(instruction.index, &word.text);
        if expanded.unresolved.is_empty() {
            out.extend(expanded.text.split_whitespace().map(str::to_string));
        } else if expanded.unresolved.iter().any(|name| names_options(name)) {
            return None;
        } else {
            out.push(word.text.clone());
        }
    }
    Some(out)
}

/// `APT_OPTS`, `pip_flags`, `EXTRA_ARGS`: a variable meant to hold command-line options.
fn names_options(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    ["OPT", "FLAG", "ARG"]
        .iter()
        .any(|part| name.contains(part))
}

/// Whether a command has an option, directly or through a Dockerfile variable; also true
/// when an unknown variable meant for options stands among its arguments (it may hold
/// the option).
pub fn has_option_or_unknown(
    file: &Dockerfile,
    instruction: &Instruction,
    command: &Command,
    short: Option<char>,
    long: &[&str],
) -> bool {
    if command.has_option(short, long) {
        return true;
    }
    match visible_args(file, instruction, command) {
        Some(args) => option_in(args.iter().map(String::as_str), short, long),
        None => true,
    }
}

/// Whether an `-o` setting among `args` gives the apt option ending in `name` (lower case:
/// `assume-yes`) one of `values` (`-o APT::Get::Assume-Yes=true`, the value maybe quoted).
pub fn apt_setting_in(args: &[String], name: &str, values: &[&str]) -> bool {
    let key = format!("{name}=");
    args.iter().any(|a| {
        let a = a.to_ascii_lowercase();
        a.split_once(key.as_str()).is_some_and(|(_, value)| {
            values.contains(&value.trim_matches(|c| c == '"' || c == '\''))
        })
    })
}

/// The apt installs of the file that lack an option: `given` says whether the command
/// already has it, from the arguments as the shell will see them (see [`visible_args`];
/// an install whose arguments can not be known is left out), and an earlier RUN that
/// mentions all of `config` counts as setting it in a config file. Each comes with its RUN
/// and its subcommand word, after which the option goes.
pub fn apt_installs_without<'a>(
    file: &'a Dockerfile,
    config: &[&str],
    given: impl Fn(&Instruction, &Command, &[String]) -> bool,
) -> Vec<(&'a Instruction, PackageCommand<'a>, &'a Word)> {
    let mut out = Vec::new();
    for instruction in runs(file) {
        for install in installs(instruction, &[Manager::AptGet, Manager::Apt]) {
            let Some(args) = visible_args(file, instruction, install.command) else {
                continue;
            };
            if given(instruction, install.command, &args)
                || configured_earlier(file, instruction, config)
            {
                continue;
            }
            if let Some(word) = install.subcommand {
                out.push((instruction, install, word));
            }
        }
    }
    out
}

/// Whether the command reads its standard input from `yes` (`yes | apt-get install x`).
pub fn fed_by_yes(instruction: &Instruction, command: &Command) -> bool {
    if command.connector != Connector::Pipe {
        return false;
    }
    let commands: Vec<&Command> = instruction.commands().collect();
    commands
        .iter()
        .position(|c| std::ptr::eq(*c, command))
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| commands.get(i))
        .is_some_and(|previous| previous.program() == Some("yes"))
}

/// The command's wrappers and program as written (`sudo -E yum`), to start another
/// command the same way. Falls back to the program name when a word holds a space or a
/// variable.
pub fn program_prefix(command: &Command) -> Option<String> {
    let start = command.effective_start();
    let words = command.argv.get(..=start)?;
    if words
        .iter()
        .any(|w| w.text.contains(char::is_whitespace) || w.text.contains('$'))
    {
        return command.program().map(str::to_string);
    }
    Some(
        words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// The help for a clean-up to add at the end of a RUN.
pub fn append_help(instruction: &Instruction, command: &str) -> String {
    if instruction.is_exec_form() {
        format!("use the shell form and end the RUN with `&& {command}`")
    } else {
        format!("end the RUN with `&& {command}`")
    }
}

/// Appends ` && {command}` after the last command of a shell-form RUN without heredocs,
/// when that is mechanical: the last thing in the RUN is a plain command (maybe followed by
/// `;` or a comment), not the end of an `if`, a loop, a group or a background job.
pub fn append_command(instruction: &Instruction, command: &str) -> Option<Edit> {
    if instruction.keyword != Keyword::Run
        || instruction.form != Form::Shell
        || !instruction.heredocs.is_empty()
    {
        return None;
    }
    let script = instruction.script.as_ref()?;
    if script.has_errors {
        return None;
    }
    let last = script
        .commands
        .iter()
        .filter(|c| !c.argv.is_empty())
        .max_by_key(|c| (c.span.end, !c.nested))?;
    let args = &instruction.args;
    let rest = &args.text[args.logical(last.span.end)..];
    let rest = rest.trim_start();
    let rest = rest.strip_prefix(';').unwrap_or(rest).trim_start();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    Some(Edit::insert(last.span.end, format!(" && {command}")))
}

/// `apt-get update` / `apt update`.
pub fn is_apt_update(p: &PackageCommand<'_>) -> bool {
    matches!(p.manager, Manager::AptGet | Manager::Apt) && p.subcommand_is(&["update"])
}

/// An apt command that downloads fresh package lists: `apt-get update`, or (apt 3.0)
/// `apt-get install --update` and the upgrades with `--update`.
pub fn refreshes_apt_index(p: &PackageCommand<'_>) -> bool {
    is_apt_update(p)
        || (matches!(p.manager, Manager::AptGet | Manager::Apt)
            && p.subcommand_is(&["install", "upgrade", "dist-upgrade", "full-upgrade"])
            && p.has_option(None, &["update"]))
}

/// The apt lists directory.
pub const APT_LISTS: &str = "/var/lib/apt/lists";

/// A command that deletes the apt lists: `rm -rf /var/lib/apt/lists/*` and its spellings,
/// or (apt 3.0) `apt-get dist-clean`.
pub fn removes_apt_lists(command: &Command) -> bool {
    removes_dir(command, APT_LISTS)
        || PackageCommand::from_command(command).is_some_and(|p| {
            matches!(p.manager, Manager::AptGet | Manager::Apt) && p.subcommand_is(&["dist-clean"])
        })
}

/// Commands that may share a RUN with a lone `apt-get update` without using the package
/// index: they set up repositories, keys and files, or print.
const REPOSITORY_SETUP: &[&str] = &[
    ":",
    "[",
    "add-apt-repository",
    "apt-key",
    "base64",
    "cat",
    "cd",
    "chmod",
    "chown",
    "cp",
    "curl",
    "dpkg",
    "echo",
    "export",
    "gpg",
    "gpg2",
    "grep",
    "ln",
    "lsb_release",
    "mkdir",
    "mv",
    "printf",
    "rm",
    "sed",
    "set",
    "sleep",
    "tee",
    "test",
    "touch",
    "true",
    "wget",
];

/// The `apt-get update` of a RUN whose only package work is that update: no install,
/// upgrade or other apt command, and nothing else that could use the fresh index (every
/// other command only sets up repositories or prints).
pub fn lone_apt_update(instruction: &Instruction) -> Option<&Command> {
    let mut update = None;
    for command in instruction.commands() {
        if command.argv.is_empty() {
            continue;
        }
        match PackageCommand::from_command(command) {
            Some(p) if is_apt_update(&p) => {
                update.get_or_insert(command);
            }
            Some(p)
                if matches!(p.manager, Manager::AptGet | Manager::Apt)
                    && p.subcommand_is(&["clean", "autoclean"]) => {}
            _ => {
                let program = command.program()?;
                if !REPOSITORY_SETUP.contains(&program) {
                    return None;
                }
            }
        }
    }
    update
}

/// Apt commands of a RUN, in order.
pub fn apt_commands(instruction: &Instruction) -> impl Iterator<Item = PackageCommand<'_>> {
    package_commands(instruction).filter(|p| matches!(p.manager, Manager::AptGet | Manager::Apt))
}

/// Whether two instructions have the same flags (`--mount`, `--network`…), in any order.
pub fn same_flags(a: &Instruction, b: &Instruction) -> bool {
    let key = |i: &Instruction| {
        let mut flags: Vec<(String, Option<String>)> = i
            .flags
            .iter()
            .map(|f| (f.name.to_ascii_lowercase(), f.value.clone()))
            .collect();
        flags.sort();
        flags
    };
    key(a) == key(b)
}

/// From the program word to the subcommand (`apt-get install`): where a finding about a
/// package command points.
pub fn head_span(p: &PackageCommand<'_>) -> Span {
    let start = p.command.program_word().map_or(p.command.span, |w| w.span);
    match p.subcommand {
        Some(sub) => start.cover(sub.span),
        None => start,
    }
}

/// A package manager's download cache and what empties it.
pub struct CacheCleanup {
    pub managers: &'static [Manager],
    /// Subcommands that fill the cache.
    pub fills: &'static [&'static str],
    /// Managers whose clean-up subcommand empties the cache.
    pub cleaners: &'static [Manager],
    /// Clean-up subcommands (`clean`, `cc`).
    pub clean: &'static [&'static str],
    /// The clean-up needs the `all` operand (`yum clean all`, not `yum clean packages`).
    pub clean_needs_all: bool,
    /// Cache directories: deleting one or mounting a cache there also counts.
    pub dirs: &'static [&'static str],
}

impl CacheCleanup {
    fn fills(&self, p: &PackageCommand<'_>) -> bool {
        self.managers.contains(&p.manager) && p.subcommand_is(self.fills)
    }

    fn cleans(&self, command: &Command) -> bool {
        if self.dirs.iter().any(|d| removes_dir(command, d)) {
            return true;
        }
        PackageCommand::from_command(command).is_some_and(|p| {
            self.cleaners.contains(&p.manager)
                && p.subcommand_is(self.clean)
                && (!self.clean_needs_all || p.operands.iter().any(|w| w.text == "all"))
        })
    }
}

/// The first command of the RUN that fills the cache with no clean-up after it, unless a
/// cache mount holds the cache.
pub fn cache_left_behind<'a>(
    instruction: &'a Instruction,
    spec: &CacheCleanup,
) -> Option<PackageCommand<'a>> {
    if spec.dirs.iter().any(|d| mount_holds(instruction, d)) {
        return None;
    }
    let mut uncleaned = None;
    for command in instruction.commands() {
        if let Some(p) = PackageCommand::from_command(command)
            && spec.fills(&p)
        {
            uncleaned.get_or_insert(p);
        } else if spec.cleans(command) {
            uncleaned = None;
        }
    }
    uncleaned
}

/// Reports each RUN of the final image that leaves `spec`'s cache behind, pointing at its
/// first install; the fix appends `&& <program> <clean>` (`yum clean all`).
pub fn check_cache_cleanup(
    meta: &'static RuleMeta,
    file: &Dockerfile,
    spec: &CacheCleanup,
    clean: &str,
    out: &mut Vec<Diagnostic>,
) {
    for instruction in runs(file) {
        if !ships(file, instruction) {
            continue;
        }
        let Some(install) = cache_left_behind(instruction, spec) else {
            continue;
        };
        let program = install.command.program().unwrap_or_default();
        let subcommand = install.subcommand.map_or("", |w| w.text.as_str());
        let prefix = program_prefix(install.command).unwrap_or(program.to_string());
        let command = format!("{prefix} {clean}");
        let mut diagnostic = Diagnostic::new(
            meta,
            head_span(&install),
            format!(
                "`{program} {subcommand}` leaves its download cache in the layer: no \
                 `{program} clean` follows it in this RUN"
            ),
        )
        .with_help(append_help(instruction, &command));
        if let Some(edit) = append_command(instruction, &command) {
            diagnostic = diagnostic.with_fix(Fix::safe(format!("Append `{command}`"), vec![edit]));
        }
        out.push(diagnostic);
    }
}

/// A package manager that asks for confirmation, and what keeps it from asking.
pub struct Prompting {
    pub managers: &'static [Manager],
    /// Subcommands that ask before changing packages.
    pub subcommands: &'static [&'static str],
    /// Options that answer yes: a short letter and long names.
    pub yes_options: &'static [(Option<char>, &'static [&'static str])],
    /// Arguments (lower case) that answer yes too, such as `--setopt=assumeyes=1`.
    pub yes_settings: &'static [&'static str],
    /// Words that, all in one earlier RUN, show the default was changed in a config file.
    pub config: &'static [&'static [&'static str]],
    /// The option the fix inserts and the help names.
    pub option: &'static str,
    /// Insert the option after the program word (a global option) instead of after the
    /// subcommand.
    pub global: bool,
}

/// Reports each command of `spec`'s managers that will stop at a confirmation prompt;
/// the fix inserts `spec.option`.
pub fn check_prompts(
    meta: &'static RuleMeta,
    file: &Dockerfile,
    spec: &Prompting,
    out: &mut Vec<Diagnostic>,
) {
    for instruction in runs(file) {
        for p in package_commands(instruction) {
            if !spec.managers.contains(&p.manager) || !asks(spec, &p) {
                continue;
            }
            let Some(args) = visible_args(file, instruction, p.command) else {
                continue;
            };
            let words = || args.iter().map(String::as_str);
            if spec
                .yes_options
                .iter()
                .any(|(short, long)| option_in(words(), *short, long))
                || args.iter().any(|a| {
                    let a = a.to_ascii_lowercase();
                    spec.yes_settings.iter().any(|s| a.contains(s))
                })
                || fed_by_yes(instruction, p.command)
                || spec
                    .config
                    .iter()
                    .any(|needles| configured_earlier(file, instruction, needles))
            {
                continue;
            }
            // `yum group install`: the action is the word after `group`.
            let grouped = !p.subcommand_is(spec.subcommands);
            let action = if grouped {
                p.operands.first().copied()
            } else {
                p.subcommand
            };
            let anchor = if spec.global {
                p.command.program_word()
            } else {
                action
            };
            let (Some(anchor), Some(action), Some(sub)) = (anchor, action, p.subcommand) else {
                continue;
            };
            let program = p.command.program().unwrap_or_default();
            let subcommand = if grouped {
                format!("{} {}", sub.text, action.text)
            } else {
                sub.text.clone()
            };
            let option = spec.option;
            let example = if spec.global {
                format!("{program} {option} {subcommand} …")
            } else {
                format!("{program} {subcommand} {option} …")
            };
            let span = p
                .command
                .program_word()
                .map_or(p.command.span, |w| w.span)
                .cover(action.span);
            out.push(
                Diagnostic::new(
                    meta,
                    span,
                    format!(
                        "`{program} {subcommand}` without `{option}` stops at its confirmation \
                         prompt, which a build can not answer"
                    ),
                )
                .with_help(format!("add `{option}`: `{example}`"))
                .with_fix(Fix::safe(
                    format!("Add `{option}`"),
                    vec![insert_option(instruction, anchor, option)],
                )),
            );
        }
    }
}

/// Whether the command is one that asks (`yum install`, also `yum group install`).
fn asks(spec: &Prompting, p: &PackageCommand<'_>) -> bool {
    p.subcommand_is(spec.subcommands)
        || (p.subcommand_is(&["group", "groups"])
            && p.operands.first().is_some_and(|w| {
                matches!(w.text.as_str(), "install" | "remove" | "upgrade" | "update")
            }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Dockerfile {
        Dockerfile::parse(text)
    }

    #[test]
    fn removal_spellings() {
        let file = run(
            "FROM a\nRUN rm -rf /var/lib/apt/lists/* && rm -fr /var/lib/apt/lists && rm -R /var/lib/apt && rm /var/lib/apt/lists/* && rm /var/lib/apt/lists && find /var/lib/apt/lists -type f -delete\n",
        );
        let commands: Vec<_> = file.instructions[1].commands().collect();
        let found: Vec<bool> = commands
            .iter()
            .map(|c| removes_dir(c, "/var/lib/apt/lists"))
            .collect();
        assert_eq!(found, vec![true, true, true, true, false, true]);
    }

    #[test]
    fn mounts() {
        let file = run(
            "FROM a\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked --mount=type=bind,target=/var/cache/apt x\n",
        );
        assert!(mount_holds(&file.instructions[1], "/var/lib/apt/lists"));
        assert!(!mount_holds(&file.instructions[1], "/var/cache/apt"));
    }

    #[test]
    fn appending() {
        let file = run("FROM a\nRUN a && b; # done\nRUN if a; then b; fi\nRUN a &\n");
        assert!(append_command(&file.instructions[1], "c").is_some());
        assert!(append_command(&file.instructions[2], "c").is_none());
        assert!(append_command(&file.instructions[3], "c").is_none());
    }

    #[test]
    fn final_image_stages() {
        let file = run("FROM a AS base\nFROM base AS build\nFROM a AS other\nFROM base\n");
        let ships: Vec<bool> = (0..4).map(|s| in_final_image(&file, s)).collect();
        assert_eq!(ships, vec![true, false, false, true]);
        assert_eq!(descendants(&file, 0), vec![1, 3]);
    }

    #[test]
    fn variables_in_arguments() {
        let file = run(
            "FROM a\nARG OPTS=\"-y -q\"\nRUN apt-get install $OPTS x && apt-get install $PKGS && apt-get install $APT_FLAGS y\n",
        );
        let run = &file.instructions[2];
        let commands: Vec<_> = run.commands().collect();
        let args = visible_args(&file, run, commands[0]).unwrap();
        assert_eq!(args, vec!["install", "-y", "-q", "x"]);
        assert!(option_in(args.iter().map(String::as_str), Some('y'), &[]));
        // An unknown variable holds packages, unless its name says options.
        assert_eq!(
            visible_args(&file, run, commands[1]).unwrap(),
            vec!["install", "$PKGS"]
        );
        assert!(visible_args(&file, run, commands[2]).is_none());
    }

    #[test]
    fn apt_settings() {
        let args = |a: &[&str]| -> Vec<String> { a.iter().map(|s| s.to_string()).collect() };
        let yes = ["true", "1", "yes", "on"];
        for given in [
            "APT::Get::Assume-Yes=true",
            "apt::get::assume-yes=\"Yes\"",
            "-o=APT::Get::Assume-Yes='1'",
        ] {
            assert!(
                apt_setting_in(&args(&["-o", given]), "assume-yes", &yes),
                "{given}"
            );
        }
        for other in [
            "APT::Get::Assume-Yes=false",
            "APT::Get::Assume-Yes=trueish",
            "-y",
        ] {
            assert!(
                !apt_setting_in(&args(&["-o", other]), "assume-yes", &yes),
                "{other}"
            );
        }
    }

    #[test]
    fn cache_cleanup_after_the_last_fill() {
        const SPEC: CacheCleanup = CacheCleanup {
            managers: &[Manager::Yum],
            fills: &["install"],
            cleaners: &[Manager::Yum],
            clean: &["clean"],
            clean_needs_all: true,
            dirs: &["/var/cache/yum"],
        };
        let file = run(
            "FROM a\nRUN yum install -y a && yum clean all && yum install -y b\nRUN yum install -y c && yum clean packages\nRUN yum install -y d; rm -rf /var/cache/yum\n",
        );
        let left: Vec<Option<String>> = file.instructions[1..]
            .iter()
            .map(|i| cache_left_behind(i, &SPEC).map(|p| p.operands.last().unwrap().text.clone()))
            .collect();
        assert_eq!(left, vec![Some("b".into()), Some("c".into()), None]);
    }
}
