use super::support::{base_name, runs};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Span;
use plimsoll_analyzer::shell::{Command, Connector};

declare_rule! {
    /// ## What it does
    /// Reports a script downloaded and run in one go, without being checked:
    /// - `curl … | sh`, `wget -qO- … | bash` (also `| sudo sh`, `| sh -s -- args`,
    ///   and interpreters: `| python3 -`, `| perl`, `| ruby`, `| node`, `| php`);
    /// - `sh -c "$(curl …)"`, `bash <(curl …)`, `source <(curl …)`, `eval "$(curl …)"`.
    ///
    /// A download saved to a file first (`curl -o install.sh …`) is not reported: there
    /// is a place to check it before running it.
    ///
    /// ## Why is this bad?
    /// The build runs whatever the server sends at that moment, with the build's
    /// privileges (usually root), and nothing records what it was. A compromised or
    /// spoofed server, a changed script, or a download cut off half-way (the shell runs
    /// the part it got) all go straight into the image, and the next build may get a
    /// different script.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN curl -fsSL https://get.example.com/install.sh | sh
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// ADD --checksum=sha256:0e5b9f… https://get.example.com/v1.4.2/install.sh /tmp/install.sh
    /// RUN sh /tmp/install.sh && rm /tmp/install.sh
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: ADD --checksum](https://docs.docker.com/reference/dockerfile/#add---checksum)
    pub struct RemoteScriptPipedToShell {
        code: "PL814",
        name: "remote-script-piped-to-shell",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A RUN pipes a downloaded script straight into a shell",
    }
}

const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"];

impl Rule for RemoteScriptPipedToShell {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in runs(ctx.file) {
            let commands: Vec<&Command> = instruction.commands().collect();
            for (i, command) in commands.iter().enumerate() {
                let Some(program) = command.program_word().map(|w| base_name(&w.text)) else {
                    continue;
                };
                // `… | sh`: a download earlier in the pipeline.
                if command.connector == Connector::Pipe
                    && reads_stdin(program, command)
                    && let Some((fetch, tool)) = download_before(&commands, i)
                {
                    out.push(report(
                        &Self::META,
                        Span::new(fetch.span.start, command.span.end),
                        format!("{tool} … | {program}"),
                    ));
                    continue;
                }
                // `sh -c "$(curl …)"`, `bash <(curl …)`, `eval "$(curl …)"`.
                let runs_code =
                    SHELLS.contains(&program) || matches!(program, "eval" | "source" | ".");
                if runs_code
                    && let Some((opener, tool)) = command
                        .program_args()
                        .iter()
                        .find_map(|w| substituted_download(&w.text))
                {
                    out.push(report(
                        &Self::META,
                        command.span,
                        format!("{program} … {opener}{tool} …)"),
                    ));
                }
            }
        }
    }
}

fn report(meta: &'static RuleMeta, span: Span, shown: String) -> Diagnostic {
    Diagnostic::new(
        meta,
        span,
        format!(
            "`{shown}` runs whatever the server sends, unchecked: a changed, spoofed or \
             truncated script runs in the build"
        ),
    )
    .with_help(
        "download the script to a file, check it against a known checksum \
         (`echo \"SHA256  install.sh\" | sha256sum -c -`) or fetch it with \
         `ADD --checksum=sha256:…`, then run it",
    )
}

/// Whether the command runs a program that reads its code from standard input: a shell
/// without a script operand (or with `-s`), or an interpreter with `-` or no script.
fn reads_stdin(program: &str, command: &Command) -> bool {
    let args = command.program_args();
    if SHELLS.contains(&program) {
        let mut stdin = true;
        for word in args {
            let t = word.text.as_str();
            if t == "-s" || t == "-" || t == "--" {
                return true;
            }
            if t.starts_with('-') || t.starts_with('+') {
                // `-c` runs its argument, not standard input.
                if t.starts_with('-') && !t.starts_with("--") && t.contains('c') {
                    stdin = false;
                }
                continue;
            }
            // A script file operand.
            return false;
        }
        return stdin;
    }
    let interpreter = matches!(program, "perl" | "ruby" | "node" | "php")
        || program == "python"
        || program
            .strip_prefix("python")
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'));
    if !interpreter {
        return false;
    }
    for word in args {
        let t = word.text.as_str();
        if t == "-" {
            return true;
        }
        if matches!(
            t,
            "-c" | "-e" | "-m" | "-r" | "-E" | "--eval" | "--version" | "-v" | "-V"
        ) {
            return false;
        }
        if !t.starts_with('-') {
            return false;
        }
    }
    true
}

