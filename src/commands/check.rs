//! `plimsoll check`: lint files in parallel, print in a stable order, exit by severity.

use crate::Exit;
use crate::args::{CheckArgs, ColorChoice, FailLevel, OutputFormat, ShellcheckMode};
use crate::commands::build::registry_options;
use crate::digests;
use crate::discover;
use crate::lint::{FileReport, Linter};
use crate::printer::{self, Summary};
use crate::shellcheck::ShellCheck;
use crate::write;
use anyhow::{Context as _, Result, bail};
use codespan_reporting::term::termcolor::{self, BufferedStandardStream};
use plimsoll_analyzer::ParseOptions;
use plimsoll_config::{self as config, FileSettings, Mode, Overrides, Resolver};
use plimsoll_rewriter::FixOptions;
use plimsoll_rules::rules::pinning::Lookups;
use plimsoll_rules::{Selection, Settings};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::sync::Arc;

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
    let mut configs = Resolver::new(
        if args.isolated {
            Mode::Isolated
        } else if let Some(path) = &args.config {
            Mode::Explicit(path.clone())
        } else {
            Mode::Discover
        },
        Overrides {
            select: selection.select,
            extend_select: digest_rules(&args, selection.extend_select),
            ignore: selection.ignore,
            fail_level: fail_level(&args),
        },
    );
    let fixing = (args.fix || args.diff || args.fix_only).then(|| FixOptions {
        unsafe_fixes: args.unsafe_fixes,
        ..FixOptions::default()
    });

    // What to lint, and every file's configuration before anything is linted: a broken
    // configuration stops the run before any output.
    let stdin = args.paths.iter().any(|p| p == Path::new("-"));
    let mut file_settings: Vec<FileSettings> = Vec::new();
    let input = if stdin {
        if args.paths.len() > 1 {
            bail!("`-` (standard input) cannot be combined with other paths");
        }
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
        file_settings.push(configs.for_file(args.stdin_filename.as_deref())?);
        Input::Stdin(bytes)
    } else {
        let files = discover::discover(&args.paths)?;
        for file in &files {
            file_settings.push(configs.for_file(Some(file))?);
        }
        Input::Files(files)
    };
    say_notes(&mut configs);
    if let Some(which) = lookups(&args) {
        let options = registry_options(&args.registry)?;
        let texts: Vec<String> = match &input {
            Input::Stdin(bytes) => vec![String::from_utf8_lossy(bytes).into_owned()],
            // Unreadable files are reported when they are linted.
            Input::Files(files) => files
                .iter()
                .filter_map(|f| std::fs::read_to_string(f).ok())
                .collect(),
        };
        let answers = digests::look_up(
            texts.iter().map(String::as_str),
            &parse_options,
            which,
            &options,
        );
        for warning in &answers.warnings {
            eprintln!("warning: {warning}");
        }
        with_digests(&mut file_settings, answers.digests);
    }

    let shellcheck = match args.shellcheck {
        // Neither prints findings.
        _ if args.diff || args.fix_only => None,
        ShellcheckMode::Never => None,
        _ if !file_settings
            .iter()
            .any(|s| s.settings.may_enable_external()) =>
        {
            None
        }
        ShellcheckMode::Auto => ShellCheck::detect(),
        ShellcheckMode::Always => Some(ShellCheck::detect().context(
            "--shellcheck=always: `shellcheck` is not installed or does not run \
             (Debian/Ubuntu: apt-get install shellcheck)",
        )?),
    };
    let linter = Linter::new(parse_options, context).with_shellcheck(shellcheck);

    let mut reports: Vec<FileReport> = match input {
        Input::Stdin(bytes) => {
            let display = args
                .stdin_filename
                .as_ref()
                .map_or_else(|| "-".to_string(), |p| p.display().to_string());
            vec![linter.lint_bytes(
                display,
                args.stdin_filename.as_deref(),
                bytes,
                &file_settings[0].settings,
                fixing,
            )]
        }
        Input::Files(files) => {
            let mut reports: Vec<FileReport> = files
                .par_iter()
                .zip(&file_settings)
                .map(|(f, s)| linter.lint_path(f, &s.settings, fixing))
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
        }
    };

    linter.add_shellcheck(&mut reports, &file_settings);

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
    // Each file fails by its own configuration's fail level (the command line wins).
    let failing = reports
        .iter()
        .zip(&file_settings)
        .any(|(report, settings)| {
            settings
                .fail_level
                .threshold()
                .is_some_and(|t| report.diagnostics.iter().any(|d| d.severity >= t))
        });
    Ok(if failing { Exit::Findings } else { Exit::Clean })
}

/// Which FROM images to look up in their registries before linting, if any.
fn lookups(args: &CheckArgs) -> Option<Lookups> {
    if args.pin_digests {
        Some(Lookups::All)
    } else if args.check_digests {
        Some(Lookups::Pinned)
    } else {
        None
    }
}

/// The command line's `--extend-select` plus the rules the digest flags are for: asking a
/// registry and not reporting its answer would be pointless (`--ignore` still wins).
fn digest_rules(args: &CheckArgs, mut extend_select: Vec<String>) -> Vec<String> {
    match lookups(args) {
        Some(Lookups::All) => extend_select.extend(["PL102".to_string(), "PL111".to_string()]),
        Some(Lookups::Pinned) => extend_select.push("PL111".to_string()),
        None => {}
    }
    extend_select
}

/// Hands the registries' answers to every file's rules. Files share settings (one per
/// configuration), so each distinct one is copied once.
fn with_digests(file_settings: &mut [FileSettings], digests: BTreeMap<String, String>) {
    if digests.is_empty() {
        return;
    }
    let mut copies: HashMap<*const Settings, Arc<Settings>> = HashMap::new();
    for file in file_settings {
        let copy = copies
            .entry(Arc::as_ptr(&file.settings))
            .or_insert_with(|| {
                let mut settings = Settings::clone(&file.settings);
                settings.options.image_digests = digests.clone();
                Arc::new(settings)
            })
            .clone();
        file.settings = copy;
    }
}

/// Standard input, or the files found.
enum Input {
    Stdin(Vec<u8>),
    Files(Vec<std::path::PathBuf>),
}

/// `--exit-zero` or `--fail-level`, when given: they win over any configuration.
fn fail_level(args: &CheckArgs) -> Option<config::FailLevel> {
    if args.exit_zero {
        return Some(config::FailLevel::Never);
    }
    args.fail_level.map(|level| match level {
        FailLevel::Style => config::FailLevel::Style,
        FailLevel::Info => config::FailLevel::Info,
        FailLevel::Warning => config::FailLevel::Warning,
        FailLevel::Error => config::FailLevel::Error,
        FailLevel::Never => config::FailLevel::Never,
    })
}

/// Which hadolint configuration is used, and warnings about configurations: once, on stderr.
fn say_notes(configs: &mut Resolver) {
    for note in configs.take_notes() {
        eprintln!("{note}");
    }
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
