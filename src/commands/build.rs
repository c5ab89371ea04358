//! `plimsoll build`: the command line around `plimsoll_engine::build`, and the progress
//! display (live on a terminal, plain lines otherwise).

use crate::Exit;
use crate::args::{
    AnalyzeFormat, BuildArgs, LayerCompression, NetworkMode, ProgressMode, RegistryArgs,
};
use anyhow::{Context, Result, bail};
use plimsoll_config::{Mode, Overrides, Resolver as ConfigResolver};
use plimsoll_engine::build::{BuildError, BuildOptions, Builder, Event, Progress, SecretSource};
use plimsoll_engine::export::Output;
use plimsoll_engine::image::{Compression, Image};
use plimsoll_engine::registry::RegistryOptions;
use plimsoll_engine::sandbox::{Network, Sandbox};
use plimsoll_engine::source::{BaseMapping, Resolver};
use plimsoll_engine::store::Store;
use std::collections::VecDeque;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Exit status of an interrupted build (128 + SIGINT).
pub const INTERRUPTED: i32 = 130;

pub fn open_store(root: Option<&std::path::Path>) -> Result<Store> {
    let root = match root {
        Some(root) => root.to_path_buf(),
        None => Store::default_root()?,
    };
    Store::open(&root).with_context(|| format!("cannot open the store at {}", root.display()))
}

pub fn resolver(bases: &[String], pull: bool, registry: &RegistryArgs) -> Result<Resolver> {
    let bases = bases
        .iter()
        .map(|b| BaseMapping::parse(b))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Resolver {
        bases,
        pull,
        registry: registry_options(registry)?,
    })
}

/// `--insecure-registry` values, checked to be a HOST[:PORT] as image names spell them.
pub fn registry_options(args: &RegistryArgs) -> Result<RegistryOptions> {
    for host in &args.insecure_registries {
        let valid = !host.is_empty()
            && !host.contains(['/', '@'])
            && !host.chars().any(char::is_whitespace)
            && host
                .rsplit_once(':')
                .is_none_or(|(h, port)| !h.is_empty() && port.parse::<u16>().is_ok());
        if !valid {
            bail!("--insecure-registry {host}: expected HOST or HOST:PORT, e.g. localhost:5000");
        }
    }
    Ok(RegistryOptions {
        insecure: args.insecure_registries.clone(),
        credentials_file: None,
    })
}

pub fn network(mode: NetworkMode) -> Network {
    match mode {
        NetworkMode::Host => Network::Host,
        NetworkMode::None => Network::None,
    }
}

fn options(args: &BuildArgs) -> Result<BuildOptions> {
    let mut builder = BuildOptions::builder(&args.context)
        .target(args.target.clone())
        .resolver(resolver(&args.bases, args.pull, &args.registry)?)
        .no_cache(args.no_cache)
        .network(network(args.network))
        .source_date_epoch(match args.source_date_epoch {
            Some(epoch) => Some(epoch),
            None => match std::env::var("SOURCE_DATE_EPOCH") {
                Ok(v) if !v.is_empty() => Some(
                    v.parse()
                        .with_context(|| format!("SOURCE_DATE_EPOCH={v} is not a number"))?,
                ),
                _ => None,
            },
        })
        .compression(match args.compression {
            LayerCompression::Gzip => Compression::Gzip,
            LayerCompression::None => Compression::None,
        });
    if let Some(file) = &args.file {
        builder = builder.dockerfile(file);
    }
    for arg in &args.build_args {
        match arg.split_once('=') {
            Some((k, v)) => builder = builder.build_arg(k, v),
            // `--build-arg NAME` takes the value from the environment, as in Docker.
            None => match std::env::var(arg) {
                Ok(v) => builder = builder.build_arg(arg.as_str(), v),
                Err(_) => bail!("--build-arg {arg}: no `=` and no such environment variable"),
            },
        }
    }
    for tag in &args.tag {
        builder = builder.tag(tag.as_str());
    }
    for output in &args.output {
        builder = builder.output(Output::parse(output)?);
    }
    for secret in &args.secret {
        let (id, source): (String, SecretSource) = SecretSource::parse(secret)?;
        builder = builder.secret(id, source);
    }
    for ssh in &args.ssh {
        let (id, socket) = plimsoll_engine::build::parse_ssh(ssh)?;
        builder = builder.ssh(id, socket);
    }
    builder = builder.allow_insecure(args.allow.iter().any(|a| a == "security.insecure"));
    Ok(builder.build()?)
}

