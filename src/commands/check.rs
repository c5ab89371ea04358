//! `plimsoll check`: lint files in parallel, print in a stable order, exit by severity.

use crate::Exit;
use crate::args::{CheckArgs, ColorChoice, FailLevel, OutputFormat, ShellcheckMode};
use crate::discover;
use crate::lint::{FileReport, Linter};
use crate::printer::{self, Summary};
use crate::shellcheck::ShellCheck;
use crate::write;
use anyhow::{Context as _, Result, bail};
use codespan_reporting::term::termcolor::{self, BufferedStandardStream};
use plimsoll_analyzer::ParseOptions;
use plimsoll_rewriter::FixOptions;
use plimsoll_rules::{Selection, Severity};
use rayon::prelude::*;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

pub fn run(args: CheckArgs) -> Result<Exit> {
    let selection = Selection {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
    };
    let unknown = selection.unknown();
    if !unknown.is_empty() {
        bail!(
            "unknown rule selector{}: {} (see `plimsoll rule --all`)",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", ")
        );
    }
    let parse_options = ParseOptions {
        build_args: parse_build_args(&args.build_args)?,
    };
    let context = if args.no_context {
        None
    } else {
        Some(args.context.clone())
    };
    if let Some(Some(dir)) = &context
        && !dir.is_dir()
    {
        bail!("--context {}: not a directory", dir.display());
    }
    let shellcheck = match args.shellcheck {
        // Neither prints findings.
        _ if args.diff || args.fix_only => None,
        ShellcheckMode::Never => None,
        _ if !selection.may_enable_shellcheck() => None,
        ShellcheckMode::Auto => ShellCheck::detect(),
        ShellcheckMode::Always => Some(ShellCheck::detect().context(
            "--shellcheck=always: `shellcheck` is not installed or does not run \
             (Debian/Ubuntu: apt-get install shellcheck)",
        )?),
    };
    let linter = Linter::new(selection, parse_options, context).with_shellcheck(shellcheck);
    let fixing = (args.fix || args.diff || args.fix_only).then(|| FixOptions {
        unsafe_fixes: args.unsafe_fixes,
        ..FixOptions::default()
    });

    let stdin = args.paths.iter().any(|p| p == Path::new("-"));
    let mut reports: Vec<FileReport> = if stdin {
        if args.paths.len() > 1 {
            bail!("`-` (standard input) cannot be combined with other paths");
        }
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
        let display = args
            .stdin_filename
            .as_ref()
            .map_or_else(|| "-".to_string(), |p| p.display().to_string());
        vec![linter.lint_bytes(display, args.stdin_filename.as_deref(), bytes, fixing)]
    } else {
        let files = discover::discover(&args.paths)?;
        let mut reports: Vec<FileReport> = files
            .par_iter()
            .map(|f| linter.lint_path(f, fixing))
            .collect();
        if args.fix || args.fix_only {
            for (report, path) in reports.iter_mut().zip(&files) {
                if report.original.is_some()
                    && let Err(e) = write::write_atomically(path, &report.text)
                {
                    report.error = Some(format!("{e:#}"));
                }
            }
        }
        reports
    };

    linter.add_shellcheck(&mut reports);

    for report in &reports {
        if let Some(error) = &report.error {
            eprintln!("error: {}: {error}", report.path);
        }
        for warning in &report.warnings {
            eprintln!("warning: {}: {warning}", report.path);
        }
        for dropped in &report.dropped {
            eprintln!(
                "warning: {}:{}: {} fix not applied ({}): {}",
                report.path, dropped.line, dropped.code, dropped.message, dropped.reason
            );
        }
    }

    if args.diff {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        printer::diff::write(&reports, &mut out)?;
        out.flush()?;
        let changes = reports.iter().filter(|r| r.original.is_some()).count();
        if !args.quiet {
            eprintln!(
                "{} would be changed by --fix{}.",
                printer::plural(changes, "file"),
                if args.unsafe_fixes {
                    " --unsafe-fixes"
                } else {
                    ""
                }
            );
        }
        return Ok(if reports.iter().any(|r| r.error.is_some()) {
            Exit::Error
        } else if changes > 0 {
            Exit::Findings
        } else {
            Exit::Clean
        });
    }

    if stdin && fixing.is_some() {
        // Fixed text goes to stdout, so the findings that remain go to stderr.
        let report = &reports[0];
        let mut out = std::io::stdout().lock();
        out.write_all(report.text.as_bytes())?;
        out.flush()?;
        if !args.fix_only {
            printer::concise::write(&reports, &mut std::io::stderr().lock())?;
        }
    } else {
        if args.show_fixes {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            printer::write_applied(&reports, &mut out)?;
            out.flush()?;
        }
        if args.fix_only {
            if !args.quiet {
                let mut out = std::io::stdout().lock();
                printer::write_fix_summary(&reports, args.unsafe_fixes, &mut out)?;
            }
        } else {
            print(&args, &reports)?;
        }
    }

    if reports.iter().any(|r| r.error.is_some()) {
        return Ok(Exit::Error);
    }
    if args.fix_only {
        return Ok(Exit::Clean);
    }
    let threshold = match (args.exit_zero, args.fail_level) {
        (true, _) | (_, FailLevel::Never) => None,
        (_, FailLevel::Style) => Some(Severity::Style),
        (_, FailLevel::Info) => Some(Severity::Info),
        (_, FailLevel::Warning) => Some(Severity::Warning),
        (_, FailLevel::Error) => Some(Severity::Error),
    };
    let failing = threshold.is_some_and(|t| {
        reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .any(|d| d.severity >= t)
    });
    Ok(if failing { Exit::Findings } else { Exit::Clean })
}

