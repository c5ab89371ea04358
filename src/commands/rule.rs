//! `plimsoll rule CODE` prints a rule's page; `plimsoll rule --all` lists them.

use crate::Exit;
use crate::args::{RuleArgs, RuleFormat};
use anyhow::{Result, bail};
use plimsoll_rules::registry;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct RuleInfo {
    code: &'static str,
    name: &'static str,
    aliases: Vec<&'static str>,
    severity: &'static str,
    fix: &'static str,
    default_enabled: bool,
    summary: &'static str,
}

pub fn run(args: RuleArgs) -> Result<Exit> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.all {
        let rules: Vec<RuleInfo> = registry::all()
            .map(|r| {
                let m = r.meta();
                RuleInfo {
                    code: m.code,
                    name: m.name,
                    aliases: m.alias.into_iter().collect(),
                    severity: m.severity.as_str(),
                    fix: m.fix.as_str(),
                    default_enabled: m.default_enabled,
                    summary: m.summary,
                }
            })
            .collect();
        match args.format {
            RuleFormat::Json => {
                serde_json::to_writer_pretty(&mut out, &rules)?;
                writeln!(out)?;
            }
            RuleFormat::Text => {
                writeln!(
                    out,
                    "{:<6} {:<24} {:<8} {:<9} {:<4} NAME: SUMMARY",
                    "CODE", "ALIAS", "SEVERITY", "FIX", "ON"
                )?;
                for r in &rules {
                    writeln!(
                        out,
                        "{:<6} {:<24} {:<8} {:<9} {:<4} {}: {}",
                        r.code,
                        r.aliases.first().copied().unwrap_or("-"),
                        r.severity,
                        r.fix,
                        if r.default_enabled { "yes" } else { "no" },
                        r.name,
                        r.summary
                    )?;
                }
            }
        }
        out.flush()?;
        return Ok(Exit::Clean);
    }
    let code = args.code.unwrap_or_default();
    let Some(rule) = registry::find(&code) else {
        bail!("no rule named `{code}` (see `plimsoll rule --all`)");
    };
    let m = rule.meta();
    writeln!(out, "# {} {}", m.code, m.name)?;
    writeln!(out)?;
    writeln!(out, "{}", m.summary)?;
    writeln!(out)?;
    writeln!(out, "- Alias: {}", m.alias.unwrap_or("none"))?;
    writeln!(out, "- Default severity: {}", m.severity.as_str())?;
    writeln!(out, "- Fix: {}", m.fix.as_str())?;
    writeln!(
        out,
        "- Enabled by default: {}",
        if m.default_enabled { "yes" } else { "no" }
    )?;
    writeln!(out)?;
    write!(out, "{}", m.docs().trim_start())?;
    out.flush()?;
    Ok(Exit::Clean)
}