pub fn run(args: BuildArgs) -> Result<Exit> {
    let options = options(&args)?;
    let store = open_store(args.root.as_deref())?;
    plimsoll_engine::interrupt::install().context("cannot install the Ctrl-C handler")?;
    let syscall = plimsoll_engine::syscall::host();
    let runner = Sandbox::new(syscall.as_ref());
    let builder = Builder {
        store: &store,
        syscall: syscall.as_ref(),
        runner: &runner,
    };
    let live = match args.progress {
        ProgressMode::Auto => std::io::stderr().is_terminal(),
        ProgressMode::Tty => true,
        _ => false,
    };
    let result = if args.progress == ProgressMode::Quiet {
        builder.build(&options, &mut Quiet)
    } else if live {
        let mut tty = Live::start();
        let result = builder.build(&options, &mut tty);
        tty.stop();
        result
    } else {
        builder.build(&options, &mut Plain::default())
    };
    match result {
        Ok(outcome) => {
            println!("{}", outcome.stored.manifest);
            if args.analyze {
                return analyze_built(&args, &store, &outcome.image);
            }
            Ok(Exit::Clean)
        }
        Err(BuildError::Interrupted) => {
            eprintln!("error: interrupted");
            std::process::exit(INTERRUPTED);
        }
        Err(error) => {
            eprintln!("error: {error}");
            Ok(Exit::Findings)
        }
    }
}

/// `--analyze`: the image's analysis on stderr (stdout keeps the digest alone), waste
/// mapped to the Dockerfile's lines, with plimsoll.toml's `[analyze]` thresholds.
fn analyze_built(args: &BuildArgs, store: &Store, image: &Image) -> Result<Exit> {
    let path = args
        .file
        .clone()
        .unwrap_or_else(|| args.context.join("Dockerfile"));
    let dockerfile = std::fs::read_to_string(&path)
        .ok()
        .map(|text| plimsoll_analyzer::Dockerfile::parse(&text));
    let limits = ConfigResolver::new(Mode::Discover, Overrides::default())
        .for_file(Some(&path))?
        .analyze;
    let name = args
        .tag
        .first()
        .cloned()
        .unwrap_or_else(|| "the built image".to_string());
    let mut err = std::io::stderr().lock();
    writeln!(err)?;
    let exit = crate::commands::analyze::report(
        &mut err,
        store,
        image,
        &crate::commands::analyze::Report {
            name: &name,
            format: AnalyzeFormat::Table,
            top: 10,
            limits,
            dockerfile: dockerfile.as_ref(),
        },
    )?;
    err.flush()?;
    Ok(exit)
}

/// What a terminal shows of a line that redraws itself with `\r` (progress counters).
fn last_segment(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let trimmed = text.trim_end_matches('\r');
    trimmed.rsplit('\r').next().unwrap_or("").to_string()
}

