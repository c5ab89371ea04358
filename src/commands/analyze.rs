//! `plimsoll analyze`: where an image's bytes go, as a table or JSON, with CI thresholds.

use crate::Exit;
use crate::args::{AnalyzeArgs, AnalyzeFormat};
use crate::commands::build::{open_store, resolver};
use crate::waste::{RuleHint, hints};
use anyhow::{Context, Result};
use plimsoll_analyzer::Dockerfile;
use plimsoll_config::{AnalyzeThresholds, Mode, Overrides, Resolver, parse_bytes};
use plimsoll_engine::analyze::{Analysis, LayerReport, analyze_with_scans};
use plimsoll_engine::image::Image;
use plimsoll_engine::store::Store;
use std::io::Write;

pub fn run(args: AnalyzeArgs) -> Result<Exit> {
    let mut limits = AnalyzeThresholds {
        min_efficiency: args.min_efficiency,
        max_wasted_bytes: args.max_wasted_bytes,
        max_user_wasted_ratio: args.max_user_wasted_ratio,
    };
    if let Some(path) = &args.ci_config {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        dive_ci(&text, &mut limits).with_context(|| format!("{}", path.display()))?;
    }
    let dockerfile = match &args.file {
        Some(path) => Some(Dockerfile::parse(
            &std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        )),
        None => None,
    };
    // plimsoll.toml's [analyze], found from the Dockerfile's directory or this one.
    let config = Resolver::new(Mode::Discover, Overrides::default())
        .for_file(args.file.as_deref())?
        .analyze;
    limits = limits.or(config);
    let store = open_store(args.root.as_deref())?;
    let syscall = plimsoll_engine::syscall::host();
    let source =
        resolver(&args.bases, false, &args.registry)?.resolve_location(&args.image, &store)?;
    let image = source
        .load(&store, syscall.as_ref())
        .with_context(|| format!("cannot load {}", source.describe()))?;
    let mut out = std::io::stdout().lock();
    let exit = report(
        &mut out,
        &store,
        &image,
        &Report {
            name: &args.image,
            format: args.format,
            top: args.top,
            limits,
            dockerfile: dockerfile.as_ref(),
        },
    )?;
    out.flush()?;
    Ok(exit)
}

/// What to report and against which thresholds.
pub struct Report<'a> {
    pub name: &'a str,
    pub format: AnalyzeFormat,
    pub top: usize,
    pub limits: AnalyzeThresholds,
    /// The Dockerfile the image was built from, for instruction lines.
    pub dockerfile: Option<&'a Dockerfile>,
}

/// Analyzes `image`, writes the report to `out` and the exceeded thresholds to stderr:
/// `Findings` when one is.
pub fn report(
    out: &mut impl Write,
    store: &Store,
    image: &Image,
    report: &Report<'_>,
) -> Result<Exit> {
    let (analysis, scans) = analyze_with_scans(store, image)
        .with_context(|| format!("cannot analyze {}", report.name))?;
    let hints = hints(&scans, &analysis.layers, report.dockerfile);
    match report.format {
        AnalyzeFormat::Json => {
            let mut json = serde_json::to_value(&analysis)?;
            json["rule_hints"] = serde_json::to_value(&hints)?;
            // Serialized first, so that a closed pipe is an io::Error main recognises.
            let text = serde_json::to_string_pretty(&json)?;
            writeln!(out, "{text}")?;
        }
        AnalyzeFormat::Table => table(out, report.name, &analysis, &hints, report.top)?,
    }
    let failures = thresholds(&report.limits, &analysis);
    for failure in &failures {
        eprintln!("analyze: {failure}");
    }
    Ok(if failures.is_empty() {
        Exit::Clean
    } else {
        Exit::Findings
    })
}

/// dive's `.dive-ci`: a value may be a number, a string (`"20MB"`, `"0.95"`), or
/// `disabled`. Thresholds given as flags are kept.
fn dive_ci(text: &str, args: &mut AnalyzeThresholds) -> Result<()> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Value {
        Number(f64),
        Text(String),
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Rules {
        lowest_efficiency: Option<Value>,
        highest_wasted_bytes: Option<Value>,
        highest_user_wasted_percent: Option<Value>,
    }
    #[derive(serde::Deserialize)]
    struct DiveCi {
        rules: Option<Rules>,
    }
    let ratio = |v: Option<Value>, key: &str| -> Result<Option<f64>> {
        match v {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(Some(n)),
            Some(Value::Text(t)) if t.trim().eq_ignore_ascii_case("disabled") => Ok(None),
            Some(Value::Text(t)) => t
                .trim()
                .parse()
                .map(Some)
                .with_context(|| format!("{key}: `{t}` is not a number")),
        }
    };
    let ci: DiveCi = serde_saphyr::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(rules) = ci.rules else {
        return Ok(());
    };
    if args.min_efficiency.is_none() {
        args.min_efficiency = ratio(rules.lowest_efficiency, "lowestEfficiency")?;
    }
    if args.max_user_wasted_ratio.is_none() {
        args.max_user_wasted_ratio = ratio(
            rules.highest_user_wasted_percent,
            "highestUserWastedPercent",
        )?;
    }
    if args.max_wasted_bytes.is_none() {
        args.max_wasted_bytes = match rules.highest_wasted_bytes {
            None => None,
            Some(Value::Number(n)) => Some(n as u64),
            Some(Value::Text(t)) if t.trim().eq_ignore_ascii_case("disabled") => None,
            Some(Value::Text(t)) => Some(
                parse_bytes(&t)
                    .with_context(|| format!("highestWastedBytes: `{t}` is not a size"))?,
            ),
        };
    }
    Ok(())
}