/// The curl or wget command that writes to standard output earlier in the same pipeline
/// as `commands[at]`.
fn download_before<'a>(commands: &[&'a Command], at: usize) -> Option<(&'a Command, &'static str)> {
    let consumer = commands[at];
    let mut start = consumer.span.start;
    for command in commands[..at].iter().rev() {
        if command.span.end > start {
            // A substitution inside a later element.
            continue;
        }
        if !command.pipes_into_next {
            return None;
        }
        let tool = match command.program_word().map(|w| base_name(&w.text)) {
            Some("curl") if !curl_writes_file(command) => Some("curl"),
            Some("wget") if wget_writes_stdout(command) => Some("wget"),
            _ => None,
        };
        if let Some(tool) = tool {
            return Some((command, tool));
        }
        if command.connector != Connector::Pipe {
            return None;
        }
        start = command.span.start;
    }
    None
}

/// Short options of curl that take a value.
const CURL_VALUE_LETTERS: &str = "AbcCdDeEFHKmoPQrtTuUwxXyYz";

/// `curl -o FILE`, `--output FILE`, `-O`: the body goes to a file, not down the pipe.
fn curl_writes_file(command: &Command) -> bool {
    let args = command.program_args();
    let mut i = 0;
    while let Some(word) = args.get(i) {
        i += 1;
        let t = word.text.as_str();
        if let Some(long) = t.strip_prefix("--") {
            match long.split_once('=') {
                Some(("output", file)) => return file != "-",
                _ if long == "output" => return args.get(i).is_some_and(|f| f.text != "-"),
                _ if long.starts_with("remote-name") => return true,
                _ => continue,
            }
        }
        let Some(letters) = t.strip_prefix('-') else {
            continue;
        };
        for (at, letter) in letters.char_indices() {
            if letter == 'O' {
                return true;
            }
            if CURL_VALUE_LETTERS.contains(letter) {
                let rest = &letters[at + 1..];
                if letter == 'o' {
                    let file = if rest.is_empty() {
                        args.get(i).map_or("", |w| w.text.as_str())
                    } else {
                        rest
                    };
                    return file != "-";
                }
                if rest.is_empty() {
                    i += 1;
                }
                break;
            }
        }
    }
    false
}

/// `wget -O-`, `-qO -`, `--output-document=-`: the body goes to standard output.
fn wget_writes_stdout(command: &Command) -> bool {
    let args = command.program_args();
    args.iter().enumerate().any(|(i, w)| {
        let t = w.text.as_str();
        if t == "--output-document=-" || t == "-O-" {
            return true;
        }
        if t == "--output-document"
            || (t.starts_with('-') && !t.starts_with("--") && t.ends_with('O'))
        {
            return args.get(i + 1).is_some_and(|v| v.text == "-");
        }
        t.starts_with('-') && !t.starts_with("--") && t.ends_with("O-")
    })
}

/// `$(curl …)`, `<(curl …)`, `` `wget -qO- …` `` inside a word: how the substitution
/// opens (`` ` `` shown as `$(`) and the download tool.
fn substituted_download(text: &str) -> Option<(&'static str, &'static str)> {
    for (opener, shown) in [("$(", "$("), ("<(", "<("), ("`", "$(")] {
        for (at, _) in text.match_indices(opener) {
            let inner = text[at + opener.len()..].trim_start();
            let first = inner.split_whitespace().next().unwrap_or("");
            match base_name(first) {
                "curl" => return Some((shown, "curl")),
                "wget" => return Some((shown, "wget")),
                _ => {}
            }
        }
    }
    None
}
