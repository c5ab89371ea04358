use super::support::{base_name, insert_option, runs};
use crate::{Context, Diagnostic, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Word;
use plimsoll_analyzer::shell::Command;

declare_rule! {
    /// ## What it does
    /// Reports `useradd` with a user ID of 100000 or more (`-u`, `-uN`, `--uid N`,
    /// `--uid=N`) and without `-l` (`--no-log-init`). A `$VARIABLE` as the ID is looked up
    /// in the Dockerfile's ARG and ENV values; an ID the file does not give is not
    /// reported.
    ///
    /// hadolint's DL3046 reads only `-u`, and counts characters rather than reading the
    /// number, so it reports `-u $USER_ID` whatever the value and misses `--uid`.
    ///
    /// ## Why is this bad?
    /// Without `-l`, `useradd` writes the new user's record into `/var/log/lastlog` and
    /// `/var/log/faillog` at an offset proportional to the user ID. On disk these are
    /// sparse files, but image layers do not keep holes: a user ID of 1,000,000 adds about
    /// 300 MB of zeros to the layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd -u 1000000 app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd -l -u 1000000 app
    /// ```
    ///
    /// ## Fix safety
    /// The fix adds `-l` after `useradd`. It only keeps the user out of the login records,
    /// which no container reads, so it is safe.
    ///
    /// ## References
    /// - [hadolint DL3046](https://github.com/hadolint/hadolint/wiki/DL3046)
    /// - [Docker issue: useradd with a high UID makes huge images](https://github.com/moby/moby/issues/5419)
    /// - [useradd(8)](https://manpages.debian.org/stable/passwd/useradd.8.en.html)
    pub struct UseraddHighUidWithoutNoLogInit {
        code: "PL805",
        name: "useradd-high-uid-without-no-log-init",
        alias: Some("DL3046"),
        severity: Severity::Warning,
        fix: FixAvailability::Always,
        default_enabled: true,
        summary: "`useradd` with a high UID and without `-l` bloats the layer",
    }
}

/// The smallest user ID reported (hadolint: more than five digits).
const HIGH_UID: u64 = 100_000;

/// Bytes `lastlog` uses per user ID on 64-bit systems.
const LASTLOG_RECORD: u64 = 292;

/// Short options of `useradd` that take a value.
const VALUE_LETTERS: &str = "bcdefgGkKpRPsuZ";

impl Rule for UseraddHighUidWithoutNoLogInit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in runs(ctx.file) {
            for command in instruction.commands() {
                let Some(program) = command.program_word() else {
                    continue;
                };
                if base_name(&program.text) != "useradd" {
                    continue;
                }
                let options = read_options(command);
                if options.no_log_init {
                    continue;
                }
                let Some((uid_word, uid_text)) = options.uid else {
                    continue;
                };
                let expanded = ctx.file.expand(instruction.index, &uid_text);
                if !expanded.unresolved.is_empty() {
                    continue;
                }
                let Ok(uid) = expanded.text.trim().parse::<u64>() else {
                    continue;
                };
                if uid < HIGH_UID {
                    continue;
                }
                let megabytes = uid * LASTLOG_RECORD / 1_000_000;
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        uid_word.span,
                        format!(
                            "`useradd` with user ID {uid} and without `-l` writes \
                             /var/log/lastlog up to that ID: about {megabytes} MB of zeros in \
                             the layer"
                        ),
                    )
                    .with_help(
                        "add `-l` (`--no-log-init`) to keep the user out of lastlog and faillog",
                    )
                    .with_fix(Fix::safe(
                        "Add `-l`",
                        vec![insert_option(instruction, program, "-l")],
                    )),
                );
            }
        }
    }
}

struct UseraddOptions<'a> {
    no_log_init: bool,
    /// The word holding the user ID and the ID as written.
    uid: Option<(&'a Word, String)>,
}

fn read_options(command: &Command) -> UseraddOptions<'_> {
    let mut found = UseraddOptions {
        no_log_init: false,
        uid: None,
    };
    let args = command.program_args();
    let mut i = 0;
    while let Some(word) = args.get(i) {
        i += 1;
        let t = word.text.as_str();
        if t == "--" {
            break;
        }
        if let Some(long) = t.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            match name {
                "no-log-init" => found.no_log_init = true,
                "uid" => match inline {
                    Some(v) => found.uid = Some((word, v.to_string())),
                    None => {
                        if let Some(value) = args.get(i) {
                            found.uid = Some((value, value.text.clone()));
                            i += 1;
                        }
                    }
                },
                _ => {}
            }
            continue;
        }
        let Some(letters) = t.strip_prefix('-').filter(|l| !l.is_empty()) else {
            continue;
        };
        for (at, letter) in letters.char_indices() {
            if letter == 'l' {
                found.no_log_init = true;
            }
            if !VALUE_LETTERS.contains(letter) {
                continue;
            }
            // The rest of the word, or else the next word, is the value.
            let rest = &letters[at + letter.len_utf8()..];
            let value = if rest.is_empty() {
                let value = args.get(i);
                i += 1;
                value.map(|w| (w, w.text.clone()))
            } else {
                Some((word, rest.to_string()))
            };
            if letter == 'u' {
                found.uid = value;
            }
            break;
        }
    }
    found
}
