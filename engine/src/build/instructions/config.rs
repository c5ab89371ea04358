//! Instructions that only change the image configuration: ENV, LABEL, EXPOSE, VOLUME,
//! USER, CMD, ENTRYPOINT, STOPSIGNAL, SHELL, MAINTAINER, ONBUILD (recorded for images
//! built on this one) and ARG (which only feeds expansion and RUN environments).

use super::{Run, instruction_text};
use crate::build::BuildError;
use crate::build::scope::Scope;
use crate::build::state::StageState;
use plimsoll_analyzer::{Dockerfile, Form, Instruction, Keyword};

/// `80`, `80/tcp`, `53/udp`, `8000-8002` → `port/proto` entries.
pub fn exposed_ports(word: &str) -> Result<Vec<String>, BuildError> {
    let (ports, proto) = match word.split_once('/') {
        Some((p, proto)) => (p, proto.to_ascii_lowercase()),
        None => (word, "tcp".to_string()),
    };
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(BuildError::Invalid(format!(
            "EXPOSE {word}: unknown protocol `{proto}`"
        )));
    }
    let bad = || BuildError::Invalid(format!("EXPOSE {word}: not a port or port range"));
    let (lo, hi) = match ports.split_once('-') {
        Some((a, b)) => (
            a.parse::<u16>().map_err(|_| bad())?,
            b.parse::<u16>().map_err(|_| bad())?,
        ),
        None => {
            let p = ports.parse::<u16>().map_err(|_| bad())?;
            (p, p)
        }
    };
    if lo > hi {
        return Err(bad());
    }
    Ok((lo..=hi).map(|p| format!("{p}/{proto}")).collect())
}

/// A command in the configuration: exec form as written, shell form wrapped in the shell.
fn command(state: &StageState, instruction: &Instruction) -> Vec<String> {
    match &instruction.form {
        Form::Exec(words) => words.iter().map(|w| w.text.clone()).collect(),
        _ => {
            let mut args = state.shell();
            args.push(instruction.args.text.trim().to_string());
            args
        }
    }
}

pub fn execute(
    run: &mut Run<'_>,
    state: &mut StageState,
    df: &Dockerfile,
    instruction: &Instruction,
) -> Result<(), BuildError> {
    let config = state.image.config.clone();
    let scope = Scope {
        df,
        at: instruction.index,
        config: &config,
    };
    let mut after = config.clone();
    let image = &mut after;
    match instruction.keyword {
        Keyword::Env => {
            for (key, value) in scope.pairs(instruction) {
                image.set_env(&key, &value);
            }
        }
        Keyword::Label => {
            let pairs = scope.pairs(instruction);
            image.update(|c| {
                let mut labels = c.labels().clone().unwrap_or_default();
                labels.extend(pairs);
                c.set_labels(Some(labels));
            });
        }
        Keyword::Expose => {
            let mut ports = Vec::new();
            for word in scope.words(instruction) {
                ports.extend(exposed_ports(&word)?);
            }
            image.update(|c| {
                let mut all = c.exposed_ports().clone().unwrap_or_default();
                for p in ports {
                    if !all.contains(&p) {
                        all.push(p);
                    }
                }
                c.set_exposed_ports(Some(all));
            });
        }
        Keyword::Volume => {
            let volumes = scope.words(instruction);
            if volumes.iter().any(|v| v.trim().is_empty()) {
                return Err(BuildError::Invalid("VOLUME paths cannot be empty".into()));
            }
            image.update(|c| {
                let mut all = c.volumes().clone().unwrap_or_default();
                for v in volumes {
                    if !all.contains(&v) {
                        all.push(v);
                    }
                }
                c.set_volumes(Some(all));
            });
        }
        Keyword::User => {
            let user = scope.words(instruction).join(" ");
            image.update(|c| {
                c.set_user(Some(user));
            });
        }
        Keyword::Cmd => {
            let cmd = command(state, instruction);
            image.update(|c| {
                c.set_cmd(Some(cmd));
            });
            state.cmd_set = true;
        }
        Keyword::Entrypoint => {
            let entrypoint = command(state, instruction);
            let keep_cmd = state.cmd_set;
            image.update(|c| {
                c.set_entrypoint(Some(entrypoint));
                if !keep_cmd {
                    c.set_cmd(None);
                }
            });
        }
        Keyword::Stopsignal => {
            let signal = scope.words(instruction).join(" ");
            if signal.is_empty() {
                return Err(BuildError::Invalid("STOPSIGNAL needs a signal".into()));
            }
            image.update(|c| {
                c.set_stop_signal(Some(signal));
            });
        }
        Keyword::Shell => {
            let Form::Exec(words) = &instruction.form else {
                return Err(BuildError::Invalid(
                    "SHELL needs the JSON form, e.g. SHELL [\"/bin/bash\", \"-c\"]".into(),
                ));
            };
            image.shell = Some(words.iter().map(|w| w.text.clone()).collect());
        }
        Keyword::Maintainer => {
            image
                .oci
                .set_author(Some(instruction.args.text.trim().to_string()));
        }
        Keyword::Onbuild => {
            image
                .on_build
                .push(instruction.args.text.trim().to_string());
        }
        Keyword::Arg => {
            // ARG changes nothing in the image and leaves no history (as in BuildKit).
            run.arg_step(state, &instruction_text(df, instruction));
            return Ok(());
        }
        other => {
            return Err(BuildError::Invalid(format!(
                "{} is not a configuration instruction",
                other.as_str()
            )));
        }
    }
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
    fn parses_exposed_ports() {
        assert_eq!(exposed_ports("80").unwrap(), ["80/tcp"]);
        assert_eq!(exposed_ports("53/UDP").unwrap(), ["53/udp"]);
        assert_eq!(
            exposed_ports("8000-8002").unwrap(),
            ["8000/tcp", "8001/tcp", "8002/tcp"]
        );
        assert!(exposed_ports("http").is_err());
        assert!(exposed_ports("80/icmp").is_err());
        assert!(exposed_ports("9-1").is_err());
    }
}
