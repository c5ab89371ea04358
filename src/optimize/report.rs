//! The optimize report: a table for the terminal, JSON for CI, Markdown for pull requests.

use super::candidate::Level;
use super::images::Built;
use super::verify::Check;
use serde::Serialize;
use std::io::{self, Write};

/// One rule's fixes, kept or dropped.
#[derive(Clone, Debug, Serialize)]
pub struct Transformation {
    pub code: &'static str,
    pub name: &'static str,
    /// What its fixes did.
    pub fixes: Vec<String>,
    /// Why it was dropped, when it was.
    pub dropped: Option<String>,
    /// Compressed bytes it saved (measured with --attribute, or when it is the only one).
    pub saved_bytes: Option<i64>,
}

impl Transformation {
    pub fn new(code: &'static str, fixes: &[(&'static str, String)]) -> Transformation {
        let mut messages: Vec<String> = Vec::new();
        for (c, message) in fixes {
            if *c == code && !messages.contains(message) {
                messages.push(message.clone());
            }
        }
        Transformation {
            code,
            name: plimsoll_rules::registry::meta(code).map_or("", |m| m.name),
            fixes: messages,
            dropped: None,
            saved_bytes: None,
        }
    }
}

pub struct Outcome<'a> {
    pub dockerfile: String,
    pub level: Level,
    pub before: &'a Built,
    /// The verified rewrite; `None` when every transformation was dropped.
    pub after: Option<&'a Built>,
    pub transformations: &'a [Transformation],
    pub checks: &'a [Check],
    pub diff: &'a str,
    pub applied: bool,
}

#[derive(Serialize)]
struct LayerJson {
    created_by: Option<String>,
    compressed_bytes: u64,
    uncompressed_bytes: u64,
}

#[derive(Serialize)]
struct ImageJson {
    compressed_bytes: u64,
    uncompressed_bytes: u64,
    layers: usize,
    build_seconds: f64,
    efficiency: f64,
    wasted_bytes: u64,
    layer_sizes: Vec<LayerJson>,
}

fn image_json(built: &Built) -> ImageJson {
    ImageJson {
        compressed_bytes: built.compressed_bytes(),
        uncompressed_bytes: built.uncompressed_bytes(),
        layers: built.image.layers.len(),
        build_seconds: (built.seconds * 100.0).round() / 100.0,
        efficiency: built.analysis.efficiency,
        wasted_bytes: built.analysis.wasted_bytes,
        layer_sizes: built
            .analysis
            .layers
            .iter()
            .map(|l| LayerJson {
                created_by: l.created_by.clone(),
                compressed_bytes: l.compressed_size,
                uncompressed_bytes: l.uncompressed_size,
            })
            .collect(),
    }
}

impl Outcome<'_> {
    /// The image the report ends with: the rewrite, or the original when nothing survived.
    fn result(&self) -> &Built {
        self.after.unwrap_or(self.before)
    }

    pub fn saved_bytes(&self) -> i64 {
        self.before.compressed_bytes() as i64 - self.result().compressed_bytes() as i64
    }

    pub fn saved_percent(&self) -> f64 {
        let before = self.before.compressed_bytes();
        if before == 0 {
            return 0.0;
        }
        (self.saved_bytes() as f64 * 1000.0 / before as f64).round() / 10.0
    }

    fn verified(&self) -> bool {
        self.after.is_some()
    }
}

pub fn json(out: &mut impl Write, o: &Outcome<'_>) -> io::Result<()> {
    let value = serde_json::json!({
        "dockerfile": o.dockerfile,
        "level": o.level,
        "verified": o.verified(),
        "applied": o.applied,
        "before": image_json(o.before),
        "after": image_json(o.result()),
        "saved_bytes": o.saved_bytes(),
        "saved_percent": o.saved_percent(),
        "transformations": o.transformations,
        "checks": o.checks,
        "diff": o.diff,
    });
    let text = serde_json::to_string_pretty(&value).map_err(io::Error::other)?;
    writeln!(out, "{text}")
}

/// `1.2 MB`-style sizes (decimal units, as registries show them).
pub fn bytes(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    let n = n.unsigned_abs() as f64;
    let (value, unit) = if n >= 1e9 {
        (n / 1e9, "GB")
    } else if n >= 1e6 {
        (n / 1e6, "MB")
    } else if n >= 1e3 {
        (n / 1e3, "kB")
    } else {
        return format!("{sign}{n} B");
    };
    format!("{sign}{value:.1} {unit}")
}

