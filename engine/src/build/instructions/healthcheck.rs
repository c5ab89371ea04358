//! HEALTHCHECK: `NONE`, or `[--interval=… --timeout=… --start-period=…
//! --start-interval=… --retries=…] CMD …` into Docker's Healthcheck record.

use super::{Run, instruction_text};
use crate::build::BuildError;
use crate::build::state::StageState;
use crate::image::Healthcheck;
use plimsoll_analyzer::{Dockerfile, Form, Instruction};

/// A Go duration (`30s`, `1m30s`, `500ms`, `1h`) in nanoseconds.
pub fn parse_duration(text: &str) -> Result<i64, BuildError> {
    let bad = || BuildError::Invalid(format!("`{text}` is not a duration (e.g. 30s, 1m30s)"));
    if text == "0" {
        return Ok(0);
    }
    let mut total: f64 = 0.0;
    let mut rest = text;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let number: f64 = rest[..number_len].parse().map_err(|_| bad())?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(bad()),
        };
        total += number * scale;
        rest = &rest[unit_len..];
    }
    Ok(total as i64)
}

pub fn execute(
    run: &mut Run<'_>,
    state: &mut StageState,
    df: &Dockerfile,
    instruction: &Instruction,
) -> Result<(), BuildError> {
    let first = instruction
        .words
        .first()
        .map(|w| w.text.to_ascii_uppercase())
        .unwrap_or_default();
    let check = match first.as_str() {
        "NONE" => Healthcheck {
            test: vec!["NONE".into()],
            ..Healthcheck::default()
        },
        "CMD" => {
            let test = match &instruction.form {
                Form::Exec(words) => std::iter::once("CMD".to_string())
                    .chain(words.iter().map(|w| w.text.clone()))
                    .collect(),
                _ => {
                    let text = instruction.args.text.trim();
                    let command = text[3..].trim().to_string();
                    if command.is_empty() {
                        return Err(BuildError::Invalid(
                            "HEALTHCHECK CMD needs a command".into(),
                        ));
                    }
                    vec!["CMD-SHELL".to_string(), command]
                }
            };
            let duration = |name: &str| -> Result<i64, BuildError> {
                instruction
                    .flag(name)
                    .and_then(|f| f.value.as_deref())
                    .map_or(Ok(0), parse_duration)
            };
            let retries = match instruction.flag("retries").and_then(|f| f.value.as_deref()) {
                Some(r) => r
                    .parse::<i64>()
                    .map_err(|_| BuildError::Invalid(format!("--retries={r} is not a number")))?,
                None => 0,
            };
            Healthcheck {
                test,
                interval: duration("interval")?,
                timeout: duration("timeout")?,
                start_period: duration("start-period")?,
                start_interval: duration("start-interval")?,
                retries,
            }
        }
        _ => {
            return Err(BuildError::Invalid(
                "HEALTHCHECK takes NONE or CMD followed by a command".into(),
            ));
        }
    };
    let mut after = state.image.config.clone();
    after.healthcheck = Some(check);
    run.config_step(
        state,
        instruction.keyword,
        after,
        &instruction_text(df, instruction),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_duration("30s").unwrap(), 30_000_000_000);
        assert_eq!(parse_duration("1m30s").unwrap(), 90_000_000_000);
        assert_eq!(parse_duration("500ms").unwrap(), 500_000_000);
        assert_eq!(parse_duration("1.5h").unwrap(), 5_400_000_000_000);
        assert_eq!(parse_duration("0").unwrap(), 0);
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("5 days").is_err());
    }
}