fn print(args: &CheckArgs, reports: &[FileReport]) -> Result<()> {
    if args.statistics {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let statistics = printer::statistics::Statistics::of(reports, args.unsafe_fixes);
        if args.format == OutputFormat::Json {
            statistics.write_json(&mut out)?;
        } else {
            statistics.write_table(&mut out)?;
        }
        out.flush()?;
        return Ok(());
    }
    let write: printer::Printer = match args.format {
        OutputFormat::Full => return print_full(args, reports),
        OutputFormat::Concise => printer::concise::write,
        OutputFormat::Json => printer::json::write,
        OutputFormat::Sarif => printer::sarif::write,
        OutputFormat::Github => printer::github::write,
        OutputFormat::Gitlab => printer::gitlab::write,
        OutputFormat::Checkstyle => printer::checkstyle::write,
        OutputFormat::Junit => printer::junit::write,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    write(reports, &mut out)?;
    out.flush()?;
    Ok(())
}

fn print_full(args: &CheckArgs, reports: &[FileReport]) -> Result<()> {
    let color = match args.color {
        ColorChoice::Always => termcolor::ColorChoice::Always,
        ColorChoice::Never => termcolor::ColorChoice::Never,
        ColorChoice::Auto
            if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() =>
        {
            termcolor::ColorChoice::Auto
        }
        ColorChoice::Auto => termcolor::ColorChoice::Never,
    };
    let mut out = BufferedStandardStream::stdout(color);
    printer::full::write(reports, &mut out)?;
    if !args.quiet {
        if args.fix {
            printer::write_fix_summary(reports, args.unsafe_fixes, &mut out)?;
        }
        Summary::of(reports).write(&mut out)?;
    }
    out.flush()?;
    Ok(())
}

/// `NAME=value`, or `NAME` alone to take the value from the environment (as docker does).
fn parse_build_args(raw: &[String]) -> Result<std::collections::HashMap<String, String>> {
    let mut out = std::collections::HashMap::new();
    for arg in raw {
        let (name, value) = match arg.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => match std::env::var(arg) {
                Ok(v) => (arg.clone(), v),
                Err(_) => continue,
            },
        };
        if name.is_empty() {
            bail!("--build-arg `{arg}`: expected NAME=value");
        }
        out.insert(name, value);
    }
    Ok(out)
}