fn short(text: &str, width: usize) -> String {
    let text = text.replace(['\n', '\t'], " ");
    if text.chars().count() <= width {
        text
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}

fn saved(t: &Transformation) -> String {
    match (&t.dropped, t.saved_bytes) {
        (Some(_), _) => "dropped".into(),
        (None, Some(n)) => bytes(n),
        (None, None) => "(--attribute)".into(),
    }
}

pub fn table(out: &mut impl Write, o: &Outcome<'_>, show_diff: bool) -> io::Result<()> {
    let (b, a) = (o.before, o.result());
    writeln!(out, "{}: level {:?}", o.dockerfile, o.level)?;
    writeln!(out)?;
    writeln!(out, "{:<14} {:>20} {:>20}", "", "before", "after")?;
    let row = |out: &mut dyn Write, what: &str, x: String, y: String| {
        writeln!(out, "{what:<14} {x:>20} {y:>20}")
    };
    row(
        out,
        "compressed",
        bytes(b.compressed_bytes() as i64),
        bytes(a.compressed_bytes() as i64),
    )?;
    row(
        out,
        "uncompressed",
        bytes(b.uncompressed_bytes() as i64),
        bytes(a.uncompressed_bytes() as i64),
    )?;
    row(
        out,
        "layers",
        b.image.layers.len().to_string(),
        a.image.layers.len().to_string(),
    )?;
    let time = |built: &Built| {
        if built.cached > 0 {
            format!(
                "{:.1} s ({}/{} cached)",
                built.seconds, built.cached, built.steps
            )
        } else {
            format!("{:.1} s", built.seconds)
        }
    };
    row(out, "build time", time(b), time(a))?;
    row(
        out,
        "efficiency",
        format!("{:.1} %", b.analysis.efficiency * 100.0),
        format!("{:.1} %", a.analysis.efficiency * 100.0),
    )?;
    row(
        out,
        "wasted",
        bytes(b.analysis.wasted_bytes as i64),
        bytes(a.analysis.wasted_bytes as i64),
    )?;
    writeln!(
        out,
        "{:<14} {:>20} ({:.1} %)",
        "saved",
        bytes(o.saved_bytes()),
        o.saved_percent()
    )?;
    writeln!(out)?;
    writeln!(out, "Layers (compressed)")?;
    let rows = b.analysis.layers.len().max(a.analysis.layers.len());
    for i in 0..rows {
        let cell = |built: &Built| {
            built.analysis.layers.get(i).map_or_else(
                || format!("{:<44}", ""),
                |l| {
                    format!(
                        "{:<34} {:>9}",
                        short(l.created_by.as_deref().unwrap_or("(base)"), 34),
                        bytes(l.compressed_size as i64)
                    )
                },
            )
        };
        writeln!(out, "  {:>2}  {}   {}", i, cell(b), cell(a))?;
    }
    writeln!(out)?;
    writeln!(out, "Transformations")?;
    for t in o.transformations {
        writeln!(
            out,
            "  {} {:<36} {:>14}  {}",
            t.code,
            t.name,
            saved(t),
            t.fixes.join("; ")
        )?;
        if let Some(reason) = &t.dropped {
            writeln!(out, "        dropped: {reason}")?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Verification")?;
    if o.checks.is_empty() {
        writeln!(out, "  nothing survived: the original is kept")?;
    }
    for c in o.checks {
        let mark = if c.passed { "ok  " } else { "FAIL" };
        writeln!(out, "  {mark} {:<10} {}", c.name, c.details.join("; "))?;
    }
    if o.applied {
        writeln!(out)?;
        writeln!(out, "written to {}", o.dockerfile)?;
    } else if show_diff && !o.diff.is_empty() && o.verified() {
        writeln!(out)?;
        write!(out, "{}", o.diff)?;
        writeln!(out, "(not written: --apply writes it)")?;
    }
    Ok(())
}

pub fn markdown(out: &mut impl Write, o: &Outcome<'_>) -> io::Result<()> {
    let (b, a) = (o.before, o.result());
    writeln!(out, "### Plimsoll optimize: `{}`", o.dockerfile)?;
    writeln!(out)?;
    writeln!(
        out,
        "**{} smaller** ({:.1} %), level `{:?}`{}.",
        bytes(o.saved_bytes()),
        o.saved_percent(),
        o.level,
        if o.verified() {
            ", verified"
        } else {
            ", nothing verified"
        }
    )?;
    writeln!(out)?;
    writeln!(out, "| | before | after |")?;
    writeln!(out, "|---|---:|---:|")?;
    writeln!(
        out,
        "| compressed | {} | {} |",
        bytes(b.compressed_bytes() as i64),
        bytes(a.compressed_bytes() as i64)
    )?;
    writeln!(
        out,
        "| uncompressed | {} | {} |",
        bytes(b.uncompressed_bytes() as i64),
        bytes(a.uncompressed_bytes() as i64)
    )?;
    writeln!(
        out,
        "| layers | {} | {} |",
        b.image.layers.len(),
        a.image.layers.len()
    )?;
    writeln!(
        out,
        "| build time | {:.1} s | {:.1} s |",
        b.seconds, a.seconds
    )?;
    writeln!(
        out,
        "| efficiency | {:.1} % | {:.1} % |",
        b.analysis.efficiency * 100.0,
        a.analysis.efficiency * 100.0
    )?;
    writeln!(out)?;
    writeln!(out, "| transformation | saved | |")?;
    writeln!(out, "|---|---:|---|")?;
    for t in o.transformations {
        writeln!(
            out,
            "| {} `{}` | {} | {} |",
            t.code,
            t.name,
            saved(t),
            t.dropped
                .as_deref()
                .map_or_else(|| t.fixes.join("; "), |r| format!("dropped: {r}"))
                .replace('|', "\\|")
        )?;
    }
    writeln!(out)?;
    for c in o.checks {
        writeln!(
            out,
            "- {} {}: {}",
            if c.passed { "✅" } else { "❌" },
            c.name,
            c.details.join("; ")
        )?;
    }
    if !o.diff.is_empty() && o.verified() {
        writeln!(out)?;
        writeln!(out, "<details><summary>Diff</summary>\n\n```diff")?;
        write!(out, "{}", o.diff)?;
        writeln!(out, "```\n</details>")?;
    }
    Ok(())
}