fn seconds(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// Nothing but errors.
struct Quiet;

impl Progress for Quiet {
    fn event(&mut self, _event: Event<'_>) {}
}

/// One line per event, for logs and pipes.
#[derive(Default)]
struct Plain {
    started: Option<Instant>,
}

impl Progress for Plain {
    fn event(&mut self, event: Event<'_>) {
        let mut err = std::io::stderr().lock();
        let _ = match event {
            Event::Start { steps } => {
                self.started = Some(Instant::now());
                writeln!(err, "building {steps} steps")
            }
            Event::Step {
                number,
                total,
                stage,
                text,
            } => writeln!(err, "#{number} [{stage} {number}/{total}] {text}"),
            Event::Output { number, line, .. } => {
                writeln!(err, "#{number} | {}", last_segment(line))
            }
            Event::StepDone {
                number,
                cached: true,
                ..
            } => writeln!(err, "#{number} CACHED"),
            Event::StepDone {
                number, elapsed, ..
            } => writeln!(err, "#{number} done {}", seconds(elapsed)),
            Event::Warning(text) => writeln!(err, "warning: {text}"),
            Event::Done { elapsed, .. } => writeln!(err, "built in {}", seconds(elapsed)),
        };
    }
}

/// The live display: finished steps scroll up as one line each; the running step shows
/// its elapsed time and last lines of output, redrawn in place.
struct Live {
    screen: Arc<Mutex<Screen>>,
    stop: Arc<AtomicBool>,
    ticker: Option<std::thread::JoinHandle<()>>,
}

struct Current {
    number: usize,
    total: usize,
    label: String,
    started: Instant,
    lines: VecDeque<String>,
}

#[derive(Default)]
struct Screen {
    current: Option<Current>,
    /// Lines of the live region on screen.
    drawn: usize,
    /// Output of the running step, kept in full for when it fails.
    output: Vec<String>,
}

const LIVE_LINES: usize = 6;

fn width() -> usize {
    terminal_size::terminal_size()
        .map_or(100, |(w, _)| usize::from(w.0))
        .max(20)
}

fn fit(text: &str, width: usize) -> String {
    let text = text.replace('\t', "    ");
    if text.chars().count() < width {
        text
    } else {
        let mut cut: String = text.chars().take(width.saturating_sub(2)).collect();
        cut.push('…');
        cut
    }
}

impl Screen {
    fn clear(&mut self, out: &mut impl Write) {
        for _ in 0..self.drawn {
            let _ = write!(out, "\x1b[1A\x1b[2K");
        }
        self.drawn = 0;
    }

    fn draw(&mut self, out: &mut impl Write) {
        let w = width();
        if let Some(c) = &self.current {
            let head = format!(
                "[{}/{}] {}  {}",
                c.number,
                c.total,
                c.label,
                seconds(c.started.elapsed())
            );
            let _ = writeln!(out, "\x1b[1m{}\x1b[0m", fit(&head, w));
            self.drawn = 1;
            for line in &c.lines {
                let _ = writeln!(out, "\x1b[2m  {}\x1b[0m", fit(line, w - 2));
                self.drawn += 1;
            }
        }
        let _ = out.flush();
    }

    fn event(&mut self, event: Event<'_>) {
        let mut out = std::io::stderr().lock();
        self.clear(&mut out);
        match event {
            Event::Start { .. } => {}
            Event::Step {
                number,
                total,
                stage,
                text,
            } => {
                self.output.clear();
                self.current = Some(Current {
                    number,
                    total,
                    label: format!("{stage}: {text}"),
                    started: Instant::now(),
                    lines: VecDeque::new(),
                });
            }
            Event::Output { line, .. } => {
                let text = last_segment(line);
                if let Some(c) = &mut self.current {
                    if c.lines.len() == LIVE_LINES {
                        c.lines.pop_front();
                    }
                    c.lines.push_back(text.clone());
                }
                self.output.push(text);
            }
            Event::StepDone {
                elapsed, cached, ..
            } => {
                if let Some(c) = self.current.take() {
                    let tail = if cached {
                        "\x1b[36mCACHED\x1b[0m".to_string()
                    } else {
                        seconds(elapsed)
                    };
                    let line = fit(
                        &format!("[{}/{}] {}", c.number, c.total, c.label),
                        width() - 10,
                    );
                    let _ = writeln!(out, "\x1b[32m✔\x1b[0m {line}  {tail}");
                }
            }
            Event::Warning(text) => {
                let _ = writeln!(out, "\x1b[33mwarning:\x1b[0m {text}");
            }
            Event::Done { elapsed, .. } => {
                let _ = writeln!(out, "built in {}", seconds(elapsed));
            }
        }
        self.draw(&mut out);
    }

    /// A failed step: its full output stays on screen.
    fn fail(&mut self) {
        let mut out = std::io::stderr().lock();
        self.clear(&mut out);
        if let Some(c) = self.current.take() {
            let _ = writeln!(
                out,
                "\x1b[31m✘\x1b[0m [{}/{}] {}",
                c.number, c.total, c.label
            );
            for line in self.output.iter().rev().take(40).rev() {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
}

impl Live {
    fn start() -> Live {
        let screen = Arc::new(Mutex::new(Screen::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let ticker = {
            let screen = Arc::clone(&screen);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(100));
                    if let Ok(mut s) = screen.lock()
                        && s.current.is_some()
                    {
                        let mut out = std::io::stderr().lock();
                        s.clear(&mut out);
                        s.draw(&mut out);
                    }
                }
            })
        };
        Live {
            screen,
            stop,
            ticker: Some(ticker),
        }
    }

    fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
        if let Ok(mut s) = self.screen.lock() {
            s.fail();
        }
    }
}

impl Progress for Live {
    fn event(&mut self, event: Event<'_>) {
        if let Ok(mut s) = self.screen.lock() {
            s.event(event);
        }
    }
}
