//! The `plimsoll` binary: the only place that knows the terminal.

mod args;
mod commands;
mod digests;
mod discover;
mod lint;
mod optimize;
mod printer;
mod shellcheck;
mod waste;
mod write;

use clap::Parser;
use std::process::ExitCode;

/// Exit codes, as in Ruff: 0 clean, 1 findings at or above the fail level, 2 usage,
/// configuration, I/O or internal error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Clean = 0,
    Findings = 1,
    Error = 2,
}

fn main() -> ExitCode {
    // When started as the build engine's sandbox helper, this never returns.
    plimsoll_engine::sandbox::enter_if_requested();
    // A bug must not end in a backtrace: say what happened and how to report it.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("error: internal error in plimsoll{location}: {message}");
        eprintln!("This is a bug; please report it with the input that caused it.");
    }));

    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            // --help and --version print to stdout and succeed.
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        args::Command::Check(check) => commands::check::run(check),
        args::Command::Rule(rule) => commands::rule::run(rule),
        args::Command::Build(build) => commands::build::run(build),
        args::Command::Run(run) => commands::run::run(run),
        args::Command::Cache(cache) => commands::cache::run(cache),
        args::Command::Lsp(lsp) => commands::lsp::run(lsp),
        args::Command::Analyze(analyze) => commands::analyze::run(analyze),
        args::Command::Pull(pull) => commands::registry::pull(pull),
        args::Command::Push(push) => commands::registry::push(push),
        args::Command::Image(image) => commands::image::run(image),
        args::Command::Optimize(optimize) => optimize::run(optimize),
    };
    match result {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(Exit::Error as u8)
        }
    }
}

/// Output cut short by `| head` is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