/// The CI thresholds exceeded, one message each.
fn thresholds(args: &AnalyzeThresholds, a: &Analysis) -> Vec<String> {
    let mut failures = Vec::new();
    if let Some(min) = args.min_efficiency
        && a.efficiency < min
    {
        failures.push(format!(
            "efficiency {:.4} is below the minimum {min} (min-efficiency)",
            a.efficiency
        ));
    }
    if let Some(max) = args.max_wasted_bytes
        && a.wasted_bytes > max
    {
        failures.push(format!(
            "{} wasted bytes exceed the maximum {max} (max-wasted-bytes)",
            a.wasted_bytes
        ));
    }
    if let Some(max) = args.max_user_wasted_ratio
        && a.user_wasted_ratio > max
    {
        failures.push(format!(
            "user-wasted ratio {:.4} exceeds the maximum {max} (max-user-wasted-ratio)",
            a.user_wasted_ratio
        ));
    }
    failures
}

fn table(
    out: &mut impl Write,
    image: &str,
    a: &Analysis,
    hints: &[RuleHint],
    top: usize,
) -> std::io::Result<()> {
    writeln!(out, "Image:              {image}")?;
    writeln!(
        out,
        "Total size:         {} in {} layers",
        bytes(a.total_bytes),
        a.layers.len()
    )?;
    writeln!(
        out,
        "Efficiency:         {:.4} ({:.2} %)",
        a.efficiency,
        a.efficiency * 100.0
    )?;
    writeln!(out, "Wasted bytes:       {}", bytes(a.wasted_bytes))?;
    writeln!(
        out,
        "User-wasted ratio:  {:.4} (of {} above the first layer)",
        a.user_wasted_ratio,
        bytes(a.user_bytes)
    )?;
    writeln!(out)?;
    layer_table(out, &a.layers)?;
    writeln!(out)?;
    if a.wasted_paths.is_empty() {
        writeln!(out, "No path is in more than one layer.")?;
    } else {
        writeln!(
            out,
            "Most wasted paths ({} of {}):",
            top.min(a.wasted_paths.len()),
            a.wasted_paths.len()
        )?;
        writeln!(out, "{:>10}  {:<10}  PATH", "WASTED", "LAYERS")?;
        for path in a.wasted_paths.iter().take(top) {
            let layers: Vec<String> = path.layers.iter().map(usize::to_string).collect();
            writeln!(
                out,
                "{:>10}  {:<10}  {}",
                bytes(path.wasted_bytes),
                layers.join(","),
                path.path
            )?;
        }
    }
    writeln!(out)?;
    if !hints.is_empty() {
        writeln!(out, "What the rules would have kept out:")?;
        writeln!(
            out,
            "{:>10}  {:>6}  {:<36}  {:>5}  INSTRUCTION",
            "BYTES", "FILES", "RULE", "LAYER"
        )?;
        for hint in hints {
            let instruction = shorten(hint.created_by.as_deref().unwrap_or("-"), 50);
            let instruction = match hint.line {
                Some(line) => format!("line {line}: {instruction}"),
                None => instruction,
            };
            writeln!(
                out,
                "{:>10}  {:>6}  {:<36}  {:>5}  {instruction}",
                bytes(hint.bytes),
                hint.files,
                format!("{} {}", hint.code, hint.name),
                hint.layer,
            )?;
        }
        writeln!(out)?;
    }
    if a.secrets.is_empty() {
        writeln!(out, "No secrets found.")?;
    } else {
        writeln!(out, "Secrets ({}; values not shown):", a.secrets.len())?;
        writeln!(out, "{:>5}  {:<32}  PATH", "LAYER", "KIND")?;
        for secret in &a.secrets {
            let hidden = match secret.hidden_by {
                Some(layer) => {
                    format!(
                        "  (hidden by layer {layer}, still readable from layer {})",
                        secret.layer
                    )
                }
                None => String::new(),
            };
            writeln!(
                out,
                "{:>5}  {:<32}  {}{hidden}",
                secret.layer, secret.kind, secret.path
            )?;
        }
    }
    Ok(())
}

/// One row a layer: sizes, file changes and the instruction that made it.
pub fn layer_table(out: &mut impl Write, layers: &[LayerReport]) -> std::io::Result<()> {
    writeln!(
        out,
        "{:>3}  {:>10}  {:>12}  {:>10}  {:>6}  {:>8}  {:>7}  CREATED BY",
        "#", "COMPRESSED", "UNCOMPRESSED", "SIZE", "ADDED", "MODIFIED", "REMOVED"
    )?;
    for layer in layers {
        writeln!(
            out,
            "{:>3}  {:>10}  {:>12}  {:>10}  {:>6}  {:>8}  {:>7}  {}",
            layer.index,
            bytes(layer.compressed_size),
            bytes(layer.uncompressed_size),
            bytes(layer.size),
            layer.files.added,
            layer.files.modified,
            layer.files.removed,
            shorten(layer.created_by.as_deref().unwrap_or("-"), 60)
        )?;
    }
    Ok(())
}

/// SI units, as dive prints them.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

pub fn shorten(text: &str, max: usize) -> String {
    let text = text.replace(['\n', '\t'], " ");
    if text.chars().count() <= max {
        text
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}
