use super::support::{base_name, runs};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::shell::Command;

declare_rule! {
    /// ## What it does
    /// Reports `wget` without an option that tames its progress output:
    /// `--progress=…`, `-q` (`--quiet`), `-nv` (`--no-verbose`), or a log file
    /// (`-o FILE`, `-a FILE`).
    ///
    /// hadolint's DL3047 reports once per RUN and misses `sudo wget`; this rule points at
    /// each `wget` that lacks the option.
    ///
    /// ## Why is this bad?
    /// When its output is not a terminal, as in a build, GNU wget shows progress as rows
    /// of dots: a line for every 50 KB downloaded. A large download buries the rest of
    /// the build log under thousands of lines and slows down log collection in CI.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN wget https://example.com/dist/tool-1.2.3.tar.gz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN wget --progress=dot:giga https://example.com/dist/tool-1.2.3.tar.gz
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3047](https://github.com/hadolint/hadolint/wiki/DL3047)
    /// - [GNU Wget manual: --progress](https://www.gnu.org/software/wget/manual/wget.html#Download-Options)
    pub struct WgetWithoutProgressOption {
        code: "PL806",
        name: "wget-without-progress-option",
        alias: Some("DL3047"),
        severity: Severity::Info,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "`wget` without `--progress`, `-q` or `-nv` floods the build log",
    }
}

/// Short options of wget that take a value (the rest of the word or the next word).
const VALUE_LETTERS: &str = "aAbBDeiIlOoPQRtTUwXy";

impl Rule for WgetWithoutProgressOption {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in runs(ctx.file) {
            for command in instruction.commands() {
                let Some(word) = command.program_word() else {
                    continue;
                };
                if base_name(&word.text) != "wget" || quiet(command) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        word.span,
                        "`wget` without a progress option prints a line of dots for every 50 KB \
                         it downloads when the output is not a terminal",
                    )
                    .with_help(
                        "add `--progress=dot:giga` (a line every 32 MB), or `-nv` or `-q` to \
                         print less",
                    ),
                );
            }
        }
    }
}

/// Whether the progress output is set or silenced.
fn quiet(command: &Command) -> bool {
    command.program_args().iter().any(|word| {
        let t = word.text.as_str();
        if let Some(long) = t.strip_prefix("--") {
            let name = long.split('=').next().unwrap_or(long);
            return matches!(
                name,
                "progress" | "quiet" | "no-verbose" | "output-file" | "append-output"
            );
        }
        let Some(letters) = t.strip_prefix('-').filter(|l| !l.is_empty()) else {
            return false;
        };
        // `-nv`, `-nc`, `-nd`… are two-letter options.
        if let Some(after_n) = letters.strip_prefix('n') {
            return after_n == "v";
        }
        for letter in letters.chars() {
            match letter {
                'q' | 'o' | 'a' => return true,
                c if VALUE_LETTERS.contains(c) => return false,
                _ => {}
            }
        }
        false
    })
}
